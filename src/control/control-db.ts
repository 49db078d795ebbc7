/**
 * Opens the embedded SQLite control plane (`data/control.db`) and wires its stores.
 */

import { PctxError } from '../errors.js';
import { BufferedRequestLog } from './buffered-request-log.js';
import { resolveControlDbOptions, type ControlDbOptions } from './control-db-options.js';
import type { ControlPlane } from './control-plane.js';
import { CONTROL_MIGRATIONS, CONTROL_SCHEMA_VERSION } from './control-schema.js';
import { SqliteApiKeyStore } from './sqlite-api-key-store.js';
import { enableWal, openSqliteConnection } from './sqlite-connection.js';
import { assertSchemaSupported, migrate } from './sqlite-migrate.js';
import { SqliteRequestLogStorage } from './sqlite-request-log-storage.js';
import { SqliteTenantStore } from './sqlite-tenant-store.js';

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
  const db = openSqliteConnection(file);
  try {
    // Checked before switching to WAL, which rewrites the file header.
    assertSchemaSupported(db, file, CONTROL_SCHEMA_VERSION);
    enableWal(db);
    migrate(db, file, CONTROL_MIGRATIONS);
    const requestLog = new BufferedRequestLog(
      new SqliteRequestLogStorage(db, { pruneChunkSize: resolved.requestLog.pruneChunkSize }),
      { now: resolved.now, ...resolved.requestLog },
    );
    const plane: ControlPlane = {
      tenants: new SqliteTenantStore(db, { now: resolved.now }),
      apiKeys: new SqliteApiKeyStore(db, { now: resolved.now }),
      requestLog,
      close() {
        if (!db.open) return;
        try {
          requestLog.close();
        } finally {
          db.close();
        }
      },
    };
    return Object.freeze(plane);
  } catch (err) {
    db.close();
    throw err;
  }
}
