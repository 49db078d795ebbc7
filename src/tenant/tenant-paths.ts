import path from 'node:path';
import { PctxError } from '../errors.js';

/** A tenant id: exactly 8 lowercase hex characters. Nothing else ever becomes a tenant path. */
export const TENANT_ID_PATTERN = /^[0-9a-f]{8}$/;

/** The implicit tenant of stdio and CLI use. */
export const LOCAL_TENANT_ID = '00000000';
export const LOCAL_TENANT_NAME = 'local';

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

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}

export function assertTenantId(value: unknown): asserts value is string {
  if (!isTenantId(value)) {
    const shown = typeof value === 'string' ? value.slice(0, 64) : typeof value;
    throw new PctxError('INVALID_TENANT_ID', { tenantId: shown });
  }
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
