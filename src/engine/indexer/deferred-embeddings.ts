import type { TenantDb } from '../../tenant/tenant-db.js';
import { openTenantDb } from '../../tenant/tenant-db.js';
import type { TenantPaths } from '../../tenant/tenant-paths.js';
import { encodeVector } from '../../tenant/vector-codec.js';
import { clearEmbeddingsPending, embeddingsPending } from '../../tenant/vector-state.js';
import type { EmbeddingProvider } from '../embed/provider.js';

/**
 * Embeddings of a local embedder are computed when vectors are first needed, not by the
 * index run.
 *
 * Why: an index run is CPU-bound on two cores, and the hashing embedder's work (feature
 * hashing, quantising, the `embeddings` rows) was 12% of its CPU on the Python standard
 * library, paid on every run whether or not a semantic query ever followed. Vectors of a
 * local embedder are a pure function of the stored symbol fields, so they can be made
 * later from the table, exactly as the run would have made them.
 *
 * The marker `embeddings.pending` in `meta` says some symbols may lack their vector. The
 * index run sets it in its own transaction; `completeEmbeddings` clears it, in the same
 * transaction that finds no symbol left without a vector. Every vector build is preceded
 * by `completeEmbeddings` (the engine's `buildVectors`, semantic search, the background
 * sync), and the builder refuses to run while the marker is set, so an HNSW file never
 * describes a generation whose vectors were incomplete.
 */

/** Symbols embedded per transaction: short write locks, and the event loop gets a turn between them. */
const CHUNK = 2048;

/** True when an embedder can compute vectors later from stored fields without a network call. */
export function defersEmbeddings(embedder: EmbeddingProvider): boolean {
  return embedder.embedSymbolsSync !== undefined;
}

type Row = { id: number; name: string; qualifiedName: string; kind: string; signature: string; doc: string | null };

/**
 * Gives every symbol of the tenant that has no vector its vector, then clears the marker.
 * Does nothing (one read) when the marker is absent. Works in short transactions on its
 * own connection, so an index run of another process waits at most one chunk; a symbol
 * an index run adds meanwhile is picked up before the marker is cleared. Callers in one
 * process serialize it with index runs of the tenant. Returns the symbols embedded.
 */
export async function completeEmbeddings(paths: TenantPaths, probe: TenantDb, embedder: EmbeddingProvider): Promise<number> {
  if (!embeddingsPending(probe)) return 0;
  const db = openTenantDb(paths, { create: false });
  try {
    const missing = db.prepare(
      `SELECT s.id, s.name, s.qualified_name AS qualifiedName, s.kind, s.signature, s.doc FROM symbols s
       WHERE s.tenant_id = ? AND s.id > ? AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.symbol_id = s.id)
       ORDER BY s.id LIMIT ${CHUNK}`,
    );
    const insert = db.prepare('INSERT INTO embeddings (symbol_id, tenant_id, vector) VALUES (?, ?, ?) ON CONFLICT (symbol_id) DO UPDATE SET vector = excluded.vector');
    let total = 0;
    for (;;) {
      let last = 0;
      for (;;) {
        db.exec('BEGIN IMMEDIATE');
        try {
          const rows = missing.all(paths.tenantId, last) as Row[];
          if (rows.length === 0) {
            db.exec('COMMIT');
            break;
          }
          const vectors = embedder.embedSymbolsSync ? embedder.embedSymbolsSync(rows) : await embedder.embedSymbols(rows);
          rows.forEach((row, i) => insert.run(row.id, paths.tenantId, encodeVector(vectors[i]!)));
          db.exec('COMMIT');
          last = rows[rows.length - 1]!.id;
          total += rows.length;
        } finally {
          if (db.inTransaction) db.exec('ROLLBACK');
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      // The marker goes only with proof, in one transaction, that nothing is missing.
      db.exec('BEGIN IMMEDIATE');
      try {
        const anyMissing = missing.get(paths.tenantId, 0) !== undefined;
        if (!anyMissing) clearEmbeddingsPending(db);
        db.exec('COMMIT');
        if (!anyMissing) return total;
      } finally {
        if (db.inTransaction) db.exec('ROLLBACK');
      }
    }
  } finally {
    db.close();
  }
}
