import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEMO_REPO } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const tempDir = useTempDir();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

async function cli(dataDir: string, ...args: string[]): Promise<CliResult> {
  const env = { ...process.env, PCTX_WORKERS: '2', PCTX_EMBEDDING_DIMENSION: '64', NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args, '--data-dir', dataDir], {
      cwd: repoRoot,
      env,
    });
    return { code: 0, stdout, stderr, json: args.includes('--json') ? JSON.parse(stdout) : undefined };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: args.includes('--json') && e.stdout ? JSON.parse(e.stdout) : undefined };
  }
}

describe('CLI --json contract', () => {
  it('index, search, source, outline, repos, importers and deps print the documented shapes', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);

    const indexed = await cli(dataDir, 'index', root, '--json');
    expect(indexed.code).toBe(0);
    expect(indexed.json).toMatchObject({
      tenant: '00000000',
      repo: 'demo',
      root: expect.any(String),
      files: { total: 8, indexed: 8, unchanged: 0, removed: 0, skipped: 0 },
      symbols: expect.any(Number),
      symbolsIndexed: expect.any(Number),
      imports: expect.any(Number),
      bytesParsed: expect.any(Number),
      skipped: [],
      durationMs: expect.any(Number),
      phasesMs: { discover: expect.any(Number), parse: expect.any(Number), commit: expect.any(Number), vectors: expect.any(Number) },
      vectors: { mode: 'rebuilt', count: expect.any(Number) },
    });
    // Progress bars never reach a pipe.
    expect(indexed.stderr).toBe('');

    const search = await cli(dataDir, 'search', 'getUserById', '--json', '--limit', '3');
    expect(search.json).toMatchObject({ query: 'getUserById', mode: 'keyword', weakMatch: false });
    expect(Object.keys(search.json).sort()).toEqual(['mode', 'query', 'results', 'weakMatch']);
    expect(Object.keys(search.json.results[0]).sort()).toEqual(
      ['endLine', 'filePath', 'id', 'kind', 'language', 'matched', 'name', 'qualifiedName', 'repo', 'score', 'signature', 'similarity', 'startLine', 'summary', 'twins'].sort(),
    );
    expect(search.json.results[0]).toMatchObject({ matched: { fields: ['name', 'qualifiedName', 'path', 'signature', 'doc'], terms: ['get', 'user', 'id'] }, similarity: null, twins: [] });
    const id = search.json.results[0].id as string;

    const source = await cli(dataDir, 'source', id, '--json', '--context', '1');
    expect(source.json).toMatchObject({ id, name: 'getUserById', sourceStartLine: 5, sourceEndLine: 9, fileState: 'unchanged' });

    const outline = await cli(dataDir, 'outline', 'demo', 'ts/src/services/user-service.ts', '--json');
    expect(outline.json).toMatchObject({ repo: 'demo', path: 'ts/src/services/user-service.ts', language: 'typescript', syntaxErrors: false });
    expect(outline.json.symbols[0]).toMatchObject({ name: 'UserService', kind: 'class', children: [{ name: 'getUserById' }, { name: 'deleteUser' }] });

    const repos = await cli(dataDir, 'repos', '--json');
    expect(repos.json).toEqual({ tenant: '00000000', repos: [expect.objectContaining({ repo: 'demo', files: 8 })] });

    const importers = await cli(dataDir, 'importers', 'demo', 'ts/src/util/math.ts', '--json');
    expect(importers.json.importers.map((i: { path: string }) => i.path)).toEqual(['ts/src/index.ts', 'ts/src/services/user-service.ts']);
    const deps = await cli(dataDir, 'deps', 'demo', 'py/pkg/cli.py', '--json');
    expect(deps.json.dependencies).toEqual([{ specifier: '.parser', kind: 'import', line: 1, names: ['parse_config'], resolvedPath: 'py/pkg/parser.py' }]);
  });

  it('reports failures as a JSON error on stdout with exit code 1, and as a sentence on stderr without --json', async () => {
    const dataDir = tempDir();
    const json = await cli(dataDir, 'source', 'nope', '--json');
    expect(json.code).toBe(1);
    expect(json.json).toEqual({ error: { code: 'PCTX_ERR_SYMBOL_NOT_FOUND', message: 'Symbol "nope" does not exist', details: { symbolId: 'nope' } } });
    // Usage errors too: exit code 2, and the same document with --json (was a stack trace).
    const usage = await cli(dataDir, 'search', 'x', '--limit', '0', '--json');
    expect(usage.code).toBe(2);
    expect(usage.json.error).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', message: expect.stringContaining('--limit must be a whole number from 1 to 100') });
    const human = await cli(dataDir, 'outline', 'ghost', 'a.ts');
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe('error: Repository "ghost" is not indexed (PCTX_ERR_REPO_NOT_FOUND)\n');
  });

  it('manages tenants: create, list, update, search by --tenant, backup, restore, delete', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const created = await cli(dataDir, 'tenants', 'create', 'acme', '--quota', '50MB', '--json');
    expect(created.json).toMatchObject({ name: 'acme', status: 'active', quotaBytes: 50 * 1024 * 1024, settings: {} });
    const id = created.json.id as string;
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    const plain = await cli(dataDir, 'tenants', 'create', 'globex');
    expect(plain.stdout).toMatch(/^[0-9a-f]{8}\n$/);

    expect((await cli(dataDir, 'index', root, '--tenant', 'acme', '--json')).json.tenant).toBe(id);
    expect((await cli(dataDir, 'search', 'getUserById', '--tenant', 'globex', '--json')).json.results).toEqual([]);

    const list = await cli(dataDir, 'tenants', 'list', '--json');
    expect(list.json.tenants.map((t: { name: string }) => t.name)).toEqual(['local', 'acme', 'globex']);
    expect(list.json.tenants[1].usedBytes).toBeGreaterThan(0);

    const updated = await cli(dataDir, 'tenants', 'update', 'acme', '--quota', 'none', '--json');
    expect(updated.json).toMatchObject({ id, quotaBytes: null });

    const archive = path.join(tempDir(), 'acme.tgz');
    const backup = await cli(dataDir, 'tenants', 'backup', 'acme', '--out', archive, '--json');
    expect(backup.json).toMatchObject({ file: archive, manifest: { tenant: { id, name: 'acme' } } });
    const restored = await cli(dataDir, 'tenants', 'restore', archive, '--as', 'acme-2', '--json');
    expect(restored.json).toMatchObject({ tenant: { name: 'acme-2' }, replaced: false });

    const refused = await cli(dataDir, 'tenants', 'delete', 'acme', '--json');
    expect(refused.json.error).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: '--yes' } });
    const deleted = await cli(dataDir, 'tenants', 'delete', 'acme', '--yes', '--json');
    expect(deleted.json).toMatchObject({ tenantId: id, name: 'acme' });
    expect((await cli(dataDir, 'search', 'x', '--tenant', 'acme', '--json')).json.error.code).toBe('PCTX_ERR_TENANT_NOT_FOUND');
    expect((await cli(dataDir, 'search', 'getUserById', '--tenant', 'acme-2', '--json')).json.results[0].name).toBe('getUserById');
  });
});
