/**
 * ApiKeyStore on the SQLite control plane. Writes that depend on a read (the tenant's
 * status, an existing prefix) run in BEGIN IMMEDIATE transactions, so a concurrent
 * `markDeleting` in another process cannot slip between the check and the insert.
 */

import type { Database, Statement } from 'better-sqlite3';
import { PctxError, invalidArgument } from '../errors.js';
import { checkKeyHash, checkKeyPrefix, checkNewApiKey } from './api-key-input.js';
import type { ApiKeyRecord, ApiKeyStore, NewApiKey, Permission } from './api-key-store.js';
import type { TenantStatus } from './tenant-store.js';
import { checkTenantId } from './tenant-input.js';
import { toIsoTimestamp, type Clock } from './timestamps.js';

export interface SqliteApiKeyStoreOptions {
  now: Clock;
  /**
   * The database's change version (a WalChangeProbe of its file), offered to callers as
   * `changeVersion`. Absent: the store offers none, and callers read every answer again.
   */
  changeVersion?: () => number;
}

interface ApiKeyRow {
  key_hash: string;
  key_prefix: string;
  tenant_id: string;
  permissions: string;
  rate_limit_tier: string;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = 'key_hash, key_prefix, tenant_id, permissions, rate_limit_tier, label, created_at, last_used_at, revoked_at';

export class SqliteApiKeyStore implements ApiKeyStore {
  readonly #db: Database;
  readonly #now: Clock;
  readonly #byHash: Statement<[string], ApiKeyRow>;
  readonly #forAuth: Statement<[string], ApiKeyRow & { tenant_status: TenantStatus | null }>;
  readonly #byPrefix: Statement<[string], ApiKeyRow>;
  readonly #byTenant: Statement<[string], ApiKeyRow>;
  readonly #countActive: Statement<[string], { n: number }>;
  readonly #tenantStatus: Statement<[string], { status: string }>;
  readonly #insert: Statement<[ApiKeyRow]>;
  readonly #revoke: Statement<[{ hash: string; at: string }]>;
  readonly #touch: Statement<[{ hash: string; at: string }]>;

  readonly changeVersion?: () => number;

  constructor(db: Database, options: SqliteApiKeyStoreOptions) {
    this.#db = db;
    this.#now = options.now;
    if (options.changeVersion) this.changeVersion = options.changeVersion;
    this.#byHash = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`);
    // One statement, one read transaction: on every request each one costs its locks.
    this.#forAuth = db.prepare(
      `SELECT ${COLUMNS.split(', ').map((c) => `k.${c}`).join(', ')}, t.status AS tenant_status
       FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = ?`,
    );
    this.#byPrefix = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE key_prefix = ?`);
    this.#byTenant = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = ? ORDER BY created_at, key_prefix`);
    this.#countActive = db.prepare('SELECT count(*) AS n FROM api_keys WHERE tenant_id = ? AND revoked_at IS NULL');
    this.#tenantStatus = db.prepare('SELECT status FROM tenants WHERE id = ?');
    this.#insert = db.prepare(
      `INSERT INTO api_keys (${COLUMNS})
       VALUES (@key_hash, @key_prefix, @tenant_id, @permissions, @rate_limit_tier, @label, @created_at, @last_used_at, @revoked_at)`,
    );
    this.#revoke = db.prepare('UPDATE api_keys SET revoked_at = @at WHERE key_hash = @hash AND revoked_at IS NULL');
    // The guard keeps lastUsedAt monotonic when several nodes or throttled callers race.
    this.#touch = db.prepare(
      'UPDATE api_keys SET last_used_at = @at WHERE key_hash = @hash AND (last_used_at IS NULL OR last_used_at < @at)',
    );
  }

  insert(record: NewApiKey): ApiKeyRecord {
    const valid = checkNewApiKey(record);
    return this.#db
      .transaction(() => {
        const tenant = this.#tenantStatus.get(valid.tenantId);
        if (tenant === undefined) throw new PctxError('TENANT_NOT_FOUND', { tenant: valid.tenantId });
        if (tenant.status === 'deleting') throw new PctxError('TENANT_DELETING', { tenantId: valid.tenantId });
        if (this.#byHash.get(valid.keyHash) !== undefined) throw invalidArgument('keyHash', 'a key with this hash is already stored');
        if (this.#byPrefix.get(valid.keyPrefix) !== undefined) throw invalidArgument('keyPrefix', 'another key already uses this prefix');
        const row: ApiKeyRow = {
          key_hash: valid.keyHash,
          key_prefix: valid.keyPrefix,
          tenant_id: valid.tenantId,
          permissions: JSON.stringify(valid.permissions),
          rate_limit_tier: valid.rateLimitTier,
          label: valid.label,
          created_at: toIsoTimestamp(this.#now(), 'now'),
          last_used_at: null,
          revoked_at: null,
        };
        this.#insert.run(row);
        return toRecord(row);
      })
      .immediate();
  }

  findByHash(keyHash: string): ApiKeyRecord | null {
    const row = this.#byHash.get(checkKeyHash(keyHash));
    return row === undefined ? null : toRecord(row);
  }

  findForAuth(keyHash: string): { key: ApiKeyRecord; tenantStatus: TenantStatus | null } | null {
    const row = this.#forAuth.get(checkKeyHash(keyHash));
    return row === undefined ? null : { key: toRecord(row), tenantStatus: row.tenant_status };
  }

  listByTenant(tenantId: string): ApiKeyRecord[] {
    return this.#byTenant.all(checkTenantId(tenantId)).map(toRecord);
  }

  countByTenant(tenantId: string): number {
    return this.#countActive.get(checkTenantId(tenantId))?.n ?? 0;
  }

  revokeByPrefix(keyPrefix: string, tenantId?: string): ApiKeyRecord {
    const prefix = checkKeyPrefix(keyPrefix);
    const owner = tenantId === undefined ? undefined : checkTenantId(tenantId);
    return this.#db
      .transaction(() => {
        const row = this.#byPrefix.get(prefix);
        if (row === undefined || (owner !== undefined && row.tenant_id !== owner)) {
          throw new PctxError('API_KEY_NOT_FOUND', { prefix });
        }
        if (row.revoked_at !== null) return toRecord(row);
        const at = toIsoTimestamp(this.#now(), 'now');
        this.#revoke.run({ hash: row.key_hash, at });
        return toRecord({ ...row, revoked_at: at });
      })
      .immediate();
  }

  touch(keyHash: string, at?: Date): void {
    const hash = checkKeyHash(keyHash);
    this.#touch.run({ hash, at: toIsoTimestamp(at ?? this.#now(), 'at') });
  }
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    tenantId: row.tenant_id,
    permissions: JSON.parse(row.permissions) as Permission[],
    rateLimitTier: row.rate_limit_tier,
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
