import fs from 'node:fs';
import hnswlib from 'hnswlib-node';
import { commitTempFile, sha256File, tempPathFor } from '../util/atomic-file.js';
import { openTenantDb, type TenantDb } from './tenant-db.js';
import type { TenantPaths } from './tenant-paths.js';
import { decodeVector } from './vector-codec.js';
import { PctxError } from '../errors.js';
import { embeddingsPending, readEmbeddingsMeta, readVectorFileState, writeVectorFileState, type VectorFileState } from './vector-state.js';

export interface VectorBuildOptions {
  /** HNSW graph degree. @default 16 */
  m?: number;
  /** Candidate list size while inserting; higher is slower to build, better recall. @default 64 */
  efConstruction?: number;
  /** Ignore any existing file and rebuild from the table. @default false */
  force?: boolean;
}

export type VectorBuildMode = 'unchanged' | 'incremental' | 'rebuilt' | 'empty';

export interface VectorBuildResult {
  mode: VectorBuildMode;
  state: VectorFileState | null;
  added: number;
  removed: number;
  durationMs: number;
  /**
   * Whether `state` was recorded in the database. False when another connection held the
   * write lock (an index run of the tenant): the file is in place and usable with `state`,
   * and the next load, finding it unrecorded, builds again (by then the run has usually
   * committed new embeddings that need a build anyway).
   */
  recorded: boolean;
}

/** The build refused because the tenant's embeddings are incomplete (`embeddings.pending`). */
export function isEmbeddingsPendingError(err: unknown): boolean {
  return (err as { details?: { embeddingsPending?: unknown } } | null)?.details?.embeddingsPending === true;
}

const SPACE = 'cosine';
/** Rebuild instead of patching once dead slots outnumber half the live vectors. */
const MAX_DEAD_RATIO = 0.5;

/**
 * True when `stat` is the very file `state` was recorded for: same inode, mtime and size.
 * Checked before hashing, which reads the whole file (584 MB for 498k vectors).
 */
export function sameVectorFile(stat: fs.Stats, state: VectorFileState): boolean {
  return state.ino !== undefined && stat.ino === state.ino && stat.mtimeMs === state.mtimeMs && stat.size === state.size;
}

/** True when the file on disk is byte-for-byte the one `state` describes. */
export function vectorFileMatches(file: string, state: VectorFileState): boolean {
  try {
    const stat = fs.statSync(file);
    if (stat.size !== state.size) return false;
    return sameVectorFile(stat, state) || sha256File(file) === state.sha256;
  } catch {
    return false;
  }
}

/**
 * The hnswlib object this thread's builds use, one per dimension, reused build after
 * build: `initIndex` and `readIndexSync` replace the index it holds and free the old one at
 * once. A new object per build left each build's index (65,536 label mutexes, 2.5 MiB,
 * plus the graph) to the garbage collector, which does not see that memory: a build
 * worker re-indexing small tenants all day held hundreds of MB of it, free but fragmented.
 */
const graphs = new Map<number, hnswlib.HierarchicalNSW>();
/**
 * Objects whose `readIndexSync` threw. hnswlib deletes the index an object holds before it
 * reads, and a failed read leaves the pointer to the deleted index in place: the object's
 * next read, init or finalizer would free it a second time and crash the process. So such
 * an object is never used again and never collected (a few bytes per damaged file read).
 */
const retired: hnswlib.HierarchicalNSW[] = [];

function graphFor(dimension: number): hnswlib.HierarchicalNSW {
  let graph = graphs.get(dimension);
  if (graph === undefined) graphs.set(dimension, (graph = new hnswlib.HierarchicalNSW(SPACE, dimension)));
  return graph;
}

/** Retires the thread's object for `dimension` (see `retired`); the next graphFor makes a new one. */
function retireGraph(dimension: number): void {
  const graph = graphs.get(dimension);
  if (graph === undefined) return;
  graphs.delete(dimension);
  retired.push(graph);
}

/**
 * In `memory` mode, files up to this size are searched from one buffer by HnswFileReader
 * (same results as hnswlib) instead of being loaded into hnswlib. An hnswlib index costs
 * 2.5 MiB of native memory however small it is (65,536 label mutexes) and V8 does not
 * count it, so a server re-indexing many small tenants piled up native memory faster than
 * the garbage collector released it (the soak: RSS 1.7 GB, nine tenths of it free malloc
 * chunks). Above this size the graph's own bytes dominate and hnswlib's faster search pays.
 */
export const SMALL_INDEX_BYTES = 4 * 1024 * 1024;

/**
 * Brings `vectors.hnsw` up to date with the embeddings table: nothing when it already
 * reflects the current generation, a patch (mark deleted, add new) when a valid older
 * file exists, otherwise a full rebuild. The new file is written to a temp file,
 * fsynced and renamed; only then is its state recorded in SQLite. A crash at any point
 * leaves either the old consistent pair or a mismatch that the next load detects.
 *
 * Synchronous and CPU-heavy: run it in a worker thread (see vector-worker.ts).
 */
