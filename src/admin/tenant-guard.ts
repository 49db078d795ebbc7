import type { ControlPlane } from '../control/index.js';
import { PctxError } from '../errors.js';

/**
 * The control plane's answer to "may this tenant be served?", for `TenantPoolOptions.
 * tenantGuard`: asked before a tenant folder would be created and when an open tenant's
 * folder vanished or was replaced by another process. A deleted tenant is never
 * re-created by a late request. Every process that serves tenants (CLI, stdio, HTTP)
 * passes it to its pool.
 */
export function tenantGuard(control: ControlPlane): (tenantId: string) => void {
  return (tenantId) => {
    const tenant = control.tenants.get(tenantId);
    if (tenant?.id !== tenantId) throw new PctxError('TENANT_NOT_FOUND', { tenant: tenantId });
    if (tenant.status === 'deleting') throw new PctxError('TENANT_DELETING', { tenantId });
  };
}
