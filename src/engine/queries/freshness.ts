import type { TenantDb } from '../../tenant/tenant-db.js';
import { cached } from './lookup.js';

/** How fresh the index a query answered from is, for one repository. */
export interface RepoFreshness {
  /** When the repository's last index run committed (ISO 8601); null until one has. */
  indexedAt: string | null;
}

/**
 * The `freshness` of a query answer: per repository it answered from, keyed by name and
 * sorted, when that repository was indexed. One entry per repository, never per hit.
 */
export type Freshness = Record<string, RepoFreshness>;

/** Freshness of the one repository a file or symbol query read. */
export function freshnessOfRepo(repo: { name: string; indexedAt: string | null }): Freshness {
  // fromEntries defines own properties: a repository named like an Object.prototype key stays an entry.
  return Object.fromEntries([[repo.name, { indexedAt: repo.indexedAt }]]) as Freshness;
}

/**
 * Freshness of the named repositories, or of every repository of the tenant when `names`
 * is null (a search that found nothing answered from all it searched). One statement,
 * however many names.
 */
export function freshnessOf(db: TenantDb, tenantId: string, names: ReadonlySet<string> | null): Freshness {
  if (names !== null && names.size === 0) return {};
  const rows = cached(db, 'SELECT name, indexed_at AS indexedAt FROM repos WHERE tenant_id = ? ORDER BY name').all(tenantId) as {
    name: string;
    indexedAt: string | null;
  }[];
  return Object.fromEntries(rows.filter((r) => names === null || names.has(r.name)).map((r) => [r.name, { indexedAt: r.indexedAt }])) as Freshness;
}
