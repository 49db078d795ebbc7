/**
 * Opens a control-plane SQLite connection with the settings every store relies on.
 * Kept apart from `control-db.ts` so tests can check the settings on a real connection.
 */

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PctxError } from '../errors.js';

/** How long a writer waits for another process's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Negative means KiB: 2 MiB of page cache. The control plane is small and hot rows stay
 * in the OS cache; memory belongs to the tenant databases.
 */
export const CACHE_SIZE_KIB = -2000;

/**
 * Opens `file` (creating it and its parent folder) with per-connection settings. Leaves
 * the journal mode alone: that one persists in the file, so the caller switches to WAL
 * only once it knows it may write to the file.
 */
export function openSqliteConnection(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Off by default in SQLite and per connection: without it api_keys.tenant_id is not checked.
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = ${CACHE_SIZE_KIB}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * WAL lets request handlers read while the log flushes; with WAL, synchronous=NORMAL
 * loses at most the last commits on power failure, never consistency.
 */
export function enableWal(db: Database.Database): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  // SQLite keeps the old mode when WAL is impossible (no shared memory, in-memory file).
  if (mode !== 'wal') throw new PctxError('INTERNAL', { reason: `could not enable WAL journal mode on ${db.name} (got ${String(mode)})` });
  db.pragma('synchronous = NORMAL');
}
