import fs from 'node:fs';
import path from 'node:path';
import { PctxError } from '../errors.js';
import { tenantsRoot, uniqueTrashPath } from '../tenant/tenant-paths.js';
import { tenantDiskUsage } from '../tenant/quota.js';
import type { AdminContext } from './admin-context.js';

export interface DeleteTenantResult {
  tenantId: string;
  name: string;
  /** Bytes the tenant's folder occupied. */
  bytesFreed: number;
}

/** Trash folders still being removed in the background, by this process. */
const removals = new Set<Promise<void>>();

/**
 * Resolves once every trash folder this process moved aside has been removed. A
 * process that exits waits for them anyway (each is a pending fs request); this lets
 * callers and tests wait on purpose.
 */
export async function settleTenantRemovals(): Promise<void> {
  await Promise.all([...removals]);
}

function removeInBackground(dir: string): Promise<void> {
  const removal = fs.promises
    .rm(dir, { recursive: true, force: true })
    .catch((err: unknown) => process.emitWarning(`could not remove ${dir}: ${(err as Error).message}`))
    .finally(() => removals.delete(removal));
  removals.add(removal);
  return removal;
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
    }
    ctx.control.tenants.purge(tenantId);
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

/** Leftover folders younger than this may belong to another process still at work. */
const LEFTOVER_MIN_AGE_MS = 10 * 60 * 1000;

/**
 * Finishes every delete a crash interrupted (tenants still tombstoned), then removes
 * leftover trash and staging folders. Call once at start-up.
 */
export async function resumePendingDeletes(ctx: AdminContext): Promise<string[]> {
  const resumed: string[] = [];
  for (const tenant of ctx.control.tenants.listDeleting()) {
    await (await finishDelete(ctx, tenant.id, true)).removed;
    resumed.push(tenant.id);
  }
  removeLeftovers(ctx);
  return resumed;
}

/**
 * Removes `.trash-*` and `.staging-*` folders older than 10 minutes (younger ones may
 * belong to another process still at work). Cheap: one readdir of the tenants folder.
 */
export function removeLeftovers(ctx: Pick<AdminContext, 'pool' | 'now'>): void {
  const root = tenantsRoot(ctx.pool.dataDir);
  let leftovers: string[] = [];
  try {
    leftovers = fs.readdirSync(root).filter((name) => name.startsWith('.trash-') || name.startsWith('.staging-'));
  } catch {
    // No tenants folder yet: nothing to clean.
  }
  const now = (ctx.now ?? (() => new Date()))().getTime();
  for (const name of leftovers) {
    const dir = `${root}/${name}`;
    try {
      if (now - fs.statSync(dir).mtimeMs >= LEFTOVER_MIN_AGE_MS) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by its owner.
    }
  }
}
