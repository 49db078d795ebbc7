import fs from 'node:fs';
import { LRUCache } from 'lru-cache';
import { PctxError, isPctxError } from '../errors.js';
import { fileDescriptorHeadroom, openFileLimit } from '../util/fd-limit.js';
import { LatencyHistogram, type HistogramSnapshot } from '../util/histogram.js';
import { mapTenantDbError, openTenantDb, type TenantDb } from './tenant-db.js';
import { FrequencySketch } from './frequency-sketch.js';
import { restoreJournalPath, tenantPaths, type TenantPaths } from './tenant-paths.js';
import { loadIntactVectorIndex, loadVectorIndex, openVectorFile, type VectorIndex, type VectorReadMode } from './vector-index.js';
import type { VectorFileState } from './vector-state.js';
import type { VectorBuildOptions } from './vector-build.js';
import { readEmbeddingsMeta } from './vector-state.js';

export interface TenantPoolOptions {
  /** Folder holding `tenants/<id>/`. */
  dataDir: string;
  /**
   * Most database handles kept open when none is leased. A WAL database holds up to 3
   * file descriptors (db, -wal, -shm).
   * @default min(1024, (fd limit - 256) / 3), at least 8
   */
  maxHandles?: number;
  /**
   * Close a handle nobody has acquired for this long (ms); 0 disables.
   * @default 300000
   */
  idleTtlMs?: number;
  /**
   * Page cache per handle, KiB.
   * @default 1024
   */
  cacheKiB?: number;
  /**
   * Most HNSW indexes kept loaded. Each costs its vectors plus ~2.5 MB of hnswlib
   * mutexes, so this is bounded separately from database handles.
   * @default 16
   */
  maxVectorIndexes?: number;
  /** Parameters for vector (re)builds triggered by loads. */
  vectorBuild?: VectorBuildOptions;
  /**
   * How HNSW files are searched: `memory` loads each into hnswlib (a server answering many
   * queries), `file` reads only the nodes a query visits (a process asking one question:
   * the CLI). Same results either way.
   * @default 'memory'
   */
  vectorReads?: VectorReadMode;
  /**
   * Clock for idle expiry, in ms; inject one in tests instead of sleeping.
   * @default performance.now
   */
  now?: () => number;
  /**
   * Asks the control plane whether the tenant may be served; throws (TENANT_NOT_FOUND,
   * TENANT_DELETING) when not. Called only when it matters and is cheap to ask: before a
   * tenant's folder would be created, and when the folder of an open handle has vanished
   * or been replaced (another process deleted or restored the tenant). Without it, a
   * missing folder is created on first use.
   * @default none
   */
  tenantGuard?: (tenantId: string) => void;
}

export interface PoolMetrics {
  /** Open database handles, leased or not. */
  open: number;
  /** Handles with at least one lease. */
  leased: number;
  /** Handles evicted from the LRU but still open because a lease holds them. */
  draining: number;
  maxHandles: number;
  vectorIndexesLoaded: number;
  hits: number;
  misses: number;
  evictions: number;
  /** Idle handles closed early because the process ran out of file descriptors. */
  shed: number;
  /** acquire() wall time in µs, hits and misses together. */
  acquireUs: HistogramSnapshot;
}

/** Identity of a folder: a delete or restore by another process changes or removes it. */
function folderIdentity(dir: string): string | null {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  return stat ? `${stat.dev}:${stat.ino}` : null;
}

