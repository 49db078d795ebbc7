import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LOCAL_TENANT_NAME, checkTenantName, type Tenant } from '../control/index.js';
import { PctxError, invalidArgument, isPctxError } from '../errors.js';
import { openTenantDb } from '../tenant/tenant-db.js';
import { extractArchive as extractUploads } from '../ingest/archive-extract.js';
import { resolveArchiveLimits } from '../ingest/archive-limits.js';
import { isRepoName } from '../repo-name.js';
import { TENANT_FILES, newStagingDir, tenantsRoot, uniqueTrashPath, type TenantPaths } from '../tenant/tenant-paths.js';
import { TENANT_SCHEMA_VERSION } from '../tenant/tenant-schema.js';
import { fsyncPath, sha256File } from '../util/atomic-file.js';
import { crashPoint } from '../util/crash-point.js';
import type { AdminContext } from './admin-context.js';
import { extractArchive, readArchiveManifest } from './backup-archive.js';
import { UPLOADS_MEMBER, type BackupManifest } from './backup-manifest.js';
import { applyRestore, writeRestoreJournal } from './restore-journal.js';
import { TENANT_TABLES, validateBackupDb } from './validate-backup-db.js';

export interface RestoreOptions {
  /** Restore under this tenant name (a new tenant unless it exists and `force`). */
  as?: string;
  /** Replace the data of an existing tenant of that id (or `as` name). @default false */
  force?: boolean;
}

export interface RestoreResult {
  tenant: Tenant;
  manifest: BackupManifest;
  /** True when an existing tenant's data was replaced. */
  replaced: boolean;
  /** The schema version the backup had; the restored tenant is migrated to the current one. */
  fromSchemaVersion: number;
  durationMs: number;
}

function pickTarget(ctx: AdminContext, manifest: BackupManifest, options: RestoreOptions): { id: string; name: string; existing: Tenant | null } {
  const target = chooseTarget(ctx, manifest, options);
  if (target.existing?.status === 'deleting') throw new PctxError('TENANT_DELETING', { tenantId: target.existing.id });
  return target;
}

function chooseTarget(ctx: AdminContext, manifest: BackupManifest, options: RestoreOptions): { id: string; name: string; existing: Tenant | null } {
  const force = options.force ?? false;
  if (options.as !== undefined) {
    const existing = ctx.control.tenants.get(options.as);
    if (existing && existing.name !== options.as) {
      // `as` names a tenant id, not a name: restoring "as" an id is not a thing.
      throw new PctxError('TENANT_EXISTS', { tenant: options.as });
    }
    if (existing && !force) throw new PctxError('TENANT_EXISTS', { tenant: options.as });
    if (existing) return { id: existing.id, name: existing.name, existing };
    let id: string;
    do id = crypto.randomBytes(4).toString('hex');
    while (id === '00000000' || ctx.control.tenants.get(id) !== null);
    return { id, name: options.as, existing: null };
  }
  const byId = ctx.control.tenants.get(manifest.tenant.id);
  const byName = ctx.control.tenants.get(manifest.tenant.name);
  if (byName && byName.id !== manifest.tenant.id) {
    // Never clobber an unrelated tenant that happens to hold the name.
    throw new PctxError('TENANT_EXISTS', { tenant: manifest.tenant.name });
  }
  const existing = byId && byId.id === manifest.tenant.id ? byId : null;
  if (existing && !force) throw new PctxError('TENANT_EXISTS', { tenant: manifest.tenant.id });
  return { id: manifest.tenant.id, name: manifest.tenant.name, existing };
}

/**
 * Points every uploaded repository at the restored tenant's own uploads folder. Its
 * `root_path` names the folder it was uploaded to, `…/<source id>/uploads/<name>`, in
 * the data folder the backup came from; left as it is, a re-index or a source check
 * would read another tenant's folder, or one on another machine. Backups of format 1,
 * which hold no uploaded files, are relinked too: their next upload re-creates the folder.
 */
