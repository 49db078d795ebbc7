import { PctxError } from '../errors.js';
import type { Permission } from '../control/index.js';
import type { Principal } from './authenticator.js';

/**
 * Throws FORBIDDEN unless the principal holds `needed`. Permissions do not imply each
 * other: an `admin` key without `read` cannot search. Keys get exactly what they list.
 */
export function requirePermission(principal: Principal, needed: Permission): void {
  if (principal.permissions.includes(needed)) return;
  const granted = [...principal.permissions];
  throw new PctxError('FORBIDDEN', { needed, granted }, {
    message: `This API key lacks the "${needed}" permission (it has: ${granted.join(', ') || 'none'})`,
  });
}
