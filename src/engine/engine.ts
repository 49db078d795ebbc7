import { isPctxError, type PctxError } from '../errors.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { TenantDbPool, type TenantPoolOptions } from '../tenant/tenant-pool.js';
import { tenantsRoot } from '../tenant/tenant-paths.js';
import { removeUpload } from '../tenant/uploads.js';
import { isRepoName } from '../repo-name.js';
import { VectorIndex, runVectorBuild } from '../tenant/vector-index.js';
import { normalizeAllowedRoots, resolveTenantIndexRoot } from './allowed-roots.js';
import { isEmbeddingsPendingError, type VectorBuildResult } from '../tenant/vector-build.js';
import type { TenantLease } from '../tenant/tenant-pool.js';
import { embeddingsPending, readEmbeddingsMeta } from '../tenant/vector-state.js';
import type { EmbeddingProvider } from './embed/provider.js';
import { completeEmbeddings, defersEmbeddings } from './indexer/deferred-embeddings.js';
import { indexFolder, syncVectorsNow, type IndexFolderOptions, type IndexResult } from './indexer/index-run.js';
import { IndexThread } from './indexer/index-thread.js';
import type { IndexThreadRunOptions } from './indexer/index-thread-protocol.js';
import { ParsePool } from './indexer/parse-pool.js';
import type { EmbedderConfig } from './embed/create-embedder.js';
import { retryWhileLocked } from './indexer/write-lock.js';
import {
  fileContentShape,
  fileOutlineShape,
  fileRefShape,
  indexFolderShape,
  indexStatusShape,
  parseParams,
  type IndexFolderParams,
  repoShape,
  searchSymbolsShape,
  symbolSourceShape,
} from './params.js';
import { findImporters, getDependencies } from './queries/dependencies.js';
import { freshnessOf } from './queries/freshness.js';
import { indexStatus, type RepoWatchState } from './queries/index-status.js';
import { DEFAULT_MAX_FILE_BYTES } from './indexer/index-run.js';
import { getFileContent, getFileOutline } from './queries/files.js';
import { deleteRepo, listRepos } from './queries/repos.js';
import { AnswerCache } from './queries/answer-cache.js';
import { fuseRankings } from './queries/fusion.js';
import { bySimilarity, isGoodMatch, keywordSearch, semanticSearch, toHits, type Ranked, type SearchResult } from './queries/search-symbols.js';
import { getSymbolSource } from './queries/symbol-source.js';
import { NewerVectorsCache, type VectorSearcher } from './queries/newer-vectors.js';
import { ServerPaths } from './server-paths.js';

export interface EngineOptions {
  /** Folder holding `tenants/<id>/` (and, for the service, `control.db`). */
  dataDir: string;
  embedder: EmbeddingProvider;
  /**
   * Parse worker threads.
   * @default os.availableParallelism()
   */
  workers?: number;
  /** Options of the tenant handle pool (dataDir is taken from above). */
  pool?: Omit<TenantPoolOptions, 'dataDir'>;
  /**
   * Skip files larger than this when indexing.
   * @default 1048576
   */
  maxFileBytes?: number;
  /** @default () => new Date() */
  now?: () => Date;
  /**
   * `hosting.allowedRoots`: the only server folders `indexFolder` may read (real paths
   * checked, symlink escapes refused), besides the tenant's own uploads. null reads any
   * folder, as local use (stdio, CLI) does; a hosted server passes its configured list,
   * empty by default, so it reads nothing but uploads.
   * @default null
   */
  allowedRoots?: readonly string[] | null;
  /**
   * Most search hits kept for repeated keyword queries (answer-cache.ts); 0: no cache.
   * @default 20000
   */
  answerCacheHits?: number;
  /**
   * Index runs and deferred embeddings in a worker thread of their own (index-thread.ts),
   * which builds its embedder from `embedding`: the configuration `embedder` was built
   * from. What a server wants: the thread serving queries then never runs a write, a
   * commit or a checkpoint of an index run. Runs there use the real clock (`now` applies
   * to runs on the caller's thread), and a run given the `afterBatch` test hook runs on
   * the caller's thread.
   * @default null: runs on the caller's thread, as the CLI and stdio do
   */
  indexThread?: { embedding: EmbedderConfig } | null;
}

