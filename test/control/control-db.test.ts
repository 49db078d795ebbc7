import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROL_MIGRATIONS, CONTROL_SCHEMA_VERSION } from '../../src/control/control-schema.js';
import { openControlDb } from '../../src/control/index.js';
import { openSqliteConnection } from '../../src/control/sqlite-connection.js';
import { migrate, readSchemaVersion } from '../../src/control/sqlite-migrate.js';
import { thrown, useControlFixture } from './fixture.js';

const fixture = useControlFixture();

function tableColumns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
}

function indexNames(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
}

describe('openControlDb', () => {
  it('creates the file and its parent folder and migrates an empty database to the current version', () => {
    const { file, open } = fixture();
    expect(existsSync(file)).toBe(false);
    open().close();

    const raw = new Database(file, { readonly: true });
    try {
      expect(readSchemaVersion(raw)).toBe(CONTROL_SCHEMA_VERSION);
      expect(tableColumns(raw, 'tenants')).toEqual([
        'id',
        'name',
        'created_at',
        'updated_at',
        'settings',
        'storage_quota_bytes',
        'status',
        'deleting_since',
      ]);
      expect(tableColumns(raw, 'api_keys')).toEqual([
        'key_hash',
        'key_prefix',
        'tenant_id',
        'permissions',
        'rate_limit_tier',
        'label',
        'created_at',
        'last_used_at',
        'revoked_at',
      ]);
      expect(tableColumns(raw, 'request_log')).toEqual([
        'id',
        'timestamp',
        'tenant_id',
        'tool',
        'duration_ms',
        'status',
        'error_code',
        'error_message',
      ]);
      expect(indexNames(raw)).toEqual(['idx_api_keys_tenant', 'idx_request_log_tenant', 'idx_request_log_timestamp']);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('reopening an up-to-date database keeps its data and its version', () => {
    const { file, open } = fixture();
    const first = open();
    const acme = first.tenants.create({ name: 'acme' });
    first.close();

    const second = open();
    expect(second.tenants.get('acme')).toEqual(acme);
    second.close();
    const raw = new Database(file, { readonly: true });
    expect(readSchemaVersion(raw)).toBe(CONTROL_SCHEMA_VERSION);
    raw.close();
  });

  it('two control planes on one file migrate once and see each other\'s committed writes', () => {
    const { open } = fixture();
    const first = open();
    const second = open();
    const acme = first.tenants.create({ name: 'acme' });
    expect(second.tenants.get('acme')).toEqual(acme);
    expect(thrown(() => second.tenants.create({ name: 'acme' }))).toMatchObject({ code: 'PCTX_ERR_TENANT_EXISTS' });
  });

  it('refuses a database written by a newer build and leaves the file untouched', () => {
    const { file, open } = fixture();
    open().close();
    const raw = new Database(file);
    raw.pragma('journal_mode = DELETE');
    raw.pragma(`user_version = ${CONTROL_SCHEMA_VERSION + 1}`);
    raw.close();

    expect(thrown(() => open())).toMatchObject({
      code: 'PCTX_ERR_SCHEMA_TOO_NEW',
      details: { file, found: CONTROL_SCHEMA_VERSION + 1, supported: CONTROL_SCHEMA_VERSION },
    });
    const after = new Database(file, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(readSchemaVersion(after)).toBe(CONTROL_SCHEMA_VERSION + 1);
    after.close();
  });

  it('configures every connection with foreign keys, a busy timeout, a small cache and NORMAL sync under WAL', () => {
    const { open, file } = fixture();
    open().close();
    const db = openSqliteConnection(file);
    try {
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('close can be called twice, and the stores refuse work afterwards', () => {
    const plane = fixture().open();
    plane.close();
    plane.close();
    expect(() => plane.tenants.list()).toThrow();
    expect(thrown(() => plane.requestLog.append({ tenantId: null, tool: 'x', durationMs: 1, status: 'success' }))).toMatchObject({
      code: 'PCTX_ERR_INTERNAL',
    });
  });

  it('rejects invalid options naming the option instead of falling back to a default', () => {
    const { file } = fixture();
    expect(thrown(() => openControlDb(''))).toMatchObject({ code: 'PCTX_ERR_INVALID_CONFIG', details: { option: 'file' } });
    expect(thrown(() => openControlDb(file, { requestLog: { batchSize: 0 } }))).toMatchObject({
      code: 'PCTX_ERR_INVALID_CONFIG',
      details: { option: 'requestLog.batchSize' },
    });
    expect(thrown(() => openControlDb(file, { requestLog: { batchSize: 50, maxBufferedEntries: 10 } }))).toMatchObject({
      code: 'PCTX_ERR_INVALID_CONFIG',
      details: { option: 'requestLog.maxBufferedEntries' },
    });
    expect(thrown(() => openControlDb(file, { noww: () => new Date() } as never))).toMatchObject({
      code: 'PCTX_ERR_INVALID_CONFIG',
      details: { option: 'noww' },
    });
    expect(existsSync(file)).toBe(false);
  });
});

describe('migrate', () => {
  it('rolls a failing migration back whole, leaving the previous version in place', () => {
    const { file } = fixture();
    const db = openSqliteConnection(file);
    try {
      const broken = [
        ...CONTROL_MIGRATIONS,
        { version: CONTROL_MIGRATIONS.length + 1, description: 'half-done', sql: 'CREATE TABLE extra (x); SELECT * FROM missing_table;' },
      ];
      expect(() => migrate(db, file, broken)).toThrow(/missing_table/);
      expect(readSchemaVersion(db)).toBe(CONTROL_MIGRATIONS.length);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('applies each migration once even when run again', () => {
    const { file } = fixture();
    const db = openSqliteConnection(file);
    try {
      migrate(db, file, CONTROL_MIGRATIONS);
      migrate(db, file, CONTROL_MIGRATIONS);
      expect(readSchemaVersion(db)).toBe(CONTROL_SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });
});
