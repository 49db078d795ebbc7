import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fuseRankings } from '../../src/engine/queries/fusion.js';
import type { Ranked, SearchRow } from '../../src/engine/queries/search-symbols.js';
import { collapseTwins } from '../../src/engine/queries/twins.js';
import { LOCAL_TENANT_ID, tenantPaths } from '../../src/tenant/tenant-paths.js';
import { migrateTenantDb } from '../../src/tenant/tenant-schema.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

function row(rowId: number, name: string, filePath = `src/${name}.ts`): SearchRow {
  return {
    rowId,
    id: `demo:${filePath}::${name}#function`,
    name,
    qualifiedName: name,
    kind: 'function',
    language: 'typescript',
    repo: 'demo',
    filePath,
    local: 0,
    startLine: 1,
    endLine: 2,
    signature: `function ${name}()`,
    doc: null,
    bodyTerms: '',
    importers: 0,
    fileImporters: 0,
  };
}

/** A candidate as keyword or semantic search hands it to fusion. */
function ranked(r: SearchRow, keywordScore: number, coverage: number, similarity: number | null): Ranked {
  return { row: r, score: keywordScore, text: { points: 0, coverage, fields: [], terms: [] }, nameTier: 0, similarity, twins: [] };
}

describe('hybrid fusion', () => {
  const a = row(1, 'alpha');
  const b = row(2, 'beta');
  const c = row(3, 'gamma');

  it('keeps a strong keyword answer first when the embedding prefers another symbol', () => {
    const keyword = [ranked(a, 80, 0.8, null), ranked(b, 20, 0.2, null)];
    const semantic = [ranked(b, 20, 0.2, 0.9), ranked(c, 0, 0, 0.85), ranked(a, 80, 0.8, 0.7)];
    expect(fuseRankings(keyword, semantic, 3).map((h) => h.row.name)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('lets the embedding rank when the keyword list is only a fallback (no good match)', () => {
    const keyword = [ranked(a, 8, 0.08, null), ranked(b, 5, 0.05, null)];
    const semantic = [ranked(c, 0, 0, 0.9), ranked(b, 5, 0.05, 0.6), ranked(a, 8, 0.08, 0.5)];
    expect(fuseRankings(keyword, semantic, 3).map((h) => h.row.name)).toEqual(['gamma', 'beta', 'alpha']);
  });

  it('gives a keyword-only candidate the lowest similarity the semantic list returned, not zero', () => {
    const keyword = [ranked(a, 60, 0.6, null)];
    const semantic = [ranked(b, 10, 0.1, 0.9), ranked(c, 10, 0.1, 0.8)];
    const fused = fuseRankings(keyword, semantic, 3);
    expect(fused.find((h) => h.row.name === 'alpha')!.score).toBeCloseTo(0.6 + 0.2 * 0.8, 6);
  });
});

describe('twin collapsing', () => {
  const item = (filePath: string, language = filePath.endsWith('.py') ? 'python' : filePath.endsWith('.ts') ? 'typescript' : 'javascript') => ({
    repo: 'pkg',
    name: 'parse',
    qualifiedName: 'parse',
    language,
    filePath,
  });

  it('folds build copies of a TypeScript symbol into its source, where the best copy ranked', () => {
    const groups = collapseTwins([item('dist/parse.d.ts'), item('other.ts'), item('dist/parse.js'), item('src/parse.ts'), item('dist/cjs/parse.cjs'), item('lib/parse.min.js')]);
    expect(groups.map((g) => g.item.filePath)).toEqual(['src/parse.ts', 'other.ts']);
    expect(groups[0]!.twins.map((t) => t.filePath)).toEqual(['dist/parse.d.ts', 'dist/parse.js', 'dist/cjs/parse.cjs', 'lib/parse.min.js']);
  });

  it('never folds symbols of different files, names or languages without build copies', () => {
    const groups = collapseTwins([item('a/parse.py'), item('b/parse.py'), item('src/a/parse.ts'), item('src/b/parse.ts')]);
    expect(groups).toHaveLength(4);
  });
});

describe('search results', () => {
  it('list a package shipped as .ts, .js, .cjs and .d.ts once, the source first with its build copies as twins', async () => {
    const root = path.join(tempDir(), 'pkg');
    const body = '/** Parses a semantic version string. */\nexport function parseVersion(text: string): number[] {\n  return text.split(".").map(Number);\n}\n';
    writeTree(root, {
      'src/version.ts': body,
      // dist/ and build/ are not indexed by default; lib/ and types/ are, and hold such copies.
      'lib/version.js': body.replace(': string): number[]', ')'),
      'lib/version.cjs': body.replace('export function', 'function').replace(': string): number[]', ')'),
      'types/version.d.ts': '/** Parses a semantic version string. */\nexport declare function parseVersion(text: string): number[];\n',
    });
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });
    for (const mode of ['keyword', 'hybrid'] as const) {
      const r = await engine.searchSymbols(T, { query: 'parse a semantic version', mode });
      expect(r.results).toHaveLength(1);
      expect(r.results[0]).toMatchObject({ name: 'parseVersion', filePath: 'src/version.ts' });
      expect(r.results[0]!.twins.map((t) => t.filePath).sort()).toEqual(['lib/version.cjs', 'lib/version.js', 'types/version.d.ts']);
    }
  }, 120_000);

  it('say why they matched, and flag a query that nothing matches well', async () => {
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });

    const good = await engine.searchSymbols(T, { query: 'parse a configuration file' });
    expect(good.weakMatch).toBe(false);
    expect(good.results[0]).toMatchObject({ name: 'parse_config', matched: { fields: ['name', 'signature', 'doc'], terms: ['pars', 'configuration', 'fil'] } });

    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      const weak = await engine.searchSymbols(T, { query: 'render a quantum zebra', mode });
      expect(weak.weakMatch).toBe(true);
    }
    expect((await engine.searchSymbols(T, { query: 'getUserById' })).weakMatch).toBe(false);
  }, 120_000);

  it('find a symbol by its module name and prefer the symbol many files import', async () => {
    const root = path.join(tempDir(), 'proc');
    writeTree(root, {
      'subprocess.py': 'def run(args):\n    return args\n',
      'tools/runner.py': 'def run(args):\n    return args\n',
      'a.py': 'from subprocess import run\n',
      'b.py': 'from subprocess import run\n',
    });
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });
    const r = await engine.searchSymbols(T, { query: 'subprocess run' });
    expect(r.results[0]).toMatchObject({ name: 'run', filePath: 'subprocess.py', matched: { fields: ['name', 'path', 'signature'] } });
  }, 120_000);
});

