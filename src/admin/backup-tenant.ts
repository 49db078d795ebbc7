import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { PctxError } from '../errors.js';
import { TENANT_FILES } from '../tenant/tenant-paths.js';
import { readSchemaVersion } from '../tenant/tenant-schema.js';
import { readVectorFileState } from '../tenant/vector-state.js';
import { commitTempFile, sha256File, tempPathFor } from '../util/atomic-file.js';
import type { AdminContext } from './admin-context.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, MANIFEST_NAME, type BackupManifest } from './backup-manifest.js';

export interface BackupResult {
  file: string;
  manifest: BackupManifest;
  /** Size of the archive. */
  bytes: number;
  durationMs: number;
}

/**
 * Writes one tar.gz archive of a tenant: a consistent SQLite snapshot, the HNSW file
 * when it matches that snapshot, and a manifest with SHA-256 of each file.
 *
 * The snapshot is `VACUUM INTO` on the tenant's handle: a single read transaction, so it
 * is consistent while other connections keep writing and, unlike the page-copying backup
 * API (which restarts whenever another connection writes), it finishes in time
 * proportional to the database size however busy the tenant is. The HNSW file is
 * included only if its SHA-256 is the one recorded in the snapshot; otherwise restore
 * rebuilds it from the embeddings table. The archive is written to a temp file and
 * renamed into place.
 */
export async function backupTenant(ctx: AdminContext, idOrName: string, outFile: string): Promise<BackupResult> {
  const started = performance.now();
  const tenant = ctx.control.tenants.require(idOrName);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pctx-backup-'));
  try {
    const snapshot = path.join(work, TENANT_FILES.db);
    const vectorsCopy = path.join(work, TENANT_FILES.vectors);
    let includeVectors = false;
    await ctx.pool.withTenant(tenant.id, (lease) => {
      lease.db.prepare('VACUUM INTO ?').run(snapshot);
      if (fs.existsSync(lease.paths.vectors)) fs.copyFileSync(lease.paths.vectors, vectorsCopy);
    });

    const snap = new Database(snapshot, { readonly: true });
    let schemaVersion: number;
    try {
      const integrity = snap.pragma('quick_check', { simple: true });
      if (integrity !== 'ok') throw new PctxError('TENANT_CORRUPT', { tenantId: tenant.id, reason: `snapshot check: ${String(integrity)}` });
      schemaVersion = readSchemaVersion(snap);
      const state = readVectorFileState(snap);
      includeVectors = state !== null && fs.existsSync(vectorsCopy) && sha256File(vectorsCopy) === state.sha256;
    } finally {
      snap.close();
    }
    if (!includeVectors) fs.rmSync(vectorsCopy, { force: true });

    const members = includeVectors ? [TENANT_FILES.db, TENANT_FILES.vectors] : [TENANT_FILES.db];
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      tenant: { id: tenant.id, name: tenant.name, settings: tenant.settings, quotaBytes: tenant.quotaBytes },
      schemaVersion,
      createdAt: (ctx.now ?? (() => new Date()))().toISOString(),
      files: members.map((name) => {
        const file = path.join(work, name);
        return { name: name as BackupManifest['files'][number]['name'], size: fs.statSync(file).size, sha256: sha256File(file) };
      }),
    };
    fs.writeFileSync(path.join(work, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);

    const target = path.resolve(outFile);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = tempPathFor(target);
    try {
      await tar.create({ gzip: true, file: tmp, cwd: work, portable: true }, [MANIFEST_NAME, ...members]);
      commitTempFile(tmp, target);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return { file: target, manifest, bytes: fs.statSync(target).size, durationMs: performance.now() - started };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
