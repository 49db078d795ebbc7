import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { runVectorBuild } from '../../src/tenant/vector-index.js';
import { TENANT_TABLES } from './generate.js';
import { RowCopier } from './row-copier.js';
import type { Template } from './templates.js';

/**
 * A tenant of at least `minSymbols` symbols in its own folder: a template copied, its
 * tenant id rewritten, then grown by copies of its own files under `copy-<k>/` paths
 * (with FTS rows and embeddings), and its HNSW file built by the product's vector build.
 */
export async function buildBigTenant(dataDir: string, tenantId: string, t: Template, minSymbols: number): Promise<{ symbols: number; bytes: number; ms: number }> {
  const started = performance.now();
  const paths = tenantPaths(dataDir, tenantId);
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  fs.copyFileSync(t.dbFile, paths.db);
  const copies = Math.ceil(minSymbols / t.symbols.length) - 1;
  const db = new Database(paths.db);
  let symbols = t.symbols.length;
  try {
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.transaction(() => {
      for (const table of TENANT_TABLES) db.prepare(`UPDATE ${table} SET tenant_id = ?`).run(tenantId);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'tenant_id'").run(tenantId);
      const repoId = db.prepare('SELECT id FROM repos').pluck().get() as number;
      const copier = new RowCopier(db, false);
      for (let k = 1; k <= copies; k++) symbols += copier.copyRows(tenantId, t, repoId, `copy-${k}/`, `@copy${k}`);
      db.prepare('UPDATE repos SET file_count = (SELECT count(*) FROM files), symbol_count = (SELECT count(*) FROM symbols)').run();
      // The embeddings changed: the next vector build must not think the (absent) file is current.
      db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'embeddings.generation'").run();
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  await runVectorBuild(paths);
  let bytes = 0;
  for (const name of fs.readdirSync(paths.dir)) bytes += fs.statSync(path.join(paths.dir, name)).size;
  return { symbols, bytes, ms: performance.now() - started };
}

/** fsyncs every file of a folder, so a delete finds it on disk and not only in dirty page cache. */
export function syncFolder(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const fd = fs.openSync(path.join(dir, name), 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
