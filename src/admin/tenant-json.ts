import type { Tenant } from '../control/index.js';

/** The JSON shape of a tenant: `tenants show --json` (docs/cli.md) and the admin API (docs/http-api.md). */
export function tenantJson(t: Tenant, usedBytes?: number): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    status: t.status,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    quotaBytes: t.quotaBytes,
    settings: t.settings,
    ...(usedBytes !== undefined ? { usedBytes } : {}),
  };
}
