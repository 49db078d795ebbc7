/**
 * Opens the embedded SQLite control plane (`data/control.db`) and wires its stores.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PctxError, isPctxError } from '../errors.js';
import { BufferedRequestLog } from './buffered-request-log.js';
import { resolveControlDbOptions, type ControlDbOptions } from './control-db-options.js';
import type { ControlPlane } from './control-plane.js';
import { CONTROL_MIGRATIONS, CONTROL_SCHEMA_VERSION } from './control-schema.js';
import { SqliteApiKeyStore } from './sqlite-api-key-store.js';
import { enableWal, openSqliteConnection } from './sqlite-connection.js';
import { assertSchemaSupported, migrate } from './sqlite-migrate.js';
import { SqliteRequestLogStorage } from './sqlite-request-log-storage.js';
import { SqliteTenantStore } from './sqlite-tenant-store.js';
import { WalChangeProbe } from '../util/wal-change-probe.js';

/**
 * Opens or creates the control database at `file` (and its parent folder), brings its
 * schema up to date, and returns the stores. A file from a newer build → SCHEMA_TOO_NEW,
 * and the file is left untouched. One ControlPlane per process is enough: every method
 * is synchronous and better-sqlite3 serializes access to the connection.
 */
export function openControlDb(file: string, options?: ControlDbOptions): ControlPlane {
  if (typeof file !== 'string' || file.length === 0) {
    throw new PctxError('INVALID_CONFIG', { option: 'file', reason: 'expected a non-empty path' });
  }
  const resolved = resolveControlDbOptions(options);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat && !stat.isFile()) throw new PctxError('CONTROL_CORRUPT', { file, reason: 'not a regular file' });
  // SQLite would take an empty file for a new database and every tenant folder would be orphaned.
  if (stat && stat.size === 0) throw new PctxError('CONTROL_CORRUPT', { file, reason: 'the file is empty (0 bytes)' });
  if (!stat) createControlDbFile(file);
  let db: Database.Database;
  try {
    db = openSqliteConnection(file);
  } catch (err) {
    throw mapControlDbError(err, file);
  }
  let probe: WalChangeProbe | undefined;
  try {
    // Checked before switching to WAL, which rewrites the file header.
    assertSchemaSupported(db, file, CONTROL_SCHEMA_VERSION);
    enableWal(db);
    migrate(db, file, CONTROL_MIGRATIONS);
    const requestLog = new BufferedRequestLog(
      new SqliteRequestLogStorage(db, { pruneChunkSize: resolved.requestLog.pruneChunkSize }),
      { now: resolved.now, ...resolved.requestLog },
    );
    // Lets the authenticator reuse a key it verified while nothing has committed since.
    // Every connection of this process to control.db is a plane's and has a probe; the
    // probes of one file share a descriptor, closed after the last plane's connection
    // (see WalChangeProbe on POSIX locks).
    const changes = (probe = new WalChangeProbe(file));
    const plane: ControlPlane = {
      tenants: new SqliteTenantStore(db, { now: resolved.now }),
      apiKeys: new SqliteApiKeyStore(db, { now: resolved.now, changeVersion: () => changes.version() }),
      requestLog,
      close() {
        if (!db.open) return;
        try {
          requestLog.close();
        } finally {
          db.close();
          changes.close();
        }
      },
    };
    return Object.freeze(plane);
  } catch (err) {
    db.close();
    probe?.close();
    throw mapControlDbError(err, file);
  }
}

const SQLITE_CORRUPTION = /^SQLITE_(NOTADB|CORRUPT|IOERR_SHORT_READ|CANTOPEN)/;

/** SQLite's "this is not (or no longer) a database" family becomes CONTROL_CORRUPT. */
function mapControlDbError(err: unknown, file: string): unknown {
  if (isPctxError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SQLITE_CORRUPTION.test(code)) {
    return new PctxError('CONTROL_CORRUPT', { file, reason: (err as Error).message }, { cause: err });
  }
  return err;
}

/**
 * Creates control.db whole: the schema goes into a temp file that is then linked into
 * place (never replacing a file another process created meanwhile). So an existing
 * control.db is always a complete database, and an empty one is corruption.
 */
function createControlDbFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const fresh = new Database(tmp);
    try {
      migrate(fresh, file, CONTROL_MIGRATIONS);
    } finally {
      fresh.close();
    }
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(`${tmp}-journal`, { force: true });
  }
}
