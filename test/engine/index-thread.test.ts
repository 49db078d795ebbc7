import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import type { IndexProgress, IndexResult } from '../../src/engine/indexer/index-run.js';
import { LOCAL_TENANT_ID, tenantPaths } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;
const THREAD = { indexThread: { embedding: { provider: 'hash' as const, dimension: 64 } } };

/** A result without its timings, which differ between any two runs. */
function shape(r: IndexResult): Omit<IndexResult, 'durationMs' | 'phasesMs'> {
  const { durationMs: _d, phasesMs: _p, ...rest } = r;
  return rest;
}

async function names(engine: Engine, query: string, mode: 'keyword' | 'semantic' | 'hybrid' = 'keyword'): Promise<string[]> {
  return (await engine.searchSymbols(T, { query, mode, limit: 5 })).results.map((h) => h.qualifiedName);
}

describe('index runs in the index thread', () => {
  it('index, re-index and every search mode answer as they do on the caller\'s thread', async () => {
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const local = newEngine(tempDir());
    const threaded = newEngine(tempDir(), THREAD);
    const phases: IndexProgress['phase'][] = [];
    const a = await local.indexFolder(T, { path: root });
    const b = await threaded.indexFolder(T, { path: root }, { onProgress: (p) => phases.push(p.phase) });
    expect(shape(b)).toEqual(shape(a));
    expect(b.vectors).toEqual({ mode: 'rebuilt', count: b.symbols });
    expect(new Set(phases)).toEqual(new Set(['discovering', 'parsing', 'resolving', 'committing', 'vectors']));
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      expect(await names(threaded, 'get user by id', mode)).toEqual(await names(local, 'get user by id', mode));
    }

    writeTree(root, { 'ts/src/util/extra.ts': 'export function addedInTheThread() {}\n' });
    const again = await threaded.indexFolder(T, { path: root }, { vectors: 'background' });
    expect(again.files).toMatchObject({ indexed: 1, unchanged: 8 });
    expect(again.vectors).toBeNull();
    expect((await names(threaded, 'addedInTheThread'))[0]).toBe('addedInTheThread');
    // The deferred vectors of the new symbol are made (in the thread) before the semantic query.
    expect(await names(threaded, 'added in the thread', 'semantic')).toContain('addedInTheThread');
  });

  it('an error of a run in the thread reaches the caller with its code and details, and the thread runs the next one', async () => {
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(tempDir(), THREAD);
    await expect(engine.indexFolder(T, { path: root }, { quotaBytes: 1 })).rejects.toMatchObject({
      code: 'PCTX_ERR_QUOTA_EXCEEDED',
      details: expect.objectContaining({ limit: 1 }),
    });
    await expect(engine.indexFolder(T, { path: path.join(root, 'missing') })).rejects.toMatchObject({ code: expect.stringMatching(/^PCTX_ERR_/) });
    const ok = await engine.indexFolder(T, { path: root });
    expect(ok.files.indexed).toBe(8);
  });

  it('aborting a run waiting for another process\'s write lock stops it in the thread and changes nothing', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir, THREAD);
    const first = await engine.indexFolder(T, { path: root });
    writeTree(root, { 'ts/src/util/extra.ts': 'export function neverCommitted() {}\n' });

    // Another process's index run: the database's write lock, held.
    const other = new Database(tenantPaths(dataDir, T).db);
    other.exec('BEGIN IMMEDIATE');
    const abort = new AbortController();
    const run = engine.indexFolder(T, { path: root }, {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === 'waiting') abort.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'PCTX_ERR_INDEX_FAILED', details: expect.objectContaining({ reason: expect.stringContaining('aborted') }) });
    other.exec('ROLLBACK');
    other.close();

    expect(await names(engine, 'neverCommitted')).toEqual([]);
    expect((await engine.listRepos(T)).repos[0]).toMatchObject({ files: 8, symbols: first.symbols });
  });
});
