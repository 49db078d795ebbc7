import type { ControlPlane } from '../control/index.js';
import type { TenantDbPool } from '../tenant/tenant-pool.js';

/**
 * What tenant lifecycle operations need: the control plane (who exists) and the pool
 * (open handles to close, leases to wait for). The pool's data dir locates the files.
 */
export interface AdminContext {
  control: ControlPlane;
  pool: TenantDbPool;
  now?: () => Date;
  /**
   * Runs `fn` holding the tenant's write lock, the one index runs and uploads take
   * (Engine.withWriteLock), when the caller has it: a backup then pairs the index with
   * exactly the uploaded files it was made from. Without it (a CLI next to a server),
   * see docs/tenants.md#backup for what an upload racing the backup can do.
   */
  writeLock?: <T>(tenantId: string, fn: () => Promise<T>) => Promise<T>;
}
