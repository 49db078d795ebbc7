import fs from 'node:fs';
import path from 'node:path';
import { PctxError } from '../errors.js';
import { classifyTenantsEntry, tenantsRoot, uniqueTrashPath } from '../tenant/tenant-paths.js';
import { crashPoint } from '../util/crash-point.js';
import { isProcessAlive } from '../util/process-alive.js';
import { tenantDiskUsage } from '../tenant/quota.js';
import type { AdminContext } from './admin-context.js';
import { removeInBackground } from './trash.js';

export { settleTenantRemovals } from './trash.js';

export interface DeleteTenantResult {
  tenantId: string;
  name: string;
  /** Bytes the tenant's folder occupied. */
  bytesFreed: number;
}

/**
 * Deletes a tenant by its files, in an order that a crash at any step can resume:
 * 1. tombstone in the control plane (status `deleting`; its API keys are revoked in the
 *    same transaction, so they stop working at once);
 * 2. block the tenant in the pool and wait for outstanding leases, closing its handle;
 * 3. move the folder to a trash path (one rename);
 * 4. purge the tenant row and its keys, which clears the tombstone;
 * then remove the trash folder in the background: the tenant is gone from the moment
 * of the rename, and a crash during removal leaves a trash folder that start-up cleans.
 * Idempotent: deleting a tenant that is already tombstoned finishes the job.
 */
export async function deleteTenant(ctx: AdminContext, idOrName: string): Promise<DeleteTenantResult> {
  const tenant = ctx.control.tenants.get(idOrName);
  if (!tenant) throw new PctxError('TENANT_NOT_FOUND', { tenant: idOrName });
  ctx.control.tenants.markDeleting(tenant.id);
  crashPoint('delete.tombstoned');
  // Trash from an earlier attempt can exist only if the tenant was tombstoned already.
  const { bytes } = await finishDelete(ctx, tenant.id, tenant.status === 'deleting');
  return { tenantId: tenant.id, name: tenant.name, bytesFreed: bytes };
}

async function finishDelete(ctx: AdminContext, tenantId: string, resuming: boolean): Promise<{ bytes: number; removed: Promise<void> }> {
  await ctx.pool.block(tenantId, new PctxError('TENANT_DELETING', { tenantId }));
  try {
    const paths = ctx.pool.paths(tenantId);
    const bytes = tenantDiskUsage(paths);
    // Listing the tenants folder costs ~1 ms per 1,500 tenants: only when resuming.
    const trash: string[] = resuming ? trashOf(paths.trash) : [];
    if (fs.existsSync(paths.dir)) {
      const target = uniqueTrashPath(paths);
      fs.renameSync(paths.dir, target);
      trash.push(target);
      crashPoint('delete.moved-to-trash');
    }
    ctx.control.tenants.purge(tenantId);
    crashPoint('delete.purged');
    return { bytes, removed: Promise.all(trash.map(removeInBackground)).then(() => undefined) };
  } finally {
    ctx.pool.unblock(tenantId);
  }
}

/** Trash folders an earlier, interrupted delete of this tenant left behind. */
function trashOf(trashPrefix: string): string[] {
  const dir = path.dirname(trashPrefix);
  const base = path.basename(trashPrefix);
  try {
    return fs
      .readdirSync(dir)
      .filter((name) => name === base || name.startsWith(`${base}.`))
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** Leftover folders of older builds carry no pid: younger than this, they may still be in use. */
const LEFTOVER_MIN_AGE_MS = 10 * 60 * 1000;

/**
 * Finishes every delete a crash interrupted (tenants still tombstoned). Start-up calls it
 * through `reconcileDataDir`, which also finishes interrupted restores and removes
 * leftovers.
 */
export async function resumePendingDeletes(ctx: AdminContext): Promise<string[]> {
  const resumed: string[] = [];
  for (const tenant of ctx.control.tenants.listDeleting()) {
    await (await finishDelete(ctx, tenant.id, true)).removed;
    resumed.push(tenant.id);
  }
  return resumed;
}

/**
 * Removes `.trash-*` and `.staging-*` folders whose owner process is no longer running
 * (their names carry its pid); folders named by older builds, without a pid, once they
 * are 10 minutes old. Cheap: one readdir of the tenants folder. Run it after
 * `recoverRestores`: a crashed restore's staging and trash folders belong to its journal
 * until the restore is finished. Returns the names removed.
 */
export function removeLeftovers(ctx: Pick<AdminContext, 'pool' | 'now'>): string[] {
  const root = tenantsRoot(ctx.pool.dataDir);
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    // No tenants folder yet: nothing to clean.
  }
  const now = (ctx.now ?? (() => new Date()))().getTime();
  const removed: string[] = [];
  for (const name of names) {
    const entry = classifyTenantsEntry(name);
    if (entry.kind !== 'trash' && entry.kind !== 'staging') continue;
    const dir = path.join(root, name);
    try {
      const abandoned = entry.pid !== null ? !isProcessAlive(entry.pid) : now - fs.statSync(dir).mtimeMs >= LEFTOVER_MIN_AGE_MS;
      if (!abandoned) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Removed meanwhile by its owner.
    }
  }
  return removed;
}
