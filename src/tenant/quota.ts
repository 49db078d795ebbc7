import fs from 'node:fs';
import { PctxError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import type { TenantPaths } from './tenant-paths.js';

/**
 * The one definition of a tenant's storage use, shared by quota checks, `tenants
 * list/show`, delete and the service's statistics: the sizes of the tenant's data files,
 * `index.db`, `index.db-wal` and `vectors.hnsw`, as they are on disk now. Measured each
 * time, so it cannot drift from the disk the way a maintained counter can. A missing file
 * counts 0.
 *
 * Not counted: `index.db-shm`, SQLite's shared-memory index of the WAL, which exists only
 * while a connection is open (counting it made the same data measure differently during
 * and after a run); temp files, which are either renamed into one of the files above a
 * moment later or left by a crash and removed at the next open.
 */
export function tenantDiskUsage(paths: TenantPaths): number {
  return fileSize(paths.db) + fileSize(`${paths.db}-wal`) + fileSize(paths.vectors);
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
 */
export class QuotaGuard {
  readonly usedBefore: number;

  constructor(
    private readonly paths: TenantPaths,
    readonly limit: number | null,
  ) {
    this.usedBefore = tenantDiskUsage(paths);
  }

  check(logicalDbBytes = 0): void {
    if (this.limit === null) return;
    let now = tenantDiskUsage(this.paths);
    const dbOnDisk = fileSize(this.paths.db);
    if (logicalDbBytes > dbOnDisk) now += logicalDbBytes - dbOnDisk;
    if (now > this.limit) {
      throw quotaExceeded(this.paths.tenantId, this.usedBefore, this.limit, Math.max(0, now - this.usedBefore));
    }
  }
}