function relinkUploads(db: Database.Database, sourceId: string, uploads: string): void {
  const suffix = new RegExp(`[\\\\/]${sourceId}[\\\\/]${TENANT_FILES.uploads}[\\\\/]([^\\\\/]+)$`);
  const update = db.prepare('UPDATE repos SET root_path = ? WHERE id = ?');
  for (const row of db.prepare('SELECT id, root_path AS rootPath FROM repos').all() as { id: number; rootPath: string }[]) {
    const name = suffix.exec(row.rootPath)?.[1];
    if (name !== undefined && isRepoName(name)) update.run(path.join(uploads, name), row.id);
  }
}

/**
 * Extracts `uploads.tar.gz` (already checked against its SHA-256) into the staging
 * tenant's `uploads/` with the upload extractor's rules — files and folders only, no
 * links, no `..` — capped at what the manifest says it holds; then fsyncs every file,
 * as the swap that follows makes them live.
 */
async function unpackUploads(file: string, staging: string, expected: NonNullable<BackupManifest['uploads']>): Promise<void> {
  const dest = path.join(staging, TENANT_FILES.uploads);
  fs.mkdirSync(dest, { mode: 0o700 });
  const member = path.join(staging, UPLOADS_MEMBER);
  try {
    await extractUploads(fs.createReadStream(member), dest, {
      limits: resolveArchiveLimits({
        maxCompressedBytes: Math.max(1, fs.statSync(member).size),
        maxExpandedBytes: Math.max(1, expected.bytes),
        maxFiles: Math.max(1, expected.files + expected.folders),
      }),
    });
  } catch (err) {
    throw new PctxError('BACKUP_INVALID', { file, reason: `${UPLOADS_MEMBER}: ${(err as Error).message}` }, { cause: err });
  }
  const found = fs.readdirSync(dest).sort();
  if (found.join('/') !== [...expected.repos].sort().join('/')) {
    throw new PctxError('BACKUP_INVALID', { file, reason: `${UPLOADS_MEMBER} holds ${found.join(', ') || 'nothing'}, the manifest lists ${expected.repos.join(', ')}` });
  }
  fsyncTree(dest);
}

function fsyncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(full);
    else fsyncPath(full);
  }
  fsyncPath(dir);
}

/** `--as` is checked before the archive is read: a bad name never touches a folder. */
function checkAsName(name: string | undefined): void {
  if (name === undefined) return;
  checkTenantName(name, 'as');
  if (name === LOCAL_TENANT_NAME) {
    // Restoring over the local tenant by name would replace it even with --force: refused as documented.
    throw invalidArgument('as', `"${LOCAL_TENANT_NAME}" is reserved for the local tenant; restore its own backup without --as to replace it`);
  }
}

/**
 * Restores a tenant from a backup archive. Everything is verified before live data is
 * touched: members (only the manifest, index.db and vectors.hnsw, each the size the
 * manifest gives it, extraction capped at that size), manifest shape, SHA-256, schema
 * version (newer than this build → SCHEMA_TOO_NEW), and the database itself (exactly the
 * schema objects of its version, integrity, the tenant id of every row). The tenant is
 * assembled in a staging folder (ids rewritten when restoring under another id, schema
 * migrated), then a journal records the swap and the staged folder replaces the live
 * one (see restore-journal.ts): a crash at any point leaves the old tenant or the new
 * one, and the next start finishes what the journal describes.
 */
