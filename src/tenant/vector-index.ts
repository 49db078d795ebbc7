import fs from 'node:fs';
import crypto from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import { PctxError, errorFromJSON, isOutOfFileDescriptors, type ErrorDetails } from '../errors.js';
import { spawnWorker } from '../util/spawn-worker.js';
import type { TenantDb } from './tenant-db.js';
import type { TenantPaths } from './tenant-paths.js';
import { SMALL_INDEX_BYTES, sameVectorFile, type VectorBuildOptions, type VectorBuildResult } from './vector-build.js';
import { HnswFileReader, normalizeLikeHnswlib } from './hnsw-file-reader.js';
import { readEmbeddingsMeta, readVectorFileState, type VectorFileState } from './vector-state.js';

type Hnsw = InstanceType<typeof hnswlib.HierarchicalNSW>;

export interface VectorHit {
  /** The symbol id (HNSW label). */
  symbolId: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/**
 * How a tenant's HNSW file is searched: `memory` loads it into hnswlib (fastest per query,
 * costs a full read and the graph's size in RAM: right for a server that answers many
 * queries) or, up to SMALL_INDEX_BYTES, into one buffer that HnswFileReader searches;
 * `file` reads only the nodes each query visits (right for a process that asks one
 * question, such as a CLI search). All return the same results.
 */
export type VectorReadMode = 'memory' | 'file';

type Backend = { kind: 'memory'; index: Hnsw } | { kind: 'file'; reader: HnswFileReader; hasDeleted: boolean };

/** ef 100: measured tie-aware recall@10 ≈0.84 at efConstruction 64 for ~0.1 ms a query. */
const efFor = (k: number) => Math.max(100, k * 2);

/**
 * A read-only HNSW index of one tenant. Searches are synchronous on the calling thread and
 * never overlap a write: writes happen on a private copy in a worker and reach readers as
 * a new file, opened as a new VectorIndex.
 */
export class VectorIndex {
  private maxLabelSeen: number | undefined;
  private isClosed = false;

  private constructor(
    private readonly backend: Backend | null,
    readonly dimension: number | null,
    /** Live vectors. */
    readonly size: number,
    readonly generation: number,
    /** The embedder (`embeddings.provider`) whose vectors these are; null before any. */
    readonly provider: string | null,
  ) {}

  static empty(generation: number, provider: string | null = null): VectorIndex {
    return new VectorIndex(null, null, 0, generation, provider);
  }

  static fromLoaded(index: Hnsw, state: VectorFileState, provider: string | null): VectorIndex {
    return new VectorIndex({ kind: 'memory', index }, state.dimension, state.live, state.generation, provider);
  }

  static fromFile(reader: HnswFileReader, state: VectorFileState, provider: string | null): VectorIndex {
    return new VectorIndex({ kind: 'file', reader, hasDeleted: state.count > state.live }, state.dimension, state.live, state.generation, provider);
  }

  /**
   * The largest symbol id in the index (0 when empty), or null when it cannot be known
   * cheaply (a `file` index). Symbol ids are AUTOINCREMENT and the index held every symbol
   * of its generation, so the symbols an index lacks are exactly those with larger ids.
   */
  maxLabel(): number | null {
    if (this.maxLabelSeen !== undefined) return this.maxLabelSeen;
    const backend = this.backend;
    if (backend === null) return (this.maxLabelSeen = 0);
    if (backend.kind === 'file') return backend.reader.inMemory ? (this.maxLabelSeen = backend.reader.maxLabel()) : null;
    let max = 0;
    for (const id of backend.index.getIdsList()) if (id > max) max = id;
    return (this.maxLabelSeen = max);
  }

  /** What searches it: hnswlib (a large file in memory) or HnswFileReader (a small one in a buffer, or a file); null when empty. */
  get searcher(): 'hnswlib' | 'reader' | null {
    return this.backend === null ? null : this.backend.kind === 'memory' ? 'hnswlib' : 'reader';
  }

  get mode(): VectorReadMode | null {
    const backend = this.backend;
    if (backend === null) return null;
    return backend.kind === 'memory' || backend.reader.inMemory ? 'memory' : 'file';
  }