describe('tenant schema migration 4', () => {
  it('leaves an existing tenant searchable by name and re-parses every file on the next index run', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    // A tenant indexed at schema 3: its files, symbols and FTS rows as that version wrote them.
    const file = tenantPaths(dataDir, T).db;
    const engine = newEngine(dataDir);
    await engine.indexFolder(T, { path: root });
    await engine.close();
    const db = new Database(file);
    db.exec('DROP TABLE symbols_vocab; DROP TABLE symbols_fts; ALTER TABLE symbols DROP COLUMN body_terms; ALTER TABLE symbols DROP COLUMN importers; ALTER TABLE files DROP COLUMN importers');
    db.exec("CREATE VIRTUAL TABLE symbols_fts USING fts5 (name, qualified, signature, doc, content = '', contentless_delete = 1)");
    db.pragma('user_version = 3');
    migrateTenantDb(db, T, file);
    expect(db.prepare("SELECT count(*) FROM files WHERE content_hash = '' AND mtime_ms = -1").pluck().get()).toBe(8);
    db.close();

    const after = newEngine(dataDir);
    expect((await after.searchSymbols(T, { query: 'getUserById' })).results[0]!.name).toBe('getUserById');
    const run = await after.indexFolder(T, { path: root });
    expect(run.files).toMatchObject({ indexed: 8, unchanged: 0 });
    expect((await after.searchSymbols(T, { query: 'malformed configuration' })).results[0]!.name).toBe('ConfigError');
  }, 120_000);
});
