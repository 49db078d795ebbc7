import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LOCAL_TENANT_ID } from '../../src/tenant/tenant-paths.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

const FILES = {
  // The nested handler comes first: only its penalty ranks it below the top-level one.
  'src/server.py': ['def make():', '    def handler():', '        pass', '    return handler', '', '', 'def handler():', '    pass', ''].join('\n'),
  'dist/bundle.js': 'export function bundled() {}\n',
};

function setup(files: Record<string, string> = FILES) {
  const dataDir = tempDir();
  const root = path.join(tempDir(), 'proj');
  writeTree(root, files);
  return { engine: newEngine(dataDir), root, dataDir };
}

function tenantDb(dataDir: string): Database.Database {
  return new Database(path.join(dataDir, 'tenants', T, 'index.db'));
}

describe('index runs: nested symbols, remembered filters, re-parse on a new extractor', () => {
  it('ranks a top-level definition above a nested one of the same name, and marks the nested one local in search and outline', async () => {
    const { engine, root } = setup();
    await engine.indexFolder(T, { path: root });
    const { results } = await engine.searchSymbols(T, { query: 'handler' });
    // `make` follows: it holds `handler` in its body (identifiers used by a body are searchable).
    expect(results.slice(0, 2).map((r) => [r.qualifiedName, r.local])).toEqual([
      ['handler', false],
      ['make.handler', true],
    ]);
    const outline = await engine.getFileOutline(T, { repo: 'proj', path: 'src/server.py' });
    expect(outline.symbols.map((s) => [s.qualifiedName, s.local, s.children.map((c) => [c.qualifiedName, c.local, c.startLine, c.endLine])])).toEqual([
      ['make', false, [['make.handler', true, 2, 3]]],
      ['handler', false, []],
    ]);
  });

  it('remembers include and exclude patterns per repository until they are given again, and [] clears them', async () => {
    const { engine, root } = setup({ ...FILES, 'src/skip.py': 'def skipped():\n    pass\n' });
    const first = await engine.indexFolder(T, { path: root, include: ['dist/'], exclude: ['src/skip.py'] });
    expect(first.filters).toEqual({ include: ['dist/'], exclude: ['src/skip.py'] });
    expect(first.files.total).toBe(2);

    const again = await engine.indexFolder(T, { path: root });
    expect(again.filters).toEqual({ include: ['dist/'], exclude: ['src/skip.py'] });
    expect(again.files).toMatchObject({ total: 2, removed: 0 });

    const cleared = await engine.indexFolder(T, { path: root, include: [], exclude: [] });
    expect(cleared.filters).toEqual({ include: [], exclude: [] });
    expect(cleared.files).toMatchObject({ total: 2, indexed: 1, removed: 1 });
    expect(cleared.skipped).toEqual([{ path: 'dist/', reason: 'build_output' }]);
    expect(cleared.skippedByReason).toEqual({ build_output: 1 });
  });

  it('says where the source is when a package ships only build output', async () => {
    const { engine, root } = setup({ 'package.json': '{}', 'dist/index.js': 'export function main() {}\n' });
    const r = await engine.indexFolder(T, { path: root });
    expect(r.files.total).toBe(0);
    expect(r.notes).toEqual([
      'No source files were found outside skipped folders; source was found in dist/ (build output, 1 source file).',
      'To index it: purecontext-mcp index <dir> --include dist/ (index_folder: include: ["dist/"]).',
    ]);
    expect((await engine.indexFolder(T, { path: root, include: ['dist/'] })).notes).toEqual([]);
  });

  it('re-parses every file of a repository that an older extractor parsed, though none changed', async () => {
    const { engine, root, dataDir } = setup();
    await engine.indexFolder(T, { path: root });
    expect((await engine.indexFolder(T, { path: root })).files).toMatchObject({ indexed: 0, unchanged: 1 });

    const db = tenantDb(dataDir);
    db.prepare('UPDATE repos SET extractor_version = 1').run();
    db.close();
    const r = await engine.indexFolder(T, { path: root });
    expect(r.files).toMatchObject({ total: 1, indexed: 1, unchanged: 0 });
    expect((await engine.indexFolder(T, { path: root })).files).toMatchObject({ indexed: 0, unchanged: 1 });
  });
});
