import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { checkTenantName, type Tenant } from '../control/index.js';
import { PctxError, isPctxError } from '../errors.js';
import { openTenantDb } from '../tenant/tenant-db.js';
import { TENANT_FILES, newStagingDir, uniqueTrashPath, type TenantPaths } from '../tenant/tenant-paths.js';
import { TENANT_SCHEMA_VERSION } from '../tenant/tenant-schema.js';
import { sha256File } from '../util/atomic-file.js';
import type { AdminContext } from './admin-context.js';
import { BACKUP_MEMBERS, MANIFEST_NAME, parseManifest, type BackupManifest } from './backup-manifest.js';

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

/** Tables whose rows carry tenant_id (defence in depth): rewritten when restoring under a new id. */
const TENANT_TABLES = ['repos', 'files', 'symbols', 'dep_edges', 'embeddings'] as const;

/** Lists members and rejects anything but the known regular files, before extracting a byte. */
async function checkMembers(file: string): Promise<void> {
  const problems: string[] = [];
  await tar.list({
    file,
    onReadEntry: (entry) => {
      if (!BACKUP_MEMBERS.has(entry.path) || entry.type !== 'File') problems.push(`${entry.path} (${entry.type})`);
    },
  });
  if (problems.length > 0) {
    throw new PctxError('BACKUP_INVALID', { file, reason: `unexpected member ${problems[0]}` });
  }
}

function pickTarget(ctx: AdminContext, manifest: BackupManifest, options: RestoreOptions): { id: string; name: string; existing: Tenant | null } {
  const target = chooseTarget(ctx, manifest, options);
  if (target.existing?.status === 'deleting') throw new PctxError('TENANT_DELETING', { tenantId: target.existing.id });
  return target;
}

function chooseTarget(ctx: AdminContext, manifest: BackupManifest, options: RestoreOptions): { id: string; name: string; existing: Tenant | null } {
  const force = options.force ?? false;
  if (options.as !== undefined) {
    checkTenantName(options.as, 'as');
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
 * Restores a tenant from a backup archive. Everything is verified before live data is
 * touched: members (only the manifest, index.db and vectors.hnsw), manifest shape,
 * sizes and SHA-256, schema version (newer than this build → SCHEMA_TOO_NEW), SQLite
 * integrity. The tenant is assembled in a staging folder (ids rewritten when restoring
 * under another id, schema migrated), then moved into place with one rename; a replaced
 * tenant is blocked in the pool (outstanding leases drain) while its folder is swapped.
 */
export async function restoreTenant(ctx: AdminContext, archive: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const started = performance.now();
  const file = path.resolve(archive);
  if (!fs.existsSync(file)) throw new PctxError('BACKUP_INVALID', { file, reason: 'no such file' });
  const staging = newStagingDir(ctx.pool.dataDir);
  try {
    try {
      await checkMembers(file);
      await tar.extract({ file, cwd: staging, strict: true, filter: (p) => BACKUP_MEMBERS.has(p) });
    } catch (err) {
      if (isPctxError(err)) throw err;
      throw new PctxError('BACKUP_INVALID', { file, reason: (err as Error).message }, { cause: err });
    }
    const manifestPath = path.join(staging, MANIFEST_NAME);
    if (!fs.existsSync(manifestPath)) throw new PctxError('BACKUP_INVALID', { file, reason: 'no manifest.json' });
    const manifest = parseManifest(file, fs.readFileSync(manifestPath, 'utf8'));
    for (const entry of manifest.files) {
      const member = path.join(staging, entry.name);
      if (!fs.existsSync(member)) throw new PctxError('BACKUP_INVALID', { file, reason: `${entry.name} is missing` });
      if (fs.statSync(member).size !== entry.size || sha256File(member) !== entry.sha256) {
        throw new PctxError('BACKUP_INVALID', { file, reason: `${entry.name} does not match its checksum` });
      }
    }
    fs.rmSync(manifestPath);
    if (manifest.schemaVersion > TENANT_SCHEMA_VERSION) {
      throw new PctxError('SCHEMA_TOO_NEW', { file, found: manifest.schemaVersion, supported: TENANT_SCHEMA_VERSION });
    }

    const target = pickTarget(ctx, manifest, options);
    const stagedDb = path.join(staging, TENANT_FILES.db);
    try {
      const raw = new Database(stagedDb);
      try {
        const check = raw.pragma('integrity_check', { simple: true });
        if (check !== 'ok') throw new PctxError('BACKUP_INVALID', { file, reason: `integrity_check: ${String(check)}` });
        if (target.id !== manifest.tenant.id) {
          raw.transaction(() => {
            for (const table of TENANT_TABLES) raw.prepare(`UPDATE ${table} SET tenant_id = ?`).run(target.id);
            raw.prepare("UPDATE meta SET value = ? WHERE key = 'tenant_id'").run(target.id);
          })();
        }
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
    for (const leftover of fs.readdirSync(staging)) if (!BACKUP_MEMBERS.has(leftover)) fs.rmSync(path.join(staging, leftover), { force: true });

    const live = ctx.pool.paths(target.id);
    await ctx.pool.block(target.id, new PctxError('TENANT_DELETING', { tenantId: target.id }, { message: `Tenant "${target.id}" is being restored` }));
    let tenant: Tenant;
    try {
      const trash = uniqueTrashPath(live);
      if (fs.existsSync(live.dir)) fs.renameSync(live.dir, trash);
      fs.renameSync(staging, live.dir);
      fs.rmSync(trash, { recursive: true, force: true });
      tenant = target.existing
        ? ctx.control.tenants.update(target.id, { name: target.name, settings: manifest.tenant.settings, quotaBytes: manifest.tenant.quotaBytes })
        : ctx.control.tenants.create({ id: target.id, name: target.name, settings: manifest.tenant.settings, quotaBytes: manifest.tenant.quotaBytes });
    } finally {
      ctx.pool.unblock(target.id);
    }
    return { tenant, manifest, replaced: target.existing !== null, fromSchemaVersion: manifest.schemaVersion, durationMs: performance.now() - started };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
