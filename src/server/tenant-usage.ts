import fs from 'node:fs';
import type { Tenant } from '../control/index.js';
import type { Engine } from '../engine/engine.js';
import { tenantDiskUsage } from '../tenant/quota.js';

export interface TenantUsage {
  repos: number;
  files: number;
  symbols: number;
  storageBytes: number;
}

/**
 * Repositories, files, symbols and bytes of one tenant, from its own database and folder.
 * A tenant never opened has no database yet; it is not created just to be counted.
 */
export async function tenantUsage(engine: Engine, tenant: Tenant): Promise<TenantUsage> {
  const paths = engine.pool.paths(tenant.id);
  const storageBytes = tenantDiskUsage(paths);
  if (tenant.status !== 'active' || !fs.existsSync(paths.db)) return { repos: 0, files: 0, symbols: 0, storageBytes };
  const { repos } = await engine.listRepos(tenant.id);
  return {
    repos: repos.length,
    files: repos.reduce((n, r) => n + r.files, 0),
    symbols: repos.reduce((n, r) => n + r.symbols, 0),
    storageBytes,
  };
}

export { tenantJson } from '../admin/tenant-json.js';
