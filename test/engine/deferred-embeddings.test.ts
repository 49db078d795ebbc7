import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createHashingEmbedder } from '../../src/engine/embed/hashing-embedder.js';
import { LOCAL_TENANT_ID, tenantPaths } from '../../src/tenant/tenant-paths.js';
import { encodeVector } from '../../src/tenant/vector-codec.js';
import { runVectorBuild } from '../../src/tenant/vector-index.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

function open(dataDir: string): Database.Database {
  return new Database(path.join(dataDir, 'tenants', T, 'index.db'), { readonly: true });
}

describe('deferred embeddings', () => {
  it('an index run writes symbols without vectors, and completing them gives each symbol the vector the embedder makes from its fields', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir);
    const indexed = await engine.indexFolder(T, { path: root }, { vectors: 'skip' });
    let db = open(dataDir);
    expect(db.prepare('SELECT count(*) FROM embeddings').pluck().get()).toBe(0);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'embeddings.pending'").pluck().get()).toBe('1');
    db.close();

    // The builder refuses: a file built now would claim this generation without its vectors.
    await expect(runVectorBuild(tenantPaths(dataDir, T))).rejects.toMatchObject({ code: 'PCTX_ERR_INTERNAL' });

    const built = await engine.buildVectors(T);
    expect(built.state?.live).toBe(indexed.symbols);
    db = open(dataDir);
    try {
      expect(db.prepare("SELECT value FROM meta WHERE key = 'embeddings.pending'").pluck().get()).toBeUndefined();
      const rows = db
        .prepare('SELECT s.name, s.qualified_name AS qualifiedName, s.kind, s.signature, s.doc, e.vector FROM symbols s JOIN embeddings e ON e.symbol_id = s.id')
        .all() as { name: string; qualifiedName: string; kind: string; signature: string; doc: string | null; vector: Buffer }[];
      expect(rows.length).toBe(indexed.symbols);
      const embedder = createHashingEmbedder(64);
      const expected = embedder.embedSymbolsSync(rows);
      rows.forEach((row, i) => expect(row.vector.equals(encodeVector(expected[i]!))).toBe(true));
    } finally {
      db.close();
    }
  });

  it('a re-index adding a file leaves only the new symbols to embed, and semantic search finds them', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir);
    await engine.indexFolder(T, { path: root }, { vectors: 'wait' });
    writeTree(root, { 'py/pkg/billing.py': 'def compute_invoice_total(items):\n    """Sum the invoice."""\n    return 0\n' });
    await engine.indexFolder(T, { path: root }, { vectors: 'skip' });
    const db = open(dataDir);
    const missing = db.prepare('SELECT count(*) FROM symbols s WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.symbol_id = s.id)').pluck().get();
    db.close();
    expect(missing).toBe(1);
    const r = await engine.searchSymbols(T, { query: 'invoice total', mode: 'semantic', limit: 3 });
    expect(r.results[0]!.name).toBe('compute_invoice_total');
  });
});
