/**
 * Public surface of the control plane. Everything else in this folder is an
 * implementation detail; no control-plane SQL exists outside it.
 */

export { openControlDb } from './control-db.js';
export type { ControlDbOptions, RequestLogOptions } from './control-db-options.js';
export type { ControlPlane } from './control-plane.js';
export { CONTROL_SCHEMA_VERSION } from './control-schema.js';
export type { Clock } from './timestamps.js';

export type { CreateTenantInput, EnsureTenantInput, Tenant, TenantPatch, TenantStatus, TenantStore } from './tenant-store.js';
export {
  LOCAL_TENANT_ID,
  LOCAL_TENANT_NAME,
  TENANT_ID_PATTERN,
  TENANT_NAME_MAX_LENGTH,
  TENANT_NAME_PATTERN,
  checkNameFor,
  checkTenantName,
  isTenantId,
} from './tenant-input.js';

export { PERMISSIONS } from './api-key-store.js';
export type { ApiKeyRecord, ApiKeyStore, NewApiKey, Permission } from './api-key-store.js';
export { DEFAULT_RATE_LIMIT_TIER, KEY_PREFIX_PATTERN, RATE_LIMIT_TIER_PATTERN } from './api-key-input.js';

export { REQUEST_STATUSES } from './request-log.js';
export type { RequestLog, RequestLogEntry, RequestStats, RequestStatsQuery, RequestStatus } from './request-log.js';
export { ERROR_MESSAGE_MAX_LENGTH } from './request-log-input.js';
