/**
 * Options of `openControlDb`, validated in a fixed order: defaults, types, combinations.
 * Invalid values throw INVALID_CONFIG naming the option; nothing falls back silently.
 */

import { PctxError } from '../errors.js';
import { isPlainObject } from './json-value.js';
import { systemClock, type Clock } from './timestamps.js';

export interface RequestLogOptions {
  /**
   * Entries buffered before they are written in one transaction.
   * @default 100
   */
  batchSize?: number;
  /**
   * Longest time an entry waits in the buffer.
   * @default 1000
   */
  flushIntervalMs?: number;
  /**
   * Entries kept while storage keeps failing; older ones are dropped beyond this.
   * @default 10 * batchSize
   */
  maxBufferedEntries?: number;
  /**
   * Rows deleted per transaction by `prune`.
   * @default 5000
   */
  pruneChunkSize?: number;
  /**
   * Receives errors of flushes nobody waits on (batch full, timer), which must not throw
   * into a request or crash the process from a timer.
   * @default emits a process warning
   */
  onFlushError?: (error: unknown) => void;
}

export interface ControlDbOptions {
  /**
   * Source of every timestamp the control plane writes.
   * @default () => new Date()
   */
  now?: Clock;
  /** @default {} */
  requestLog?: RequestLogOptions;
}

export interface ResolvedControlDbOptions {
  readonly now: Clock;
  readonly requestLog: Readonly<Required<RequestLogOptions>>;
}

const REQUEST_LOG_KEYS = ['batchSize', 'flushIntervalMs', 'maxBufferedEntries', 'pruneChunkSize', 'onFlushError'];

export function resolveControlDbOptions(options: ControlDbOptions | undefined): ResolvedControlDbOptions {
  const given = options ?? {};
  if (!isPlainObject(given)) throw invalid('options', 'expected an object');
  checkKeys(given, ['now', 'requestLog'], '');
  const log = given.requestLog ?? {};
  if (!isPlainObject(log)) throw invalid('requestLog', 'expected an object');
  checkKeys(log, REQUEST_LOG_KEYS, 'requestLog.');

  const now = given.now ?? systemClock;
  if (typeof now !== 'function') throw invalid('now', 'expected a function returning a Date');
  const batchSize = positiveInteger(log.batchSize ?? 100, 'requestLog.batchSize');
  const flushIntervalMs = positiveInteger(log.flushIntervalMs ?? 1000, 'requestLog.flushIntervalMs');
  const maxBufferedEntries = positiveInteger(log.maxBufferedEntries ?? 10 * batchSize, 'requestLog.maxBufferedEntries');
  const pruneChunkSize = positiveInteger(log.pruneChunkSize ?? 5000, 'requestLog.pruneChunkSize');
  const onFlushError = log.onFlushError ?? warnFlushError;
  if (typeof onFlushError !== 'function') throw invalid('requestLog.onFlushError', 'expected a function');

  if (maxBufferedEntries < batchSize) {
    throw invalid('requestLog.maxBufferedEntries', `must be at least requestLog.batchSize (${batchSize})`);
  }
  return Object.freeze({
    now: now as Clock,
    requestLog: Object.freeze({
      batchSize,
      flushIntervalMs,
      maxBufferedEntries,
      pruneChunkSize,
      onFlushError: onFlushError as (error: unknown) => void,
    }),
  });
}

function warnFlushError(error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(`request log flush failed, will retry: ${reason}`, { code: 'PCTX_REQUEST_LOG_FLUSH' });
}

function positiveInteger(value: unknown, option: string): number {
  // setTimeout clamps delays above 2^31-1 ms to 1 ms; treat such values as the mistakes they are.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw invalid(option, 'expected a positive integer');
  }
  return value;
}

function checkKeys(object: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw invalid(`${path}${key}`, `unknown option; expected one of ${known.join(', ')}`);
  }
}

function invalid(option: string, reason: string): PctxError {
  return new PctxError('INVALID_CONFIG', { option, reason });
}
