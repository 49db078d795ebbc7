import type { TenantDb } from './tenant-db.js';

/**
 * Bookkeeping in the tenant's `meta` table that ties the HNSW file to the embeddings
 * table. Every index run that changes embeddings bumps `embeddings.generation` in its
 * own transaction; the vector builder records which generation the file reflects,
 * with its element count and SHA-256, after the file is durably renamed into place.
 */
export interface EmbeddingsMeta {
  /** Bumped by every committed change to the embeddings table. */
  generation: number;
  /** Provider id that produced the stored vectors, or null before the first run. */
  provider: string | null;
  dimension: number | null;
}

export interface VectorFileState {
  generation: number;
  /**
   * The embedder (`embeddings.provider`) whose vectors the file holds, so a file of an
   * older generation can be searched with the current embedder's queries only when they
   * are the same. Absent in states written before it was recorded.
   */
  provider?: string;
  /** hnswlib `getCurrentCount()` of the file: live plus deleted-but-unreplaced slots. */
  count: number;
  /** Live vectors in the file. */
  live: number;
  dimension: number;
  size: number;
  sha256: string;
  /**
   * Inode and mtime of the file as renamed into place. While they still match, the file is
   * the one described here without hashing it (a new file, even a copy, has a new inode).
   * Absent in states written before they were recorded: the SHA-256 decides then.
   */
  ino?: number;
  mtimeMs?: number;
}

const KEYS = {
  generation: 'embeddings.generation',
  provider: 'embeddings.provider',
  dimension: 'embeddings.dimension',
  vectorFile: 'vectors.file',
  pending: 'embeddings.pending',
} as const;

function readMeta(db: TenantDb, key: string): string | undefined {
  return db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
}

function writeMeta(db: TenantDb, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function readEmbeddingsMeta(db: TenantDb): EmbeddingsMeta {
  const dimension = readMeta(db, KEYS.dimension);
  return {
    generation: Number(readMeta(db, KEYS.generation) ?? 0),
    provider: readMeta(db, KEYS.provider) ?? null,
    dimension: dimension === undefined ? null : Number(dimension),
  };
}

/** Call inside the index run's transaction whenever it changed embeddings. */
export function bumpEmbeddingsGeneration(db: TenantDb, provider: string, dimension: number): number {
  const next = readEmbeddingsMeta(db).generation + 1;
  writeMeta(db, KEYS.generation, String(next));
  writeMeta(db, KEYS.provider, provider);
  writeMeta(db, KEYS.dimension, String(dimension));
  return next;
}

export function readVectorFileState(db: TenantDb): VectorFileState | null {
  const raw = readMeta(db, KEYS.vectorFile);
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw) as VectorFileState;
  } catch {
    return null;
  }
}

export function writeVectorFileState(db: TenantDb, state: VectorFileState | null): void {
  if (state === null) db.prepare('DELETE FROM meta WHERE key = ?').run(KEYS.vectorFile);
  else writeMeta(db, KEYS.vectorFile, JSON.stringify(state));
}

/**
 * `embeddings.pending`: some symbols may still lack their vector (a local embedder's
 * vectors are made when first needed, see engine/indexer/deferred-embeddings.ts). Set by
 * the index run in its transaction; cleared once none is missing. No vector file is built
 * while it is set.
 */
export function embeddingsPending(db: TenantDb): boolean {
  return readMeta(db, KEYS.pending) !== undefined;
}

export function markEmbeddingsPending(db: TenantDb): void {
  writeMeta(db, KEYS.pending, '1');
}

export function clearEmbeddingsPending(db: TenantDb): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(KEYS.pending);
}