class Handle {
  refs = 0;
  closed = false;
  /** Its folder was deleted or replaced: no new leases; closed by the last release. */
  stale = false;
  readonly folder: string | null;
  constructor(
    readonly paths: TenantPaths,
    readonly db: TenantDb,
  ) {
    this.folder = folderIdentity(paths.dir);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * A borrowed tenant handle. Release it exactly once (`release()`, or `using` /
 * `pool.withTenant`); releasing twice is a no-op. The handle stays open while any lease
 * on it is outstanding, whatever the LRU decides.
 */
export class TenantLease implements Disposable {
  private released = false;

  constructor(
    private readonly pool: TenantDbPool,
    private readonly handle: Handle,
  ) {}

  get tenantId(): string {
    return this.handle.paths.tenantId;
  }

  get paths(): TenantPaths {
    return this.handle.paths;
  }

  /** @internal Identity of the tenant folder when its handle was opened. */
  get folderAtOpen(): string | null {
    return this.handle.folder;
  }

  get db(): TenantDb {
    if (this.released) throw new PctxError('INTERNAL', { reason: 'tenant lease used after release' });
    return this.handle.db;
  }

  /** The tenant's HNSW index, loaded (and rebuilt if needed) on first use. */
  vectors(): Promise<VectorIndex> {
    return this.pool.vectorsFor(this.handle);
  }

  /**
   * The tenant's HNSW index of whatever generation — the one loaded, else the recorded
   * file if intact — without building; null when there is neither. For a caller that
   * makes up for the symbols an older index lacks (the engine's semantic search,
   * queries/newer-vectors.ts): check `generation`.
   */
  anyVectors(): Promise<VectorIndex | null> {
    return this.pool.anyVectorsFor(this.handle);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.releaseHandle(this.handle);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

export function defaultMaxHandles(): number {
  return Math.max(8, Math.min(1024, Math.floor((openFileLimit() - 256) / 3)));
}

/**
 * Descriptors the pool leaves free for everything else (sockets, worker starts, uploads,
 * index runs' own connections): below this headroom it closes idle handles before opening.
 */
const FD_RESERVE = 48;

/** Share of the handles in the admission window: 1% (at least 1), as in W-TinyLFU. */
const WINDOW_SHARE = 0.01;

/**
 * Open SQLite handles (and lazily loaded HNSW indexes) of many tenants, bounded by a
 * W-TinyLFU cache made of two lru-caches: a small window (1% of the handles) that every
 * newly opened handle enters, and the main region (the rest). A handle leaving the
 * window moves into the main region only if its tenant has been asked for more often
 * lately (a FrequencySketch) than the main region's least recently used tenant, which it
 * then displaces; otherwise it is closed. A burst of requests for a new tenant is served
 * from the window; a stream of one-off tenants (a scan, a crawler) cannot flush the
 * popular ones. Under zipf access over 10,000 tenants this keeps ~60% of requests on open
 * handles where plain LRU keeps ~51% (docs/benchmarks.md).
 *
 * Invariant: open handles ≤ maxHandles + handles currently leased; a leased handle is
 * never closed — eviction of a leased handle defers its close to the last release.
 */
export class TenantDbPool {
  readonly dataDir: string;
  readonly maxHandles: number;
  private readonly cacheKiB: number;
  private readonly vectorBuild: VectorBuildOptions;
  private readonly tenantGuard: ((tenantId: string) => void) | undefined;
  private readonly vectorReads: VectorReadMode;
  /** New handles enter here; null when maxHandles is 1 (the main region is then all). */
  private readonly window: LRUCache<string, Handle> | null;
  private readonly main: LRUCache<string, Handle>;
  private readonly sketch: FrequencySketch;
  /** Evicted while leased: still open, closed by the last release. */
  private readonly draining = new Map<string, Handle>();
  private readonly vectorCache: LRUCache<string, Promise<VectorIndex>>;
  /** Tenants being deleted or restored: acquire() refuses them. */
  private readonly blocked = new Map<string, PctxError>();
  /**
   * The file each tenant's last build in this process wrote, recorded in its database or
   * not (a build never waits for the write lock): lets anyVectors open that file after the
   * loaded index was evicted, instead of finding no recorded file and building again.
   */
  private readonly builtFiles = new LRUCache<string, VectorFileState>({ max: 10_000 });
  private readonly drainWaiters = new Map<string, (() => void)[]>();
  private readonly histogram = new LatencyHistogram();
  private readonly sweeper: NodeJS.Timeout | undefined;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private shedCount = 0;
  private closed = false;

  constructor(options: TenantPoolOptions) {
    const maxHandles = options.maxHandles ?? defaultMaxHandles();
    if (!Number.isInteger(maxHandles) || maxHandles < 1) {
      throw new PctxError('INVALID_CONFIG', { option: 'maxHandles', reason: 'must be a positive integer' });
    }
    const idleTtlMs = options.idleTtlMs ?? 300_000;
    if (!Number.isInteger(idleTtlMs) || idleTtlMs < 0) {
      throw new PctxError('INVALID_CONFIG', { option: 'idleTtlMs', reason: 'must be a non-negative integer' });
    }
    const maxVectorIndexes = options.maxVectorIndexes ?? 16;
    if (!Number.isInteger(maxVectorIndexes) || maxVectorIndexes < 1) {
      throw new PctxError('INVALID_CONFIG', { option: 'maxVectorIndexes', reason: 'must be a positive integer' });
    }
    this.dataDir = options.dataDir;
    this.maxHandles = maxHandles;
    this.cacheKiB = options.cacheKiB ?? 1024;
    this.vectorBuild = options.vectorBuild ?? {};
    this.tenantGuard = options.tenantGuard;
    this.vectorReads = options.vectorReads ?? 'memory';
    const now = options.now;
    const ttl = idleTtlMs > 0 ? { ttl: idleTtlMs, updateAgeOnGet: true, ttlResolution: 0 } : {};
    const clock = now ? { perf: { now } } : {};
    const windowSize = maxHandles > 1 ? Math.max(1, Math.round(maxHandles * WINDOW_SHARE)) : 0;
    // ttlResolution 0: read the clock on every check (an injected clock must be seen at once).
    this.main = new LRUCache<string, Handle>({
      max: maxHandles - windowSize,
      ...ttl,
      ...clock,
      // 'set' never happens (we never overwrite a live key); everything else retires the handle.
      dispose: (handle, tenantId, reason) => this.dispose(handle, tenantId, reason),
    });
    this.window =
      windowSize === 0
        ? null
        : new LRUCache<string, Handle>({
            max: windowSize,
            ...ttl,
            ...clock,
            dispose: (handle, tenantId, reason) => {
              if (reason === 'evict' && this.admit(tenantId)) this.main.set(tenantId, handle);
              else this.dispose(handle, tenantId, reason);
            },
          });
    this.sketch = new FrequencySketch(maxHandles);
    this.vectorCache = new LRUCache<string, Promise<VectorIndex>>({
      max: maxVectorIndexes,
      // A file-backed index holds a descriptor. Searches run synchronously right after
      // `await lease.vectors()`, so closing on the next turn never cuts one short.
      dispose: (loading) => {
        loading.then(
          (index) => setImmediate(() => index.close()),
          () => {},
        );
      },
    });
    if (idleTtlMs > 0) {
      this.sweeper = setInterval(() => {
        this.window?.purgeStale();
        this.main.purgeStale();
      }, Math.max(1000, Math.floor(idleTtlMs / 2)));
      this.sweeper.unref();
    }
  }

  /** Paths of a tenant under this pool's data dir (validates the id). */
  paths(tenantId: string): TenantPaths {
    return tenantPaths(this.dataDir, tenantId);
  }

  /**
   * Borrows the tenant's handle, opening (and migrating) its database on a miss. The
   * tenant id is validated before any file access. Throws TENANT_DELETING while the
   * tenant is blocked, TENANT_CORRUPT when its file is unreadable.
   */
  acquire(tenantId: string): TenantLease {
    const started = performance.now();
    if (this.closed) throw new PctxError('POOL_CLOSED');
    const blockedBy = this.blocked.get(tenantId);
    if (blockedBy) throw blockedBy;
    let handle = this.window?.get(tenantId) ?? this.main.get(tenantId);
    // A cached handle was opened for a validated id: its paths are reused, not rebuilt per
    // request (validation and path joins were ~2 % of a cached search). Any other id is
    // validated here, before any file access.
    const paths = handle?.paths ?? tenantPaths(this.dataDir, tenantId);

    this.sketch.increment(tenantId);
    if (handle && handle.folder !== folderIdentity(paths.dir)) {
      // Deleted or restored by another process since it was opened: never serve the old files.
      this.retireStale(tenantId, handle);
      this.tenantGuard?.(tenantId);
      handle = undefined;
    }
    if (handle) {
      this.hits++;
    } else {
      handle = this.draining.get(tenantId);
      if (handle && handle.folder !== folderIdentity(paths.dir)) {
        // Its folder was replaced meanwhile: it closes at its last release, never reused.
        this.draining.delete(tenantId);
        handle.stale = true;
        handle = undefined;
      }
      if (handle) {
        // Still open for an outstanding lease: bring it back rather than open a twin.
        this.draining.delete(tenantId);
        this.hits++;
      } else {
        this.misses++;
        this.keepFdReserve();
        handle = new Handle(paths, this.shedOnFdExhaustion(() => this.open(paths)));
      }
      this.insert(tenantId, handle);
    }
    handle.refs++;
    this.histogram.record((performance.now() - started) * 1000);
    return new TenantLease(this, handle);
  }

  /**
   * Runs `fn`; when it fails for lack of file descriptors, closes every handle no lease
   * holds and runs it once more. The pool is sized from the fd limit at start
   * (defaultMaxHandles), but sockets, workers and uploads share that budget: under
   * pressure the pool gives back its idle descriptors rather than fail the request.
   */
  private shedOnFdExhaustion<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!isPctxError(err, 'TOO_MANY_OPEN_FILES') || this.shedIdle() === 0) throw err;
      return fn();
    }
  }

  /**
   * Before opening a database: when fewer than FD_RESERVE descriptors are left (other
   * handles, sockets, workers and uploads share the process's limit), closes the least
   * recently used idle handles to make room, so that an accept() or a worker start does
   * not fail where an idle handle could have given way. One readdir of /proc/self/fd, on
   * misses only.
   */
  private keepFdReserve(): void {
    const headroom = fileDescriptorHeadroom();
    if (headroom < FD_RESERVE) this.shedIdle(Math.ceil((FD_RESERVE - headroom) / 3));
  }

  /** Closes up to `max` cached handles without a lease, least recently used first; returns how many. */
  shedIdle(max = Infinity): number {
    let shed = 0;
    for (const cache of [this.window, this.main]) {
      if (!cache) continue;
      for (const tenantId of [...cache.rkeys()]) {
        if (shed >= max) break;
        const handle = cache.peek(tenantId, { allowStale: true });
        if (!handle || handle.refs > 0) continue;
        cache.delete(tenantId);
        shed++;
      }
    }
    this.shedCount += shed;
    return shed;
  }

  /**
   * Opens a handle. A tenant without a folder gets one only if the guard allows it and no
   * restore is swapping its folder: a deleted tenant is never re-created by a late
   * request, and a restore interrupted between its renames is finished, not replaced by an
   * empty tenant.
   */
  private open(paths: TenantPaths): TenantDb {
    const exists = fs.existsSync(paths.db);
    if (!exists) {
      this.tenantGuard?.(paths.tenantId);
      if (fs.existsSync(restoreJournalPath(this.dataDir, paths.tenantId))) {
        throw new PctxError('TENANT_DELETING', { tenantId: paths.tenantId }, { message: `Tenant "${paths.tenantId}" is being restored; retry in a moment` });
      }
    }
    return openTenantDb(paths, { cacheKiB: this.cacheKiB, create: !exists });
  }

  /**
   * acquire → fn → release, also when fn throws; maps SQLite corruption to TENANT_CORRUPT,
   * and a file error caused by the tenant's folder vanishing mid-request (a delete by
   * another process) to the tenant's state.
   */
  async withTenant<T>(tenantId: string, fn: (lease: TenantLease) => Promise<T> | T): Promise<T> {
    const lease = this.acquire(tenantId);
    try {
      return await fn(lease);
    } catch (err) {
      throw this.explainFailure(err, lease);
    } finally {
      lease.release();
    }
  }

  private explainFailure(err: unknown, lease: TenantLease): unknown {
    const mapped = mapTenantDbError(err, lease.tenantId);
    // Still the folder the handle was opened on: an ordinary failure.
    if (folderIdentity(lease.paths.dir) === lease.folderAtOpen) return mapped;
    // Otherwise the folder vanishing is the cause, whatever the symptom (ENOENT, a missing database).
    try {
      this.tenantGuard?.(lease.tenantId);
    } catch (gone) {
      return gone;
    }
    return new PctxError('TENANT_NOT_FOUND', { tenant: lease.tenantId }, { message: `Tenant "${lease.tenantId}" was deleted or replaced while the request ran; retry it`, cause: err });
  }

  /** Drops a handle whose folder is gone from the cache; a leased one closes at its last release. */
  private retireStale(tenantId: string, handle: Handle): void {
    handle.stale = true;
    this.vectorCache.delete(tenantId);
    this.builtFiles.delete(tenantId);
    this.window?.delete(tenantId);
    this.main.delete(tenantId);
  }

  /** @internal Called by TenantLease.release. */
  releaseHandle(handle: Handle): void {
    handle.refs--;
    if (handle.refs > 0) return;
    if (handle.stale) {
      handle.close();
      return;
    }
    const tenantId = handle.paths.tenantId;
    if (this.draining.get(tenantId) === handle) {
      this.draining.delete(tenantId);
      this.retire(handle);
    }
  }

  /**
   * @internal Called by TenantLease.vectors. A cached index is reused only while it
   * reflects the database's current embeddings generation, so runs by other processes
   * (a CLI `index` next to a server) are picked up too.
   */
  async vectorsFor(handle: Handle): Promise<VectorIndex> {
    const tenantId = handle.paths.tenantId;
    const generation = readEmbeddingsMeta(handle.db).generation;
    const cached = this.vectorCache.get(tenantId);
    if (cached) {
      const index = await cached.catch(() => null);
      if (index !== null && index.generation === generation) return index;
      if (this.vectorCache.get(tenantId) === cached) this.vectorCache.delete(tenantId);
    }
    const vectorsFile = fs.lstatSync(handle.paths.vectors, { throwIfNoEntry: false });
    if (vectorsFile && !vectorsFile.isFile()) {
      // A build would fail renaming its temp file over it (EISDIR): say what is wrong instead.
      throw new PctxError('TENANT_CORRUPT', { tenantId, reason: `${handle.paths.vectors} is not a regular file; move it aside and the vector index is rebuilt from the database` });
    }
    const load = () => loadVectorIndex(handle.paths, handle.db, this.vectorBuild, this.vectorReads);
    // A build runs in a worker, which needs descriptors to start: shed idle handles and try once more.
    const loading = load().catch((err: unknown) => {
      if (!isPctxError(err, 'TOO_MANY_OPEN_FILES') || this.shedIdle() === 0) throw err;
      return load();
    });
    this.vectorCache.set(tenantId, loading);
    loading.catch(() => {
      if (this.vectorCache.get(tenantId) === loading) this.vectorCache.delete(tenantId);
    });
    return loading;
  }

  /** @internal Called by TenantLease.anyVectors. */
  async anyVectorsFor(handle: Handle): Promise<VectorIndex | null> {
    const tenantId = handle.paths.tenantId;
    const cached = this.vectorCache.get(tenantId);
    if (cached) {
      const index = await cached.catch(() => null);
      if (index !== null) return index;
    }
    // Cached while loading, so concurrent searches share one load.
    const built = this.builtFiles.get(tenantId);
    const loading = loadIntactVectorIndex(handle.paths, handle.db, this.vectorReads)
      .then((index) => index ?? (built ? openVectorFile(handle.paths, built, built.provider ?? null, this.vectorReads) : null))
      .then((index) => {
        if (index === null) throw new PctxError('INTERNAL', { reason: 'no intact vector file' });
        return index;
      });
    this.vectorCache.set(tenantId, loading);
    return loading.catch(() => {
      if (this.vectorCache.get(tenantId) === loading) this.vectorCache.delete(tenantId);
      return null;
    });
  }

  /**
   * After a build wrote the file `state` describes: loads it and puts it in place of the
   * loaded index, which serves until then. A build's state goes unrecorded when an index
   * run holds the write lock (vector-build.ts), so without this the next search found no
   * intact file and built again — on a server re-indexing all the time, searches queued
   * behind builds for minutes (the soak).
   */
  vectorsBuilt(tenantId: string, state: VectorFileState | null): void {
    const before = this.vectorCache.get(tenantId);
    if (state === null || this.closed || this.blocked.has(tenantId)) {
      this.builtFiles.delete(tenantId);
      this.vectorCache.delete(tenantId);
      return;
    }
    this.builtFiles.set(tenantId, state);
    const reload = async () => {
      // Already the loaded one (a build that found the file current).
      if ((await before?.catch(() => null))?.generation === state.generation) return undefined;
      return openVectorFile(tenantPaths(this.dataDir, tenantId), state, state.provider ?? null, this.vectorReads);
    };
    void reload().then(
      (index) => {
        if (index === undefined) return;
        // Unless something else replaced or dropped the entry meanwhile (a restore, a block).
        if (this.vectorCache.get(tenantId) !== before || this.closed || this.blocked.has(tenantId)) {
          index?.close();
          return;
        }
        if (index === null) this.vectorCache.delete(tenantId);
        else this.vectorCache.set(tenantId, Promise.resolve(index));
      },
      () => {
        if (this.vectorCache.get(tenantId) === before) this.vectorCache.delete(tenantId);
      },
    );
  }

  /**
   * Drops the loaded vector index of a tenant so the next search reloads it from disk.
   * Called after an index run rewrote `vectors.hnsw`.
   */
  invalidateVectors(tenantId: string): void {
    this.vectorCache.delete(tenantId);
  }

  /**
   * Stops new leases on the tenant (acquire throws `reason`), waits until every
   * outstanding lease is released, and closes its handle and vector index. The tenant
   * stays blocked until `unblock`. Calling it twice is safe; both calls wait.
   */
  async block(tenantId: string, reason: PctxError): Promise<void> {
    tenantPaths(this.dataDir, tenantId);
    this.blocked.set(tenantId, reason);
    this.vectorCache.delete(tenantId);
    this.builtFiles.delete(tenantId);
    // allowStale: a handle past its idle TTL may still be leased (a long index run).
    const handle = this.window?.peek(tenantId, { allowStale: true }) ?? this.main.peek(tenantId, { allowStale: true }) ?? this.draining.get(tenantId);
    // delete() runs dispose: unleased handles close now, leased ones move to draining.
    this.window?.delete(tenantId);
    this.main.delete(tenantId);
    if (handle && !handle.closed) {
      await new Promise<void>((resolve) => {
        const list = this.drainWaiters.get(tenantId) ?? [];
        list.push(resolve);
        this.drainWaiters.set(tenantId, list);
      });
    }
  }

  /** Lets acquire() open the tenant again. No-op when not blocked. */
  unblock(tenantId: string): void {
    this.blocked.delete(tenantId);
  }

  isBlocked(tenantId: string): boolean {
    return this.blocked.has(tenantId);
  }

  metrics(): PoolMetrics {
    let leased = 0;
    for (const handle of this.cached()) if (handle.refs > 0) leased++;
    return {
      open: (this.window?.size ?? 0) + this.main.size + this.draining.size,
      leased: leased + this.draining.size,
      draining: this.draining.size,
      maxHandles: this.maxHandles,
      vectorIndexesLoaded: this.vectorCache.size,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      shed: this.shedCount,
      acquireUs: this.histogram.snapshot(),
    };
  }

  /**
   * Refuses new leases, waits for outstanding ones, closes everything. Idempotent.
   */
  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.closed = true;
    const waits: Promise<void>[] = [];
    for (const tenantId of [...(this.window?.keys() ?? []), ...this.main.keys(), ...this.draining.keys()]) {
      waits.push(this.block(tenantId, new PctxError('POOL_CLOSED')));
    }
    await Promise.all(waits);
    this.vectorCache.clear();
  }

