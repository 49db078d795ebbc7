import type { RequestLog } from '../control/index.js';

export interface LogPrunerOptions {
  requestLog: RequestLog;
  retentionDays: number;
  /** @default Date.now */
  now?: () => number;
  /** @default 3600000 (hourly) */
  intervalMs?: number;
  /** Receives prune failures (a busy database): the next round retries. @default process warning */
  onError?: (error: unknown) => void;
}

/**
 * Deletes request-log rows older than the retention period: once at start, then on an
 * unref'd interval, so the table stays bounded without anyone calling it.
 */
export class LogPruner {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LogPrunerOptions) {}

  /** Prunes once now and returns the number of rows deleted. */
  pruneNow(): number {
    const now = this.options.now ?? Date.now;
    return this.options.requestLog.prune(new Date(now() - this.options.retentionDays * 24 * 60 * 60 * 1000));
  }

  start(): void {
    this.safePrune();
    this.timer = setInterval(() => this.safePrune(), this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private safePrune(): void {
    try {
      this.pruneNow();
    } catch (err) {
      (this.options.onError ?? ((e) => process.emitWarning(`request log prune failed: ${(e as Error).message}`)))(err);
    }
  }
}
