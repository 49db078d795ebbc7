import fs from 'node:fs';
import Database from 'better-sqlite3';
import { PctxError, isPctxError } from '../errors.js';
import type { TenantPaths } from './tenant-paths.js';
import { migrateTenantDb } from './tenant-schema.js';

export type TenantDb = Database.Database;

export interface OpenTenantDbOptions {
  /**
   * Page cache of this connection in KiB. better-sqlite3 would otherwise give every
   * connection SQLite's 2 MiB default (and more once the pages are touched), which a
   * pool of hundreds of handles cannot afford.
   * @default 1024
   */
  cacheKiB?: number;
  /**
   * Create the tenant folder and database when missing. Without it a missing file is
   * reported as TENANT_NOT_FOUND.
   * @default true
   */
  create?: boolean;
}

const SQLITE_CORRUPTION = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_IOERR_SHORT_READ', 'SQLITE_CANTOPEN']);

/**
 * Maps SQLite's corruption family to TENANT_CORRUPT so that a broken file fails only
 * its own tenant with a clear message. Other errors pass through unchanged.
 */
export function mapTenantDbError(err: unknown, tenantId: string): unknown {
  if (isPctxError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SQLITE_CORRUPTION.has(code)) {
    return new PctxError('TENANT_CORRUPT', { tenantId, reason: (err as Error).message }, { cause: err });
  }
  return err;
}

/**
 * Opens one connection to a tenant's index.db: WAL, bounded cache, schema migrated, and
 * the file's recorded owner checked against `paths.tenantId` (a file copied into the
 * wrong folder must not serve another tenant).
 */
export function openTenantDb(paths: TenantPaths, options: OpenTenantDbOptions = {}): TenantDb {
  const cacheKiB = options.cacheKiB ?? 1024;
  const create = options.create ?? true;
  if (!fs.existsSync(paths.db)) {
    if (!create) throw new PctxError('TENANT_NOT_FOUND', { tenant: paths.tenantId });
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  }

  let db: TenantDb | undefined;
  try {
    db = new Database(paths.db, { fileMustExist: !create });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = -${Math.max(64, Math.floor(cacheKiB))}`);
    db.pragma('temp_store = MEMORY');
    // Keep the WAL from staying at its high-water mark after a large index run.
    db.pragma('journal_size_limit = 16777216');
    migrateTenantDb(db, paths.tenantId, paths.db);
    const owner = db.prepare("SELECT value FROM meta WHERE key = 'tenant_id'").pluck().get() as string | undefined;
    if (owner !== paths.tenantId) {
      throw new PctxError('TENANT_CORRUPT', {
        tenantId: paths.tenantId,
        reason: `the database belongs to tenant ${owner ?? '(none)'}`,
      });
    }
    return db;
  } catch (err) {
    db?.close();
    throw mapTenantDbError(err, paths.tenantId);
  }
}
