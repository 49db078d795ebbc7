import { LRUCache } from 'lru-cache';
import type { TenantDb } from '../../tenant/tenant-db.js';
import { decodeVector, encodeVector, encodedDimension } from '../../tenant/vector-codec.js';
import type { VectorHit, VectorIndex } from '../../tenant/vector-index.js';
import type { EmbeddingProvider } from '../embed/provider.js';
import { changeStamp } from './answer-cache.js';

/**
 * Semantic search that never waits for an HNSW build while an older index can answer.
 *
 * Every index run that changes symbols moves the tenant's embeddings generation, and the
 * HNSW file of the old generation is then rebuilt — one build at a time per process, in
 * a worker. A semantic query used to wait for that build. On a server where tenants
 * re-index every few seconds (agents editing, watchers) the builds queued behind each
 * other and searches waited minutes (the soak: 100 hybrid searches unanswered for five).
 *
 * An index of an older generation is still exact for what it holds: symbol ids are
 * AUTOINCREMENT, a symbol's vector never changes while the embedder stays the same (a
 * changed file gets new symbol rows), and an index holds every symbol of its generation
 * (builds refuse to run while vectors are pending). So what it lacks is exactly the
 * symbols with larger ids than any it holds, and what it holds too much of is deleted
 * symbols, which the row lookup drops. A query searches the old index, scores those newer
 * symbols exactly, and merges; a background build catches the index up meanwhile.
 */

/** Most newer symbols scored by brute force; beyond, the query waits for the build. */
export const MAX_NEWER_SYMBOLS = 4096;

export interface VectorSearcher {
  /** Vectors searchable (an estimate for an index with newer symbols: deleted ones still count). */
  readonly size: number;
  search(query: ArrayLike<number>, k: number): VectorHit[];
}

interface NewerVectors {
  ids: number[];
  dimension: number;
  /** `ids.length × dimension`, L2-normalised, as stored (quantised) or as a build would store them. */
  vectors: Float32Array;
}

type Row = { id: number; name: string; qualifiedName: string; kind: string; signature: string; doc: string | null; vector: Buffer | null };

/**
 * The vectors of the tenant's symbols with ids above `afterId`, as a build would index
 * them: stored ones decoded, pending ones (a local embedder defers them) computed the same
 * way. Null when there are more than MAX_NEWER_SYMBOLS or a missing vector cannot be made
 * synchronously (a remote embedder).
 */
function readNewerVectors(db: TenantDb, tenantId: string, afterId: number, embedder: EmbeddingProvider): NewerVectors | null {
  const rows = db
    .prepare(
      `SELECT s.id, s.name, s.qualified_name AS qualifiedName, s.kind, s.signature, s.doc, e.vector FROM symbols s
       LEFT JOIN embeddings e ON e.symbol_id = s.id WHERE s.tenant_id = ? AND s.id > ? ORDER BY s.id LIMIT ?`,
    )
    .all(tenantId, afterId, MAX_NEWER_SYMBOLS + 1) as Row[];
  if (rows.length > MAX_NEWER_SYMBOLS) return null;
  // A vector of another dimension (a previous embedder's) waits for its file's re-index,
  // as in a rebuilt index; a missing one is made as completeEmbeddings would make it.
  const missing = rows.filter((r) => r.vector === null);
  if (missing.length > 0 && !embedder.embedSymbolsSync) return null;
  const made = missing.length > 0 ? embedder.embedSymbolsSync!(missing) : [];
  const madeById = new Map(missing.map((r, i) => [r.id, made[i]!]));
  const dimension = embedder.dimension;
  const usable = rows.filter((r) => r.vector === null || encodedDimension(r.vector) === dimension);
  const vectors = new Float32Array(usable.length * dimension);
  usable.forEach((r, i) => {
    // Through the storage encoding, so scores equal those of the rebuilt index.
    const made = madeById.get(r.id);
    vectors.set(decodeVector(made ? encodeVector(made) : r.vector!), i * dimension);
  });
  return { ids: usable.map((r) => r.id), dimension, vectors };
}

function normalized(query: ArrayLike<number>): number[] {
  let norm = 0;
  for (let i = 0; i < query.length; i++) norm += query[i]! * query[i]!;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Array.from(query, (v) => v * inv);
}

/** An older index plus its newer symbols, searched as one. */
function searcher(index: VectorIndex, newer: NewerVectors): VectorSearcher {
  return {
    size: index.size + newer.ids.length,
    search(query, k) {
      if (k <= 0) return [];
      // Deleted symbols still answer from the old index and are dropped later: ask for spares.
      const wanted = Math.max(k * 2, k + 50);
      const fromIndex = index.search(query, wanted);
      const q = normalized(query);
      const { dimension, vectors } = newer;
      const fromNewer: VectorHit[] = newer.ids.map((symbolId, i) => {
        let dot = 0;
        for (let d = 0, at = i * dimension; d < dimension; d++, at++) dot += q[d]! * vectors[at]!;
        return { symbolId, similarity: dot };
      });
      return [...fromIndex, ...fromNewer].sort((a, b) => b.similarity - a.similarity).slice(0, wanted);
    },
  };
}

/**
 * Per tenant, the last older-index searcher made, reused while the database is unchanged
 * (its newer symbols are then the same).
 */
export class NewerVectorsCache {
  /** Bounded: each entry holds an old index and up to MAX_NEWER_SYMBOLS vectors. */
  private readonly last = new LRUCache<string, { index: VectorIndex; stamp: string; searcher: VectorSearcher }>({ max: 16 });

  /**
   * A searcher over `index` (older than the tenant's current generation) and the symbols
   * it lacks; null when the index cannot serve (another embedder's vectors, a `file`
   * index, too many newer symbols).
   */
  searcherFor(db: TenantDb, tenantId: string, index: VectorIndex, embedder: EmbeddingProvider, currentProvider: string | null): VectorSearcher | null {
    if (index.closed) return null;
    if (index.size > 0 && (index.provider !== embedder.id || index.dimension !== embedder.dimension)) return null;
    if (currentProvider !== null && currentProvider !== embedder.id) return null;
    const maxLabel = index.maxLabel();
    if (maxLabel === null) return null;
    const stamp = changeStamp(db);
    const hit = this.last.get(tenantId);
    if (hit && hit.index === index && hit.stamp === stamp) return hit.searcher;
    const newer = readNewerVectors(db, tenantId, maxLabel, embedder);
    if (newer === null) {
      this.last.delete(tenantId);
      return null;
    }
    const made = searcher(index, newer);
    this.last.set(tenantId, { index, stamp, searcher: made });
    return made;
  }
}
