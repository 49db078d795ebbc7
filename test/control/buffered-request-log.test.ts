import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferedRequestLog, type BufferedRequestLogOptions } from '../../src/control/buffered-request-log.js';
import type { LoggedRequest, RequestLogStorage } from '../../src/control/request-log-storage.js';
import type { RequestLogEntry } from '../../src/control/request-log.js';
import { testClock, thrown } from './fixture.js';

/** Storage that records batches and fails while `failing` is set. */
class FlakyStorage implements RequestLogStorage {
  batches: LoggedRequest[][] = [];
  failing = false;
  attempts = 0;

  insertBatch(rows: readonly LoggedRequest[]): void {
    this.attempts++;
    if (this.failing) throw new Error('SQLITE_BUSY: database is locked');
    this.batches.push([...rows]);
  }

  prune(): number {
    return 0;
  }

  stats(): never {
    throw new Error('not used');
  }

  get stored(): string[] {
    return this.batches.flat().map((row) => row.tool);
  }
}

const entry = (tool: string): RequestLogEntry => ({ tenantId: null, tool, durationMs: 1, status: 'success' });

function makeLog(overrides: Partial<BufferedRequestLogOptions> = {}): { log: BufferedRequestLog; storage: FlakyStorage; errors: unknown[] } {
  const storage = new FlakyStorage();
  const errors: unknown[] = [];
  const log = new BufferedRequestLog(storage, {
    now: testClock().now,
    batchSize: 2,
    flushIntervalMs: 1000,
    maxBufferedEntries: 4,
    onFlushError: (error) => errors.push(error),
    ...overrides,
  });
  return { log, storage, errors };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('BufferedRequestLog when storage fails', () => {
  it('a failing batch write does not throw into append; the error goes to onFlushError', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { log, storage, errors } = makeLog();
    storage.failing = true;
    log.append(entry('a'));
    log.append(entry('b'));
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/SQLITE_BUSY/);
    expect(storage.stored).toEqual([]);
  });

  it('after a failure only the timer retries, so requests do not each wait on a locked database', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { log, storage } = makeLog();
    storage.failing = true;
    log.append(entry('a'));
    log.append(entry('b'));
    log.append(entry('c'));
    log.append(entry('d'));
    expect(storage.attempts).toBe(1);

    storage.failing = false;
    vi.advanceTimersByTime(1000);
    expect(storage.attempts).toBe(2);
    expect(storage.stored).toEqual(['a', 'b', 'c', 'd']);
  });

  it('drops the oldest entries beyond maxBufferedEntries and counts them', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { log, storage } = makeLog();
    storage.failing = true;
    for (const tool of ['a', 'b', 'c', 'd', 'e', 'f']) log.append(entry(tool));
    expect(log.droppedEntries).toBe(2);

    storage.failing = false;
    log.flush();
    expect(storage.stored).toEqual(['c', 'd', 'e', 'f']);
  });

  it('an explicit flush throws the storage error and keeps the entries for the next try', () => {
    const { log, storage } = makeLog({ batchSize: 10, maxBufferedEntries: 10 });
    log.append(entry('a'));
    storage.failing = true;
    expect(String(thrown(() => log.flush()))).toMatch(/SQLITE_BUSY/);
    storage.failing = false;
    log.flush();
    expect(storage.stored).toEqual(['a']);
    log.close();
  });

  it('close can be called twice and refuses appends afterwards', () => {
    const { log, storage } = makeLog({ batchSize: 10, maxBufferedEntries: 10 });
    log.append(entry('a'));
    log.close();
    log.close();
    expect(storage.stored).toEqual(['a']);
    expect(thrown(() => log.append(entry('b')))).toMatchObject({ code: 'PCTX_ERR_INTERNAL' });
  });
});