/** `indexFolder` for a caller that already holds the tenant's write lock (see withWriteLock). */
export type LockedIndexFolder = (input: unknown, run?: IndexRunOptions) => Promise<IndexResult>;

/** Per-call options of an index run that are not part of the public tool input. */
export type IndexRunOptions = Pick<IndexFolderOptions, 'signal' | 'onProgress' | 'afterBatch' | 'quotaBytes' | 'vectors'>;

/**
 * The core every transport calls: one method per operation, each taking the tenant id
 * and the operation's raw input, which is validated here (never in the transports).
 * Holds the tenant pool and the parse workers of the process.
 */
export class Engine {
  readonly pool: TenantDbPool;
  readonly embedder: EmbeddingProvider;
  private readonly parsePool: ParsePool;
  private readonly indexThread: IndexThread | null;
  private readonly indexLocks = new KeyedMutex();
  private readonly maxFileBytes: number | undefined;
  private readonly now: () => Date;
  private readonly allowedRoots: readonly string[] | null;
  private readonly background = new Set<Promise<void>>();
  /** Aborted by close(): background vector builds still queued are dropped. */
  private readonly closing = new AbortController();
  /** Older vector indexes with the symbols they lack, per tenant (newer-vectors.ts). */
  private readonly newerVectors = new NewerVectorsCache();
  /** Tenants whose background vector sync a search started and which has not ended. */
  private readonly refreshing = new Set<string>();
  /** Keyword answers, reused while a tenant's database is unchanged (answer-cache.ts). */
  private readonly answers: AnswerCache | null;
  /** How roots and error messages show server paths (hidden on a hosted engine). */
  readonly serverPaths: ServerPaths;

  constructor(options: EngineOptions) {
    // Checked first: a bad value must not leave a pool or workers behind.
    this.allowedRoots = options.allowedRoots == null ? null : normalizeAllowedRoots(options.allowedRoots);
    this.pool = new TenantDbPool({ ...options.pool, dataDir: options.dataDir });
    this.serverPaths = new ServerPaths(options.dataDir, this.allowedRoots !== null);
    this.embedder = options.embedder;
    this.parsePool = new ParsePool({
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.indexThread = options.indexThread
      ? new IndexThread({
          workers: options.workers,
          embedding: options.indexThread.embedding,
          embedderId: options.embedder.id,
          embedderDimension: options.embedder.dimension,
        })
      : null;
    this.maxFileBytes = options.maxFileBytes;
    this.now = options.now ?? (() => new Date());
    const hits = options.answerCacheHits ?? 20_000;
    this.answers = hits > 0 ? new AnswerCache({ maxCost: hits }) : null;
  }

  /**
   * Indexes a folder into the tenant. Runs of one tenant are serialized (a second call
   * waits for the first); runs of different tenants proceed in parallel.
   */
  async indexFolder(tenantId: string, input: unknown, run: IndexRunOptions = {}): Promise<IndexResult> {
    const params = parseParams(indexFolderShape, input);
    return this.shown(() => this.indexLocks.run(tenantId, () => this.runIndex(tenantId, params, run)));
  }

  /**
   * `err` as a caller of this engine may see it: on a hosted engine (allowedRoots set)
   * every path of the server's data folder in its message and details is rewritten
   * (ServerPaths), so neither answers nor errors tell a tenant where data lives.
   */
  publicError(err: PctxError): PctxError {
    return this.serverPaths.error(err) as PctxError;
  }

  private async shown<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.serverPaths.error(err);
    }
  }

  /**
   * Runs `fn` holding the tenant's write lock — the one index runs and repository deletes
   * take — and hands it an `indexFolder` that runs inside the lock. Lets a caller change
   * files and index them as one step no other run or delete of the tenant interleaves
   * with (an upload replacing its folder, indexing it, and putting the old one back if
   * the run fails). Calling the engine's own indexFolder or deleteRepo for the same
   * tenant inside `fn` would wait for ever.
   */
  withWriteLock<T>(tenantId: string, fn: (indexFolder: LockedIndexFolder) => Promise<T>): Promise<T> {
    return this.shown(() => this.indexLocks.run(tenantId, () => fn((input, run = {}) => this.runIndex(tenantId, parseParams(indexFolderShape, input), run))));
  }

