import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PctxError } from '../../src/errors.js';
import { LOCAL_TENANT_ID } from '../../src/tenant/tenant-paths.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

/** A repeated keyword search is answered from the cache only while the database is unchanged. */
describe('keyword answers reused while the tenant database is unchanged', () => {
  function setUp(options: { answerCacheHits?: number } = {}) {
    const root = tempDir();
    const src = path.join(root, 'src');
    writeTree(src, { 'a.ts': 'export function parseWidget(text: string) { return text; }\n' });
    const engine = newEngine(path.join(root, 'data'), options);
    return { engine, src };
  }

  it('serves the same answer again without searching', async () => {
    const { engine, src } = setUp();
    await engine.indexFolder(T, { path: src, name: 'app' });
    const first = await engine.searchSymbols(T, { query: 'parseWidget' });
    const second = await engine.searchSymbols(T, { query: 'parseWidget' });
    expect(first.results.map((r) => r.name)).toEqual(['parseWidget']);
    expect(second).toBe(first);
    // Different parameters are a different answer.
    const limited = await engine.searchSymbols(T, { query: 'parseWidget', limit: 1 });
    expect(limited).not.toBe(first);
  });

  it('sees an index run committed through another connection at once', async () => {
    const { engine, src } = setUp();
    await engine.indexFolder(T, { path: src, name: 'app' });
    expect((await engine.searchSymbols(T, { query: 'parseGadget' })).results.map((r) => r.name)).not.toContain('parseGadget');
    fs.writeFileSync(path.join(src, 'b.ts'), 'export function parseGadget() {}\n');
    await engine.indexFolder(T, { path: src, name: 'app' });
    expect((await engine.searchSymbols(T, { query: 'parseGadget' })).results.map((r) => r.name)).toContain('parseGadget');
  });

  it('sees a repository deleted through the handle the searches use', async () => {
    const { engine, src } = setUp();
    await engine.indexFolder(T, { path: src, name: 'app' });
    expect((await engine.searchSymbols(T, { query: 'parseWidget' })).results).toHaveLength(1);
    await engine.deleteRepo(T, { repo: 'app' });
    expect((await engine.searchSymbols(T, { query: 'parseWidget' })).results).toEqual([]);
  });

  it('never reuses an answer of a closed handle on the one opened after it', async () => {
    const { engine, src } = setUp();
    await engine.indexFolder(T, { path: src, name: 'app' });
    const first = await engine.searchSymbols(T, { query: 'parseWidget' });
    // What a restore does to the handle: closed, then opened afresh by the next lease.
    await engine.pool.block(T, new PctxError('TENANT_DELETING', { tenantId: T }));
    engine.pool.unblock(T);
    const again = await engine.searchSymbols(T, { query: 'parseWidget' });
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('is off with answerCacheHits 0', async () => {
    const { engine, src } = setUp({ answerCacheHits: 0 });
    await engine.indexFolder(T, { path: src, name: 'app' });
    const first = await engine.searchSymbols(T, { query: 'parseWidget' });
    const second = await engine.searchSymbols(T, { query: 'parseWidget' });
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });
});
