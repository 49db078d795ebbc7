/**
 * Search latency on an index of ≥100k symbols, against the naive LIKE scan as baseline.
 *
 *   npm run bench:search [-- --corpus python-all|stdlib|npm] [--rounds 3] [--no-cache] [--micro-ms 1000]
 *
 * The index is built once (Engine.indexFolder, vectors included) and cached under
 * /tmp/pctx-bench-cache with a key covering schema, package version and indexing sources.
 * Queries are drawn from the index with a fixed seed (see lib/queries.ts). Keyword search
 * is timed per query through keywordSearch on the pool's own handle of the tenant (1 MiB
 * page cache, like production); the naive baseline runs the same queries on the same
 * handle:
 *   SELECT … FROM symbols WHERE name LIKE '%' || ? || '%' ORDER BY length(name) LIMIT 10
 * Semantic and hybrid go through Engine.searchSymbols; the first semantic query of a fresh
 * engine (HNSW file checked and loaded) is reported on its own.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import type { SearchSymbolsParams } from '../src/engine/params.js';
import { keywordSearch } from '../src/engine/queries/search-symbols.js';
import type { TenantDb } from '../src/tenant/tenant-db.js';
import { intOption } from './lib/args.js';
import { CORPUS_NAMES, resolveCorpus, type CorpusName } from './lib/corpora.js';
import { benchEngine } from './lib/engine.js';
import { describeMachine, loadAvg, machineInfo } from './lib/machine.js';
import { buildQuerySet, QUERY_CLASSES, schedule, type BenchQuery, type QueryClass } from './lib/queries.js';
import { rng, sample } from './lib/random.js';
import { writeResults } from './lib/results.js';
import { corpusIndex } from './lib/search-index.js';
import { r, ratio, summarize, type Summary } from './lib/stats.js';
import { printTable } from './lib/table.js';

const USAGE = `usage: npm run bench:search -- [--corpus ${CORPUS_NAMES.join('|')}] [--rounds N] [--no-cache] [--micro-ms N] [--skip-micro]`;
const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' },
    rounds: { type: 'string' },
    'no-cache': { type: 'boolean' },
    'micro-ms': { type: 'string' },
    'skip-micro': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const corpusName = (args.corpus ?? 'python-all') as CorpusName;
if (!(CORPUS_NAMES as readonly string[]).includes(corpusName)) throw new Error(`--corpus: unknown corpus "${corpusName}"`);
const rounds = intOption(args.rounds, 'rounds', 3);
const microMs = intOption(args['micro-ms'], 'micro-ms', 1000);
const MIN_PER_CLASS = 300;
const MIN_SYMBOLS = 100_000;
const TARGETS = { p50Ms: 1, p99Ms: 5 };
const SEED = 20_241_124;
const log = (line: string) => process.stderr.write(`[search] ${line}\n`);

const NAIVE_SQL = `SELECT s.id, s.uid, s.name, s.qualified_name, s.kind, s.file_id, s.start_line, s.end_line, s.signature
  FROM symbols s WHERE s.name LIKE '%' || ? || '%' ORDER BY length(s.name) LIMIT 10`;

function params(query: string, mode: SearchSymbolsParams['mode'] = 'keyword'): SearchSymbolsParams {
  return { query, limit: 10, mode };
}

/** Per-query wall times of `run` over `queries`, grouped by class, plus the overall distribution. */
function timeQueries(queries: BenchQuery[], run: (q: BenchQuery) => void): { byClass: Record<QueryClass, number[]>; all: number[] } {
  const byClass = Object.fromEntries(QUERY_CLASSES.map((c) => [c, [] as number[]])) as Record<QueryClass, number[]>;
  const all: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    run(q);
    const ms = performance.now() - started;
    byClass[q.cls].push(ms);
    all.push(ms);
  }
  return { byClass, all };
}

async function timeQueriesAsync(queries: BenchQuery[], run: (q: BenchQuery) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    await run(q);
    out.push(performance.now() - started);
  }
  return out;
}

function rounded(s: Summary): Summary {
  return { n: s.n, mean: r(s.mean), p50: r(s.p50), p90: r(s.p90), p99: r(s.p99), max: r(s.max) };
}

