import fs from 'node:fs';
import Database from 'better-sqlite3';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import type { Template } from './templates.js';

/** Every table of the tenant schema that carries a tenant_id column. */
export const TENANT_TABLES = ['repos', 'files', 'symbols', 'dep_edges', 'embeddings'] as const;

/** The i-th benchmark tenant: 8 lowercase hex digits, like every tenant id. */
export function tenantIdOf(i: number): string {
  return (0x10000000 + i).toString(16);
}

export interface Generated {
  ids: string[];
  /** Index into the templates array, per tenant. */
  templateOf: number[];
  ms: number;
  bytes: number;
}

/**
 * Creates `count` tenants under `dataDir` the quick way: copy a template's index.db, then
 * rewrite every tenant_id column and meta.tenant_id to the new id in one transaction.
 * The result is what the product would have written for that tenant (the pool's owner
 * check accepts it), distinct per tenant, without parsing anything again.
 */
export function generateTenants(dataDir: string, templates: Template[], count: number, onProgress: (done: number) => void): Generated {
  const started = performance.now();
  const ids: string[] = [];
  const templateOf: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const id = tenantIdOf(i);
    const t = i % templates.length;
    const paths = tenantPaths(dataDir, id);
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    fs.copyFileSync(templates[t]!.dbFile, paths.db);
    const db = new Database(paths.db);
    try {
      // Generated data, not user data: no fsync per tenant.
      db.pragma('synchronous = OFF');
      db.transaction(() => {
        for (const table of TENANT_TABLES) db.prepare(`UPDATE ${table} SET tenant_id = ?`).run(id);
        db.prepare("UPDATE meta SET value = ? WHERE key = 'tenant_id'").run(id);
      })();
    } finally {
      db.close();
    }
    bytes += fs.statSync(paths.db).size;
    ids.push(id);
    templateOf.push(t);
    if ((i + 1) % 1000 === 0) onProgress(i + 1);
  }
  return { ids, templateOf, ms: performance.now() - started, bytes };
}