  /** Nearest neighbours by cosine similarity; `accept` filters labels inside the graph walk. */
  search(query: ArrayLike<number>, k: number, accept?: (symbolId: number) => boolean): VectorHit[] {
    if (this.closed) throw new PctxError('INTERNAL', { reason: 'a closed vector index was searched' });
    const backend = this.backend;
    if (backend === null || this.size === 0 || k <= 0) return [];
    if (query.length !== this.dimension) {
      throw new PctxError('VECTOR_DIMENSION_MISMATCH', { stored: this.dimension, configured: query.length });
    }
    if (backend.kind === 'file') {
      const hits = backend.reader.search(normalizeLikeHnswlib(query), Math.min(k, this.size), efFor(k), backend.hasDeleted, accept);
      return hits.map((h) => ({ symbolId: h.label, similarity: 1 - h.distance }));
    }
    const point = Array.from(query);
    backend.index.setEf(efFor(k));
    let want = Math.min(k, this.size);
    // hnswlib throws when it finds fewer than k (filters, deleted slots): ask for fewer.
    while (want > 0) {
      try {
        const { neighbors, distances } = backend.index.searchKnn(point, want, accept);
        return neighbors.map((symbolId, i) => ({ symbolId, similarity: 1 - distances[i]! }));
      } catch {
        want = want > 8 ? Math.floor(want / 2) : want - 1;
      }
    }
    return [];
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Releases the file a `file` index reads from, or the graph of a `memory` one: hnswlib
   * allocates it outside V8's heap, which does not count it, so a dropped index could stay
   * allocated long after (the soak's server grew past 1.5 GB). A closed index is never
   * searched again (the pool drops it from its cache first).
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.backend?.kind === 'file') this.backend.reader.close();
    else if (this.backend?.kind === 'memory') this.backend.index.initIndex({ maxElements: 1 });
  }
}

interface QueuedBuild {
  paths: TenantPaths;
  options: VectorBuildOptions;
  /** Nobody waits for it: it runs after every build somebody waits for, at background priority. */
  background: boolean;
  /** Set while only background requests share the build: aborting it drops the build. */
  signal: AbortSignal | undefined;
  resolve: (result: VectorBuildResult) => void;
  reject: (err: Error) => void;
  promise: Promise<VectorBuildResult>;
}

/**
 * The process's vector builds: one at a time (they are CPU-heavy and the process serves
 * requests too), a tenant's waiting build shared by every request for it made before it
 * starts (it reads the tenant's state when it starts, so it serves them all), and builds
 * a search waits for ahead of background ones.
 *
 * Before, each index run queued a build of its own behind every other tenant's, first come
 * first served: on a server re-indexing 20 tenants all the time the queue grew faster than
 * it drained, and a search that needed a build waited behind all of it (the soak: searches
 * unanswered for five minutes).
 */
class BuildQueue {
  private running = false;
  private readonly waiting: QueuedBuild[] = [];
  private readonly byTenant = new Map<string, QueuedBuild>();

  request(paths: TenantPaths, options: VectorBuildOptions, signal: AbortSignal | undefined, background: boolean): Promise<VectorBuildResult> {
    const queued = this.byTenant.get(paths.tenantId);
    if (queued && JSON.stringify(queued.options) === JSON.stringify(options)) {
      if (!background || !signal) queued.signal = undefined;
      if (!background && queued.background) {
        queued.background = false;
        this.waiting.splice(this.waiting.indexOf(queued), 1);
        this.enqueue(queued);
      }
      return queued.promise;
    }
    let resolve!: (result: VectorBuildResult) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<VectorBuildResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: QueuedBuild = { paths, options, background, signal: background ? signal : undefined, resolve, reject, promise };
    this.byTenant.set(paths.tenantId, entry);
    this.enqueue(entry);
    this.pump();
    return promise;
  }

  /** After the last build nobody waits for if it is one, else after the last one somebody waits for. */
  private enqueue(entry: QueuedBuild): void {
    if (entry.background) {
      this.waiting.push(entry);
      return;
    }
    const firstBackground = this.waiting.findIndex((e) => e.background);
    this.waiting.splice(firstBackground < 0 ? this.waiting.length : firstBackground, 0, entry);
  }

