import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { REPO_NAME_RULE, isRepoName } from '../repo-name.js';
import { assertTenantId, isTenantId } from '../tenant-id.js';

export { LOCAL_TENANT_ID, LOCAL_TENANT_NAME, TENANT_ID_PATTERN, assertTenantId, isTenantId } from '../tenant-id.js';

/** Names of the files inside one tenant folder. */
export const TENANT_FILES = {
  db: 'index.db',
  vectors: 'vectors.hnsw',
  uploads: 'uploads',
} as const;

export interface TenantPaths {
  readonly tenantId: string;
  /** `<dataDir>/tenants/<id>` */
  readonly dir: string;
  /** `<dir>/index.db` (plus its `-wal` and `-shm` companions) */
  readonly db: string;
  /** `<dir>/vectors.hnsw` */
  readonly vectors: string;
  /**
   * `<dir>/uploads`: one folder per uploaded repository (see uploadDir), plus the
   * `.staging-*` and `.old-*` folders of uploads in progress. Inside the tenant folder,
   * so it counts toward the quota and goes with the tenant when it is deleted.
   */
  readonly uploads: string;
  /**
   * `<dataDir>/tenants/.trash-<id>`: the prefix of the paths (see uniqueTrashPath) where a
   * deleted or replaced tenant folder is moved (one atomic rename) before it is removed,
   * so a crash never leaves a half-removed folder at the live path. Not a valid id, so
   * never opened as a tenant.
   */
  readonly trash: string;
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
    uploads: path.join(dir, TENANT_FILES.uploads),
    trash: path.join(tenantsRoot(dataDir), `.trash-${tenantId}`),
  });
}

/**
 * A trash path no other operation uses: `<trash>.<random>`. Moving a folder there is
 * one rename; removing it may then take its time (in the background) without ever
 * colliding with a later delete or restore of the same tenant id.
 */
export function uniqueTrashPath(paths: TenantPaths): string {
  return `${paths.trash}.${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * A fresh staging folder under the tenants root (same filesystem, so it can be renamed
 * into place) for assembling a tenant before it goes live. Its name is not a tenant id.
 */
export function newStagingDir(dataDir: string): string {
  fs.mkdirSync(tenantsRoot(dataDir), { recursive: true, mode: 0o700 });
  return fs.mkdtempSync(path.join(tenantsRoot(dataDir), `.staging-${process.pid}-`));
}

/**
 * `<dataDir>/tenants/.restore-<id>.json`: the journal of a restore that has verified its
 * staging folder and is swapping it in. While it exists, start-up finishes the swap
 * instead of removing the staging folder (src/admin/restore-journal.ts).
 */
export function restoreJournalPath(dataDir: string, tenantId: string): string {
  assertTenantId(tenantId);
  return path.join(tenantsRoot(dataDir), `.restore-${tenantId}.json`);
}

/** What a name in the tenants folder is: a tenant, a leftover of an operation, or unknown. */
export type TenantsEntry =
  | { kind: 'tenant'; tenantId: string }
  /** `.trash-<id>.<pid>-<hex>` / `.staging-<pid>-XXXXXX`; pid null for names of older builds. */
  | { kind: 'trash' | 'staging'; pid: number | null }
  | { kind: 'journal'; tenantId: string }
  | { kind: 'other' };

export function classifyTenantsEntry(name: string): TenantsEntry {
  if (isTenantId(name)) return { kind: 'tenant', tenantId: name };
  let m = /^\.trash-[0-9a-f]{8}(?:\.(?:(\d+)-)?[0-9a-f]+)?$/.exec(name);
  if (m) return { kind: 'trash', pid: m[1] ? Number(m[1]) : null };
  m = /^\.staging-(?:(\d+)-)?[A-Za-z0-9]+$/.exec(name);
  if (m) return { kind: 'staging', pid: m[1] ? Number(m[1]) : null };
  m = /^\.restore-([0-9a-f]{8})\.json$/.exec(name);
  if (m) return { kind: 'journal', tenantId: m[1]! };
  return { kind: 'other' };
}

/**
 * `<uploads>/<repo>`: the files of an uploaded repository. The name is checked against
 * the repository name format first, so it is always one plain path segment.
 * @throws PctxError INVALID_ARGUMENT (option `name`) for anything else.
 */
export function uploadDir(paths: TenantPaths, repo: string): string {
  if (!isRepoName(repo)) throw invalidArgument('name', `must be ${REPO_NAME_RULE}`);
  return path.join(paths.uploads, repo);
}

/** Prefix of the folders an upload is extracted into before it goes live: `.staging-<pid>-XXXXXX`. */
export const UPLOAD_STAGING_PREFIX = '.staging-';

/** Prefix of `.old-<pid>-<8 hex>-<repo>`: a replaced upload, kept until its successor is indexed. */
export const UPLOAD_OLD_PREFIX = '.old-';

/** A fresh, empty staging folder inside the tenant's uploads folder (same file system as the live one). */
export function newUploadStaging(paths: TenantPaths): string {
  fs.mkdirSync(paths.uploads, { recursive: true, mode: 0o700 });
  return fs.mkdtempSync(path.join(paths.uploads, `${UPLOAD_STAGING_PREFIX}${process.pid}-`));
}

/** Where the live upload of `repo` is moved while a new one replaces it: unique, names its process and its repo. */
export function oldUploadPath(paths: TenantPaths, repo: string): string {
  return path.join(paths.uploads, `${UPLOAD_OLD_PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}-${path.basename(uploadDir(paths, repo))}`);
}

/** What a name in a tenant's uploads folder is; pid null for names of older builds, which carried none. */
export type UploadsEntry = { kind: 'staging'; pid: number | null } | { kind: 'old'; pid: number | null; repo: string } | { kind: 'upload' };

export function classifyUploadsEntry(name: string): UploadsEntry {
  let m = /^\.staging-(?:(\d+)-)?[A-Za-z0-9]+$/.exec(name);
  if (m) return { kind: 'staging', pid: m[1] ? Number(m[1]) : null };
  m = /^\.old-(?:(\d+)-)?[0-9a-f]{8}-(.+)$/.exec(name);
  if (m) return { kind: 'old', pid: m[1] ? Number(m[1]) : null, repo: m[2]! };
  return { kind: 'upload' };
}
