import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_MESSAGE_MAX_LENGTH, type RequestLogEntry } from '../../src/control/index.js';
import { thrown, useControlFixture } from './fixture.js';

const fixture = useControlFixture();

/** Rows as another process sees them: only what has been committed. */
function committedRows(): Record<string, unknown>[] {
  const raw = new Database(fixture().file, { readonly: true });
  try {
    return raw.prepare('SELECT timestamp, tenant_id, tool, duration_ms, status, error_code, error_message FROM request_log ORDER BY id').all() as Record<
      string,
      unknown
    >[];
  } finally {
    raw.close();
  }
}

const ok = (tool = 'search_symbols', tenantId: string | null = 'aaaaaaaa'): RequestLogEntry => ({
  tenantId,
  tool,
  durationMs: 2,
  status: 'success',
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RequestLog buffering', () => {
  it('keeps entries in memory until flush, then writes them all', () => {
    const { requestLog } = fixture().open();
    requestLog.append({ tenantId: 'aaaaaaaa', tool: 'index_folder', durationMs: 12.6, status: 'error', errorCode: 'PCTX_ERR_QUOTA_EXCEEDED', errorMessage: 'full' });
    requestLog.append({ tenantId: null, tool: 'search_symbols', durationMs: 0, status: 'rate_limited', timestamp: new Date('2024-06-01T00:00:00Z') });
    expect(committedRows()).toEqual([]);

    requestLog.flush();
    expect(committedRows()).toEqual([
      {
        timestamp: '2025-01-01T00:00:00.000Z',
        tenant_id: 'aaaaaaaa',
        tool: 'index_folder',
        duration_ms: 13,
        status: 'error',
        error_code: 'PCTX_ERR_QUOTA_EXCEEDED',
        error_message: 'full',
      },
      {
        timestamp: '2024-06-01T00:00:00.000Z',
        tenant_id: null,
        tool: 'search_symbols',
        duration_ms: 0,
        status: 'rate_limited',
        error_code: null,
        error_message: null,
      },
    ]);
    requestLog.flush();
    expect(committedRows()).toHaveLength(2);
  });

  it('writes a full batch as soon as it reaches the batch size', () => {
    const { requestLog } = fixture().open({ requestLog: { batchSize: 3, flushIntervalMs: 60_000 } });
    requestLog.append(ok());
    requestLog.append(ok());
    expect(committedRows()).toHaveLength(0);
    requestLog.append(ok());
    expect(committedRows()).toHaveLength(3);
  });

  it('writes a partial batch when the flush interval has passed since the first entry', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { requestLog } = fixture().open({ requestLog: { batchSize: 100, flushIntervalMs: 1000 } });
    requestLog.append(ok());
    vi.advanceTimersByTime(500);
    requestLog.append(ok());
    vi.advanceTimersByTime(499);
    expect(committedRows()).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(committedRows()).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close writes what is still buffered', () => {
    const plane = fixture().open();
    plane.requestLog.append(ok());
    plane.close();
    expect(committedRows()).toHaveLength(1);
  });

  it('truncates long error messages without splitting a surrogate pair', () => {
    const { requestLog } = fixture().open();
    const long = `${'x'.repeat(ERROR_MESSAGE_MAX_LENGTH - 2)}😀 and a long tail`;
    requestLog.append({ ...ok(), status: 'error', errorMessage: long });
    requestLog.append({ ...ok(), status: 'error', errorMessage: 'y'.repeat(ERROR_MESSAGE_MAX_LENGTH) });
    requestLog.flush();
    const [cut, exact] = committedRows().map((row) => row.error_message as string);
    expect(cut).toBe(`${'x'.repeat(ERROR_MESSAGE_MAX_LENGTH - 2)}…`);
    expect(exact).toHaveLength(ERROR_MESSAGE_MAX_LENGTH);
  });

  it('rejects invalid entries at append time, naming the field', () => {
    const { requestLog } = fixture().open();
    const cases: [Record<string, unknown>, string][] = [
      [{ tool: '' }, 'tool'],
      [{ durationMs: -1 }, 'durationMs'],
      [{ durationMs: Number.NaN }, 'durationMs'],
      [{ status: 'timeout' }, 'status'],
      [{ errorCode: 42 }, 'errorCode'],
      [{ errorMessage: { text: 'no' } }, 'errorMessage'],
      [{ timestamp: '2025-01-01' }, 'timestamp'],
      [{ tenant: 'aaaaaaaa' }, 'tenant'],
    ];
    for (const [change, option] of cases) {
      expect(thrown(() => requestLog.append({ ...ok(), ...change } as never)), JSON.stringify(change)).toMatchObject({
        code: 'PCTX_ERR_INVALID_ARGUMENT',
        details: { option },
      });
    }
    expect(thrown(() => requestLog.append({ ...ok(), tenantId: 'ACME' }))).toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
    requestLog.flush();
    expect(committedRows()).toEqual([]);
  });
});

