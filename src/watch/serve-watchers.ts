import type { Engine } from '../engine/engine.js';
import type { IndexResult } from '../engine/indexer/index-run.js';
import type { RepoWatchState } from '../engine/queries/index-status.js';
import { TenantWatchers } from './tenant-watchers.js';

export interface ServeWatchersOptions {
  engine: Engine;
  /** The data folder: its events never trigger runs. */
  dataDir: string;
  /** The tenant's quota at the time of a run (null: unlimited). */
  quotaFor: (tenantId: string) => number | null;
  /** Roots that may be watched (hosted: under hosting.allowedRoots). @default every root */
  allowRoot?: (root: string) => boolean;
  onWarning?: (message: string) => void;
  /** Observes every finished run a watcher started (see describeWatchRun for a log line). */
  onRun?: (tenantId: string, repo: string, result: IndexResult) => void;
}

/**
 * The log line of a watcher's run that changed the index, e.g. `re-indexed app: 2 files
 * indexed, 1 removed (41 ms)`; null for a run that found nothing to do (a no-op `touch`, a
 * catch-up with nothing missed), which is not worth a line. Servers write it to stderr, so
 * an operator (and a test) sees the index catch up with an edit.
 */
export function describeWatchRun(repo: string, result: IndexResult): string | null {
  const { indexed, removed } = result.files;
  if (indexed === 0 && removed === 0) return null;
  return `re-indexed ${repo}: ${indexed} file${indexed === 1 ? '' : 's'} indexed, ${removed} removed (${Math.round(result.durationMs)} ms)`;
}

/** Tools after which the set of a tenant's repositories may have changed. */
const REPO_SET_TOOLS: ReadonlySet<string> = new Set(['index_folder', 'delete_repo', 'upload_archive']);

/**
 * The watchers of a serving process, per tenant, created on the tenant's first use (so a
 * hosted server with many tenants only watches those it serves). On creation every
 * repository gets one catch-up run, for changes made while nothing watched.
 */
export class ServeWatchers {
  private readonly tenants = new Map<string, TenantWatchers>();
  private closed = false;

  constructor(private readonly options: ServeWatchersOptions) {}

  /** Starts watching the tenant's repositories, once; later calls do nothing. */
  watchTenant(tenantId: string): Promise<void> {
    if (this.closed || this.tenants.has(tenantId)) return Promise.resolve();
    const watchers = new TenantWatchers({
      engine: this.options.engine,
      tenantId,
      ignore: [this.options.dataDir],
      quotaBytes: () => this.options.quotaFor(tenantId),
      ...(this.options.allowRoot ? { allowRoot: this.options.allowRoot } : {}),
      ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
      ...(this.options.onRun ? { onRun: (repo: string, result: IndexResult) => this.options.onRun!(tenantId, repo, result) } : {}),
      watcher: { catchUp: true },
    });
    this.tenants.set(tenantId, watchers);
    return watchers.sync().catch((err: unknown) => this.options.onWarning?.(`cannot watch tenant ${tenantId}: ${(err as Error).message}`));
  }

  /** Call after every tool call: a new or deleted repository changes what is watched. */
  afterToolCall(tenantId: string, tool: string): void {
    if (!REPO_SET_TOOLS.has(tool)) return;
    const watchers = this.tenants.get(tenantId);
    if (watchers) void watchers.sync().catch(() => {});
    else void this.watchTenant(tenantId);
  }

  /** The live state of a repository's watcher, for get_index_status. */
  watchState(tenantId: string): (repo: string) => RepoWatchState | null {
    return (repo) => this.tenants.get(tenantId)?.status(repo) ?? null;
  }

  /** Resolves once every watcher has caught up (tests, shutdown). */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.tenants.values()].map((t) => t.whenIdle()));
  }

  /** Stops every watcher, waiting for runs in progress. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.tenants.values()].map((t) => t.close()));
    this.tenants.clear();
  }
}
