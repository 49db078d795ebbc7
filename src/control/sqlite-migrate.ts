/**
 * Runs forward migrations tracked in `PRAGMA user_version`. Each migration and its version
 * bump commit together, so a crash leaves the database at a whole version. Several
 * processes may open the same file at once: each migration takes the write lock first
 * (BEGIN IMMEDIATE) and re-reads the version, so it is applied exactly once.
 */

import type { Database } from 'better-sqlite3';
import { PctxError } from '../errors.js';
import type { Migration } from './control-schema.js';

export function readSchemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a file written by a newer build rather than risk misreading it. */
export function assertSchemaSupported(db: Database, file: string, supported: number): void {
  const found = readSchemaVersion(db);
  if (found > supported) throw new PctxError('SCHEMA_TOO_NEW', { file, found, supported });
}

export function migrate(db: Database, file: string, migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new PctxError('INTERNAL', { reason: `migration #${index} has version ${migration.version}, expected ${index + 1}` });
    }
  });
  const supported = migrations.length;
  const apply = db.transaction((migration: Migration) => {
    assertSchemaSupported(db, file, supported);
    if (readSchemaVersion(db) >= migration.version) return;
    db.exec(migration.sql);
    // Interpolated because PRAGMA takes no bound parameters; the value is a checked integer.
    db.pragma(`user_version = ${migration.version}`);
  });
  assertSchemaSupported(db, file, supported);
  for (const migration of migrations) {
    if (readSchemaVersion(db) < migration.version) apply.immediate(migration);
  }
}
