import fs from 'node:fs';
import path from 'node:path';
import watcher from '@parcel/watcher';
import type { RepoWatchState } from '../engine/queries/index-status.js';
import { languageForPath } from '../parse/languages.js';

/** How a watcher currently learns about changes. */
export type WatchMode = RepoWatchState['mode'];

/** What a watcher reports (the `watch` object of get_index_status). */
export type WatchStatus = RepoWatchState;

export type SubscribeFn = typeof watcher.subscribe;

export interface RepoWatcherOptions {
  /** Folder to watch (the repository root). */
  root: string;
  /** Brings the index up to date with the tree: an incremental, atomic index run. */
  reindex: () => Promise<unknown>;
  /**
   * Quiet time after the last event before a run starts, so a burst (a branch switch, a
   * formatter over the tree, an editor's save-by-rename) becomes one run.
   * @default 150
   */
  debounceMs?: number;
  /**
   * Longest a steady stream of events can postpone a run.
   * @default 2000
   */
  maxDelayMs?: number;
  /**
   * Period of the fallback scan when events are unavailable (watch limit reached, root
   * missing).
   * @default 30000
   */
  pollIntervalMs?: number;
  /** Absolute folders whose events are ignored (e.g. the data dir when it lies inside the root). */
  ignore?: readonly string[];
  /** Called after every run and every mode change. */
  onStatus?: (status: WatchStatus) => void;
  /** Called for problems worth a line on stderr (falling back to polling). */
  onWarning?: (message: string) => void;
  /**
   * Run once right after starting, to catch up with changes made while nothing watched
   * (e.g. between two server starts).
   * @default false
   */
  catchUp?: boolean;
  /** The event source. @default @parcel/watcher's subscribe */
  subscribe?: SubscribeFn;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Folders never worth a run: version-control metadata and the usual dependency/build
 * folders. Ignoring them at the source also keeps inotify watches for what matters.
 */
const IGNORED_DIR_NAMES = ['.git', '.hg', '.svn', 'node_modules', 'bower_components', '__pycache__', '.mypy_cache', '.pytest_cache', '.tox', '.gradle', '.idea', '.next', '.nuxt', 'coverage'];

/** Files whose change alters what is indexed although they hold no code. */
/** While polling after a failure, how many ticks pass between attempts to subscribe again. */
const RESUBSCRIBE_EVERY_TICKS = 10;

const RULE_FILES: ReadonlySet<string> = new Set(['.gitignore', '.ignore']);

function isDirectory(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * Keeps one repository's index fresh: file-system events are filtered (only files the
 * indexer would read, and ignore rules), debounced and coalesced into incremental index
 * runs, one at a time; events that arrive during a run schedule exactly one more run.
 * When events are unavailable — the inotify watch limit, a root that is gone — it falls
 * back to periodic runs and says so, and returns to events once it can.
 *
 * The index run itself decides what changed (size, mtime, content hash), so a no-op
 * `touch` costs one cheap run that writes nothing, and the watcher never needs to be
 * exact about which events it lets through.
 */
export class RepoWatcher {
  private readonly options: Required<Omit<RepoWatcherOptions, 'onStatus' | 'onWarning' | 'ignore'>> & Pick<RepoWatcherOptions, 'onStatus' | 'onWarning'>;
  private readonly ignoredPrefixes: string[];
  private subscription: watcher.AsyncSubscription | null = null;
  private mode: WatchMode = 'stopped';
  private pending = 0;
  private firstPendingAt = 0;
  private debounceTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private runs = 0;
  private lastRunAt: string | null = null;
  private lastError: string | null = null;
  private warning: string | null = null;
  private closed = false;
  private ticks = 0;
  private rootMissing = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(options: RepoWatcherOptions) {
    this.options = {
      debounceMs: 150,
      catchUp: false,
      maxDelayMs: 2000,
      pollIntervalMs: 30_000,
      subscribe: watcher.subscribe,
      now: () => new Date(),
      ...options,
    };
    this.ignoredPrefixes = (options.ignore ?? []).map((p) => path.resolve(p) + path.sep);
  }

  /** Starts watching. Falls back to polling (with a warning) when events are unavailable. */
  async start(): Promise<void> {
    if (this.closed) throw new Error('RepoWatcher is closed');
    await this.subscribe();
    if (this.options.catchUp) this.trigger();
  }

  status(): WatchStatus {
    return {
      mode: this.mode,
      pendingChanges: this.pending,
      running: this.running !== null,
      runs: this.runs,
      lastRunAt: this.lastRunAt,
      lastError: this.lastError,
      warning: this.warning,
    };
  }

