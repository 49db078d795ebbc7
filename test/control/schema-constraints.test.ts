import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteConnection } from '../../src/control/sqlite-connection.js';
import { HASH_A, HASH_B, thrown, useControlFixture } from './fixture.js';

const fixture = useControlFixture();
let db: Database.Database;

beforeEach(() => {
  fixture().open().close();
  // A connection configured like the stores' own, so raw SQL meets the same rules.
  db = openSqliteConnection(fixture().file);
});

afterEach(() => {
  db.close();
});

const AT = '2025-01-01T00:00:00.000Z';

function insertTenant(id: unknown, name = `t-${String(id)}`, extra: Record<string, unknown> = {}): void {
  db.prepare(
    `INSERT INTO tenants (id, name, created_at, updated_at, settings, storage_quota_bytes, status, deleting_since)
     VALUES (@id, @name, @at, @at, @settings, @quota, @status, @deletingSince)`,
  ).run({ id, name, at: AT, settings: '{}', quota: null, status: 'active', deletingSince: null, ...extra });
}

function insertKey(hash: string, tenantId: string, extra: Record<string, unknown> = {}): void {
  db.prepare(
    `INSERT INTO api_keys (key_hash, key_prefix, tenant_id, permissions, created_at)
     VALUES (@hash, @prefix, @tenantId, @permissions, @at)`,
  ).run({ hash, prefix: `cl_test_${hash.slice(0, 12)}`, tenantId, permissions: '["read"]', at: AT, ...extra });
}

function constraintError(fn: () => unknown): string {
  const err = thrown(fn) as { code?: string };
  return err.code ?? 'not a SqliteError';
}

describe('control schema constraints', () => {
  it('rejects tenant ids that are not exactly 8 lowercase hex characters, even through raw SQL', () => {
    for (const id of ['ABCDEF01', 'abcdefg1', 'abcdef0', 'abcdef012', 'abcd ef0', 'abcd-ef0', '', 'abcdef0\u00e9']) {
      expect(constraintError(() => insertTenant(id)), `id ${JSON.stringify(id)}`).toBe('SQLITE_CONSTRAINT_CHECK');
    }
    // A JS number binds as REAL and reaches the CHECK as "12345678.0".
    expect(constraintError(() => insertTenant(12345678))).toBe('SQLITE_CONSTRAINT_CHECK');
    insertTenant('0123abcd');
  });

  it('rejects unsafe tenant names, unknown statuses and tombstones without a date', () => {
    expect(constraintError(() => insertTenant('00000001', '-rf'))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'a b'))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'x'.repeat(65)))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'ok', { status: 'gone' }))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'ok', { status: 'deleting' }))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'ok', { deletingSince: AT }))).toBe('SQLITE_CONSTRAINT_CHECK');
    insertTenant('00000001', 'ok', { status: 'deleting', deletingSince: AT });
  });

  it('rejects settings that are not a JSON object and quotas that are not positive', () => {
    expect(constraintError(() => insertTenant('00000001', 'a', { settings: '[]' }))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'a', { settings: '{oops' }))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'a', { quota: 0 }))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertTenant('00000001', 'a', { quota: 1.5 }))).toBe('SQLITE_CONSTRAINT_DATATYPE');
  });

  it('enforces unique tenant names', () => {
    insertTenant('00000001', 'acme');
    expect(constraintError(() => insertTenant('00000002', 'acme'))).toBe('SQLITE_CONSTRAINT_UNIQUE');
  });

  it('enforces foreign keys from api_keys to tenants in both directions', () => {
    expect(constraintError(() => insertKey(HASH_A, 'deadbeef'))).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
    insertTenant('deadbeef');
    insertKey(HASH_A, 'deadbeef');
    expect(constraintError(() => db.prepare("DELETE FROM tenants WHERE id = 'deadbeef'").run())).toBe(
      'SQLITE_CONSTRAINT_FOREIGNKEY',
    );
  });

  it('rejects malformed key hashes, empty permission lists and unknown request statuses', () => {
    insertTenant('deadbeef');
    expect(constraintError(() => insertKey(HASH_B.toUpperCase(), 'deadbeef'))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertKey(HASH_B, 'deadbeef', { permissions: '[]' }))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(constraintError(() => insertKey(HASH_B, 'deadbeef', { permissions: '"read"' }))).toBe('SQLITE_CONSTRAINT_CHECK');
    expect(
      constraintError(() =>
        db.prepare("INSERT INTO request_log (timestamp, tool, status) VALUES (?, 'search', 'timeout')").run(AT),
      ),
    ).toBe('SQLITE_CONSTRAINT_CHECK');
  });
});
