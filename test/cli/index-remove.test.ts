import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const tempDir = useTempDir();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PCTX_WORKERS: '1', PCTX_EMBEDDING_DIMENSION: '16', NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args, '--data-dir', dataDir], { cwd: repoRoot, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Each CLI call starts a process (tsx, grammars): generous on a loaded machine. */
const CLI_TEST_MS = 180_000;

function trees() {
  const base = tempDir();
  writeTree(path.join(base, 'app'), { 'main.py': 'def main():\n    pass\n' });
  writeTree(path.join(base, 'pkg'), { 'package.json': '{}', 'dist/index.js': 'export function bundled() {}\n' });
  return { app: path.join(base, 'app'), pkg: path.join(base, 'pkg') };
}

describe('CLI: index several folders, include/exclude, remove', () => {
  it('indexes several folders in one command and lists their results in order, with the note of a build-output-only package', async () => {
    const dataDir = tempDir();
    const { app, pkg } = trees();
    const both = await cli(dataDir, 'index', app, pkg, '--json');
    expect(both.code).toBe(0);
    const { results } = JSON.parse(both.stdout) as { results: { repo: string; files: { total: number }; notes: string[] }[] };
    expect(results.map((r) => [r.repo, r.files.total])).toEqual([
      ['app', 1],
      ['pkg', 0],
    ]);
    expect(results[1]!.notes[1]).toBe('To index it: purecontext-mcp index <dir> --include dist/ (index_folder: include: ["dist/"]).');
  }, CLI_TEST_MS);

  it('remembers --include for the next index of the folder and forgets it with --no-include', async () => {
    const dataDir = tempDir();
    const { pkg } = trees();
    const human = await cli(dataDir, 'index', pkg, '--include', 'dist/');
    expect(human.stdout).toContain('  filters  include dist/\n');
    expect(human.stdout).toContain('1 in index');
    const remembered = JSON.parse((await cli(dataDir, 'index', pkg, '--json')).stdout);
    expect(remembered).toMatchObject({ repo: 'pkg', files: { total: 1 }, filters: { include: ['dist/'], exclude: [] } });
    const forgotten = JSON.parse((await cli(dataDir, 'index', pkg, '--no-include', '--json')).stdout);
    expect(forgotten).toMatchObject({ files: { total: 0, removed: 1 }, filters: { include: [], exclude: [] }, skippedByReason: { build_output: 1 } });
  }, CLI_TEST_MS);

  it('removes a repository with `remove`, and says so with REPO_NOT_FOUND the second time', async () => {
    const dataDir = tempDir();
    const { app } = trees();
    expect((await cli(dataDir, 'index', app, '--json')).code).toBe(0);
    const removed = await cli(dataDir, 'remove', 'app');
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    expect(removed.stdout).toBe('✔ Removed app from tenant local: 1 files, 1 symbols\n');
    const again = await cli(dataDir, 'remove', 'app', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_REPO_NOT_FOUND' } });
  }, CLI_TEST_MS);

  it('refuses --name with several folders before indexing anything', async () => {
    const dataDir = tempDir();
    const r = await cli(dataDir, 'index', tempDir(), tempDir(), '--name', 'x', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_INVALID_ARGUMENT' } });
  }, CLI_TEST_MS);
});