async function micro(db: TenantDb, tenantId: string, queries: BenchQuery[]) {
  const naive = db.prepare(NAIVE_SQL);
  const rows: { cls: QueryClass; ours: { hz: number; meanMs: number; p99Ms: number; rme: number }; naive: { hz: number; meanMs: number; p99Ms: number; rme: number } }[] = [];
  for (const cls of QUERY_CLASSES) {
    const ofClass = queries.filter((q) => q.cls === cls).map((q) => q.query);
    let i = 0;
    let j = 0;
    const ours = new Bench({ time: microMs, iterations: 64, warmupTime: 100 });
    ours.add(`keywordSearch ${cls}`, () => {
      keywordSearch(db, tenantId, params(ofClass[i++ % ofClass.length]!));
    });
    const base = new Bench({ time: Math.max(200, microMs / 2), iterations: 10, warmupIterations: 2, warmupTime: 0 });
    base.add(`naive LIKE ${cls}`, () => {
      naive.all(ofClass[j++ % ofClass.length]!);
    });
    await ours.run();
    await base.run();
    const stat = (b: Bench) => {
      const res = b.tasks[0]!.result;
      if (res.state !== 'completed') throw new Error(`tinybench task ${b.tasks[0]!.name} ended ${res.state}`);
      return { hz: r(res.throughput.mean), meanMs: r(res.latency.mean), p99Ms: r(res.latency.p99), rme: r(res.latency.rme) };
    };
    rows.push({ cls, ours: stat(ours), naive: stat(base) });
  }
  return rows;
}

