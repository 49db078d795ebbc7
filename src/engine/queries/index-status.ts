import fs from 'node:fs';
import { languageForPath } from '../../parse/languages.js';
import type { TenantDb } from '../../tenant/tenant-db.js';
import { discoverFiles } from '../discovery.js';
import { listRepos, type RepoSummary } from './repos.js';

/** What a watcher reports about one repository (see src/watch/repo-watcher.ts). */
export interface RepoWatchState {
  mode: 'events' | 'polling' | 'stopped';
  pendingChanges: number;
  running: boolean;
  runs: number;
  lastRunAt: string | null;
  lastError: string | null;
  warning: string | null;
}

export interface RepoIndexStatus extends RepoSummary {
  /** The root folder exists on this machine (a deleted checkout keeps its last index). */
  rootExists: boolean;
  /**
   * Files whose size, mtime or presence on disk differs from the index — what the next
   * index run would look at. null when the disk was not checked or the root is missing.
   */
  pending: { added: number; changed: number; removed: number; total: number } | null;
  /** The live watcher's state; null when nothing watches this repository in this process. */
  watch: RepoWatchState | null;
}

export interface IndexStatusOptions {
  /** Only this repository. */
  repo?: string | undefined;
  /** Walk each root and compare with the index (costs a directory walk per repository). */
  checkDisk: boolean;
  maxFileBytes: number;
  watchState?: ((repo: string) => RepoWatchState | null) | undefined;
}

function storedStats(db: TenantDb, tenantId: string, root: string): Map<string, { size: number; mtimeMs: number; language: string }> {
  const rows = db
    .prepare(
      `SELECT f.path, f.size, f.mtime_ms AS mtimeMs, f.language FROM files f JOIN repos r ON r.id = f.repo_id
       WHERE f.tenant_id = ? AND r.tenant_id = ? AND r.root_path = ?`,
    )
    .all(tenantId, tenantId, root) as { path: string; size: number; mtimeMs: number; language: string }[];
  return new Map(rows.map((r) => [r.path, r]));
}

/**
 * Per repository: when it was last indexed, what it holds, whether its folder still
 * exists, how many files changed on disk since (optional walk), and the live watcher's
 * state when this process watches it.
 */
export async function indexStatus(db: TenantDb, tenantId: string, options: IndexStatusOptions): Promise<RepoIndexStatus[]> {
  const repos = listRepos(db, tenantId).filter((r) => options.repo === undefined || r.repo === options.repo);
  const out: RepoIndexStatus[] = [];
  for (const repo of repos) {
    const rootExists = fs.existsSync(repo.root);
    let pending: RepoIndexStatus['pending'] = null;
    if (options.checkDisk && rootExists) {
      const stored = storedStats(db, tenantId, repo.root);
      const { files } = await discoverFiles(repo.root, { languageOf: languageForPath, maxFileBytes: options.maxFileBytes });
      let added = 0;
      let changed = 0;
      const seen = new Set<string>();
      for (const f of files) {
        seen.add(f.relPath);
        const old = stored.get(f.relPath);
        if (!old) added++;
        else if (old.size !== f.size || old.mtimeMs !== Math.floor(f.mtimeMs) || old.language !== f.language) changed++;
      }
      let removed = 0;
      for (const p of stored.keys()) if (!seen.has(p)) removed++;
      pending = { added, changed, removed, total: added + changed + removed };
    }
    out.push({ ...repo, rootExists, pending, watch: options.watchState?.(repo.repo) ?? null });
  }
  return out;
}
