import type { TenantDb } from '../../tenant/tenant-db.js';
import { bumpEmbeddingsGeneration, readEmbeddingsMeta } from '../../tenant/vector-state.js';
import { requireRepo } from './lookup.js';

export interface RepoSummary {
  repo: string;
  root: string;
  files: number;
  symbols: number;
  createdAt: string;
  indexedAt: string | null;
}

export function listRepos(db: TenantDb, tenantId: string): RepoSummary[] {
  return db
    .prepare(
      `SELECT name AS repo, root_path AS root, file_count AS files, symbol_count AS symbols, created_at AS createdAt, indexed_at AS indexedAt
       FROM repos WHERE tenant_id = ? ORDER BY name`,
    )
    .all(tenantId) as RepoSummary[];
}

export interface DeleteRepoResult {
  repo: string;
  files: number;
  symbols: number;
}

/**
 * Deletes a repository and everything derived from it in one transaction. The vector
 * index catches up on the next semantic query (its generation no longer matches).
 */
export function deleteRepo(db: TenantDb, tenantId: string, name: string): DeleteRepoResult {
  return db.transaction(() => {
    const repo = requireRepo(db, tenantId, name);
    const counts = db
      .prepare(
        `SELECT (SELECT count(*) FROM files WHERE tenant_id = @tenantId AND repo_id = @repoId) AS files,
                (SELECT count(*) FROM symbols WHERE tenant_id = @tenantId AND repo_id = @repoId) AS symbols`,
      )
      .get({ tenantId, repoId: repo.id }) as { files: number; symbols: number };
    db.prepare('DELETE FROM symbols_fts WHERE rowid IN (SELECT id FROM symbols WHERE tenant_id = ? AND repo_id = ?)').run(tenantId, repo.id);
    db.prepare('DELETE FROM repos WHERE tenant_id = ? AND id = ?').run(tenantId, repo.id);
    const meta = readEmbeddingsMeta(db);
    if (counts.symbols > 0 && meta.provider !== null && meta.dimension !== null) {
      bumpEmbeddingsGeneration(db, meta.provider, meta.dimension);
    }
    return { repo: repo.name, ...counts };
  }).immediate();
}
