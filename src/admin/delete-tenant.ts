import fs from 'node:fs';
import { PctxError } from '../errors.js';
import { tenantsRoot } from '../tenant/tenant-paths.js';
import { tenantDiskUsage } from '../tenant/quota.js';
import type { AdminContext } from './admin-context.js';

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
 * 3. move the folder to its trash path (one rename), then remove it;
 * 4. purge the tenant row and its keys, which clears the tombstone.
 * Idempotent: deleting a tenant that is already tombstoned finishes the job.
 */
export async function deleteTenant(ctx: AdminContext, idOrName: string): Promise<DeleteTenantResult> {
  const tenant = ctx.control.tenants.get(idOrName);
  if (!tenant) throw new PctxError('TENANT_NOT_FOUND', { tenant: idOrName });
  ctx.control.tenants.markDeleting(tenant.id);
  const bytesFreed = await finishDelete(ctx, tenant.id);
  return { tenantId: tenant.id, name: tenant.name, bytesFreed };
}

async function finishDelete(ctx: AdminContext, tenantId: string): Promise<number> {
  await ctx.pool.block(tenantId, new PctxError('TENANT_DELETING', { tenantId }));
  try {
    const paths = ctx.pool.paths(tenantId);
    const bytes = tenantDiskUsage(paths);
    if (fs.existsSync(paths.dir)) {
      fs.rmSync(paths.trash, { recursive: true, force: true });
      fs.renameSync(paths.dir, paths.trash);
    }
    fs.rmSync(paths.trash, { recursive: true, force: true });
    ctx.control.tenants.purge(tenantId);
    return bytes;
  } finally {
    ctx.pool.unblock(tenantId);
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
    await finishDelete(ctx, tenant.id);
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