const machine = machineInfo();
process.stdout.write(`bench:search — ${describeMachine(machine)}\n`);
const corpus = resolveCorpus(corpusName);
const index = await corpusIndex(`search-${corpus.name}`, corpus, { cache: !args['no-cache'], log });
const engine = benchEngine(index.dataDir);
const tenantId = index.tenantId;
try {
  const lease = engine.pool.acquire(tenantId);
  const db = lease.db;
  const symbols = db.prepare('SELECT count(*) FROM symbols').pluck().get() as number;
  const files = db.prepare('SELECT count(*) FROM files').pluck().get() as number;
  if (symbols < MIN_SYMBOLS) log(`warning: ${symbols} symbols, below the ${MIN_SYMBOLS.toLocaleString('en-US')} this benchmark is meant for`);
  const random = rng(SEED);
  const querySet = buildQuerySet(db, random);
  const order = schedule(querySet, rounds, MIN_PER_CLASS, random);
  log(`${symbols.toLocaleString('en-US')} symbols in ${files.toLocaleString('en-US')} files; ${querySet.length} queries, ${order.length} timed keyword searches`);

  // Warm the OS page cache and the statement cache: one untimed pass over every query.
  for (const q of querySet) keywordSearch(db, tenantId, params(q.query));

  const loadBefore = loadAvg();
  const keyword = timeQueries(order, (q) => keywordSearch(db, tenantId, params(q.query)));
  let exactTop1 = 0;
  for (const q of querySet) {
    if (q.cls !== 'exact') continue;
    const top = keywordSearch(db, tenantId, params(q.query))[0];
    if (top && top.row.name.toLowerCase() === q.expect!.toLowerCase()) exactTop1++;
  }

  log('naive LIKE baseline (one pass over the same queries)...');
  const naiveStmt = db.prepare(NAIVE_SQL);
  naiveStmt.all('warmup');
  const naive = timeQueries(querySet, (q) => naiveStmt.all(q.query));
  let naiveTop1 = 0;
  for (const q of querySet) {
    if (q.cls !== 'exact') continue;
    const top = naiveStmt.get(q.query) as { name: string } | undefined;
    if (top && top.name.toLowerCase() === q.expect!.toLowerCase()) naiveTop1++;
  }
  const exactCount = querySet.filter((q) => q.cls === 'exact').length;

  log('engine.searchSymbols keyword, end to end (validation, pool, hits)...');
  const endToEnd = await timeQueriesAsync(querySet, (q) => engine.searchSymbols(tenantId, params(q.query)));

  log('semantic and hybrid...');
  const vectorCount = db.prepare('SELECT count(*) FROM embeddings').pluck().get() as number;
  lease.release();
  await engine.close();
  // A fresh engine: the first semantic query checks the HNSW file and loads it.
  const fresh = benchEngine(index.dataDir);
  let firstSemanticMs: number;
  let semantic: number[];
  let hybrid: number[];
  let rssAfterVectorsMiB: number;
  try {
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    await fresh.searchSymbols(tenantId, params('warm up the vector index', 'semantic'));
    firstSemanticMs = performance.now() - started;
    rssAfterVectorsMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const semanticSet = [...querySet.filter((q) => q.cls === 'descriptive'), ...sample(querySet.filter((q) => q.cls === 'exact' || q.cls === 'subword'), 250, random)];
    const semOrder = schedule(semanticSet, 2, 0, random);
    semantic = await timeQueriesAsync(semOrder, (q) => fresh.searchSymbols(tenantId, params(q.query, 'semantic')));
    hybrid = await timeQueriesAsync(semOrder, (q) => fresh.searchSymbols(tenantId, params(q.query, 'hybrid')));
  } finally {
    await fresh.close();
  }

  const microRows = args['skip-micro'] ? null : await (async () => {
    log(`tinybench micro runs (${microMs} ms a task)...`);
    const again = benchEngine(index.dataDir);
    try {
      const l = again.pool.acquire(tenantId);
      try {
        return await micro(l.db, tenantId, querySet);
      } finally {
        l.release();
      }
    } finally {
      await again.close();
    }
  })();

  const classRows = QUERY_CLASSES.map((cls) => {
    const ours = rounded(summarize(keyword.byClass[cls]));
    const base = rounded(summarize(naive.byClass[cls]));
    return { cls, ours, naive: base, ratioP50: r(base.p50 / ours.p50) };
  });
  const overall = rounded(summarize(keyword.all));
  const naiveOverall = rounded(summarize(naive.all));
  const e2e = rounded(summarize(endToEnd));
  const sem = rounded(summarize(semantic));
  const hyb = rounded(summarize(hybrid));

  printTable(
    `Keyword search, ${corpus.name}: ${symbols.toLocaleString('en-US')} symbols — per query class (ms; PureContext ${rounds}+ rounds, naive 1 round)`,
    ['class', 'queries', 'p50', 'p90', 'p99', 'max', 'naive p50', 'naive p99', 'naive max', 'naive / ours (p50)'],
    [
      ...classRows.map((c) => [c.cls, querySet.filter((q) => q.cls === c.cls).length, c.ours.p50, c.ours.p90, c.ours.p99, c.ours.max, c.naive.p50, c.naive.p99, c.naive.max, ratio(c.naive.p50, c.ours.p50)]),
      ['overall', querySet.length, overall.p50, overall.p90, overall.p99, overall.max, naiveOverall.p50, naiveOverall.p99, naiveOverall.max, ratio(naiveOverall.p50, overall.p50)],
    ],
  );
  printTable(
    'Other modes and paths (ms)',
    ['path', 'samples', 'p50', 'p90', 'p99', 'max'],
    [
      ['engine.searchSymbols keyword (validation + pool + hits)', e2e.n, e2e.p50, e2e.p90, e2e.p99, e2e.max],
      ['engine.searchSymbols semantic (HNSW loaded)', sem.n, sem.p50, sem.p90, sem.p99, sem.max],
      ['engine.searchSymbols hybrid (keyword + semantic, RRF)', hyb.n, hyb.p50, hyb.p90, hyb.p99, hyb.max],
      [`first semantic query of a fresh engine (checks + loads ${vectorCount.toLocaleString('en-US')} vectors)`, 1, r(firstSemanticMs), null, null, null],
    ],
  );
  if (microRows) {
    printTable(
      `tinybench per class (${microMs} ms a task; each iteration asks the next query of the class)`,
      ['class', 'PureContext ops/s', 'mean ms', 'p99 ms', '±%', 'naive ops/s', 'naive mean ms', 'naive p99 ms', 'speed-up'],
      microRows.map((m) => [m.cls, m.ours.hz, m.ours.meanMs, m.ours.p99Ms, m.ours.rme, m.naive.hz, m.naive.meanMs, m.naive.p99Ms, ratio(m.ours.hz, m.naive.hz)]),
    );
  }
  const met = { p50: overall.p50 <= TARGETS.p50Ms, p99: overall.p99 <= TARGETS.p99Ms };
  process.stdout.write(
    `\nexact-name queries with the name as top hit: PureContext ${exactTop1}/${exactCount}, naive ${naiveTop1}/${exactCount}\n` +
      `targets: keyword p50 ≤${TARGETS.p50Ms} ms ${met.p50 ? 'met' : 'NOT met'} (${overall.p50}), p99 ≤${TARGETS.p99Ms} ms ${met.p99 ? 'met' : 'NOT met'} (${overall.p99}) · HNSW load adds ${rssAfterVectorsMiB.toFixed(0)} MiB RSS\n`,
  );
  const file = writeResults('search', machine, {
    corpus: { ...corpus, symbols, files, vectors: vectorCount },
    index: { built: index.built, cacheKey: index.cacheKey, build: index.build },
    args: { rounds, microMs, seed: SEED, minPerClass: MIN_PER_CLASS },
    loadAvgBeforeTimedLoop: loadBefore,
    keyword: { classes: classRows, overall, naiveOverall, exactTop1, naiveTop1, exactCount },
    engine: { keywordEndToEnd: e2e, semantic: sem, hybrid: hyb, firstSemanticMs: r(firstSemanticMs), rssAfterVectorsMiB: r(rssAfterVectorsMiB) },
    micro: microRows,
    targets: { ...TARGETS, met },
    queries: querySet,
    loadAvgAtEnd: loadAvg(),
  });
  process.stdout.write(`\nraw results: ${path.relative(process.cwd(), file)} · load average at end ${loadAvg().join(' ')}\n`);
} finally {
  await engine.close();
  index.dispose();
}