  private runIndex(tenantId: string, params: IndexFolderParams, run: IndexRunOptions): Promise<IndexResult> {
    const paths = this.pool.paths(tenantId);
    // Before anything is read: a hosted server reads only allowed roots and the tenant's uploads.
    const root = resolveTenantIndexRoot(params.path, {
      allowedRoots: this.allowedRoots,
      uploads: paths.uploads,
      tenantsRoot: tenantsRoot(this.pool.dataDir),
    });
    const options: IndexThreadRunOptions = {
      root,
      ...(params.name !== undefined ? { name: params.name } : {}),
      ...(params.exclude !== undefined ? { exclude: params.exclude } : {}),
      ...(params.include !== undefined ? { include: params.include } : {}),
      ...(this.maxFileBytes !== undefined ? { maxFileBytes: this.maxFileBytes } : {}),
      ...(run.quotaBytes !== undefined ? { quotaBytes: run.quotaBytes } : {}),
    };
    return this.pool.withTenant(tenantId, async (lease) => {
      const result =
        this.indexThread && run.afterBatch === undefined
          ? await this.indexInThread(this.indexThread, lease, options, run)
          : await indexFolder(
              {
                lease,
                parsePool: this.parsePool,
                embedder: this.embedder,
                now: this.now,
                onVectorsChanged: () => this.pool.invalidateVectors(tenantId),
                startBackgroundVectorSync: () => this.syncVectorsInBackground(tenantId),
              },
              { ...options, ...run },
            );
      return { ...result, root: this.serverPaths.publicRoot(result.root, lease.paths).root };
    });
  }

  /**
   * An index run in the index thread, then its vectors as `run.vectors` asks — the same
   * steps indexFolder takes after its commit, with the embeddings fill in the thread and
   * the HNSW build in its own worker. Called holding the tenant's index lock.
   */
  private async indexInThread(thread: IndexThread, lease: TenantLease, options: IndexThreadRunOptions, run: IndexRunOptions): Promise<IndexResult> {
    const { result, embeddingsChanged } = await thread.index(lease.paths, options, {
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
    });
    const mode = run.vectors ?? 'wait';
    if (mode === 'background' && embeddingsChanged) this.syncVectorsInBackground(lease.tenantId);
    if (mode !== 'wait') return result;
    const synced = await syncVectorsNow(lease.paths, () => thread.completeEmbeddings(lease.paths), run.onProgress ?? (() => {}));
    if (synced.changed) this.pool.invalidateVectors(lease.tenantId);
    return { ...result, durationMs: result.durationMs + synced.ms, phasesMs: { ...result.phasesMs, vectors: synced.ms }, vectors: synced.vectors };
  }

  async searchSymbols(tenantId: string, input: unknown): Promise<SearchResult> {
    const params = parseParams(searchSymbolsShape, input);
    return this.shown(() => this.pool.withTenant(tenantId, async (lease) => {
      const answer = (ranked: Ranked[]): SearchResult => {
        const results = toHits(ranked);
        // Inside the cached answer: an index run that changes indexed_at also moves the cache's stamp.
        const searched = results.length > 0 ? new Set(results.map((h) => h.repo)) : params.repo !== undefined ? new Set([params.repo]) : null;
        return { query: params.query, mode: params.mode, weakMatch: !ranked.some(isGoodMatch), results, freshness: freshnessOf(lease.db, tenantId, searched) };
      };
      if (params.mode === 'keyword') {
        // One read transaction: one lock of the database for the search's dozen statements
        // instead of one per statement (each a few system calls), and one snapshot. Made
        // only when the search runs: better-sqlite3 builds a wrapper function and four
        // variants per transaction() call, a tenth of a repeated search's cost.
        const search = () => lease.db.transaction(() => answer(keywordSearch(lease.db, tenantId, params)))();
        if (!this.answers) return search();
        const key = JSON.stringify([params.query, params.limit, params.kind, params.language, params.repo, params.pathPrefix]);
        return this.answers.get(lease.db, tenantId, key, search, (r) => r.results.length);
      }
      const [queryVector] = await this.embedder.embed([params.query]);
      const vectors = await this.vectorsForSearch(tenantId, lease);
      const semantic = semanticSearch(lease.db, tenantId, params, vectors, queryVector!, params.mode === 'hybrid' ? params.limit * 3 : params.limit);
      if (params.mode === 'semantic') return answer(bySimilarity(semantic, params.limit));
      const keyword = keywordSearch(lease.db, tenantId, params, params.limit * 3);
      return answer(fuseRankings(keyword, semantic, params.limit));
    }));
  }

