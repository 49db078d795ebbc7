/**
 * TenantStore on the SQLite control plane. Every read-then-write runs in a BEGIN IMMEDIATE
 * transaction: in WAL mode a deferred transaction that reads and then writes fails with
 * SQLITE_BUSY (not waiting on busy_timeout) when another process wrote in between, and
 * the uniqueness checks below must see the same rows the insert does.
 */

import type { Database, Statement } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { PctxError, invalidArgument } from '../errors.js';
import {
  LOCAL_TENANT_ID,
  checkCreateInput,
  checkNameFor,
  checkEnsureInput,
  checkPatch,
  checkTenantId,
  isTenantId,
  type ValidCreateInput,
} from './tenant-input.js';
import type { CreateTenantInput, EnsureTenantInput, Tenant, TenantPatch, TenantStatus, TenantStore } from './tenant-store.js';
import { toIsoTimestamp, type Clock } from './timestamps.js';

export interface SqliteTenantStoreOptions {
  now: Clock;
  /**
   * Source of candidate ids; tests replace it to force collisions.
   * @default 4 random bytes from node:crypto as 8 hex characters
   */
  newTenantId?: () => string;
}

/** With 2^32 ids, 16 misses in a row means the generator is broken, not unlucky. */
const MAX_ID_ATTEMPTS = 16;

interface TenantRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  settings: string;
  storage_quota_bytes: number | null;
  status: TenantStatus;
  deleting_since: string | null;
}

const COLUMNS = 'id, name, created_at, updated_at, settings, storage_quota_bytes, status, deleting_since';

export class SqliteTenantStore implements TenantStore {
  readonly #db: Database;
  readonly #now: Clock;
  readonly #newTenantId: () => string;
  readonly #byId: Statement<[string], TenantRow>;
  readonly #byName: Statement<[string], TenantRow>;
  readonly #all: Statement<[], TenantRow>;
  readonly #deleting: Statement<[], TenantRow>;
  readonly #insert: Statement<[TenantRow]>;
  readonly #update: Statement<[Pick<TenantRow, 'id' | 'name' | 'settings' | 'storage_quota_bytes' | 'updated_at'>]>;
  readonly #tombstone: Statement<[{ id: string; at: string }]>;
  readonly #revokeTenantKeys: Statement<[{ id: string; at: string }]>;
  readonly #deleteTenantKeys: Statement<[string]>;
  readonly #deleteTenant: Statement<[string]>;

