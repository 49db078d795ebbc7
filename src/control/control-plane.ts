/**
 * The control plane as the rest of the server sees it: tenants, API keys and the request
 * log. `openControlDb` returns the embedded SQLite one; a shared PostgreSQL control plane
 * for several nodes would implement the same shape (with async methods).
 */

import type { ApiKeyStore } from './api-key-store.js';
import type { RequestLog } from './request-log.js';
import type { TenantStore } from './tenant-store.js';

export interface ControlPlane {
  readonly tenants: TenantStore;
  readonly apiKeys: ApiKeyStore;
  readonly requestLog: RequestLog;
  /**
   * Writes buffered request-log entries, then releases the database. Called twice: does
   * nothing. After close, every store method throws.
   */
  close(): void;
}
