/**
 * Where keyword search time goes: keywordSearch run over the search benchmark's query set
 * on the same cached index, with every SQL statement it prepares timed by what it is (name
 * B-tree range, FTS probe, FTS ranked, FTS sample), plus the slowest queries.
 *
 *   node --import tsx bench/search-stages.ts [--corpus python-all|python-mid|stdlib|npm] [--no-cache]
 *
 * The statements are timed through a wrapper around the database handle; the function
 * under test is the product's keywordSearch, unchanged.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type Database from 'better-sqlite3';
import { keywordSearch } from '../src/engine/queries/search-symbols.js';
import type { TenantDb } from '../src/tenant/tenant-db.js';
import { CORPUS_NAMES, resolveCorpus, type CorpusName } from './lib/corpora.js';
import { benchEngine } from './lib/engine.js';
import { describeMachine, loadAvg, machineInfo } from './lib/machine.js';
import { buildQuerySet, QUERY_CLASSES, type QueryClass } from './lib/queries.js';
import { rng } from './lib/random.js';
import { writeResults } from './lib/results.js';
import { corpusIndex } from './lib/search-index.js';
import { r, summarize } from './lib/stats.js';
import { printTable } from './lib/table.js';

const { values: args } = parseArgs({ options: { corpus: { type: 'string' }, 'no-cache': { type: 'boolean' }, help: { type: 'boolean' } } });
if (args.help) {
  process.stdout.write(`usage: node --import tsx bench/search-stages.ts [--corpus ${CORPUS_NAMES.join('|')}] [--no-cache]\n`);
  process.exit(0);
}
const corpusName = (args.corpus ?? 'python-all') as CorpusName;
const ROUNDS = 3;
const SEED = 20_241_124;

const STATEMENTS = ['prepare', 'name B-tree (exact + prefix)', 'FTS probe (≤301 ids)', 'FTS ranked (bm25 ORDER BY)', 'sample rows by id', 'other'] as const;
type StatementKind = (typeof STATEMENTS)[number];

function kindOf(sql: string): StatementKind {
  if (sql.includes('ORDER BY symbols_fts.rank')) return 'FTS ranked (bm25 ORDER BY)';
  if (sql.includes('symbols_fts MATCH') && sql.includes('LIMIT @cap')) return 'FTS probe (≤301 ids)';
  if (sql.includes('json_each(@ids)')) return 'sample rows by id';
  if (sql.includes('s.name >= @word')) return 'name B-tree (exact + prefix)';
  return 'other';
}

/**
 * The handle with prepare() wrapped: each statement's get/all time is added to the
 * current sink. One wrapper for the whole run, so the product's per-handle statement
 * cache works as in production (prepares are counted once, when they happen).
 */
function timedHandle(db: TenantDb, sinkRef: { current: Record<StatementKind, number> }): TenantDb {
  const handle = Object.create(db) as TenantDb;
  handle.prepare = ((sql: string) => {
    const started = performance.now();
    const stmt = db.prepare(sql);
    sinkRef.current.prepare += performance.now() - started;
    const kind = kindOf(sql);
    const proxy: Database.Statement = new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'all' || prop === 'get') {
          return (...a: unknown[]) => {
            const t0 = performance.now();
            const out = (value as (...x: unknown[]) => unknown).apply(target, a);
            sinkRef.current[kind] += performance.now() - t0;
            return out;
          };
        }
        if (prop === 'pluck' || prop === 'raw' || prop === 'expand') {
          return (...a: unknown[]) => {
            (value as (...x: unknown[]) => unknown).apply(target, a);
            return proxy;
          };
        }
        return typeof value === 'function' ? (value as (...x: unknown[]) => unknown).bind(target) : value;
      },
    });
    return proxy;
  }) as TenantDb['prepare'];
  return handle;
}

const machine = machineInfo();
process.stdout.write(`bench:search-stages — ${describeMachine(machine)}\n`);
const corpus = resolveCorpus(corpusName);
const index = await corpusIndex(`search-${corpus.name}`, corpus, { cache: !args['no-cache'], log: (l) => process.stderr.write(`[search-stages] ${l}\n`) });
const engine = benchEngine(index.dataDir);
try {
  const lease = engine.pool.acquire(index.tenantId);
  const querySet = buildQuerySet(lease.db, rng(SEED));
  const zero = () => Object.fromEntries(STATEMENTS.map((s) => [s, 0])) as Record<StatementKind, number>;
  const byClass = Object.fromEntries(QUERY_CLASSES.map((c) => [c, zero()])) as Record<QueryClass, Record<StatementKind, number>>;
  const totals = Object.fromEntries(QUERY_CLASSES.map((c) => [c, [] as number[]])) as Record<QueryClass, number[]>;
  const slow: { ms: number; cls: QueryClass; query: string; stages: Record<StatementKind, number> }[] = [];
  const sinkRef = { current: zero() };
  const handle = timedHandle(lease.db, sinkRef);
  for (const q of querySet) keywordSearch(handle, index.tenantId, { query: q.query, limit: 10, mode: 'keyword' });
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of querySet) {
      const sink = zero();
      sinkRef.current = sink;
      const started = performance.now();
      keywordSearch(handle, index.tenantId, { query: q.query, limit: 10, mode: 'keyword' });
      const ms = performance.now() - started;
      totals[q.cls].push(ms);
      for (const s of STATEMENTS) byClass[q.cls][s] += sink[s];
      if (round === ROUNDS - 1) slow.push({ ms, cls: q.cls, query: q.query, stages: sink });
    }
  }
  lease.release();
  const rows = QUERY_CLASSES.map((cls) => {
    const n = totals[cls].length;
    const total = totals[cls].reduce((a, b) => a + b, 0);
    const inSql = STATEMENTS.reduce((a, s) => a + byClass[cls][s], 0);
    return { cls, n, meanMs: total / n, p50: summarize(totals[cls]).p50, perStatementMs: Object.fromEntries(STATEMENTS.map((s) => [s, byClass[cls][s] / n])), jsMs: (total - inSql) / n };
  });
  printTable(
    `keywordSearch time by statement, ${corpus.name} (mean ms per query, ${ROUNDS} rounds)`,
    ['class', 'queries', 'mean', 'p50', ...STATEMENTS, 'JS (parse, score, sort)'],
    rows.map((x) => [x.cls, x.n / ROUNDS, r(x.meanMs), r(x.p50), ...STATEMENTS.map((s) => r(x.perStatementMs[s]!)), r(x.jsMs)]),
  );
  slow.sort((a, b) => b.ms - a.ms);
  const top = slow.slice(0, 15);
  printTable(
    'Slowest queries (last round)',
    ['ms', 'class', 'query', 'slowest statement', 'its ms'],
    top.map((s) => {
      const worst = STATEMENTS.reduce((a, b) => (s.stages[a] >= s.stages[b] ? a : b));
      return [r(s.ms), s.cls, s.query, worst, r(s.stages[worst])];
    }),
  );
  const file = writeResults('search-stages', machine, { corpus: corpus.name, rows, slowest: top, loadAvgAtEnd: loadAvg() });
  process.stdout.write(`\nraw results: ${path.relative(process.cwd(), file)} · load average at end ${loadAvg().join(' ')}\n`);
} finally {
  await engine.close();
  index.dispose();
}
