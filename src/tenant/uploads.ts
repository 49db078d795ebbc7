import fs from 'node:fs';
import path from 'node:path';
import { UPLOAD_OLD_PREFIX, UPLOAD_STAGING_PREFIX, oldUploadPath, uploadDir, type TenantPaths } from './tenant-paths.js';

/**
 * Moves the live upload of `repo` out of its path with one rename (to `.old-<hex>-<repo>`)
 * and returns where it went, or null when there is none. The caller either removes it
 * (the replacement is live) or puts it back with restoreUpload (the replacement failed).
 */
export function retireUpload(paths: TenantPaths, repo: string): string | null {
  const live = uploadDir(paths, repo);
  const old = oldUploadPath(paths, repo);
  try {
    fs.renameSync(live, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return old;
}

/**
 * Puts a retired upload back at its live path, first moving whatever is there now aside
 * and removing it. A null `old` just removes the live folder (there was no previous upload).
 */
export function restoreUpload(paths: TenantPaths, repo: string, old: string | null): void {
  const failed = retireUpload(paths, repo);
  if (old !== null) fs.renameSync(old, uploadDir(paths, repo));
  if (failed !== null) fs.rmSync(failed, { recursive: true, force: true });
}

/**
 * Removes the upload of `repo` if there is one: renamed out of the live path first, so a
 * crash never leaves half a folder where the repository's files are expected. Returns
 * whether there was one. Calling it twice is harmless.
 */
export function removeUpload(paths: TenantPaths, repo: string): boolean {
  const old = retireUpload(paths, repo);
  if (old === null) return false;
  fs.rmSync(old, { recursive: true, force: true });
  return true;
}

/** A staging folder older than this with no upload of this process behind it is a crash leftover. */
const STALE_STAGING_MS = 10 * 60 * 1000;

export interface UploadRecoveryOptions {
  /** Staging folders of uploads this process is extracting right now: never touched. */
  active: ReadonlySet<string>;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Finishes what a crash interrupted in the tenant's uploads folder. Call it holding the
 * tenant's write lock (no replacement in progress in this process):
 *
 * - `.old-<hex>-<repo>` whose live `<repo>` is missing: the crash came between the two
 *   renames of a replacement, so the old upload goes back; otherwise it is removed (the
 *   replacement went live; the index is in its old or new state, never a mix, either way).
 * - `.staging-*` not in `active` and untouched for 10 minutes: an extraction that never
 *   finished; removed. The age guard protects another process's extraction in progress.
 */
export function recoverUploads(paths: TenantPaths, options: UploadRecoveryOptions): void {
  let names: string[];
  try {
    names = fs.readdirSync(paths.uploads);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const now = (options.now ?? Date.now)();
  for (const name of names) {
    const full = path.join(paths.uploads, name);
    if (name.startsWith(UPLOAD_OLD_PREFIX)) {
      const repo = /^\.old-[0-9a-f]{8}-(.+)$/.exec(name)?.[1];
      let live: string | null = null;
      try {
        if (repo !== undefined) live = uploadDir(paths, repo);
      } catch {
        // Not a name this code writes: a leftover of nothing we know, removed below.
      }
      if (live !== null && !fs.existsSync(live)) fs.renameSync(full, live);
      else fs.rmSync(full, { recursive: true, force: true });
    } else if (name.startsWith(UPLOAD_STAGING_PREFIX) && !options.active.has(full)) {
      let mtimeMs: number;
      try {
        mtimeMs = fs.statSync(full).mtimeMs;
      } catch {
        continue;
      }
      if (now - mtimeMs >= STALE_STAGING_MS) fs.rmSync(full, { recursive: true, force: true });
    }
  }
}