  /**
   * Resolves once no run is in progress or scheduled. Lets tests and `index --watch`
   * wait for the index to catch up with changes already made, without sleeping.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs now (used after a poll tick, and by callers that know the tree changed). */
  trigger(): void {
    this.pending++;
    this.schedule(0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    const sub = this.subscription;
    this.subscription = null;
    this.mode = 'stopped';
    if (sub) await sub.unsubscribe().catch(() => {});
    if (this.running) await this.running;
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.running === null && this.debounceTimer === null && !this.rerun;
  }

  private async subscribe(): Promise<void> {
    const root = this.options.root;
    try {
      if (!fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
      const ignore = [...IGNORED_DIR_NAMES.map((name) => `**/${name}/**`), ...this.ignoredPrefixes.map((p) => p.slice(0, -1))];
      this.subscription = await this.options.subscribe(root, (err, events) => this.onEvents(err, events), { ignore });
      if (this.closed) {
        await this.subscription.unsubscribe().catch(() => {});
        return;
      }
      const recovered = this.mode === 'polling';
      this.setMode('events', null);
      if (this.pollTimer) clearInterval(this.pollTimer);
      this.pollTimer = null;
      // Changes made while we could not watch are picked up by one run.
      if (recovered) this.trigger();
    } catch (err) {
      this.fallBackToPolling(err);
    }
  }

  private fallBackToPolling(err: unknown): void {
    if (this.closed) return;
    const reason = err instanceof Error ? err.message : String(err);
    this.rootMissing = !fs.existsSync(this.options.root);
    const limit = /No space left on device|ENOSPC|inotify/i.test(reason);
    const warning = limit
      ? `file watch limit reached (${reason}); checking ${this.options.root} every ${Math.round(this.options.pollIntervalMs / 1000)} s instead. Raise fs.inotify.max_user_watches to watch it live.`
      : `cannot watch ${this.options.root} (${reason}); checking it every ${Math.round(this.options.pollIntervalMs / 1000)} s instead`;
    this.setMode('polling', warning);
    this.options.onWarning?.(warning);
    if (this.pollTimer === null) {
      this.pollTimer = setInterval(() => this.onPollTick(), this.options.pollIntervalMs);
      this.pollTimer.unref();
    }
  }

  private onPollTick(): void {
    if (this.closed) return;
    this.ticks++;
    // Events again once the root is back (a re-created folder) or, less often since each
    // attempt walks the tree, once watches may have been freed.
    const rootBack = this.rootMissing && fs.existsSync(this.options.root);
    if (this.subscription === null && (rootBack || this.ticks % RESUBSCRIBE_EVERY_TICKS === 0)) {
      this.rootMissing = false;
      void this.subscribe();
      return;
    }
    this.trigger();
  }

  private onEvents(err: Error | null, events: watcher.Event[]): void {
    if (this.closed) return;
    if (err) {
      // The watched folder itself was deleted or the backend failed: drop the subscription
      // and poll until the folder is back.
      const sub = this.subscription;
      this.subscription = null;
      if (sub) void sub.unsubscribe().catch(() => {});
      this.fallBackToPolling(err);
      this.trigger();
      return;
    }
    let relevant = 0;
    for (const event of events) if (this.isRelevant(event)) relevant++;
    if (relevant === 0) return;
    // The root itself deleted: events stop arriving for a re-created folder, so resubscribe.
    if (!fs.existsSync(this.options.root)) {
      const sub = this.subscription;
      this.subscription = null;
      if (sub) void sub.unsubscribe().catch(() => {});
      this.fallBackToPolling(new Error('the folder was deleted'));
    }
    if (this.pending === 0) this.firstPendingAt = Date.now();
    this.pending += relevant;
    const waited = Date.now() - this.firstPendingAt;
    this.schedule(waited >= this.options.maxDelayMs ? 0 : this.options.debounceMs);
  }

  private isRelevant(event: watcher.Event): boolean {
    const p = event.path;
    for (const prefix of this.ignoredPrefixes) if (p.startsWith(prefix) || p === prefix.slice(0, -1)) return false;
    const rel = path.relative(this.options.root, p);
    if (rel === '' ) return true;
    if (rel.startsWith('..')) return false;
    const base = path.basename(p);
    if (RULE_FILES.has(base)) return true;
    if (languageForPath(rel.split(path.sep).join('/')) !== null) return true;
    // A folder created, deleted or renamed: its files come and go without events of their own.
    // A folder deleted and created again within one batch arrives as an 'update'
    // (@parcel/watcher merges the two), and files written into it before its new watch was
    // added have no events at all: that update counts too.
    if (path.extname(base) === '') return event.type !== 'update' || isDirectory(p);
    return false;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      this.runNow();
    }, delayMs);
  }

  private runNow(): void {
    if (this.closed || this.running) return;
    this.pending = 0;
    this.rerun = false;
    this.running = (async () => {
      try {
        await this.options.reindex();
        this.lastError = null;
      } catch (err) {
        this.lastError = err instanceof Error ? err.message : String(err);
      } finally {
        this.runs++;
        this.lastRunAt = this.options.now().toISOString();
      }
    })().finally(() => {
      this.running = null;
      this.options.onStatus?.(this.status());
      if (this.rerun || this.pending > 0) {
        this.rerun = false;
        this.schedule(this.options.debounceMs);
      } else {
        this.notifyIdle();
      }
    });
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private setMode(mode: WatchMode, warning: string | null): void {
    this.mode = mode;
    this.warning = warning;
    this.options.onStatus?.(this.status());
  }

  private clearTimers(): void {
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}
