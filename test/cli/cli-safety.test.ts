import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const tempDir = useTempDir();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(repoRoot, 'src/cli/main.ts');
const ENV = { ...process.env, PCTX_WORKERS: '1', PCTX_EMBEDDING_DIMENSION: '64', NO_COLOR: '1' };

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWith(ENV, ...args);
}

async function cliWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: repoRoot, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each case runs the CLI several times, each a fresh Node process: minutes on a loaded machine.
describe('CLI output safety (issue 8)', { timeout: 240_000 }, () => {
  it.runIf(process.platform !== 'win32')('control characters in file names, folder names and docstrings are escaped in human output (issue 8 #8)', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'evil');
    writeTree(root, {
      'ok.py': 'def clear_screen():\n    """Wipes \x1b[2J\x1b]0;pwned\x07 the screen."""\n    pass\n',
      'dir\x1b[31m/name\x1b[0m.py': 'def inside():\n    pass\n',
      'conf\x1b[8m.py': 'API_KEY=abc123\n',
    });
    const indexed = await cli('index', root, '--data-dir', dataDir);
    expect(indexed.code).toBe(0);
    const search = await cli('search', 'clear screen', '--data-dir', dataDir);
    const inside = await cli('search', 'inside', '--data-dir', dataDir);
    const outline = await cli('outline', 'evil', 'dir\x1b[31m/name\x1b[0m.py', '--data-dir', dataDir);
    const missing = await cli('outline', 'evil', 'no\x1b[2Jpe.py', '--data-dir', dataDir);
    for (const r of [indexed, search, inside, outline, missing]) {
      expect(r.stdout + r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    }
    expect(indexed.stdout).toContain('skipped  1 secret: conf\\x1b[8m.py');
    expect(search.stdout).toContain('Wipes \\x1b[2J\\x1b]0;pwned\\x07 the screen.');
    expect(inside.stdout).toContain('dir\\x1b[31m/name\\x1b[0m.py');
    expect(outline.stdout).toContain('evil:dir\\x1b[31m/name\\x1b[0m.py');
    expect(missing.stderr).toContain('no\\x1b[2Jpe.py');
  });

  it('piping output into a reader that closes early (head) exits quietly, without an EPIPE trace (issue 8 #19)', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'many');
    writeTree(root, { 'a.py': Array.from({ length: 50 }, (_, i) => `def fn_${i}():\n    pass\n`).join('\n') });
    expect((await cli('index', root, '--data-dir', dataDir)).code).toBe(0);
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'search', 'fn', '--limit', '50', '--data-dir', dataDir], { cwd: repoRoot, env: ENV });
    // Like `head` having read enough: the read end is gone before the command writes.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('read commands on a folder with no index say nothing is indexed and create no data folder (issue 8 #19)', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const search = await cli('search', 'anything', '--data-dir', dataDir);
    expect(search.code).toBe(1);
    expect(search.stderr).toContain('(PCTX_ERR_NOTHING_INDEXED)');
    const json = await cli('deps', 'repo', 'a.py', '--json', '--data-dir', dataDir);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_NOTHING_INDEXED', details: { dataDir } } });
    const repos = await cli('repos', '--data-dir', dataDir);
    expect(repos).toMatchObject({ code: 0, stdout: 'No repositories indexed yet. Try: purecontext-mcp index <dir>\n' });
    expect(fs.existsSync(dataDir)).toBe(false);

    // A data folder whose tenant has nothing yet says so instead of "No symbols match".
    expect((await cli('tenants', 'list', '--data-dir', dataDir)).code).toBe(0);
    const empty = await cli('search', 'anything', '--data-dir', dataDir);
    expect(empty).toMatchObject({ code: 0, stdout: 'Nothing is indexed for tenant local yet. Try: purecontext-mcp index <dir>\n' });
  });

  it('an empty search query is a usage error with exit code 2, as cli.md says (issue 8 #20)', async () => {
    const dataDir = tempDir();
    const r = await cli('search', '  ', '--data-dir', dataDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the query must not be empty');
    const json = await cli('search', '', '--json', '--data-dir', dataDir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_INVALID_ARGUMENT' } });
  });

  it('an invalid PCTX_DATA_DIR is refused even when --data-dir is given, as cli.md says (issue 8 #20)', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const r = await cliWith({ ...ENV, PCTX_DATA_DIR: ' ' }, 'tenants', 'list', '--json', '--data-dir', dataDir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_INVALID_CONFIG', details: { option: 'PCTX_DATA_DIR' } } });
    const flag = await cli('tenants', 'list', '--json', '--data-dir', '');
    expect(JSON.parse(flag.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_INVALID_CONFIG', details: { option: '--data-dir' } } });
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
