import { LRUCache } from 'lru-cache';
import type { TenantDb } from '../../tenant/tenant-db.js';
import { cached } from './lookup.js';

/**
 * Answers of read-only queries, reused while the tenant's database is unchanged.
 *
 * Agents repeat themselves: the same search after each edit-free step, the same name from
 * several sessions of one team. A keyword search ranks up to hundreds of candidates
 * (~0.3–1 ms); a repeated one costs a map lookup and one statement that reads the
 * database's change stamp.
 *
 * The stamp is exact, not a time-to-live: `PRAGMA data_version` changes when any other
 * connection (an index run's writer, a vector build, another process) commits, and
 * `total_changes()` when this connection writes (a repository delete through the same
 * handle). An answer is stored with the handle it was computed on, so a handle closed and
 * reopened (a restore, an eviction) never serves its predecessor's answers even if its
 * stamp happens to read the same.
 */


interface Entry {
  handle: number;
  stamp: string;
  value: unknown;
}

export interface AnswerCacheOptions {
  /**
   * Most cost units held in all (see `cost` in `get`): for search, hits.
   * @default 20000
   */
  maxCost?: number;
}

let nextHandle = 1;
const handleIds = new WeakMap<TenantDb, number>();

function handleId(db: TenantDb): number {
  let id = handleIds.get(db);
  if (id === undefined) handleIds.set(db, (id = nextHandle++));
  return id;
}

/**
 * The change stamp of a handle now (see above). Two plain statements cost less than one
 * through the table-valued `pragma_data_version`; `total_changes()` reads no table.
 */
export function changeStamp(db: TenantDb): string {
  return `${cached(db, 'PRAGMA data_version').pluck().get() as number}:${cached(db, 'SELECT total_changes()').pluck().get() as number}`;
}

export class AnswerCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(options: AnswerCacheOptions = {}) {
    this.entries = new LRUCache<string, Entry>({ maxSize: options.maxCost ?? 20_000 });
  }

  /**
   * The answer to `key` on this handle: the stored one if the database has not changed
   * since it was computed, else `compute()` (stored when it returns; a throw stores
   * nothing). `cost` sizes the stored answer (≥1). Callers must not mutate answers.
   */
  get<T>(db: TenantDb, tenantId: string, key: string, compute: () => T, cost: (value: T) => number = () => 1): T {
    const handle = handleId(db);
    const stamp = changeStamp(db);
    const id = `${tenantId}\u0000${key}`;
    const entry = this.entries.get(id);
    if (entry && entry.handle === handle && entry.stamp === stamp) return entry.value as T;
    const value = compute();
    // Stored under the stamp read before computing: were the query to write through this
    // handle (none does), the stamp would have moved and the entry would simply miss.
    this.entries.set(id, { handle, stamp, value }, { size: Math.max(1, Math.ceil(cost(value))) });
    return value;
  }
}
