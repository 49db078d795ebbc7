import path from 'node:path';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { TenantDbPool, type TenantPoolOptions } from '../tenant/tenant-pool.js';
import { VectorIndex, runVectorBuild } from '../tenant/vector-index.js';
import { HASHING_EMBEDDER_ID } from './embed/hashing-embedder.js';
import type { EmbeddingProvider } from './embed/provider.js';
import { indexFolder, type IndexFolderOptions, type IndexResult } from './indexer/index-run.js';
import { ParsePool } from './indexer/parse-pool.js';
import {
  fileContentShape,
  fileOutlineShape,
  fileRefShape,
  indexFolderShape,
  indexStatusShape,
  parseParams,
  repoShape,
  searchSymbolsShape,
  symbolSourceShape,
} from './params.js';
import { findImporters, getDependencies } from './queries/dependencies.js';
import { indexStatus, type RepoWatchState } from './queries/index-status.js';
import { DEFAULT_MAX_FILE_BYTES } from './indexer/index-run.js';
import { getFileContent, getFileOutline } from './queries/files.js';
import { deleteRepo, listRepos } from './queries/repos.js';
import { fuseRankings, keywordSearch, semanticSearch, toHits, type SearchResult } from './queries/search-symbols.js';
import { getSymbolSource } from './queries/symbol-source.js';

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
}

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
  private readonly indexLocks = new KeyedMutex();
  private readonly maxFileBytes: number | undefined;
  private readonly now: () => Date;
  private readonly background = new Set<Promise<void>>();

  constructor(options: EngineOptions) {
    this.pool = new TenantDbPool({ ...options.pool, dataDir: options.dataDir });
    this.embedder = options.embedder;
    this.parsePool = new ParsePool({
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      // The hashing embedder is rebuilt inside each worker; remote providers embed on this thread.
      init: { syncEmbedding: this.embedder.id === HASHING_EMBEDDER_ID ? { dimension: this.embedder.dimension } : null },
    });
    this.maxFileBytes = options.maxFileBytes;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Indexes a folder into the tenant. Runs of one tenant are serialized (a second call
   * waits for the first); runs of different tenants proceed in parallel.
   */
  async indexFolder(tenantId: string, input: unknown, run: IndexRunOptions = {}): Promise<IndexResult> {
    const params = parseParams(indexFolderShape, input);
    return this.indexLocks.run(tenantId, () =>
      this.pool.withTenant(tenantId, (lease) =>
        indexFolder(
          {
            lease,
            parsePool: this.parsePool,
            embedder: this.embedder,
            now: this.now,
            onVectorsChanged: () => this.pool.invalidateVectors(tenantId),
            startBackgroundVectorSync: () => this.syncVectorsInBackground(tenantId),
          },
          {
            root: path.resolve(params.path),
            ...(params.name !== undefined ? { name: params.name } : {}),
            ...(params.exclude !== undefined ? { exclude: params.exclude } : {}),
            ...(this.maxFileBytes !== undefined ? { maxFileBytes: this.maxFileBytes } : {}),
            ...run,
          },
        ),
      ),
    );
  }

  async searchSymbols(tenantId: string, input: unknown): Promise<SearchResult> {
    const params = parseParams(searchSymbolsShape, input);
    return this.pool.withTenant(tenantId, async (lease) => {
      if (params.mode === 'keyword') {
        return { query: params.query, mode: params.mode, results: toHits(keywordSearch(lease.db, tenantId, params)) };
      }
      const [queryVector] = await this.embedder.embed([params.query]);
      const vectors: VectorIndex = await lease.vectors();
      const semantic = semanticSearch(lease.db, tenantId, params, vectors, queryVector!, params.mode === 'hybrid' ? params.limit * 3 : params.limit);
      if (params.mode === 'semantic') return { query: params.query, mode: params.mode, results: toHits(semantic) };
      const keyword = keywordSearch(lease.db, tenantId, params, params.limit * 3);
      return { query: params.query, mode: params.mode, results: toHits(fuseRankings([keyword, semantic], params.limit)) };
    });
  }

  getSymbolSource(tenantId: string, input: unknown) {
    const params = parseParams(symbolSourceShape, input);
    return this.pool.withTenant(tenantId, (lease) => getSymbolSource(lease.db, tenantId, params));
  }

  getFileOutline(tenantId: string, input: unknown) {
    const params = parseParams(fileOutlineShape, input);
    return this.pool.withTenant(tenantId, (lease) => getFileOutline(lease.db, tenantId, params));
  }

  getFileContent(tenantId: string, input: unknown) {
    const params = parseParams(fileContentShape, input);
    return this.pool.withTenant(tenantId, (lease) => getFileContent(lease.db, tenantId, params));
  }

  listRepos(tenantId: string, input: unknown = {}) {
    parseParams({}, input);
    return this.pool.withTenant(tenantId, (lease) => ({ repos: listRepos(lease.db, tenantId) }));
  }

  findImporters(tenantId: string, input: unknown) {
    const params = parseParams(fileRefShape, input);
    return this.pool.withTenant(tenantId, (lease) => findImporters(lease.db, tenantId, params));
  }

  getDependencies(tenantId: string, input: unknown) {
    const params = parseParams(fileRefShape, input);
    return this.pool.withTenant(tenantId, (lease) => getDependencies(lease.db, tenantId, params));
  }

  /**
   * Freshness of the tenant's repositories: last run, contents, files changed on disk
   * since (a walk per repository unless `checkDisk` is false) and, from the caller, the
   * live watcher's state.
   */
  async getIndexStatus(tenantId: string, input: unknown, watchState?: (repo: string) => RepoWatchState | null) {
    const params = parseParams(indexStatusShape, input);
    return this.pool.withTenant(tenantId, async (lease) => ({
      repos: await indexStatus(lease.db, tenantId, {
        repo: params.repo,
        checkDisk: params.checkDisk,
        maxFileBytes: this.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
        watchState,
      }),
    }));
  }

  /** Deletes a repository; waits for an index run of the same tenant to finish first. */
  deleteRepo(tenantId: string, input: unknown) {
    const params = parseParams(repoShape, input);
    return this.indexLocks.run(tenantId, () => this.pool.withTenant(tenantId, (lease) => deleteRepo(lease.db, tenantId, params.repo)));
  }

  /**
   * Brings the tenant's vector file up to date after the caller returned. Holds a lease
   * meanwhile, so a tenant delete waits for it; failures are reported as process
   * warnings (the next semantic query retries the build).
   */
  private syncVectorsInBackground(tenantId: string): void {
    const lease = this.pool.acquire(tenantId);
    const job = runVectorBuild(lease.paths)
      .then((built) => {
        if (built.mode !== 'unchanged') this.pool.invalidateVectors(tenantId);
      })
      .catch((err: unknown) => process.emitWarning(`vector index build for tenant ${tenantId} failed: ${(err as Error).message}`))
      .finally(() => {
        lease.release();
        this.background.delete(job);
      });
    this.background.add(job);
  }

  /** Waits for work in progress and releases every handle and worker. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.background]);
    await this.parsePool.close();
    await this.pool.close();
  }
}
