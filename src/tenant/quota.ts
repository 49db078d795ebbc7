import fs from 'node:fs';
import path from 'node:path';
import { PctxError } from '../errors.js';
import type { TenantPaths } from './tenant-paths.js';

/**
 * Bytes the tenant occupies on disk: every file in its folder (index.db, -wal, -shm,
 * vectors.hnsw, temp files of a build in progress, and uploads/ with the uploads in
 * progress). Measured from the filesystem each
 * time, so it cannot drift from reality the way a maintained counter can. A missing
 * folder is 0 bytes.
 */
export function tenantDiskUsage(paths: TenantPaths): number {
  return folderSize(paths.dir);
}

/** Bytes of the tenant's uploaded repositories (`uploads/`), part of tenantDiskUsage. */
export function uploadsDiskUsage(paths: TenantPaths): number {
  return folderSize(paths.uploads);
}

/** Bytes of the files under `dir`, recursively, leaving out the folder `skip`; a missing folder is 0 bytes. */
export function folderSize(dir: string, skip?: string): number {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (full === skip) continue;
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
 * batch. (An upload of another repository extracted meanwhile is checked against the
 * quota by its own extraction.)
 */
export class QuotaGuard {
  readonly usedBefore: number;
  private readonly uploadsBytes: number;

  constructor(
    private readonly paths: TenantPaths,
    readonly limit: number | null,
  ) {
    this.uploadsBytes = uploadsDiskUsage(paths);
    this.usedBefore = folderSize(paths.dir, paths.uploads) + this.uploadsBytes;
  }

  check(logicalDbBytes = 0): void {
    if (this.limit === null) return;
    let now = folderSize(this.paths.dir, this.paths.uploads) + this.uploadsBytes;
    let dbOnDisk = 0;
    try {
      dbOnDisk = fs.statSync(this.paths.db).size;
    } catch {
      // No database file yet: all of it is pending.
    }
    if (logicalDbBytes > dbOnDisk) now += logicalDbBytes - dbOnDisk;
    if (now > this.limit) {
      throw new PctxError('QUOTA_EXCEEDED', {
        tenantId: this.paths.tenantId,
        used: this.usedBefore,
        limit: this.limit,
        attempted: Math.max(0, now - this.usedBefore),
      });
    }
  }
}
