import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PctxError, isOutOfFileDescriptors, isPctxError } from '../errors.js';
import { fileDescriptorHeadroom } from '../util/fd-limit.js';
import { fsyncPath, parseTempName, tempPathFor } from '../util/atomic-file.js';
import { isProcessAlive } from '../util/process-alive.js';
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
/** Descriptors a database open needs (db, -wal, -shm, a journal or temp file), with margin. */
const FD_HEADROOM_NEEDED = 8;

export function mapTenantDbError(err: unknown, tenantId: string): unknown {
  if (isPctxError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (isOutOfFileDescriptors(err) || (code === 'SQLITE_CANTOPEN' && outOfFileDescriptorsNow())) {
    return new PctxError('TOO_MANY_OPEN_FILES', { reason: (err as Error).message }, { cause: err });
  }
  if (typeof code === 'string' && SQLITE_CORRUPTION.has(code)) {
    return new PctxError('TENANT_CORRUPT', { tenantId, reason: (err as Error).message }, { cause: err });
  }
  return err;
}

/**
 * SQLite says only "unable to open database file" (SQLITE_CANTOPEN), whether the file is
 * damaged or the process is out of file descriptors; so a busy server never calls a
 * healthy tenant corrupt, a CANTOPEN close to the fd limit is taken for the latter.
 */
function outOfFileDescriptorsNow(): boolean {
  return fileDescriptorHeadroom() < FD_HEADROOM_NEEDED;
}

/**
 * Removes temp files that a crashed process left in the tenant folder (a vector build's
 * `.vectors.hnsw.<pid>.<hex>.tmp`, a database being created): those whose pid is no
 * longer running. A live owner's files are left alone. Returns the names removed.
 */
export function removeDeadTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const temp = parseTempName(name);
    if (temp === null || isProcessAlive(temp.pid)) continue;
    fs.rmSync(path.join(dir, name), { force: true, recursive: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Creates the tenant's index.db all at once: the schema is written to a temp file, which
 * is then linked into place (link, unlike rename, never replaces a file another process
 * created meanwhile). So an existing index.db is always a whole database, and an empty
 * or unreadable one is corruption, never "a new tenant".
 */
function createTenantDbFile(paths: TenantPaths): void {
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(paths.db);
  try {
    const fresh = new Database(tmp);
    try {
      migrateTenantDb(fresh, paths.tenantId, paths.db);
    } finally {
      fresh.close();
    }
    fsyncPath(tmp);
    try {
      fs.linkSync(tmp, paths.db);
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    fsyncPath(paths.dir);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(`${tmp}-journal`, { force: true });
  }
}

/** An existing index.db that cannot be a database: refused before SQLite would format it. */
function checkExistingFile(paths: TenantPaths, stat: fs.Stats): void {
  if (!stat.isFile()) {
    throw new PctxError('TENANT_CORRUPT', { tenantId: paths.tenantId, reason: `${paths.db} is not a regular file` });
  }
  if (stat.size === 0) {
    // SQLite would treat it as a new, empty database and serve "no symbols": data gone silently.
    throw new PctxError('TENANT_CORRUPT', { tenantId: paths.tenantId, reason: `${paths.db} is empty (0 bytes)` });
  }
}

/**
 * Opens one connection to a tenant's index.db: WAL, bounded cache, schema migrated, and
 * the file's recorded owner checked against `paths.tenantId` (a file copied into the
 * wrong folder must not serve another tenant). A missing file is created whole (see
 * createTenantDbFile) when `create` allows; an empty or non-regular one is
 * TENANT_CORRUPT. Temp files of crashed processes in the folder are removed first.
 */
export function openTenantDb(paths: TenantPaths, options: OpenTenantDbOptions = {}): TenantDb {
  const cacheKiB = options.cacheKiB ?? 1024;
  const create = options.create ?? true;
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(paths.db);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw mapTenantDbError(err, paths.tenantId);
  }
  if (stat) checkExistingFile(paths, stat);
  removeDeadTempFiles(paths.dir);
  if (!stat) {
    if (!create) throw new PctxError('TENANT_NOT_FOUND', { tenant: paths.tenantId });
    try {
      createTenantDbFile(paths);
    } catch (err) {
      throw mapTenantDbError(err, paths.tenantId);
    }
  }

  let db: TenantDb | undefined;
  try {
    db = new Database(paths.db, { fileMustExist: true });
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