  constructor(db: Database, options: SqliteTenantStoreOptions) {
    this.#db = db;
    this.#now = options.now;
    this.#newTenantId = options.newTenantId ?? (() => randomBytes(4).toString('hex'));
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM tenants WHERE id = ?`);
    this.#byName = db.prepare(`SELECT ${COLUMNS} FROM tenants WHERE name = ?`);
    this.#all = db.prepare(`SELECT ${COLUMNS} FROM tenants ORDER BY created_at, name`);
    this.#deleting = db.prepare(`SELECT ${COLUMNS} FROM tenants WHERE status = 'deleting' ORDER BY deleting_since, id`);
    this.#insert = db.prepare(
      `INSERT INTO tenants (${COLUMNS})
       VALUES (@id, @name, @created_at, @updated_at, @settings, @storage_quota_bytes, @status, @deleting_since)`,
    );
    this.#update = db.prepare(
      `UPDATE tenants SET name = @name, settings = @settings, storage_quota_bytes = @storage_quota_bytes,
       updated_at = @updated_at WHERE id = @id`,
    );
    this.#tombstone = db.prepare(
      `UPDATE tenants SET status = 'deleting', deleting_since = @at, updated_at = @at WHERE id = @id`,
    );
    this.#revokeTenantKeys = db.prepare('UPDATE api_keys SET revoked_at = @at WHERE tenant_id = @id AND revoked_at IS NULL');
    this.#deleteTenantKeys = db.prepare('DELETE FROM api_keys WHERE tenant_id = ?');
    this.#deleteTenant = db.prepare('DELETE FROM tenants WHERE id = ?');
  }

  create(input: CreateTenantInput): Tenant {
    const valid = checkCreateInput(input);
    return this.#db.transaction(() => this.#insertNew(valid)).immediate();
  }

  ensure(input: EnsureTenantInput): Tenant {
    const { id, name } = checkEnsureInput(input);
    return this.#db
      .transaction(() => {
        const existing = this.#byId.get(id);
        if (existing !== undefined) return toTenant(existing);
        this.#assertIdentifiersFree(id, name);
        return this.#insertRow(id, name, null, {});
      })
      .immediate();
  }

  get(idOrName: string): Tenant | null {
    if (typeof idOrName !== 'string') throw invalidArgument('idOrName', 'expected a string');
    const row = (isTenantId(idOrName) ? this.#byId.get(idOrName) : undefined) ?? this.#byName.get(idOrName);
    return row === undefined ? null : toTenant(row);
  }

  require(idOrName: string): Tenant {
    const tenant = this.get(idOrName);
    if (tenant === null) throw new PctxError('TENANT_NOT_FOUND', { tenant: idOrName });
    if (tenant.status === 'deleting') throw new PctxError('TENANT_DELETING', { tenantId: tenant.id });
    return tenant;
  }

  update(id: string, patch: TenantPatch): Tenant {
    const tenantId = checkTenantId(id);
    const valid = checkPatch(patch);
    if (valid.name !== undefined) checkNameFor(tenantId, valid.name);
    return this.#db
      .transaction(() => {
        const current = this.#requireActiveRow(tenantId);
        if (Object.keys(valid).length === 0) return toTenant(current);
        const name = valid.name ?? current.name;
        if (name !== current.name) this.#assertNameFree(name, tenantId);
        this.#update.run({
          id: tenantId,
          name,
          settings: valid.settings === undefined ? current.settings : JSON.stringify(valid.settings),
          storage_quota_bytes: valid.quotaBytes === undefined ? current.storage_quota_bytes : valid.quotaBytes,
          updated_at: this.#timestamp(),
        });
        return this.#mustGet(tenantId);
      })
      .immediate();
  }

  list(): Tenant[] {
    return this.#all.all().map(toTenant);
  }

  markDeleting(id: string): Tenant {
    const tenantId = checkTenantId(id);
    return this.#db
      .transaction(() => {
        const current = this.#byId.get(tenantId);
        if (current === undefined) throw new PctxError('TENANT_NOT_FOUND', { tenant: tenantId });
        if (current.status === 'deleting') return toTenant(current);
        const at = this.#timestamp();
        this.#tombstone.run({ id: tenantId, at });
        this.#revokeTenantKeys.run({ id: tenantId, at });
        return this.#mustGet(tenantId);
      })
      .immediate();
  }

  listDeleting(): Tenant[] {
    return this.#deleting.all().map(toTenant);
  }

  purge(id: string): void {
    const tenantId = checkTenantId(id);
    this.#db
      .transaction(() => {
        const current = this.#byId.get(tenantId);
        if (current === undefined) return;
        if (current.status !== 'deleting') {
          throw invalidArgument('id', `tenant ${tenantId} is active; mark it deleting and remove its files before purging`);
        }
        // Keys first: api_keys.tenant_id references the tenant row.
        this.#deleteTenantKeys.run(tenantId);
        this.#deleteTenant.run(tenantId);
      })
      .immediate();
  }

  #insertNew(valid: ValidCreateInput): Tenant {
    if (valid.id !== undefined) {
      if (this.#byId.get(valid.id) !== undefined) throw new PctxError('TENANT_EXISTS', { tenant: valid.id });
      this.#assertIdentifiersFree(valid.id, valid.name);
      return this.#insertRow(valid.id, valid.name, valid.quotaBytes, valid.settings);
    }
    this.#assertNameFree(valid.name, undefined);
    return this.#insertRow(this.#freshId(), valid.name, valid.quotaBytes, valid.settings);
  }

  /** For a new tenant `id` named `name`: neither may clash with an existing id or name. */
  #assertIdentifiersFree(id: string, name: string): void {
    this.#assertNameFree(name, id);
    if (this.#byName.get(id) !== undefined) throw new PctxError('TENANT_EXISTS', { tenant: id });
  }

  /** `name` must not be another tenant's name, nor another tenant's id (ids win lookups). */
  #assertNameFree(name: string, ownId: string | undefined): void {
    if (this.#byName.get(name) !== undefined) throw new PctxError('TENANT_EXISTS', { tenant: name });
    if (isTenantId(name) && name !== ownId && this.#byId.get(name) !== undefined) {
      throw new PctxError('TENANT_EXISTS', { tenant: name });
    }
  }

  #freshId(): string {
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const candidate = this.#newTenantId();
      if (!isTenantId(candidate)) {
        throw new PctxError('INTERNAL', { reason: `tenant id generator returned ${JSON.stringify(candidate)}` });
      }
      if (candidate === LOCAL_TENANT_ID) continue;
      if (this.#byId.get(candidate) !== undefined || this.#byName.get(candidate) !== undefined) continue;
      return candidate;
    }
    throw new PctxError('INTERNAL', { reason: `no free tenant id after ${MAX_ID_ATTEMPTS} attempts` });
  }

  #insertRow(id: string, name: string, quotaBytes: number | null, settings: Record<string, unknown>): Tenant {
    const at = this.#timestamp();
    const row: TenantRow = {
      id,
      name,
      created_at: at,
      updated_at: at,
      settings: JSON.stringify(settings),
      storage_quota_bytes: quotaBytes,
      status: 'active',
      deleting_since: null,
    };
    this.#insert.run(row);
    return toTenant(row);
  }

  #requireActiveRow(id: string): TenantRow {
    const row = this.#byId.get(id);
    if (row === undefined) throw new PctxError('TENANT_NOT_FOUND', { tenant: id });
    if (row.status === 'deleting') throw new PctxError('TENANT_DELETING', { tenantId: id });
    return row;
  }

  #mustGet(id: string): Tenant {
    const row = this.#byId.get(id);
    if (row === undefined) throw new PctxError('INTERNAL', { reason: `tenant ${id} vanished inside its own transaction` });
    return toTenant(row);
  }

  #timestamp(): string {
    return toIsoTimestamp(this.#now(), 'now');
  }
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    quotaBytes: row.storage_quota_bytes,
    status: row.status,
    deletingSince: row.deleting_since,
  };
}
