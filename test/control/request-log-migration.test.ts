import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openControlDb } from '../../src/control/index.js';
import { CONTROL_MIGRATIONS } from '../../src/control/control-schema.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-control-migration-');

describe('control schema migration 2', () => {
  it('keeps the request log rows of a version-1 database and then accepts the unauthorized status', () => {
    const file = path.join(tempDir(), 'control.db');
    const raw = new Database(file);
    raw.exec(CONTROL_MIGRATIONS[0]!.sql);
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO request_log (timestamp, tenant_id, tool, duration_ms, status) VALUES ('2026-01-01T00:00:00.000Z', NULL, 'search_symbols', 3, 'rate_limited')").run();
    raw.close();

    const control = openControlDb(file);
    try {
      control.requestLog.append({ tenantId: null, tool: 'POST /mcp', durationMs: 1, status: 'unauthorized', errorCode: 'PCTX_ERR_UNAUTHORIZED' });
      const stats = control.requestLog.stats({ since: new Date(0) });
      expect(stats).toMatchObject({ requests: 2, rateLimited: 1, unauthorized: 1 });
    } finally {
      control.close();
    }
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    const indexes = after.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'request_log' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['idx_request_log_tenant', 'idx_request_log_timestamp']);
    after.close();
  });
});
