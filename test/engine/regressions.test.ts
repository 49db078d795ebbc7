import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeLeftovers } from '../../src/admin/delete-tenant.js';
import { createEmbedder } from '../../src/engine/embed/create-embedder.js';
import { LOCAL_TENANT_ID } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

describe('regressions', () => {
  it('scores keyword matches with BM25 (a contentless FTS5 table with detail=column scored every row 0)', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'bm25');
    writeTree(root, {
      'a.py': 'def fetch_rows():\n    """Fetch rows."""\n\n\ndef fetch_items():\n    """Fetch items from the invoice ledger and reconcile invoice totals with invoice lines."""\n',
    });
    const engine = newEngine(dataDir);
    await engine.indexFolder(T, { path: root });
    const db = engine.pool.acquire(T);
    try {
      const scores = db.db.prepare("SELECT bm25(symbols_fts) FROM symbols_fts WHERE symbols_fts MATCH 'fetch'").pluck().all() as number[];
      expect(scores).toHaveLength(2);
      for (const s of scores) expect(s).toBeLessThan(0);
    } finally {
      db.release();
    }
    // Same name tier (both contain "fetch"); the doc full of "invoice" decides.
    const hits = await engine.searchSymbols(T, { query: 'fetch invoice' });
    expect(hits.results[0]!.name).toBe('fetch_items');
  });

  it('re-embeds every repository when the embedder changes, not only the one re-indexed first', async () => {
    const dataDir = tempDir();
    const first = path.join(tempDir(), 'first');
    const second = path.join(tempDir(), 'second');
    writeTree(first, { 'one.py': 'def alpha_invoice_total():\n    pass\n' });
    writeTree(second, { 'two.py': 'def beta_payroll_run():\n    pass\n' });
    const old = newEngine(dataDir, { embedder: createEmbedder({ provider: 'hash', dimension: 64 }) });
    await old.indexFolder(T, { path: first });
    await old.indexFolder(T, { path: second });
    await old.close();

    const current = newEngine(dataDir, { embedder: createEmbedder({ provider: 'hash', dimension: 32 }) });
    const r = await current.indexFolder(T, { path: first });
    expect(r.files).toMatchObject({ indexed: 0, unchanged: 1 });
    expect(r.vectors).toEqual({ mode: 'rebuilt', count: 2 });
    const hits = await current.searchSymbols(T, { query: 'beta payroll run', mode: 'semantic', limit: 2 });
    expect(hits.results.map((h) => h.name)).toContain('beta_payroll_run');
  });

  it('index --name on an indexed folder keeps its name and every symbol id, as documented (issue 8 #19)', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir);
    await engine.indexFolder(T, { path: root });
    const before = (await engine.searchSymbols(T, { query: 'getUserById' })).results[0]!;
    const again = await engine.indexFolder(T, { path: root, name: 'other' });
    expect(again.repo).toBe('demo');
    expect((await engine.listRepos(T)).repos.map((r) => r.repo)).toEqual(['demo']);
    expect((await engine.getSymbolSource(T, { id: before.id })).name).toBe('getUserById');

    // A new folder asking for a taken name gets the next free one, like a default name.
    const other = path.join(tempDir(), 'other');
    writeTree(other, { 'x.ts': 'export const X = 1;\n' });
    expect((await engine.indexFolder(T, { path: other, name: 'demo' })).repo).toBe('demo-2');
  });

  it('removes stale trash and staging folders but leaves young ones to their owner', () => {
    const dataDir = tempDir();
    const tenants = path.join(dataDir, 'tenants');
    for (const name of ['.trash-0000abcd', '.staging-old', '.staging-young']) fs.mkdirSync(path.join(tenants, name), { recursive: true });
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(tenants, '.trash-0000abcd'), hourAgo, hourAgo);
    fs.utimesSync(path.join(tenants, '.staging-old'), hourAgo, hourAgo);
    removeLeftovers({ pool: { dataDir } as never });
    expect(fs.readdirSync(tenants)).toEqual(['.staging-young']);
  });
});
