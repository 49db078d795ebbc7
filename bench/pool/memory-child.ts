import fs from 'node:fs';
import type { SearchSymbolsParams } from '../../src/engine/params.js';
import { keywordSearch } from '../../src/engine/queries/search-symbols.js';
import { TenantDbPool } from '../../src/tenant/tenant-pool.js';
import { openShared, sharedKeywordSearch } from './shared-db.js';

export interface MemoryPoint {
  label: string;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  open?: number;
}

export interface MemoryReport {
  design: string;
  points: MemoryPoint[];
}

interface Plan {
  dataDir: string;
  sharedFile: string;
  handles: number;
  cacheKiB: number;
  hot: { id: string; queries: string[] }[];
  churn: { id: string; query: string }[];
}

const QUERIES_PER_HOT_TENANT = 10;

function params(query: string): SearchSymbolsParams {
  return { query, limit: 10, mode: 'keyword' };
}

/**
 * Child-process side of the memory measurement (`pool.ts --memory-child <design>:<plan>`):
 * a fresh process, so the other design's allocations and the parent's templates are not
 * counted. Opens the hot tenants (10 queries each), then churns through 5,000 uniform
 * queries, and prints RSS, JS heap and open descriptors at each point as one JSON line.
 */
export async function runMemoryChild(spec: string): Promise<void> {
  const at = spec.indexOf(':');
  const design = spec.slice(0, at);
  const plan = JSON.parse(fs.readFileSync(spec.slice(at + 1), 'utf8')) as Plan;
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const points: MemoryPoint[] = [];
  const point = (label: string, open?: number) => {
    gc();
    const m = process.memoryUsage();
    points.push({ label, rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20, fds: fs.readdirSync('/proc/self/fd').length, ...(open !== undefined ? { open } : {}) });
  };
  point('process start (modules loaded)');
  if (design === 'per-tenant') {
    const pool = new TenantDbPool({ dataDir: plan.dataDir, maxHandles: plan.handles, idleTtlMs: 0, cacheKiB: plan.cacheKiB });
    for (const t of plan.hot) {
      for (const q of t.queries.slice(0, QUERIES_PER_HOT_TENANT)) await pool.withTenant(t.id, (lease) => keywordSearch(lease.db, t.id, params(q)));
    }
    point(`${plan.hot.length} tenants open, ${QUERIES_PER_HOT_TENANT} queries each`, pool.metrics().open);
    for (const op of plan.churn) await pool.withTenant(op.id, (lease) => keywordSearch(lease.db, op.id, params(op.query)));
    point(`after ${plan.churn.length.toLocaleString('en-US')} uniform queries (open/close churn)`, pool.metrics().open);
    await pool.close();
    point('pool closed', 0);
  } else {
    const db = openShared(plan.sharedFile, plan.handles * plan.cacheKiB);
    for (const t of plan.hot) {
      for (const q of t.queries.slice(0, QUERIES_PER_HOT_TENANT)) sharedKeywordSearch(db, t.id, params(q));
    }
    point(`${plan.hot.length} tenants queried, ${QUERIES_PER_HOT_TENANT} queries each`, 1);
    for (const op of plan.churn) sharedKeywordSearch(db, op.id, params(op.query));
    point(`after ${plan.churn.length.toLocaleString('en-US')} uniform queries`, 1);
    db.close();
    point('database closed', 0);
  }
  process.stdout.write(`${JSON.stringify({ design, points } satisfies MemoryReport)}\n`);
}
