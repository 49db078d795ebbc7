import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../util/process-alive.js';
import type { TenantDb } from './tenant-db.js';
import { UPLOAD_OLD_PREFIX, classifyUploadsEntry, oldUploadPath, uploadDir, type TenantPaths } from './tenant-paths.js';

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

/** A staging folder of an older build (no pid in its name) untouched this long is a crash leftover. */
const STALE_STAGING_MS = 10 * 60 * 1000;

export interface UploadRecoveryOptions {
  /**
   * `locked`: called holding the tenant's write lock in this process (the next upload),
   * so leftovers of this process and of older builds are settled too. `startup`: called
   * by the start-up repairs, which hold no lock: only leftovers of dead processes.
   * @default 'locked'
   */
  mode?: 'locked' | 'startup';
  /** Staging folders of uploads this process is extracting right now: never touched. */
  active?: ReadonlySet<string>;
  /**
   * The files the tenant's index holds for an uploaded repository (path → SHA-256), or
   * null when it holds none. Decides, after a crash during a replacement's index run,
   * whether the run committed (keep the new files) or not (put the previous ones back).
   * Without it the new files are kept.
   */
  indexedFiles?: (repo: string) => ReadonlyMap<string, string> | null;
  /** @default Date.now */
  now?: () => number;
}

/** Whether every file the index holds is in `dir` with the same content. */
function holdsIndexedFiles(dir: string, files: ReadonlyMap<string, string>): boolean {
  for (const [rel, hash] of files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path.join(dir, ...rel.split('/')));
    } catch {
      return false;
    }
    if (crypto.createHash('sha256').update(bytes).digest('hex') !== hash) return false;
  }
  return true;
}

/**
 * Finishes what a crash interrupted in the tenant's uploads folder, and returns what it
 * did (one line each):
 *
 * - `.old-<pid>-<hex>-<repo>` whose live `<repo>` is missing: the crash came between the
 *   two renames of a replacement, so the old upload goes back. When the live one exists,
 *   the crash came after the new files went live: if the index still holds the previous
 *   version (its run never committed), the previous files go back too, so the files on
 *   disk are always the version the index holds; otherwise the old copy is removed.
 * - `.staging-*` of a dead process (or, for older builds' names, untouched for 10 minutes
 *   and not in `active`): an extraction that never finished; removed.
 *
 * Leftovers of a live process other than this one are never touched.
 */
export function recoverUploads(paths: TenantPaths, options: UploadRecoveryOptions = {}): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(paths.uploads);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const locked = (options.mode ?? 'locked') === 'locked';
  const now = (options.now ?? Date.now)();
  const settled: string[] = [];
  // Mine to settle: a dead process's; with the lock, also this process's and older builds'.
  const settleable = (pid: number | null) => (pid === null ? locked : pid === process.pid ? locked : !isProcessAlive(pid));
  for (const name of names) {
    const full = path.join(paths.uploads, name);
    const entry = classifyUploadsEntry(name);
    if (entry.kind === 'old') {
      if (!settleable(entry.pid)) continue;
      let live: string | null = null;
      try {
        live = uploadDir(paths, entry.repo);
      } catch {
        // Not a name this code writes: a leftover of nothing we know, removed below.
      }
      if (live !== null && !fs.existsSync(live)) {
        fs.renameSync(full, live);
        settled.push(`put back the previous upload of ${entry.repo} (a replacement was interrupted before it went live)`);
        continue;
      }
      const indexed = live !== null ? (options.indexedFiles?.(entry.repo) ?? null) : null;
      if (live !== null && indexed !== null && !holdsIndexedFiles(live, indexed) && holdsIndexedFiles(full, indexed)) {
        restoreUpload(paths, entry.repo, full);
        settled.push(`put back the previous upload of ${entry.repo} (its replacement's index run never committed)`);
        continue;
      }
      fs.rmSync(full, { recursive: true, force: true });
      settled.push(`removed ${name}`);
    } else if (entry.kind === 'staging' && !options.active?.has(full)) {
      if (entry.pid !== null) {
        if (!settleable(entry.pid)) continue;
      } else {
        if (!locked) continue;
        let mtimeMs: number;
        try {
          mtimeMs = fs.statSync(full).mtimeMs;
        } catch {
          continue;
        }
        if (now - mtimeMs < STALE_STAGING_MS) continue;
      }
      fs.rmSync(full, { recursive: true, force: true });
      settled.push(`removed ${name}`);
    } else if (entry.kind === 'upload' && name.startsWith(UPLOAD_OLD_PREFIX) && locked) {
      fs.rmSync(full, { recursive: true, force: true });
      settled.push(`removed ${name}`);
    }
  }
  return settled;
}

/** The files the tenant's index holds for a repository (path → SHA-256), or null when it has no such repository. */
export function indexedRepoFiles(db: TenantDb, tenantId: string, repo: string): Map<string, string> | null {
  const repoId = db.prepare('SELECT id FROM repos WHERE tenant_id = ? AND name = ?').pluck().get(tenantId, repo) as number | undefined;
  if (repoId === undefined) return null;
  const rows = db.prepare('SELECT path, content_hash AS hash FROM files WHERE tenant_id = ? AND repo_id = ?').all(tenantId, repoId) as { path: string; hash: string }[];
  return new Map(rows.map((r) => [r.path, r.hash]));
}
