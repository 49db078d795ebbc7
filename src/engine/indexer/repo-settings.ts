import type { TenantDb } from '../../tenant/tenant-db.js';

/**
 * What a repository remembers between index runs: the `include`/`exclude` patterns it
 * was last indexed with (so a re-index without them keeps them) and the version of the
 * extractor that parsed its files (so a newer one re-parses files whose content did not
 * change). Stored on the `repos` row (tenant migration 3).
 */
export interface RepoSettings {
  include: string[];
  exclude: string[];
  extractorVersion: number;
}

function patterns(json: string | null): string[] {
  if (json === null) return [];
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
}

/** The settings of the repository at `rootReal`, or null when it was never indexed. */
export function readRepoSettings(db: TenantDb, tenantId: string, rootReal: string): RepoSettings | null {
  const row = db
    .prepare('SELECT include_patterns AS include, exclude_patterns AS exclude, extractor_version AS version FROM repos WHERE tenant_id = ? AND root_path = ?')
    .get(tenantId, rootReal) as { include: string | null; exclude: string | null; version: number } | undefined;
  if (row === undefined) return null;
  return { include: patterns(row.include), exclude: patterns(row.exclude), extractorVersion: row.version };
}

/** Records the settings of a run; inside the run's transaction. */
export function writeRepoSettings(db: TenantDb, tenantId: string, repoId: number, settings: RepoSettings): void {
  db.prepare('UPDATE repos SET include_patterns = ?, exclude_patterns = ?, extractor_version = ? WHERE id = ? AND tenant_id = ?').run(
    settings.include.length > 0 ? JSON.stringify(settings.include) : null,
    settings.exclude.length > 0 ? JSON.stringify(settings.exclude) : null,
    settings.extractorVersion,
    repoId,
    tenantId,
  );
}