export async function restoreTenant(ctx: AdminContext, archive: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const started = performance.now();
  const file = path.resolve(archive);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new PctxError('BACKUP_INVALID', { file, reason: 'no such file' });
  if (!stat.isFile()) throw new PctxError('BACKUP_INVALID', { file, reason: 'not a regular file' });
  checkAsName(options.as);
  const manifest = await readArchiveManifest(file);
  if (manifest.schemaVersion > TENANT_SCHEMA_VERSION) {
    throw new PctxError('SCHEMA_TOO_NEW', { file, found: manifest.schemaVersion, supported: TENANT_SCHEMA_VERSION });
  }
  const target = pickTarget(ctx, manifest, options);

  const staging = newStagingDir(ctx.pool.dataDir);
  let committed = false;
  try {
    await extractArchive(file, staging, manifest);
    for (const entry of manifest.files) {
      if (sha256File(path.join(staging, entry.name)) !== entry.sha256) {
        throw new PctxError('BACKUP_INVALID', { file, reason: `${entry.name} does not match its checksum` });
      }
    }
    crashPoint('restore.extracted');
    const stagedDb = path.join(staging, TENANT_FILES.db);
    try {
      const raw = new Database(stagedDb, { fileMustExist: true });
      try {
        // Before any write: a trigger hidden in the file would run on the first one.
        validateBackupDb(raw, file, manifest.tenant.id, manifest.schemaVersion);
        raw.transaction(() => {
          if (target.id !== manifest.tenant.id) {
            for (const table of TENANT_TABLES) raw.prepare(`UPDATE ${table} SET tenant_id = ?`).run(target.id);
            raw.prepare("UPDATE meta SET value = ? WHERE key = 'tenant_id'").run(target.id);
          }
          relinkUploads(raw, manifest.tenant.id, path.join(fs.realpathSync(tenantsRoot(ctx.pool.dataDir)), target.id, TENANT_FILES.uploads));
        })();
      } finally {
        raw.close();
      }
      // Migrate an older schema and prove the staged tenant opens as its new owner.
      const stagedPaths: TenantPaths = { tenantId: target.id, dir: staging, db: stagedDb, vectors: path.join(staging, TENANT_FILES.vectors), uploads: path.join(staging, TENANT_FILES.uploads), trash: '' };
      openTenantDb(stagedPaths, { create: false }).close();
    } catch (err) {
      if (isPctxError(err, 'SCHEMA_TOO_NEW') || isPctxError(err, 'BACKUP_INVALID')) throw err;
      // Checksums matched, so the archive is what was written, but it is not a tenant database.
      throw new PctxError('BACKUP_INVALID', { file, reason: `index.db: ${(err as Error).message}` }, { cause: err });
    }
    if (manifest.uploads) await unpackUploads(file, staging, manifest.uploads);
    for (const leftover of fs.readdirSync(staging)) {
      const member = path.join(staging, leftover);
      if (leftover === TENANT_FILES.uploads && manifest.uploads) continue;
      if (leftover === UPLOADS_MEMBER || !manifest.files.some((f) => f.name === leftover)) fs.rmSync(member, { force: true });
      else fsyncPath(member);
    }
    fsyncPath(staging);

    const live = ctx.pool.paths(target.id);
    await ctx.pool.block(target.id, new PctxError('TENANT_DELETING', { tenantId: target.id }, { message: `Tenant "${target.id}" is being restored` }));
    let tenant: Tenant | null;
    try {
      const journal = {
        tenantId: target.id,
        staging: path.basename(staging),
        trash: path.basename(uniqueTrashPath(live)),
        tenant: { name: target.name, settings: manifest.tenant.settings, quotaBytes: manifest.tenant.quotaBytes },
        pid: process.pid,
        createdAt: (ctx.now ?? (() => new Date()))().toISOString(),
      };
      writeRestoreJournal(ctx.pool.dataDir, journal);
      committed = true;
      crashPoint('restore.journal-written');
      tenant = applyRestore(ctx, journal).tenant;
    } finally {
      ctx.pool.unblock(target.id);
    }
    if (tenant === null) throw new PctxError('TENANT_DELETING', { tenantId: target.id });
    return { tenant, manifest, replaced: target.existing !== null, fromSchemaVersion: manifest.schemaVersion, durationMs: performance.now() - started };
  } finally {
    // Once the journal exists the staging folder is the restore's; the swap consumed it or recovery will.
    if (!committed) fs.rmSync(staging, { recursive: true, force: true });
  }
}
