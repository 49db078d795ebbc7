import fs from 'node:fs';
import path from 'node:path';
import { PctxError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { claimsView, type ClaimsView } from './quota-claims.js';
import type { TenantPaths } from './tenant-paths.js';

/**
 * The one definition of a tenant's storage use, shared by quota checks, `tenants
 * list/show`, delete and the service's statistics: the sizes of the tenant's data files,
 * `index.db`, `index.db-wal` and `vectors.hnsw`, plus the uploaded repositories under
 * `uploads/` (hosting.md#uploads), as they are on disk now. Measured each time, so it
 * cannot drift from the disk the way a maintained counter can. A missing file counts 0.
 *
 * Not counted: `index.db-shm`, SQLite's shared-memory index of the WAL, which exists only
 * while a connection is open (counting it made the same data measure differently during
 * and after a run); temp files, which are either renamed into one of the files above a
 * moment later or left by a crash and removed at the next open.
 */
export function tenantDiskUsage(paths: TenantPaths): number {
  return dataFilesUsage(paths) + uploadsDiskUsage(paths);
}

/** `index.db` + `index.db-wal` + `vectors.hnsw`: the part of the usage an index run changes. */
export function dataFilesUsage(paths: TenantPaths): number {
  return fileSize(paths.db) + fileSize(`${paths.db}-wal`) + fileSize(paths.vectors);
}

/** Bytes of the tenant's uploaded repositories (`uploads/`), part of tenantDiskUsage. */
export function uploadsDiskUsage(paths: TenantPaths): number {
  return folderSize(paths.uploads);
}

function fileSize(file: string): number {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat.size : 0;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 0;
    throw err;
  }
}

/** Bytes of the files under `dir`, recursively, leaving out the folder(s) `skip`; a missing folder is 0 bytes. */
export function folderSize(dir: string, skip?: string | ReadonlySet<string>): number {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 0;
    throw err;
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (typeof skip === 'string' ? full === skip : skip?.has(full)) continue;
    try {
      if (entry.isDirectory()) total += folderSize(full, skip);
      else if (entry.isFile()) total += fs.statSync(full).size;
    } catch (err) {
      // A temp file renamed or removed between readdir and stat no longer counts.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return total;
}

/**
 * QUOTA_EXCEEDED with the figures in bytes (`details`) and a sentence in human units.
 * `attempted` is what the operation had added when it stopped; 0 means the tenant was
 * over its quota before the operation began.
 */
export function quotaExceeded(tenantId: string, used: number, limit: number, attempted: number): PctxError {
  const head = `Storage quota exceeded for tenant ${tenantId}: ${formatBytes(used)} used of ${formatBytes(limit)}`;
  const tail =
    attempted > 0
      ? `; this run would have added at least ${formatBytes(attempted)} more`
      : `; it was already over its quota before this run (by ${formatBytes(Math.max(0, used - limit))})`;
  return new PctxError('QUOTA_EXCEEDED', { tenantId, used, limit, attempted }, { message: `${head}${tail}. Raise the quota or delete a repository.` });
}

/**
 * Tracks one write operation against a quota. `check()` throws QUOTA_EXCEEDED with the
 * usage before the operation (`used`), the limit, and what the operation has added so
 * far (`attempted`). A null limit never throws.
 *
 * A transaction's pages may sit in the page cache rather than on disk until it commits,
 * so the writer passes the database size its own connection sees (`page_count ×
 * page_size`, uncommitted pages included); the larger of that and the file on disk
 * counts.
 *
 * The uploads folder is measured once, when the guard is made: an index run never
 * writes it, and it may hold tens of thousands of files, too many to walk after every
 * batch. Uploads of the tenant being extracted meanwhile by this process are counted
 * from their quota claims (quota-claims.ts) at every check, and their folders left out
 * of that measurement, so a run and concurrent uploads cannot together pass the limit.
 */
export class QuotaGuard {
  readonly usedBefore: number;
  private readonly uploadsBytes: number;
  private readonly claims: ClaimsView;

  constructor(
    private readonly paths: TenantPaths,
    readonly limit: number | null,
  ) {
    this.claims = claimsView(paths.tenantId);
    this.uploadsBytes = folderSize(paths.uploads, this.claims.folders);
    this.usedBefore = dataFilesUsage(paths) + this.uploadsBytes + this.claims.addedSince();
  }

  check(logicalDbBytes = 0): void {
    if (this.limit === null) return;
    let now = dataFilesUsage(this.paths) + this.uploadsBytes + this.claims.addedSince();
    const dbOnDisk = fileSize(this.paths.db);
    if (logicalDbBytes > dbOnDisk) now += logicalDbBytes - dbOnDisk;
    if (now > this.limit) {
      throw quotaExceeded(this.paths.tenantId, this.usedBefore, this.limit, Math.max(0, now - this.usedBefore));
    }
  }
}