  getSymbolSource(tenantId: string, input: unknown) {
    const params = parseParams(symbolSourceShape, input);
    return this.shown(() => this.pool.withTenant(tenantId, (lease) => getSymbolSource(lease.db, tenantId, params)));
  }

  getFileOutline(tenantId: string, input: unknown) {
    const params = parseParams(fileOutlineShape, input);
    return this.shown(() => this.pool.withTenant(tenantId, (lease) => getFileOutline(lease.db, tenantId, params)));
  }

  getFileContent(tenantId: string, input: unknown) {
    const params = parseParams(fileContentShape, input);
    return this.shown(() => this.pool.withTenant(tenantId, (lease) => getFileContent(lease.db, tenantId, params)));
  }

  listRepos(tenantId: string, input: unknown = {}) {
    parseParams({}, input);
    return this.shown(() =>
      this.pool.withTenant(tenantId, (lease) => ({
        repos: listRepos(lease.db, tenantId).map((repo) => ({ ...repo, ...this.serverPaths.publicRoot(repo.root, lease.paths) })),
      })),
    );
  }

  findImporters(tenantId: string, input: unknown) {
    const params = parseParams(fileRefShape, input);
    return this.shown(() => this.pool.withTenant(tenantId, (lease) => findImporters(lease.db, tenantId, params)));
  }

  getDependencies(tenantId: string, input: unknown) {
    const params = parseParams(fileRefShape, input);
    return this.shown(() => this.pool.withTenant(tenantId, (lease) => getDependencies(lease.db, tenantId, params)));
  }

  /**
   * Freshness of the tenant's repositories: last run, contents, files changed on disk
   * since (a walk per repository unless `checkDisk` is false) and, from the caller, the
   * live watcher's state.
   */
  async getIndexStatus(tenantId: string, input: unknown, watchState?: (repo: string) => RepoWatchState | null) {
    const params = parseParams(indexStatusShape, input);
    return this.shown(() =>
      this.pool.withTenant(tenantId, async (lease) => ({
        repos: (
          await indexStatus(lease.db, tenantId, {
            repo: params.repo,
            checkDisk: params.checkDisk,
            maxFileBytes: this.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
            watchState,
          })
        ).map((repo) => ({ ...repo, ...this.serverPaths.publicRoot(repo.root, lease.paths) })),
      })),
    );
  }

  /**
   * Deletes a repository, and its uploaded files if it was uploaded; waits for an index
   * run of the same tenant to finish first. The rows go first (one transaction), then the
   * upload folder: a crash between the two leaves files no row points at, which the
   * next upload of that name replaces.
   */
  deleteRepo(tenantId: string, input: unknown) {
    const params = parseParams(repoShape, input);
    return this.shown(() =>
      this.indexLocks.run(tenantId, () =>
        this.pool.withTenant(tenantId, (lease) => {
          const deleted = deleteRepo(lease.db, tenantId, params.repo);
          // Only a valid repository name can have an upload folder; a derived name may not be one.
          if (isRepoName(deleted.repo)) removeUpload(lease.paths, deleted.repo);
          return deleted;
        }),
      ),
    );
  }

  /**
   * Brings the tenant's vector file up to date now: the vectors an index run left to be
   * made first, then the HNSW file. What `index --vectors now` and benchmarks call.
   */
  async buildVectors(tenantId: string): Promise<VectorBuildResult> {
    return this.pool.withTenant(tenantId, async (lease) => {
      await this.completeEmbeddings(tenantId, lease);
      const built = await runVectorBuild(lease.paths);
      if (built.mode !== 'unchanged') this.pool.invalidateVectors(tenantId);
      return built;
    });
  }

