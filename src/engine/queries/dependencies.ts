import path from 'node:path';
import type { TenantDb } from '../../tenant/tenant-db.js';
import type { FileRefParams } from '../params.js';
import { freshnessOfRepo, type Freshness } from './freshness.js';
import { requireFile, requireRepo } from './lookup.js';

export interface Importer {
  /** The importing file. */
  path: string;
  line: number;
  specifier: string;
  names: string[];
}

export interface Dependency {
  specifier: string;
  kind: string;
  line: number;
  names: string[];
  /** Repo-relative target; a folder ending in '/' for a Go package; null when external or unresolved. */
  resolvedPath: string | null;
}

/** Files of the same repository whose imports resolve to `path` (or to its Go package folder). */
export function findImporters(db: TenantDb, tenantId: string, params: FileRefParams): { repo: string; path: string; importers: Importer[]; freshness: Freshness } {
  const repo = requireRepo(db, tenantId, params.repo);
  const file = requireFile(db, tenantId, repo, params.path);
  const folder = `${path.posix.dirname(file.path)}/`;
  const rows = db
    .prepare(
      `SELECT f.path, e.line, e.specifier, e.names FROM dep_edges e JOIN files f ON f.id = e.from_file_id
       WHERE e.tenant_id = ? AND e.repo_id = ? AND (e.to_path = ? OR (e.to_path = ? AND f.language = 'go'))
       ORDER BY f.path, e.line`,
    )
    .all(tenantId, repo.id, file.path, folder) as { path: string; line: number; specifier: string; names: string }[];
  return {
    repo: repo.name,
    path: file.path,
    importers: rows.map((r) => ({ path: r.path, line: r.line, specifier: r.specifier, names: JSON.parse(r.names) as string[] })),
    freshness: freshnessOfRepo(repo),
  };
}

/** What a file imports, resolved to repository files where possible. */
export function getDependencies(db: TenantDb, tenantId: string, params: FileRefParams): { repo: string; path: string; dependencies: Dependency[]; freshness: Freshness } {
  const repo = requireRepo(db, tenantId, params.repo);
  const file = requireFile(db, tenantId, repo, params.path);
  const rows = db
    .prepare(
      `SELECT specifier, kind, line, names, to_path AS resolvedPath FROM dep_edges
       WHERE tenant_id = ? AND from_file_id = ? ORDER BY line, id`,
    )
    .all(tenantId, file.id) as (Omit<Dependency, 'names'> & { names: string })[];
  return {
    repo: repo.name,
    path: file.path,
    dependencies: rows.map((r) => ({ ...r, names: JSON.parse(r.names) as string[] })),
    freshness: freshnessOfRepo(repo),
  };
}