export function buildVectorFile(paths: TenantPaths, options: VectorBuildOptions = {}): VectorBuildResult {
  const started = performance.now();
  const m = options.m ?? 16;
  const efConstruction = options.efConstruction ?? 64;
  const db = openTenantDb(paths, { create: false, cacheKiB: 8192 });
  try {
    // One read transaction: the generation and the rows come from the same snapshot.
    db.exec('BEGIN');
    let snapshot: { generation: number; provider: string | null; dimension: number | null; ids: number[]; previous: VectorFileState | null };
    try {
      const meta = readEmbeddingsMeta(db);
      // A file built now would record this generation without the vectors still to come.
      if (embeddingsPending(db)) {
        throw new PctxError('INTERNAL', { reason: `tenant ${paths.tenantId}: vectors requested before the pending embeddings were completed`, embeddingsPending: true });
      }
      snapshot = {
        generation: meta.generation,
        provider: meta.provider,
        dimension: meta.dimension,
        // Only vectors of the current dimension: rows written by a previous embedder wait
        // for their repository's re-index and cannot join this graph.
        ids:
          meta.dimension === null
            ? []
            : (db
                .prepare('SELECT symbol_id FROM embeddings WHERE tenant_id = ? AND length(vector) = ? ORDER BY symbol_id')
                .pluck()
                .all(paths.tenantId, 4 + meta.dimension) as number[]),
        previous: readVectorFileState(db),
      };
      const { previous, generation, provider, dimension, ids } = snapshot;
      const done = (mode: VectorBuildMode, state: VectorFileState | null, added = 0, removed = 0, recorded = true): VectorBuildResult => ({
        mode,
        state,
        added,
        removed,
        durationMs: performance.now() - started,
        recorded,
      });

      if (dimension === null || ids.length === 0) {
        db.exec('COMMIT');
        fs.rmSync(paths.vectors, { force: true });
        return done('empty', null, 0, 0, recordWithoutWaiting(db, null));
      }

      const previousUsable =
        !options.force && previous !== null && previous.dimension === dimension && vectorFileMatches(paths.vectors, previous);
      if (previousUsable && previous.generation === generation) {
        db.exec('COMMIT');
        return done('unchanged', previous);
      }

      const vectorOf = db.prepare('SELECT vector FROM embeddings WHERE symbol_id = ? AND tenant_id = ?').pluck();
      const recordBytes = 4 + dimension;
      let index = graphFor(dimension);
      let mode: VectorBuildMode = 'rebuilt';
      let added = 0;
      let removed = 0;

      let patched = false;
      if (previousUsable) {
        try {
          index.readIndexSync(paths.vectors, true);
          patched = index.getCurrentCount() === previous.count;
        } catch {
          retireGraph(dimension);
          index = graphFor(dimension);
          patched = false;
        }
      }
      if (patched) {
        const live = new Set(ids);
        const inFile = new Set(index.getIdsList());
        for (const label of inFile) {
          if (live.has(label)) continue;
          try {
            index.markDelete(label);
            removed++;
          } catch {
            // Already deleted in an earlier patch and not yet replaced.
          }
        }
        const missing = ids.filter((id) => !inFile.has(id));
        const dead = index.getCurrentCount() - (ids.length - missing.length);
        if (dead - missing.length > MAX_DEAD_RATIO * ids.length) {
          patched = false;
        } else {
          const needed = index.getCurrentCount() + missing.length;
          if (needed > index.getMaxElements()) index.resizeIndex(Math.ceil(needed * 1.25));
          for (const id of missing) {
            const blob = vectorOf.get(id, paths.tenantId) as Buffer;
            if (blob.length !== recordBytes) continue;
            index.addPoint(decodeVector(blob), id, true);
            added++;
          }
          mode = 'incremental';
        }
      }
      if (!patched) {
        index.initIndex({ maxElements: Math.max(1024, Math.ceil(ids.length * 1.25)), m, efConstruction, randomSeed: 100, allowReplaceDeleted: true });
        const all = db.prepare('SELECT symbol_id, vector FROM embeddings WHERE tenant_id = ? ORDER BY symbol_id').raw();
        for (const row of all.iterate(paths.tenantId) as IterableIterator<[number, Buffer]>) {
          if (row[1].length === recordBytes) index.addPoint(decodeVector(row[1]), row[0]);
        }
        db.exec('COMMIT');
        return finish(index, 'rebuilt', ids.length, previous === null ? 0 : previous.live);
      }
      db.exec('COMMIT');
      return finish(index, mode, added, removed);

      function finish(built: hnswlib.HierarchicalNSW, how: VectorBuildMode, a: number, r: number): VectorBuildResult {
        const tmp = tempPathFor(paths.vectors);
        try {
          built.writeIndexSync(tmp);
          commitTempFile(tmp, paths.vectors);
        } catch (err) {
          fs.rmSync(tmp, { force: true });
          throw err;
        }
        const stat = fs.statSync(paths.vectors);
        const count = built.getCurrentCount();
        // A large graph is freed now (a one-element index in its place); a small one stays
        // until the thread's next build replaces it (see graphFor).
        if (stat.size > SMALL_INDEX_BYTES) built.initIndex({ maxElements: 1 });
        const state: VectorFileState = {
          generation,
          ...(provider !== null ? { provider } : {}),
          count,
          live: ids.length,
          dimension: dimension!,
          size: stat.size,
          sha256: sha256File(paths.vectors),
          ino: stat.ino,
          mtimeMs: stat.mtimeMs,
        };
        return done(how, state, a, r, recordWithoutWaiting(db, state));
      }
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  } finally {
    db.close();
  }
}

/**
 * Records the file's state if the write lock is free right now. A build never waits for
 * it: an index run of the tenant holds it for its whole run, and a build waiting out
 * busy_timeout (5 s, then "database is locked") held the process's one build slot all
 * that time, so every other tenant's builds — and the searches waiting on them — queued
 * behind it (the soak saw searches wait more than 300 s).
 */
function recordWithoutWaiting(db: TenantDb, state: VectorFileState | null): boolean {
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.transaction(() => writeVectorFileState(db, state))();
    return true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED') return false;
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
