import { PctxError } from './errors.js';

/**
 * The tenant id format, shared by the control plane and the tenant storage engine:
 * exactly 8 lowercase hex characters. Nothing else ever becomes a tenant path.
 */
export const TENANT_ID_PATTERN = /^[0-9a-f]{8}$/;

/** The implicit tenant of local (stdio, CLI) use. */
export const LOCAL_TENANT_ID = '00000000';
export const LOCAL_TENANT_NAME = 'local';

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}

/** Throws INVALID_TENANT_ID (showing at most 64 characters of the input) unless `value` is an id. */
export function assertTenantId(value: unknown): asserts value is string {
  if (!isTenantId(value)) {
    const shown = typeof value === 'string' ? value.slice(0, 64) : typeof value;
    throw new PctxError('INVALID_TENANT_ID', { tenantId: shown });
  }
}
