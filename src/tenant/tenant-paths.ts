import path from 'node:path';
import { assertTenantId } from '../tenant-id.js';

export { LOCAL_TENANT_ID, LOCAL_TENANT_NAME, TENANT_ID_PATTERN, assertTenantId, isTenantId } from '../tenant-id.js';

/** Names of the files inside one tenant folder. */
export const TENANT_FILES = {
  db: 'index.db',
  vectors: 'vectors.hnsw',
} as const;

export interface TenantPaths {
  readonly tenantId: string;
  /** `<dataDir>/tenants/<id>` */
  readonly dir: string;
  /** `<dir>/index.db` (plus its `-wal` and `-shm` companions) */
  readonly db: string;
  /** `<dir>/vectors.hnsw` */
  readonly vectors: string;
}

/** Folder that holds every tenant folder. */
export function tenantsRoot(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'tenants');
}

/**
 * The only place a tenant id becomes a filesystem path. The id is validated first, so
 * no input (`../x`, `00000000/..`, uppercase, look-alike digits, empty) reaches the disk.
 */
export function tenantPaths(dataDir: string, tenantId: string): TenantPaths {
  assertTenantId(tenantId);
  const dir = path.join(tenantsRoot(dataDir), tenantId);
  return Object.freeze({
    tenantId,
    dir,
    db: path.join(dir, TENANT_FILES.db),
    vectors: path.join(dir, TENANT_FILES.vectors),
  });
}
