import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { LOCAL_TENANT_ID } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

function setup(files: Record<string, string | Buffer> = DEMO_REPO): { engine: Engine; root: string; dataDir: string } {
  const dataDir = tempDir();
  const root = path.join(tempDir(), 'demo');
  writeTree(root, files);
  return { engine: newEngine(dataDir), root, dataDir };
}

async function names(engine: Engine, query: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const r = await engine.searchSymbols(T, { query, ...extra });
  return r.results.map((h) => h.qualifiedName);
}

/** Bumps a file's mtime without changing its content. */
function touch(file: string, secondsLater: number): void {
  const t = new Date(Date.now() + secondsLater * 1000);
  fs.utimesSync(file, t, t);
}

describe('indexFolder', () => {
  it('indexes a polyglot repository: files, symbols, imports and vectors', async () => {
    const { engine, root } = setup();
    const r = await engine.indexFolder(T, { path: root });
    expect(r.repo).toBe('demo');
    expect(r.root).toBe(fs.realpathSync(root));
    expect(r.files).toEqual({ total: 8, indexed: 8, unchanged: 0, removed: 0, skipped: 0 });
    expect(r.symbols).toBe(r.symbolsIndexed);
    expect(r.symbols).toBeGreaterThanOrEqual(10);
    expect(r.vectors).toEqual({ mode: 'rebuilt', count: r.symbols });
    const { repos } = await engine.listRepos(T);
    expect(repos).toEqual([expect.objectContaining({ repo: 'demo', files: 8, symbols: r.symbols })]);
  });

  it('finds symbols by exact name, sub-words and doc words, with the exact name first', async () => {
    const { engine, root } = setup();
    await engine.indexFolder(T, { path: root });
    expect((await names(engine, 'getUserById'))[0]).toBe('UserService.getUserById');
    expect(await names(engine, 'user by id')).toContain('UserService.getUserById');
    // `main` calls parse_config: found by its body, below the definition.
    expect(await names(engine, 'parse_config')).toEqual(['parse_config', 'main']);
    expect(await names(engine, 'configuration', { kind: 'class' })).toEqual(['ConfigError']);
    expect(await names(engine, 'user', { language: 'python' })).toEqual([]);
    expect(await names(engine, 'add', { pathPrefix: 'ts/src/util' })).toEqual(['add']);
  });

  it('returns source, outline, file content and import edges of indexed files', async () => {
    const { engine, root } = setup();
    await engine.indexFolder(T, { path: root });
    const hit = (await engine.searchSymbols(T, { query: 'getUserById' })).results[0]!;
    expect(hit).toMatchObject({ repo: 'demo', filePath: 'ts/src/services/user-service.ts', kind: 'method', startLine: 6, endLine: 8, language: 'typescript' });
    const src = await engine.getSymbolSource(T, { id: hit.id, contextLines: 1 });
    expect(src.source).toBe(['  /** Finds a user by id. */', '  getUserById(id: string): string {', '    return id + add(1, 2);', '  }', ''].join('\n'));
    expect(src.fileState).toBe('unchanged');

    const outline = await engine.getFileOutline(T, { repo: 'demo', path: 'ts/src/services/user-service.ts' });
    expect(outline.symbols.map((s) => [s.name, s.kind, s.children.map((c) => c.name)])).toEqual([['UserService', 'class', ['getUserById', 'deleteUser']]]);

    const content = await engine.getFileContent(T, { repo: 'demo', path: 'ts/src/util/math.ts', startLine: 2, endLine: 3 });
    expect(content.content).toBe('export function add(a: number, b: number): number {\n  return a + b;');

    expect((await engine.findImporters(T, { repo: 'demo', path: 'ts/src/util/math.ts' })).importers.map((i) => i.path)).toEqual([
      'ts/src/index.ts',
      'ts/src/services/user-service.ts',
    ]);
    expect((await engine.findImporters(T, { repo: 'demo', path: 'py/pkg/parser.py' })).importers.map((i) => i.path)).toEqual(['py/pkg/cli.py']);
    expect((await engine.findImporters(T, { repo: 'demo', path: 'server/server.go' })).importers.map((i) => i.path)).toEqual(['main.go']);
    const deps = await engine.getDependencies(T, { repo: 'demo', path: 'py/pkg/parser.py' });
    expect(deps.dependencies).toEqual([{ specifier: 'os', kind: 'import', line: 1, names: [], resolvedPath: null }]);
  });

  it('re-indexes incrementally: unchanged files untouched, changed re-parsed, deleted removed', async () => {
    const { engine, root } = setup();
    await engine.indexFolder(T, { path: root });
    const again = await engine.indexFolder(T, { path: root });
    expect(again.files).toMatchObject({ indexed: 0, unchanged: 8, removed: 0 });
    expect(again.vectors?.mode).toBe('unchanged');

    // Same content, new mtime: read and hashed, but not parsed.
    touch(path.join(root, 'main.go'), 5);
    expect((await engine.indexFolder(T, { path: root })).files).toMatchObject({ indexed: 0, unchanged: 8 });

    fs.appendFileSync(path.join(root, 'ts/src/util/math.ts'), 'export function multiply(a: number, b: number): number {\n  return a * b;\n}\n');
    fs.writeFileSync(path.join(root, 'py/pkg/extra.py'), 'def brand_new_helper():\n    pass\n');
    fs.rmSync(path.join(root, 'server/server.go'));
    const changed = await engine.indexFolder(T, { path: root });
    expect(changed.files).toMatchObject({ total: 8, indexed: 2, unchanged: 6, removed: 1 });
    expect(changed.vectors?.mode).toBe('incremental');
    expect(await names(engine, 'multiply')).toEqual(['multiply']);
    expect(await names(engine, 'brand_new_helper')).toEqual(['brand_new_helper']);
    // Only `main`, which still calls server.Server, matches, and only through its body: a weak match.
    const server = await engine.searchSymbols(T, { query: 'Server', language: 'go' });
    expect(server.results.map((h) => h.qualifiedName)).toEqual(['main']);
    expect(server).toMatchObject({ weakMatch: true, results: [{ matched: { fields: ['body'], terms: ['server'] } }] });
    await expect(engine.getFileOutline(T, { repo: 'demo', path: 'server/server.go' })).rejects.toMatchObject({ code: 'PCTX_ERR_FILE_NOT_FOUND' });
    // The Go import no longer resolves once its package is gone.
    expect((await engine.getDependencies(T, { repo: 'demo', path: 'main.go' })).dependencies[0]!.resolvedPath).toBeNull();
    const semantic = await engine.searchSymbols(T, { query: 'brand new helper', mode: 'semantic', limit: 3 });
    expect(semantic.results.map((h) => h.name)).toContain('brand_new_helper');
  });

  it('keeps symbol ids stable across re-index runs', async () => {
    const { engine, root } = setup();
    await engine.indexFolder(T, { path: root });
    const before = (await engine.searchSymbols(T, { query: 'getUserById' })).results[0]!.id;
    fs.appendFileSync(path.join(root, 'ts/src/services/user-service.ts'), '\nexport const LATE = 1;\n');
    await engine.indexFolder(T, { path: root });
    const after = (await engine.searchSymbols(T, { query: 'getUserById' })).results[0]!.id;
    expect(after).toBe(before);
    expect(before).toBe('demo:ts/src/services/user-service.ts::UserService.getUserById#method');
  });

  it('rolls back a run that fails midway, leaving the previous index whole', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) files[`src/mod${i}.ts`] = `export function original${i}(): number { return ${i}; }\n`;
    const { engine, root, dataDir } = setup(files);
    const first = await engine.indexFolder(T, { path: root });
    for (let i = 0; i < 120; i++) fs.writeFileSync(path.join(root, `src/mod${i}.ts`), `export function replaced${i}(): number { return ${i}; }\n`);
    fs.writeFileSync(path.join(root, 'src/added.ts'), 'export function addedLater() {}\n');

    await expect(
      engine.indexFolder(T, { path: root }, {
        afterBatch: ({ batches }) => {
          if (batches === 2) throw new Error('injected failure after the second batch');
        },
      }),
    ).rejects.toMatchObject({ code: 'PCTX_ERR_INDEX_FAILED', message: expect.stringContaining('injected failure') });

    expect((await names(engine, 'original7'))[0]).toBe('original7');
    expect(await names(engine, 'replaced7')).toEqual([]);
    expect(await names(engine, 'addedLater')).toEqual([]);
    const { repos } = await engine.listRepos(T);
    expect(repos[0]).toMatchObject({ files: 120, symbols: first.symbols });
    // No leftover WAL bloat from the rolled-back transaction.
    expect(fs.statSync(path.join(dataDir, 'tenants', T, 'index.db-wal')).size).toBe(0);

    const retry = await engine.indexFolder(T, { path: root });
    expect(retry.files).toMatchObject({ indexed: 121, total: 121 });
    expect((await names(engine, 'replaced7'))[0]).toBe('replaced7');
    expect(await names(engine, 'original7')).toEqual([]);
  });

  it('leaves nothing behind when the very first run fails', async () => {
    const { engine, root } = setup();
    await expect(
      engine.indexFolder(T, { path: root }, {
        afterBatch: () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toMatchObject({ code: 'PCTX_ERR_INDEX_FAILED' });
    expect((await engine.listRepos(T)).repos).toEqual([]);
  });

  it('handles hostile trees: symlinks out of the root, huge, binary and secret files', async () => {
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'stolen.ts'), 'export function stolenSecret() {}\n');
    const { engine, root } = setup({
      'ok.ts': 'export function fine() {}\n',
      'huge.ts': `export const big = "${'x'.repeat(1_100_000)}";\n`,
      'binary.ts': Buffer.concat([Buffer.from('export function notReally() {}\n'), Buffer.alloc(64, 0)]),
      '.env': 'API_KEY=sk-live-123\n',
      'config/.env.production': 'DB_PASSWORD=hunter2\n',
      'keys/server.pem': '-----BEGIN PRIVATE KEY-----\n',
    });
    fs.symlinkSync(path.join(outside, 'stolen.ts'), path.join(root, 'link.ts'));
    fs.symlinkSync(outside, path.join(root, 'linked-dir'));

    const r = await engine.indexFolder(T, { path: root });
    expect(r.files.total).toBe(1);
    const reasons = Object.fromEntries(r.skipped.map((s) => [s.path, s.reason]));
    expect(reasons).toMatchObject({
      'huge.ts': 'too_large',
      'binary.ts': 'binary',
      '.env': 'secret',
      'config/.env.production': 'secret',
      'keys/server.pem': 'secret',
      'link.ts': 'symlink_escape',
      'linked-dir': 'symlink_escape',
    });
    expect(await names(engine, 'stolenSecret')).toEqual([]);
    expect(await names(engine, 'notReally')).toEqual([]);
    await expect(engine.getFileContent(T, { repo: 'demo', path: '.env' })).rejects.toMatchObject({ code: 'PCTX_ERR_FILE_NOT_FOUND' });
  });

  it('resolves imports against the files indexed: a file skipped while read is no import target', async () => {
    const { engine, root } = setup({
      'main.ts': "import { helper } from './util';\nimport { other } from './data';\nexport function run() { return helper() + other(); }\n",
      'util.ts': 'export function helper() { return 1; }\n',
      // Found by discovery, skipped as binary by the parse worker.
      'data.ts': Buffer.concat([Buffer.from('export function other() {}\n'), Buffer.alloc(64, 0)]),
    });
    await engine.indexFolder(T, { path: root });
    const deps = (await engine.getDependencies(T, { repo: 'demo', path: 'main.ts' })).dependencies;
    expect(deps.map((d) => [d.specifier, d.resolvedPath])).toEqual([
      ['./util', 'util.ts'],
      ['./data', null],
    ]);
  });

  it("resolves an unchanged file's import once the file it names is added, and unresolves it when removed", async () => {
    const { engine, root } = setup({
      'main.ts': "import { helper } from './util';\nexport function run() { return helper(); }\n",
      'other.ts': 'export function other() { return 2; }\n',
    });
    await engine.indexFolder(T, { path: root });
    const resolved = async () => (await engine.getDependencies(T, { repo: 'demo', path: 'main.ts' })).dependencies[0]!.resolvedPath;
    expect(await resolved()).toBeNull();
    fs.writeFileSync(path.join(root, 'util.ts'), 'export function helper() { return 1; }\n');
    expect((await engine.indexFolder(T, { path: root })).files).toMatchObject({ indexed: 1, unchanged: 2 });
    expect(await resolved()).toBe('util.ts');
    fs.rmSync(path.join(root, 'util.ts'));
    expect((await engine.indexFolder(T, { path: root })).files).toMatchObject({ indexed: 0, removed: 1 });
    expect(await resolved()).toBeNull();
  });

  it('rejects a missing root, a file as root, and malformed input with stable codes', async () => {
    const { engine, root } = setup();
    await expect(engine.indexFolder(T, { path: path.join(root, 'nope') })).rejects.toMatchObject({ code: 'PCTX_ERR_ROOT_NOT_FOUND' });
    await expect(engine.indexFolder(T, { path: path.join(root, 'main.go') })).rejects.toMatchObject({ code: 'PCTX_ERR_NOT_A_DIRECTORY' });
    await expect(engine.indexFolder(T, { path: '' })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'path' } });
    await expect(engine.indexFolder(T, { path: root, bogus: 1 })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'bogus' } });
    await expect(engine.searchSymbols(T, { query: 'x', limit: 1000 })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'limit' } });
    await expect(engine.getSymbolSource(T, { id: 'demo:nope::x#function' })).rejects.toMatchObject({ code: 'PCTX_ERR_SYMBOL_NOT_FOUND' });
    await expect(engine.getFileOutline(T, { repo: 'ghost', path: 'a.ts' })).rejects.toMatchObject({ code: 'PCTX_ERR_REPO_NOT_FOUND' });
  });

  it('flags symbol source whose file changed or vanished on disk since indexing', async () => {
    const { engine, root } = setup();
    await engine.indexFolder(T, { path: root });
    const id = (await engine.searchSymbols(T, { query: 'add' })).results[0]!.id;
    fs.writeFileSync(path.join(root, 'ts/src/util/math.ts'), 'export function add() { return 0; }\n');
    const modified = await engine.getSymbolSource(T, { id });
    expect(modified.fileState).toBe('modified');
    expect(modified.source).toContain('return a + b;');
    fs.rmSync(path.join(root, 'ts/src/util/math.ts'));
    expect((await engine.getSymbolSource(T, { id })).fileState).toBe('deleted');
  });

  it('deletes a repository and everything derived from it', async () => {
    const { engine, root } = setup();
    await engine.indexFolder(T, { path: root });
    expect(await engine.deleteRepo(T, { repo: 'demo' })).toMatchObject({ repo: 'demo', files: 8 });
    expect((await engine.listRepos(T)).repos).toEqual([]);
    expect(await names(engine, 'getUserById')).toEqual([]);
    expect((await engine.searchSymbols(T, { query: 'user', mode: 'semantic' })).results).toEqual([]);
    await expect(engine.deleteRepo(T, { repo: 'demo' })).rejects.toMatchObject({ code: 'PCTX_ERR_REPO_NOT_FOUND' });
  });
});
