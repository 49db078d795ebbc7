import Database from 'better-sqlite3';
import { PctxError } from '../errors.js';
import { TENANT_SCHEMA_VERSION, migrateTenantDb } from '../tenant/tenant-schema.js';

/** Tables whose rows carry tenant_id (defence in depth). */
export const TENANT_TABLES = ['repos', 'files', 'symbols', 'dep_edges', 'embeddings'] as const;

/** SQLite's own tables, created by AUTOINCREMENT and ANALYZE (`PRAGMA optimize`), with data only. */
const SQLITE_INTERNAL_TABLES = new Set(['sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4']);

interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

const referenceSchemas = new Map<number, Map<string, SchemaObject>>();

/** Every schema object a database of `version` has, from the migrations themselves. */
function referenceSchema(version: number): Map<string, SchemaObject> {
  let schema = referenceSchemas.get(version);
  if (!schema) {
    const db = new Database(':memory:');
    try {
      migrateTenantDb(db, '00000000', ':memory:', version);
      schema = new Map((db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema').all() as SchemaObject[]).map((o) => [`${o.type} ${o.name}`, o]));
    } finally {
      db.close();
    }
    referenceSchemas.set(version, schema);
  }
  return schema;
}

/**
 * Proves that a staged `index.db` from an archive is a tenant database of `tenantId`
 * and nothing more, before anything writes to it (a trigger would run on the first
 * write): schema version as the manifest says; exactly the schema objects the migrations
 * create for that version, with the same SQL (no extra tables, triggers or views);
 * `integrity_check` ok; the recorded owner and the `tenant_id` of every row equal to
 * `tenantId`. Any failure is BACKUP_INVALID naming it.
 */
export function validateBackupDb(db: Database.Database, archive: string, tenantId: string, schemaVersion: number): void {
  const invalid = (reason: string) => new PctxError('BACKUP_INVALID', { file: archive, reason: `index.db: ${reason}` });
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== schemaVersion) throw invalid(`schema version ${version}, the manifest says ${schemaVersion}`);
  if (version < 1 || version > TENANT_SCHEMA_VERSION) throw invalid(`schema version ${version} is not one this build knows`);

  const expected = referenceSchema(version);
  const actual = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema').all() as SchemaObject[];
  const seen = new Set<string>();
  for (const object of actual) {
    const key = `${object.type} ${object.name}`;
    seen.add(key);
    if (object.type === 'table' && SQLITE_INTERNAL_TABLES.has(object.name)) continue;
    const reference = expected.get(key);
    if (!reference) throw invalid(`unexpected ${object.type} "${object.name}"`);
    if (reference.sql !== object.sql || reference.tbl_name !== object.tbl_name) throw invalid(`${object.type} "${object.name}" is not the one schema version ${version} defines`);
  }
  for (const [key, object] of expected) if (!seen.has(key)) throw invalid(`missing ${object.type} "${object.name}"`);

  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') throw invalid(`integrity_check: ${String(integrity)}`);

  const owner = db.prepare("SELECT value FROM meta WHERE key = 'tenant_id'").pluck().get() as string | undefined;
  if (owner !== tenantId) throw invalid(`it belongs to tenant ${owner ?? '(none)'}, the manifest says ${tenantId}`);
  for (const table of TENANT_TABLES) {
    const foreign = db.prepare(`SELECT count(*) FROM ${table} WHERE tenant_id IS NOT ?`).pluck().get(tenantId) as number;
    if (foreign > 0) throw invalid(`${foreign} rows of ${table} belong to another tenant`);
  }
}
