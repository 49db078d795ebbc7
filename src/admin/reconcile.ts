import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_TENANT_ID, LOCAL_TENANT_NAME } from '../control/index.js';
import { isPctxError } from '../errors.js';
import { openTenantDb, removeDeadTempFiles } from '../tenant/tenant-db.js';
import { classifyTenantsEntry, restoreJournalPath, tenantsRoot } from '../tenant/tenant-paths.js';
import { indexedRepoFiles, recoverUploads } from '../tenant/uploads.js';
import type { AdminContext } from './admin-context.js';
import { removeDeadBackupWork } from './backup-tenant.js';
import { removeLeftovers, resumePendingDeletes } from './delete-tenant.js';
import { recoverRestores } from './restore-journal.js';

export interface ReconcileReport {
  /** Tenants whose restore a crash interrupted after its commit point, now finished. */
  restoresFinished: string[];
  /** Tenants whose delete a crash interrupted, now finished. */
  deletesFinished: string[];
  /** Tenant folders without a control-plane row, now registered under these names. */
  adopted: { id: string; name: string }[];
  /** Tenant folders without a row that could not be adopted, and why. Left untouched. */
  orphans: { id: string; reason: string }[];
  /** Restore journals that could not be read; leftovers are kept while one exists. */
  unreadableJournals: string[];
  /** Leftovers of dead processes removed: trash, staging and temp names, backup work folders. */
  leftoversRemoved: string[];
  /** Uploads whose replacement a crash interrupted, settled: `<tenant id>: <what was done>`. */
  uploadsSettled: string[];
}

export interface ReconcileOptions {
  /** Where backups stage their work. @default os.tmpdir() */
  tmpDir?: string;
}

/**
 * Makes the data folder and the control plane agree again after any crash. Every
 * command and server runs it once at start, before serving anything:
 * 1. finish restores whose journal a dead process left (old or new tenant, never empty);
 * 2. finish deletes left tombstoned;
 * 3. remove leftovers of dead processes: `.trash-*` and `.staging-*` folders, temp files
 *    in the data folder, `pctx-backup-*` work folders in the OS temp dir (a live
 *    owner's are left alone);
 * 4. settle upload replacements of dead processes (settleDeadUploads);
 * 5. adopt tenant folders that have no control-plane row (a lost or replaced
 *    control.db): a folder whose index.db opens and names it as owner is registered (the
 *    local tenant as `local`, others as `recovered-<id>`); any other is reported, not
 *    touched.
 * Cheap when there is nothing to do: one readdir of the tenants folder and one of the OS
 * temp dir.
 */
export async function reconcileDataDir(ctx: AdminContext, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const { recovered, unreadable } = await recoverRestores(ctx);
  const deletesFinished = ctx.control.tenants.listDeleting().length > 0 ? await resumePendingDeletes(ctx) : [];
  const leftoversRemoved = [
    // A staging folder named by an unreadable journal may hold the only copy: keep them all.
    ...(unreadable.length === 0 ? removeLeftovers(ctx) : []),
    ...removeDeadTempFiles(ctx.pool.dataDir),
    ...removeDeadBackupWork(options.tmpDir),
  ];
  const uploadsSettled = settleDeadUploads(ctx);
  const { adopted, orphans } = adoptOrphans(ctx);
  return { restoresFinished: recovered, deletesFinished, adopted, orphans, unreadableJournals: unreadable, leftoversRemoved, uploadsSettled };
}

/**
 * Upload replacements a dead process left half done, in every active tenant: its staging
 * folders removed, the previous upload put back or removed so that the files on disk are
 * the version the index holds (recoverUploads). One readdir per tenant folder with
 * uploads; a tenant's database is read only when a replacement was interrupted.
 */
function settleDeadUploads(ctx: AdminContext): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(tenantsRoot(ctx.pool.dataDir));
  } catch {
    return [];
  }
  const settled: string[] = [];
  for (const name of names) {
    const entry = classifyTenantsEntry(name);
    if (entry.kind !== 'tenant' || ctx.control.tenants.get(entry.tenantId)?.status !== 'active') continue;
    const tenantId = entry.tenantId;
    const paths = ctx.pool.paths(tenantId);
    if (!fs.existsSync(paths.uploads)) continue;
    try {
      const done = recoverUploads(paths, {
        mode: 'startup',
        indexedFiles: (repo) => {
          const lease = ctx.pool.acquire(tenantId);
          try {
            return indexedRepoFiles(lease.db, tenantId, repo);
          } finally {
            lease.release();
          }
        },
      });
      settled.push(...done.map((line) => `${tenantId}: ${line}`));
    } catch (err) {
      // A tenant that cannot be read keeps its leftovers; its next upload settles them.
      settled.push(`${tenantId}: left its interrupted upload as it was: ${(err as Error).message}`);
    }
  }
  return settled;
}

function adoptOrphans(ctx: AdminContext): Pick<ReconcileReport, 'adopted' | 'orphans'> {
  const adopted: ReconcileReport['adopted'] = [];
  const orphans: ReconcileReport['orphans'] = [];
  let names: string[];
  try {
    names = fs.readdirSync(tenantsRoot(ctx.pool.dataDir));
  } catch {
    return { adopted, orphans };
  }
  const folders = names.flatMap((n) => {
    const entry = classifyTenantsEntry(n);
    return entry.kind === 'tenant' ? [entry.tenantId] : [];
  });
  if (folders.length === 0) return { adopted, orphans };
  const known = new Set(ctx.control.tenants.list().map((t) => t.id));
  for (const id of folders) {
    if (known.has(id)) continue;
    // A restore in flight creates its row after moving the folder in; a tenant created meanwhile has its row first.
    if (fs.existsSync(restoreJournalPath(ctx.pool.dataDir, id)) || ctx.control.tenants.get(id)?.id === id) continue;
    const paths = ctx.pool.paths(id);
    if (!fs.existsSync(paths.db)) {
      orphans.push({ id, reason: `${path.join('tenants', id)} has no index.db` });
      continue;
    }
    try {
      openTenantDb(paths, { create: false }).close();
    } catch (err) {
      orphans.push({ id, reason: isPctxError(err) ? err.message : String(err) });
      continue;
    }
    if (id === LOCAL_TENANT_ID) {
      ctx.control.tenants.ensure({ id, name: LOCAL_TENANT_NAME });
      adopted.push({ id, name: LOCAL_TENANT_NAME });
      continue;
    }
    let name = `recovered-${id}`;
    for (let n = 2; ctx.control.tenants.get(name) !== null; n++) name = `recovered-${id}-${n}`;
    ctx.control.tenants.create({ id, name });
    adopted.push({ id, name });
  }
  return { adopted, orphans };
}

/** One sentence per repair a reconciliation made, for a note on stderr; [] when all was in order. */
export function describeRepairs(report: ReconcileReport): string[] {
  return [
    ...report.restoresFinished.map((id) => `finished an interrupted restore of tenant ${id}`),
    ...report.deletesFinished.map((id) => `finished an interrupted delete of tenant ${id}`),
    ...report.adopted.map((t) => `adopted tenant folder ${t.id}, which had no control-plane row, as "${t.name}"`),
    ...report.orphans.map((o) => `tenant folder ${o.id} has no control-plane row and was left alone: ${o.reason}`),
    ...report.unreadableJournals.map((f) => `restore journal ${f} is unreadable; leftover staging and trash folders are kept until it is removed`),
    ...report.uploadsSettled.filter((line) => !line.includes(': removed ')).map((line) => `uploads of tenant ${line}`),
  ];
}