  private pump(): void {
    if (this.running) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    // From here on, a new request for the tenant gets a build of its own: this one has read its state.
    if (this.byTenant.get(entry.paths.tenantId) === entry) this.byTenant.delete(entry.paths.tenantId);
    if (entry.signal?.aborted) {
      entry.reject(new PctxError('POOL_CLOSED'));
      this.pump();
      return;
    }
    this.running = true;
    buildInWorker(entry.paths, entry.options, entry.background).then(entry.resolve, entry.reject).finally(() => {
      this.running = false;
      this.pump();
    });
  }
}

const builds = new BuildQueue();

type BuildReply = { id: number } & ({ ok: true; result: VectorBuildResult } | { ok: false; error: { code: string; message: string; details: ErrorDetails } });

/**
 * A long-lived build worker (vector-worker.ts): one for builds somebody waits for, one at
 * background priority. Started on first use, stopped after IDLE_MS without a build; an
 * idle one never keeps the process alive.
 */
class BuildWorker {
  private worker: Worker | null = null;
  private pending: { id: number; resolve: (r: VectorBuildResult) => void; reject: (e: Error) => void } | null = null;
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Builds the current thread ran. */
  private builds = 0;

  constructor(private readonly background: boolean) {}

  build(paths: TenantPaths, options: VectorBuildOptions): Promise<VectorBuildResult> {
    return new Promise((resolve, reject) => {
      const worker = this.worker ?? this.start();
      if (this.idleTimer) clearTimeout(this.idleTimer);
      const id = this.nextId++;
      this.pending = { id, resolve, reject };
      worker.ref();
      worker.postMessage({ id, paths, options });
    });
  }

