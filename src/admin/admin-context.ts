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
}