  /** A newly opened (or recovered) handle enters the window, or the main region when there is none. */
  private insert(tenantId: string, handle: Handle): void {
    if (this.window) this.window.set(tenantId, handle);
    else this.main.set(tenantId, handle);
  }

  /**
   * TinyLFU admission of a handle leaving the window: into the main region while it has
   * room, else only when its tenant is asked for more often than the main region's
   * least recently used tenant (the one it would displace).
   */
  private admit(tenantId: string): boolean {
    if (this.main.size < this.main.max) return true;
    const victim = this.main.rkeys().next();
    return victim.done === true || this.sketch.frequency(tenantId) > this.sketch.frequency(victim.value);
  }

  private dispose(handle: Handle, tenantId: string, reason: LRUCache.DisposeReason): void {
    if (reason === 'evict' || reason === 'expire') this.evictions++;
    if (handle.stale) {
      if (handle.refs === 0) handle.close();
      return;
    }
    if (handle.refs > 0) this.draining.set(tenantId, handle);
    else this.retire(handle);
  }

  private *cached(): Generator<Handle> {
    if (this.window) yield* this.window.values();
    yield* this.main.values();
  }

  private retire(handle: Handle): void {
    handle.close();
    const tenantId = handle.paths.tenantId;
    const waiters = this.drainWaiters.get(tenantId);
    if (waiters) {
      this.drainWaiters.delete(tenantId);
      for (const wake of waiters) wake();
    }
  }
}
