/**
 * The RequestLog callers use: validates and buffers entries in memory and hands them to
 * storage in batches, one transaction each, when `batchSize` entries are waiting or
 * `flushIntervalMs` after the first one arrived. One commit per batch instead of one per
 * request is what keeps logging off the request latency.
 *
 * The timer is unref'd: a buffered entry never keeps the process alive. Owners call
 * `close()` on shutdown to write what is left.
 *
 * When storage fails (say another process holds the lock past busy_timeout), the batch
 * goes back into the buffer and only the timer retries it, so requests do not each pay
 * a blocked write. The buffer is capped at `maxBufferedEntries`; beyond that the oldest
 * entries are dropped and counted in `droppedEntries`.
 */

import { PctxError } from '../errors.js';
import { toLoggedRequest } from './request-log-input.js';
import type { LoggedRequest, RequestLogStorage } from './request-log-storage.js';
import type { RequestLog, RequestLogEntry, RequestStats, RequestStatsQuery } from './request-log.js';
import { checkTenantId } from './tenant-input.js';
import { toIsoTimestamp, type Clock } from './timestamps.js';

export interface BufferedRequestLogOptions {
  now: Clock;
  batchSize: number;
  flushIntervalMs: number;
  maxBufferedEntries: number;
  onFlushError: (error: unknown) => void;
}

export class BufferedRequestLog implements RequestLog {
  readonly #storage: RequestLogStorage;
  readonly #options: BufferedRequestLogOptions;
  #buffer: LoggedRequest[] = [];
  #timer: NodeJS.Timeout | undefined;
  #failing = false;
  #closed = false;
  #dropped = 0;

  constructor(storage: RequestLogStorage, options: BufferedRequestLogOptions) {
    this.#storage = storage;
    this.#options = options;
  }

  /** Entries lost because storage kept failing while the buffer was full. */
  get droppedEntries(): number {
    return this.#dropped;
  }

  append(entry: RequestLogEntry): void {
    if (this.#closed) throw new PctxError('INTERNAL', { reason: 'the request log is closed' });
    this.#buffer.push(toLoggedRequest(entry, this.#options.now));
    if (this.#buffer.length >= this.#options.batchSize && !this.#failing) {
      this.#flushInBackground();
    } else {
      this.#trim();
      this.#arm();
    }
  }

  flush(): void {
    this.#disarm();
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    try {
      this.#storage.insertBatch(batch);
      this.#failing = false;
    } catch (err) {
      this.#failing = true;
      this.#buffer = batch;
      this.#trim();
      if (!this.#closed) this.#arm();
      throw err;
    }
  }

  prune(olderThan: Date): number {
    const cutoff = toIsoTimestamp(olderThan, 'olderThan');
    this.flush();
    return this.#storage.prune(cutoff);
  }

  stats(query: RequestStatsQuery): RequestStats {
    const since = toIsoTimestamp(query.since, 'since');
    const tenantId = query.tenantId === undefined ? undefined : checkTenantId(query.tenantId);
    this.flush();
    return this.#storage.stats(since, tenantId);
  }

  /**
   * Writes what is buffered and refuses further appends. Called twice: does nothing.
   * If the final write fails, the error is thrown and the entries are lost.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.flush();
    } finally {
      this.#disarm();
      this.#buffer = [];
    }
  }

  #flushInBackground(): void {
    try {
      this.flush();
    } catch (err) {
      this.#options.onFlushError(err);
    }
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#buffer.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushInBackground();
    }, this.#options.flushIntervalMs);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #trim(): void {
    const excess = this.#buffer.length - this.#options.maxBufferedEntries;
    if (excess <= 0) return;
    this.#buffer.splice(0, excess);
    this.#dropped += excess;
  }
}