  /**
   * Makes the vectors an index run deferred; serialized with index runs of the tenant.
   * Only with the embedder that indexed them: vectors of two embedders are not comparable
   * (the next index run re-embeds the tenant when the embedder changed).
   */
  private async completeEmbeddings(tenantId: string, lease: TenantLease): Promise<void> {
    if (!embeddingsPending(lease.db) || !defersEmbeddings(this.embedder)) return;
    const stored = readEmbeddingsMeta(lease.db);
    if (stored.provider !== this.embedder.id || stored.dimension !== this.embedder.dimension) return;
    const thread = this.indexThread;
    await this.indexLocks.run(tenantId, () => (thread ? thread.completeEmbeddings(lease.paths) : completeEmbeddings(lease.paths, lease.db, this.embedder)));
  }

  /**
   * What a semantic query searches. An index of an older generation (loaded, or intact on
   * disk) with the symbols it lacks scored exactly (queries/newer-vectors.ts), while a
   * background build catches the index up: a query never waits behind builds when an
   * older index can answer. Otherwise the current index, made first if needed.
   */
  private async vectorsForSearch(tenantId: string, lease: TenantLease): Promise<VectorSearcher> {
    const meta = readEmbeddingsMeta(lease.db);
    const index = await lease.anyVectors();
    if (index === null) return this.currentVectors(tenantId, lease);
    if (index.generation === meta.generation) return index;
    const searcher = this.newerVectors.searcherFor(lease.db, tenantId, index, this.embedder, meta.provider);
    if (searcher === null) return this.currentVectors(tenantId, lease);
    if (!this.refreshing.has(tenantId)) {
      this.refreshing.add(tenantId);
      void this.syncVectorsInBackground(tenantId).finally(() => this.refreshing.delete(tenantId));
    }
    return searcher;
  }

  /**
   * The tenant's vector index for a search: deferred vectors made first, then the index
   * loaded (built if stale). An index run committing between the two marks vectors
   * pending again, and the build refuses: the vectors are then completed once more.
   */
  private async currentVectors(tenantId: string, lease: TenantLease): Promise<VectorIndex> {
    for (let attempt = 1; ; attempt++) {
      await this.completeEmbeddings(tenantId, lease);
      try {
        return await lease.vectors();
      } catch (err) {
        if (!isEmbeddingsPendingError(err) || attempt >= 3) throw err;
      }
    }
  }

  /**
   * Brings the tenant's vector file up to date after the caller returned. Holds a lease
   * meanwhile, so a tenant delete waits for it; failures are reported as process
   * warnings (the next semantic query retries the build).
   *
   * It does not hold the tenant's index lock while it waits for the process's build slot
   * (it used to, and every index run and hybrid search of the tenant then waited behind
   * the builds of all other tenants); the build never waits for the write lock either
   * (see VectorBuildResult.recorded). An index run committing meanwhile marks vectors
   * pending and starts its own sync: this one is then superseded and stops quietly (it
   * used to fail with "vectors requested before the pending embeddings were completed").
   */
  private syncVectorsInBackground(tenantId: string): Promise<void> {
    const lease = this.pool.acquire(tenantId);
    const job = this.completeEmbeddings(tenantId, lease)
      .then(() => retryWhileLocked(() => runVectorBuild(lease.paths, {}, this.closing.signal, true)))
      .then(
        (built) => {
          // The new file replaces the loaded index once loaded; searches use the old one meanwhile.
          this.pool.vectorsBuilt(tenantId, built.state);
        },
        (err: unknown) => {
          // Superseded by a newer run's sync, or dropped by close(): the next semantic query builds.
          if (!isEmbeddingsPendingError(err) && !isPctxError(err, 'POOL_CLOSED')) throw err;
        },
      )
      .catch((err: unknown) => process.emitWarning(`vector index build for tenant ${tenantId} failed: ${(err as Error).message}`))
      .finally(() => {
        lease.release();
        this.background.delete(job);
      });
    this.background.add(job);
    return job;
  }

  /** Resolves when no background vector sync is running or queued (tests, benchmarks). */
  async backgroundIdle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Waits for work in progress and releases every handle and worker. Idempotent. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.background]);
    await this.parsePool.close();
    // After the pool: closing it waits for the leases that index runs in the thread hold.
    await this.pool.close();
    await this.indexThread?.close();
  }
}