describe('RequestLog.prune', () => {
  it('deletes entries older than the cutoff, counting buffered ones, and returns 0 when called again', () => {
    const { open, clock } = fixture();
    const { requestLog } = open();
    requestLog.append(ok('old'));
    clock.advance(10 * 86_400_000);
    requestLog.flush();
    requestLog.append(ok('recent'));
    clock.advance(30 * 86_400_000);
    requestLog.append(ok('now'));

    const cutoff = new Date(clock.now().getTime() - 30 * 86_400_000);
    expect(requestLog.prune(cutoff)).toBe(1);
    expect(requestLog.prune(cutoff)).toBe(0);
    expect(committedRows().map((row) => row.tool)).toEqual(['recent', 'now']);
  });

  it('deletes in chunks yet removes everything older than the cutoff', () => {
    const { open, clock } = fixture();
    const { requestLog } = open({ requestLog: { pruneChunkSize: 10, batchSize: 1000 } });
    for (let i = 0; i < 35; i++) {
      requestLog.append(ok('old'));
      clock.advance(1);
    }
    clock.advance(86_400_000);
    requestLog.append(ok('kept'));
    expect(requestLog.prune(new Date(clock.now().getTime() - 1000))).toBe(35);
    expect(committedRows().map((row) => row.tool)).toEqual(['kept']);
  });
});

describe('RequestLog.stats', () => {
  it('counts requests, errors and rate-limited calls by tool, for one tenant or all, since an inclusive bound', () => {
    const { open, clock } = fixture();
    const { requestLog } = open();
    requestLog.append(ok('search_symbols', 'aaaaaaaa'));
    clock.advance(1000);
    const since = clock.now();
    requestLog.append(ok('search_symbols', 'aaaaaaaa'));
    requestLog.append({ ...ok('index_folder', 'aaaaaaaa'), status: 'error', errorCode: 'PCTX_ERR_INDEX_FAILED' });
    requestLog.append({ ...ok('search_symbols', 'aaaaaaaa'), status: 'rate_limited' });
    requestLog.append(ok('get_symbol_source', 'bbbbbbbb'));
    requestLog.append({ ...ok('search_symbols', null), status: 'rate_limited' });
    requestLog.append({ ...ok('POST /mcp', null), status: 'unauthorized', errorCode: 'PCTX_ERR_UNAUTHORIZED' });

    expect(requestLog.stats({ tenantId: 'aaaaaaaa', since })).toEqual({
      requests: 3,
      errors: 1,
      rateLimited: 1,
      unauthorized: 0,
      byTool: { search_symbols: 2, index_folder: 1 },
    });
    expect(requestLog.stats({ since })).toEqual({
      requests: 6,
      errors: 1,
      rateLimited: 2,
      unauthorized: 1,
      byTool: { search_symbols: 3, index_folder: 1, get_symbol_source: 1, 'POST /mcp': 1 },
    });
    expect(requestLog.stats({ tenantId: 'aaaaaaaa', since: new Date(0) }).requests).toBe(4);
    expect(requestLog.stats({ tenantId: 'cccccccc', since })).toEqual({ requests: 0, errors: 0, rateLimited: 0, unauthorized: 0, byTool: {} });
  });

  it('counts a tool named __proto__ like any other', () => {
    const { requestLog } = fixture().open();
    requestLog.append(ok('__proto__'));
    const { byTool } = requestLog.stats({ since: new Date(0) });
    expect(Object.entries(byTool)).toEqual([['__proto__', 1]]);
  });

  it('rejects a missing or invalid since and a malformed tenant id', () => {
    const { requestLog } = fixture().open();
    expect(thrown(() => requestLog.stats({} as never))).toMatchObject({ details: { option: 'since' } });
    expect(thrown(() => requestLog.stats({ since: new Date(0), tenantId: 'x' }))).toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
  });
});
