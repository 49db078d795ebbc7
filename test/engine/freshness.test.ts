import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_TENANT_ID } from '../../src/tenant/tenant-paths.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

/** Two folders to index and an engine whose clock the test sets (index times are exact). */
function setUp() {
  const root = tempDir();
  const app = path.join(root, 'app');
  const lib = path.join(root, 'lib');
  writeTree(app, {
    'main.ts': "import { helper } from './util';\nexport function startApp() { return helper(); }\n",
    'util.ts': 'export function helper() { return 1; }\n',
  });
  writeTree(lib, { 'lib.py': 'def library_call():\n    return 2\n' });
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const engine = newEngine(path.join(root, 'data'), { now: () => new Date(now) });
  return { engine, app, lib, setNow: (iso: string) => (now = Date.parse(iso)) };
}

describe('every query answer says when the repositories it answered from were indexed', () => {
  it('file and symbol queries carry their one repository', async () => {
    const { engine, app, lib, setNow } = setUp();
    await engine.indexFolder(T, { path: app, name: 'app' });
    setNow('2026-12-01T11:00:00.000Z');
    await engine.indexFolder(T, { path: lib, name: 'lib' });
    const app10 = { app: { indexedAt: '2026-12-01T10:00:00.000Z' } };

    expect((await engine.getFileOutline(T, { repo: 'app', path: 'main.ts' })).freshness).toEqual(app10);
    expect((await engine.getFileContent(T, { repo: 'app', path: 'main.ts' })).freshness).toEqual(app10);
    expect((await engine.findImporters(T, { repo: 'app', path: 'util.ts' })).freshness).toEqual(app10);
    expect((await engine.getDependencies(T, { repo: 'app', path: 'main.ts' })).freshness).toEqual(app10);
    const [hit] = (await engine.searchSymbols(T, { query: 'library_call' })).results;
    expect((await engine.getSymbolSource(T, { id: hit!.id })).freshness).toEqual({ lib: { indexedAt: '2026-12-01T11:00:00.000Z' } });
  });

  it('a search carries the repositories of its hits, and with none those it searched', async () => {
    const { engine, app, lib, setNow } = setUp();
    await engine.indexFolder(T, { path: app, name: 'app' });
    setNow('2026-12-01T11:00:00.000Z');
    await engine.indexFolder(T, { path: lib, name: 'lib' });

    expect((await engine.searchSymbols(T, { query: 'startApp' })).freshness).toEqual({ app: { indexedAt: '2026-12-01T10:00:00.000Z' } });
    const both = await engine.searchSymbols(T, { query: 'call helper', mode: 'hybrid' });
    expect(new Set(both.results.map((h) => h.repo))).toEqual(new Set(['app', 'lib']));
    expect(both.freshness).toEqual({ app: { indexedAt: '2026-12-01T10:00:00.000Z' }, lib: { indexedAt: '2026-12-01T11:00:00.000Z' } });
    expect(Object.keys(both.freshness)).toEqual(['app', 'lib']);

    expect((await engine.searchSymbols(T, { query: 'zzzqqq' })).freshness).toEqual({
      app: { indexedAt: '2026-12-01T10:00:00.000Z' },
      lib: { indexedAt: '2026-12-01T11:00:00.000Z' },
    });
    expect((await engine.searchSymbols(T, { query: 'zzzqqq', repo: 'lib' })).freshness).toEqual({ lib: { indexedAt: '2026-12-01T11:00:00.000Z' } });
  });

  it('a repeated keyword search answered from the cache shows the time of a run committed since', async () => {
    const { engine, app, setNow } = setUp();
    await engine.indexFolder(T, { path: app, name: 'app' });
    const first = await engine.searchSymbols(T, { query: 'startApp' });
    expect(await engine.searchSymbols(T, { query: 'startApp' })).toBe(first);
    // A run that changes no file still moves the index time, and with it the cache's stamp.
    setNow('2026-12-01T12:30:00.000Z');
    await engine.indexFolder(T, { path: app, name: 'app' });
    const again = await engine.searchSymbols(T, { query: 'startApp' });
    expect(again.results).toEqual(first.results);
    expect(again.freshness).toEqual({ app: { indexedAt: '2026-12-01T12:30:00.000Z' } });
  });

  it('a repository named __proto__ (the name of a folder __proto__) is an entry of freshness, not its prototype', async () => {
    const { engine } = setUp();
    const odd = path.join(tempDir(), '__proto__');
    writeTree(odd, { 'odd.ts': 'export function oddOne() {}\n' });
    await engine.indexFolder(T, { path: odd });
    expect((await engine.listRepos(T)).repos.map((r) => r.repo)).toEqual(['__proto__']);
    const expected = JSON.parse('{"__proto__":{"indexedAt":"2026-12-01T10:00:00.000Z"}}');
    const outline = await engine.getFileOutline(T, { repo: '__proto__', path: 'odd.ts' });
    expect(JSON.parse(JSON.stringify(outline)).freshness).toEqual(expected);
    const search = await engine.searchSymbols(T, { query: 'oddOne' });
    expect(JSON.parse(JSON.stringify(search)).freshness).toEqual(expected);
    expect(JSON.parse(JSON.stringify(await engine.searchSymbols(T, { query: 'zzzqqq' }))).freshness).toEqual(expected);
  });
});