  private start(): Worker {
    const worker = spawnWorker(import.meta.url, './vector-worker', { workerData: { background: this.background } });
    this.worker = worker;
    this.builds = 0;
    worker.on('message', (msg: BuildReply) => {
      const pending = this.pending;
      if (!pending || pending.id !== msg.id) return;
      this.pending = null;
      worker.unref();
      this.builds++;
      // hnswlib's graphs live outside V8's heap, which does not count them: a large one may
      // stay allocated until a collection happens to run. A fresh thread returns it at once.
      if (this.builds >= RECYCLE_AFTER_BUILDS || (msg.ok && (msg.result.state?.count ?? 0) > RECYCLE_AFTER_VECTORS)) this.stop(worker);
      else {
        this.idleTimer = setTimeout(() => this.stop(worker), IDLE_MS);
        this.idleTimer.unref();
      }
      if (msg.ok) pending.resolve(msg.result);
      else pending.reject(errorFromJSON(msg.error));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      const pending = this.pending;
      this.pending = null;
      pending?.reject(err);
    };
    worker.on('error', (err) =>
      fail(
        isOutOfFileDescriptors(err)
          ? new PctxError('TOO_MANY_OPEN_FILES', { reason: `vector build worker: ${err.message}` }, { cause: err })
          : new PctxError('INTERNAL', { reason: `vector build worker failed: ${err.message}` }, { cause: err }),
      ),
    );
    worker.on('exit', (code) => fail(new PctxError('INTERNAL', { reason: `vector build worker exited with code ${code}` })));
    return worker;
  }

  private stop(worker: Worker): void {
    if (this.worker !== worker || this.pending) return;
    this.worker = null;
    worker.removeAllListeners('exit');
    void worker.terminate();
  }
}

const IDLE_MS = 30_000;
const RECYCLE_AFTER_BUILDS = 500;
const RECYCLE_AFTER_VECTORS = 50_000;
const workers = { foreground: new BuildWorker(false), background: new BuildWorker(true) };

function buildInWorker(paths: TenantPaths, options: VectorBuildOptions, background: boolean): Promise<VectorBuildResult> {
  return (background ? workers.background : workers.foreground).build(paths, options);
}

/**
 * Runs buildVectorFile in a worker thread so the event loop stays free, in the process's
 * build queue (BuildQueue). `background`: nobody waits for the result, so it runs after
 * the builds somebody waits for, at background thread priority. A background build still
 * waiting when `signal` aborts is dropped (`POOL_CLOSED`): a server shutting down must not
 * first work through a queue of builds (the soak's server took nine minutes to exit).
 */
export function runVectorBuild(paths: TenantPaths, options: VectorBuildOptions = {}, signal?: AbortSignal, background = false): Promise<VectorBuildResult> {
  return builds.request(paths, options, signal, background);
}

async function sha256FileAsync(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fileMatches(file: string, state: VectorFileState): Promise<boolean> {
  try {
    const stat = await fs.promises.stat(file);
    if (stat.size !== state.size) return false;
    return sameVectorFile(stat, state) || (await sha256FileAsync(file)) === state.sha256;
  } catch {
    return false;
  }
}

/**
 * Opens the tenant's recorded vector file as it is, of whatever generation, if it is intact
 * (the file recorded, with the recorded element count); null otherwise. Never builds. The
 * index's `provider` is the embedder of the current generation when the file is of that
 * generation, else unknown (null): the caller decides whether it can use it.
 */
export async function loadIntactVectorIndex(paths: TenantPaths, db: TenantDb, mode: VectorReadMode = 'memory'): Promise<VectorIndex | null> {
  const meta = readEmbeddingsMeta(db);
  const state = readVectorFileState(db);
  if (state === null) return null;
  return openVectorFile(paths, state, state.generation === meta.generation ? meta.provider : (state.provider ?? null), mode);
}

/**
 * Opens the vector file `state` describes (a build's result, recorded or not) if it is
 * still that file; null otherwise. Never builds.
 */
export async function openVectorFile(paths: TenantPaths, state: VectorFileState, provider: string | null, mode: VectorReadMode = 'memory'): Promise<VectorIndex | null> {
  return (await fileMatches(paths.vectors, state)) ? readVectorFile(paths, state, provider, mode) : null;
}

/**
 * Reads the tenant's vector file, checked to be the one `state` describes, in `mode`; null
 * when it cannot be read or holds another element count (replaced or damaged since).
 */
async function readVectorFile(paths: TenantPaths, state: VectorFileState, provider: string | null, mode: VectorReadMode): Promise<VectorIndex | null> {
  try {
    if (mode === 'file' || state.size <= SMALL_INDEX_BYTES) {
      const reader = mode === 'file' ? HnswFileReader.open(paths.vectors, state.dimension, paths.tenantId) : await HnswFileReader.load(paths.vectors, state.dimension, paths.tenantId);
      if (reader.count === state.count) return VectorIndex.fromFile(reader, state, provider);
      reader.close();
    } else {
      const index = new hnswlib.HierarchicalNSW('cosine', state.dimension);
      await index.readIndex(paths.vectors);
      if (index.getCurrentCount() === state.count) return VectorIndex.fromLoaded(index, state, provider);
    }
  } catch {
    // Replaced or damaged since the check.
  }
  return null;
}

/**
 * Opens the tenant's vector index for searching, in `mode` (see VectorReadMode). The file
 * is used only when SQLite says it reflects the current embeddings generation and it is
 * the file recorded (same inode and mtime, or else same SHA-256) with the recorded element
 * count; otherwise (missing, stale, truncated, corrupt) it is rebuilt from the embeddings
 * table in a worker first. Never throws for a bad file.
 */
export async function loadVectorIndex(
  paths: TenantPaths,
  db: TenantDb,
  buildOptions: VectorBuildOptions = {},
  mode: VectorReadMode = 'memory',
): Promise<VectorIndex> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const meta = readEmbeddingsMeta(db);
    let state = readVectorFileState(db);
    const fresh = state !== null && state.generation === meta.generation && (await fileMatches(paths.vectors, state));
    if (!fresh) {
      const built = await runVectorBuild(paths, { ...buildOptions, force: attempt > 0 });
      state = built.state;
    }
    if (state === null) return VectorIndex.empty(meta.generation, meta.provider);
    // Replaced or damaged between the check and the read: rebuild on the next attempt.
    const index = await readVectorFile(paths, state, meta.provider, mode);
    if (index !== null) return index;
  }
  throw new PctxError('TENANT_CORRUPT', { tenantId: paths.tenantId, reason: 'the vector index could not be rebuilt' });
}
