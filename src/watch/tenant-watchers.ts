import fs from 'node:fs';
import type { Engine } from '../engine/engine.js';
import type { IndexResult } from '../engine/indexer/index-run.js';
import { RepoWatcher, type RepoWatcherOptions, type WatchStatus } from './repo-watcher.js';

export interface TenantWatchersOptions {
  engine: Engine;
  tenantId: string;
  /** Folders whose events never trigger a run (the data dir, when inside a repository). */
  ignore?: readonly string[];
  /** The tenant's quota at the time of each run (null: unlimited). */
  quotaBytes?: () => number | null;
  /**
   * Whether a repository root may be watched (hosted servers: only under allowed roots).
   * @default every root
   */
  allowRoot?: (root: string) => boolean;
  onWarning?: (message: string) => void;
  /** Observes every watcher status change (for `index --watch`'s status line). */
  onStatus?: (repo: string, status: WatchStatus) => void;
  /** Observes every finished run started by a watcher. */
  onRun?: (repo: string, result: IndexResult) => void;
  /** Passed to every watcher (tests shorten debounce). */
  watcher?: Pick<RepoWatcherOptions, 'debounceMs' | 'maxDelayMs' | 'pollIntervalMs' | 'subscribe' | 'catchUp'>;
}

/**
 * One watcher per indexed repository of a tenant. `sync()` matches the watchers to the
 * repositories in the index (call it after index_folder and delete_repo); runs go through
 * `Engine.indexFolder`, so they are serialized with the tenant's other index runs and as
 * atomic as any run.
 */
export class TenantWatchers {
  private readonly watchers = new Map<string, { root: string; watcher: RepoWatcher }>();
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: TenantWatchersOptions) {}

  /** Starts watchers for new repositories and stops those of removed ones. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.doSync());
    return this.syncing;
  }

  /** Watch state of a repository; null when it is not watched. */
  status(repo: string): WatchStatus | null {
    return this.watchers.get(repo)?.watcher.status() ?? null;
  }

  /** Resolves when every watcher has caught up with the changes it has seen. */
  async whenIdle(): Promise<void> {
    await this.syncing;
    await Promise.all([...this.watchers.values()].map((w) => w.watcher.whenIdle()));
  }

  get size(): number {
    return this.watchers.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.syncing;
    await Promise.all([...this.watchers.values()].map((w) => w.watcher.close()));
    this.watchers.clear();
  }

  private async doSync(): Promise<void> {
    if (this.closed) return;
    const { engine, tenantId } = this.options;
    const { repos } = await engine.listRepos(tenantId);
    // Uploads change only by a new upload, which indexes them itself: nothing to watch.
    const wanted = new Map(repos.filter((r) => r.source === 'folder' && (this.options.allowRoot?.(r.root) ?? true)).map((r) => [r.repo, r.root]));
    for (const [name, entry] of this.watchers) {
      if (wanted.get(name) === entry.root) continue;
      this.watchers.delete(name);
      await entry.watcher.close();
    }
    for (const [name, root] of wanted) {
      if (this.watchers.has(name) || this.closed) continue;
      const watcher = new RepoWatcher({
        ...this.options.watcher,
        root,
        ignore: this.options.ignore ?? [],
        reindex: () => this.reindex(name, root),
        ...(this.options.onWarning ? { onWarning: (m: string) => this.options.onWarning!(`${name}: ${m}`) } : {}),
        ...(this.options.onStatus ? { onStatus: (s: WatchStatus) => this.options.onStatus!(name, s) } : {}),
      });
      this.watchers.set(name, { root, watcher });
      await watcher.start();
    }
  }

  private async reindex(name: string, root: string): Promise<void> {
    // A root that is gone (deleted checkout) is not a reason to empty the index: wait for it.
    if (!fs.existsSync(root)) throw new Error(`${root} does not exist; the index keeps its last state until it is back`);
    const result = await this.options.engine.indexFolder(
      this.options.tenantId,
      { path: root, name },
      // Not 'background': that build holds the tenant's index lock, so the run of the next
      // edit waited for it (edit → searchable p50 1.39 s against 0.41 s, 20 edits of a
      // 2,000-file tree). Keyword search is current at commit; the first semantic query
      // brings the vectors up to date, as after a CLI `index`.
      { quotaBytes: this.options.quotaBytes?.() ?? null, vectors: 'skip' },
    );
    this.options.onRun?.(name, result);
  }
}
