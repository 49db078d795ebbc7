/**
 * The database-per-tenant pool at 10,000 tenants, against ONE shared SQLite database
 * holding the same data as the baseline.
 *
 *   npm run bench:pool [-- --only acquire,miss,throughput,memory,delete] [--tenants 10000] [--handles 256]
 *                         [--ops 20000] [--warmup-ops 5000] [--misses 2000] [--big-symbols 100000] [--delete-reps 3]
 *
 * Setup (timed and reported): small real folders indexed by the Engine into template
 * tenants; 10,000 tenants made by copying a template's index.db and rewriting its
 * tenant ids; the shared database loaded with the same rows (ids shifted, tenant id in
 * every table and in the FTS rows).
 * Operations (each selectable with --only):
 *   acquire     pool.acquire + release of a tenant already open (tinybench)
 *   miss        acquire of a tenant not open (opens its file, closes another handle) + first query
 *   throughput  keyword searches/s through pool.withTenant for all-hot, zipfian and uniform
 *               tenant choice, then the same sequence on the shared database
 *   memory      RSS and open descriptors with 256 tenants open (fresh child process per design)
 *   delete      a tenant of 100k symbols: deleteTenant (files) vs DELETE of its rows (shared)
 * Everything lives in one temp folder under /tmp, removed at the end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Bench } from 'tinybench';
import { deleteTenant } from '../src/admin/delete-tenant.js';
import { openControlDb } from '../src/control/index.js';
import type { SearchSymbolsParams } from '../src/engine/params.js';
import { keywordSearch } from '../src/engine/queries/search-symbols.js';
import { PctxError } from '../src/errors.js';
import { TenantDbPool } from '../src/tenant/tenant-pool.js';
import { intOption } from './lib/args.js';
import { describeMachine, loadAvg, machineInfo } from './lib/machine.js';
import { rng, shuffle, zipf } from './lib/random.js';
import { writeResults } from './lib/results.js';
import { median, r, ratio, summarize, type Summary } from './lib/stats.js';
import { printTable } from './lib/table.js';
import { folderBytes, tempDir } from './lib/temp.js';
import { buildBigTenant, syncFolder } from './pool/big-tenant.js';
import { generateTenants } from './pool/generate.js';
import { addBigTenant, buildShared, openShared, sharedDelete, sharedKeywordSearch } from './pool/shared-db.js';
import { buildTemplates, type Template } from './pool/templates.js';
import { runMemoryChild, type MemoryReport } from './pool/memory-child.js';

const OPERATIONS = ['acquire', 'miss', 'throughput', 'memory', 'delete'] as const;
type Operation = (typeof OPERATIONS)[number];
const USAGE = `usage: npm run bench:pool -- [--only ${OPERATIONS.join(',')}] [--tenants N] [--handles N] [--ops N] [--warmup-ops N] [--misses N] [--big-symbols N] [--delete-reps N] [--max-seconds N]`;

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    tenants: { type: 'string' },
    handles: { type: 'string' },
    ops: { type: 'string' },
    'warmup-ops': { type: 'string' },
    misses: { type: 'string' },
    'big-symbols': { type: 'string' },
    'delete-reps': { type: 'string' },
    'max-seconds': { type: 'string' },
    'memory-child': { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args['memory-child']) {
  // Internal: one design measured in a fresh process (see pool/memory-child.ts).
  await runMemoryChild(args['memory-child']);
  process.exit(0);
}
const only = new Set<Operation>(
  args.only
    ? args.only.split(',').map((s) => {
        if (!(OPERATIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown operation "${s}" (known: ${OPERATIONS.join(', ')})`);
        return s as Operation;
      })
    : OPERATIONS,
);
const TENANTS = intOption(args.tenants, 'tenants', 10_000);
const HANDLES = intOption(args.handles, 'handles', 256);
const OPS = intOption(args.ops, 'ops', 20_000);
const WARMUP_OPS = intOption(args['warmup-ops'], 'warmup-ops', 5_000, 0);
const MISSES = intOption(args.misses, 'misses', 2_000);
const BIG_SYMBOLS = intOption(args['big-symbols'], 'big-symbols', 100_000);
const DELETE_REPS = intOption(args['delete-reps'], 'delete-reps', 3);
/** Time cap of one timed throughput run (the warm-up gets half): the shared design needs minutes for 20,000 queries. */
const MAX_SECONDS = intOption(args['max-seconds'], 'max-seconds', 60);
const ZIPF_S = 1;
/** The pool's default page cache per handle; the shared database gets handles × this. */
const CACHE_KIB_PER_HANDLE = 1024;
const SEED = 3;
const BIG_TENANT = 'e0000001';
const TARGETS = { missP50Ms: 1, zipfVsHot: 0.7, rssGiB: 1, perTenantVsShared: 1, deleteMs: 50, deleteSpeedup: 100 };
const log = (line: string) => process.stderr.write(`[pool] ${line} (load ${loadAvg().join(' ')})\n`);

if (HANDLES > TENANTS) throw new Error('--handles must not exceed --tenants');

interface Op {
  tenant: number;
  query: string;
}

const random = rng(SEED);
const machine = machineInfo();
process.stdout.write(`bench:pool — ${describeMachine(machine)}\n`);
const tmp = tempDir('pool');
const dataDir = path.join(tmp.path, 'data');
const results: Record<string, unknown> = {
  args: { only: [...only], tenants: TENANTS, handles: HANDLES, ops: OPS, warmupOps: WARMUP_OPS, misses: MISSES, bigSymbols: BIG_SYMBOLS, deleteReps: DELETE_REPS, maxSeconds: MAX_SECONDS, zipfS: ZIPF_S, seed: SEED },
};

function params(query: string): SearchSymbolsParams {
  return { query, limit: 10, mode: 'keyword' };
}

function fdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

try {
  // ---- setup -------------------------------------------------------------------------
  let started = performance.now();
  const templates: Template[] = await buildTemplates(path.join(tmp.path, 'templates'), random, log);
  const templatesMs = performance.now() - started;
  log(`${templates.length} templates: ${templates.map((t) => `${t.name} (${t.symbols.length})`).join(', ')}`);
  const gen = generateTenants(dataDir, templates, TENANTS, (done) => log(`generated ${done} tenants`));
  const ids = gen.ids;
  const symbolsOf = (i: number) => templates[gen.templateOf[i]!]!.symbols.length;
  const totalSymbols = ids.reduce((sum, _, i) => sum + symbolsOf(i), 0);
  const queriesOf = (i: number) => templates[gen.templateOf[i]!]!.queries;
  const setup: Record<string, unknown> = {
    templates: templates.map((t) => ({ name: t.name, files: t.files.length, symbols: t.symbols.length, dbBytes: t.bytes })),
    templatesMs: r(templatesMs),
    generate: { tenants: TENANTS, ms: r(gen.ms), usPerTenant: r((gen.ms * 1000) / TENANTS), bytes: gen.bytes, symbols: totalSymbols },
  };
  results.setup = setup;

  const needShared = only.has('throughput') || only.has('memory') || only.has('delete');
  const sharedFile = path.join(tmp.path, 'shared', 'shared.db');
  if (needShared) {
    fs.mkdirSync(path.dirname(sharedFile), { recursive: true });
    const built = buildShared(sharedFile, templates, gen, (done) => done % 2000 === 0 && log(`shared database: ${done} tenants loaded`));
    setup.shared = { ms: r(built.ms), bytes: folderBytes(path.dirname(sharedFile)) };
  }
  // Setup wrote gigabytes: flush them now, so background writeback does not slow the file
  // creations (-wal, -shm) and unlinks that every measured open and close performs.
  started = performance.now();
  spawnSync('sync');
  setup.syncMs = r(performance.now() - started);
  printTable(
    `Pool setup: ${TENANTS.toLocaleString('en-US')} tenants from ${templates.length} real templates`,
    ['step', 'ms', 'per tenant µs', 'data on disk MB'],
    [
      ['index the template folders (Engine)', r(templatesMs), null, null],
      ['per-tenant: copy template + rewrite tenant ids', r(gen.ms), r((gen.ms * 1000) / TENANTS), r(gen.bytes / 1e6)],
      ...(needShared ? [['shared: load every tenant into one database', (setup.shared as { ms: number }).ms, r(((setup.shared as { ms: number }).ms * 1000) / TENANTS), r((setup.shared as { bytes: number }).bytes / 1e6)] as (string | number | null)[]] : []),
      ['sync (flush the generated data before measuring)', setup.syncMs as number, null, null],
    ],
  );
  process.stdout.write(`\ntemplates: ${templates.map((t) => `${t.name} ${t.symbols.length} symbols`).join(' · ')} — ${totalSymbols.toLocaleString('en-US')} symbols in all\n`);

  // The tenants a workload touches: a fixed random order, so "hot" and "zipf rank 1" are
  // scattered over the id space rather than the first ids generated.
  const order = shuffle(ids.map((_, i) => i), random);
  const hotSet = order.slice(0, HANDLES);
  const opsFor = (pick: () => number, n: number): Op[] =>
    Array.from({ length: n }, () => {
      const tenant = pick();
      const qs = queriesOf(tenant);
      return { tenant, query: qs[Math.floor(random() * qs.length)]! };
    });
  const zipfRank = zipf(TENANTS, ZIPF_S, random);
  const workloads = {
    hot: () => hotSet[Math.floor(random() * hotSet.length)]!,
    zipf: () => order[zipfRank()]!,
    uniform: () => Math.floor(random() * TENANTS),
  };
  type Workload = keyof typeof workloads;
  const plans = Object.fromEntries(
    (Object.keys(workloads) as Workload[]).map((w) => [w, { warmup: opsFor(workloads[w], WARMUP_OPS), timed: opsFor(workloads[w], OPS) }]),
  ) as Record<Workload, { warmup: Op[]; timed: Op[] }>;

  // ---- acquire (hit) -----------------------------------------------------------------
  if (only.has('acquire')) {
    log('acquire hit (tinybench)');
    const pool = new TenantDbPool({ dataDir, maxHandles: HANDLES, idleTtlMs: 0, cacheKiB: CACHE_KIB_PER_HANDLE });
    try {
      for (const i of hotSet) pool.acquire(ids[i]!).release();
      let k = 0;
      const bench = new Bench({ time: 1000, warmupTime: 200 });
      bench.add('pool.acquire(hot).release()', () => {
        pool.acquire(ids[hotSet[k++ % hotSet.length]!]!).release();
      });
      let j = 0;
      bench.add('pool.withTenant(hot, keywordSearch) — for scale', async () => {
        const i = hotSet[j++ % hotSet.length]!;
        await pool.withTenant(ids[i]!, (lease) => keywordSearch(lease.db, ids[i]!, params(queriesOf(i)[j % queriesOf(i).length]!)));
      });
      await bench.run();
      const rows = bench.tasks.map((t) => {
        const res = t.result;
        if (res.state !== 'completed') throw new Error(`tinybench task ${t.name} ended ${res.state}`);
        return { task: t.name, opsPerS: r(res.throughput.mean), meanUs: r(res.latency.mean * 1000), p50Us: r(res.latency.p50 * 1000), p99Us: r(res.latency.p99 * 1000), rme: r(res.latency.rme) };
      });
      const m = pool.metrics();
      results.acquire = { tinybench: rows, metrics: { hits: m.hits, misses: m.misses, open: m.open } };
      printTable(
        `Acquire hit (${HANDLES} tenants open; tinybench, 1 s a task)`,
        ['task', 'ops/s', 'mean µs', 'p50 µs', 'p99 µs', '±%'],
        rows.map((x) => [x.task, x.opsPerS, x.meanUs, x.p50Us, x.p99Us, x.rme]),
      );
    } finally {
      await pool.close();
    }
  }

  // ---- miss ----------------------------------------------------------------------------
  if (only.has('miss')) {
    log(`acquire miss: ${MISSES} tenants not open`);
    const pool = new TenantDbPool({ dataDir, maxHandles: HANDLES, idleTtlMs: 0, cacheKiB: CACHE_KIB_PER_HANDLE });
    try {
      // Fill the pool so every miss also closes a handle (the window's oldest, or the main region's least recently used).
      for (const i of hotSet) pool.acquire(ids[i]!).release();
      const cold = order.slice(HANDLES, HANDLES + MISSES);
      const acquireMs: number[] = [];
      const firstQueryMs: number[] = [];
      const totalMs: number[] = [];
      const hotQueryMs: number[] = [];
      for (const i of cold) {
        const q = params(queriesOf(i)[Math.floor(random() * queriesOf(i).length)]!);
        const t0 = performance.now();
        const lease = pool.acquire(ids[i]!);
        const t1 = performance.now();
        try {
          keywordSearch(lease.db, ids[i]!, q);
          const t2 = performance.now();
          keywordSearch(lease.db, ids[i]!, q);
          const t3 = performance.now();
          acquireMs.push(t1 - t0);
          firstQueryMs.push(t2 - t1);
          totalMs.push(t2 - t0);
          hotQueryMs.push(t3 - t2);
        } finally {
          lease.release();
        }
      }
      const m = pool.metrics();
      const s = { acquire: summarize(acquireMs), firstQuery: summarize(firstQueryMs), total: summarize(totalMs), sameQueryAgain: summarize(hotQueryMs) };
      results.miss = { ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, roundSummary(v)])), metrics: { misses: m.misses, evictions: m.evictions, open: m.open } };
      // Where an open goes: the steps of openTenantDb (src/tenant/tenant-db.ts) one by one on
      // other tenants not opened yet, with raw better-sqlite3, then a query and the close.
      const steps = ['mkdir -p tenant folder', 'new Database()', 'PRAGMA journal_mode = WAL (opens -wal, -shm)', '6 more pragmas', 'user_version + owner check', 'first keyword query', 'same query again', 'close (checkpoint, unlink -wal/-shm)'] as const;
      const stepMs = Object.fromEntries(steps.map((k) => [k, [] as number[]])) as Record<(typeof steps)[number], number[]>;
      // Tenants neither opened above nor by the misses; fewer than 500 with a small --tenants.
      const unopened = order.slice(HANDLES + MISSES, HANDLES + MISSES + 500);
      for (const i of unopened) {
        const paths = pool.paths(ids[i]!);
        const q = params(queriesOf(i)[0]!);
        const t: number[] = [performance.now()];
        fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
        t.push(performance.now());
        const db = new Database(paths.db);
        t.push(performance.now());
        db.pragma('journal_mode = WAL');
        t.push(performance.now());
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        db.pragma('busy_timeout = 5000');
        db.pragma(`cache_size = -${CACHE_KIB_PER_HANDLE}`);
        db.pragma('temp_store = MEMORY');
        db.pragma('journal_size_limit = 16777216');
        t.push(performance.now());
        db.pragma('user_version', { simple: true });
        db.prepare("SELECT value FROM meta WHERE key = 'tenant_id'").pluck().get();
        t.push(performance.now());
        keywordSearch(db, ids[i]!, q);
        t.push(performance.now());
        keywordSearch(db, ids[i]!, q);
        t.push(performance.now());
        db.close();
        t.push(performance.now());
        steps.forEach((k, n) => stepMs[k].push(t[n + 1]! - t[n]!));
      }
      const breakdown = steps.map((k) => ({ step: k, ...roundSummary(summarize(stepMs[k])) }));
      if (unopened.length > 0) (results.miss as Record<string, unknown>).openBreakdown = breakdown;
      printTable(
        `Acquire miss (${MISSES.toLocaleString('en-US')} tenants not open; pool full, so each miss also closes a handle; OS page cache warm)`,
        ['step', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        [
          ['acquire (open + schema check + owner check + evict)', ...pcts(s.acquire)],
          ['first keyword query on the new handle', ...pcts(s.firstQuery)],
          ['miss total: acquire + first query', ...pcts(s.total)],
          ['for scale: the same query again, handle warm', ...pcts(s.sameQueryAgain)],
        ],
      );
      if (unopened.length > 0) {
        printTable(
          `Where a miss goes: the steps of openTenantDb, a first and second query, and the close, on ${unopened.length} other unopened tenants (raw better-sqlite3)`,
          ['step', 'p50 µs', 'p90 µs', 'p99 µs'],
          breakdown.map((b) => [b.step, r(b.p50 * 1000), r(b.p90 * 1000), r(b.p99 * 1000)]),
        );
      } else {
        log(`no tenant left unopened for the step breakdown (--tenants ${TENANTS} ≤ --handles + --misses)`);
      }
    } finally {
      await pool.close();
    }
  }

  // ---- throughput --------------------------------------------------------------------------
  if (only.has('throughput')) {
    type Run = { qps: number; ops: number; latency: Summary; hitRate: number | null };
    /**
     * The plan's warm-up, then its timed queries one after another, each awaited; stops at
     * the end of the plan or after MAX_SECONDS (the warm-up after half that), so a slow
     * design answers a prefix of the same sequence.
     */
    const measure = async (plan: { warmup: Op[]; timed: Op[] }, run: (op: Op) => Promise<unknown>): Promise<{ qps: number; ops: number; latency: Summary }> => {
      let deadline = performance.now() + (MAX_SECONDS * 1000) / 2;
      for (const op of plan.warmup) {
        await run(op);
        if (performance.now() > deadline) break;
      }
      const lat: number[] = [];
      const t0 = performance.now();
      deadline = t0 + MAX_SECONDS * 1000;
      for (const op of plan.timed) {
        const s = performance.now();
        await run(op);
        const e = performance.now();
        lat.push(e - s);
        if (e > deadline) break;
      }
      const wall = performance.now() - t0;
      return { qps: r((lat.length / wall) * 1000), ops: lat.length, latency: roundSummary(summarize(lat)) };
    };
    const through = { perTenant: {} as Record<Workload, Run>, shared: {} as Record<Workload, Run> };
    const pool = new TenantDbPool({ dataDir, maxHandles: HANDLES, idleTtlMs: 0, cacheKiB: CACHE_KIB_PER_HANDLE });
    try {
      for (const w of Object.keys(workloads) as Workload[]) {
        log(`throughput per-tenant ${w}`);
        let before = pool.metrics();
        const res = await measure(plans[w], (op) => {
          if (op === plans[w].timed[0]) before = pool.metrics();
          return pool.withTenant(ids[op.tenant]!, (lease) => keywordSearch(lease.db, ids[op.tenant]!, params(op.query)));
        });
        const after = pool.metrics();
        const hits = after.hits - before.hits;
        const misses = after.misses - before.misses;
        through.perTenant[w] = { ...res, hitRate: r(hits / (hits + misses)) };
      }
    } finally {
      await pool.close();
    }
    const shared = openShared(sharedFile, HANDLES * CACHE_KIB_PER_HANDLE);
    try {
      for (const w of Object.keys(workloads) as Workload[]) {
        log(`throughput shared ${w}`);
        through.shared[w] = { ...(await measure(plans[w], async (op) => sharedKeywordSearch(shared, ids[op.tenant]!, params(op.query)))), hitRate: null };
      }
      // Same answers? Compare the top hits of both designs on a sample of the timed queries.
      const check = new TenantDbPool({ dataDir, maxHandles: HANDLES, idleTtlMs: 0 });
      let sameTop1 = 0;
      let overlap = 0;
      const sampleOps = plans.uniform.timed.slice(0, 300);
      try {
        for (const op of sampleOps) {
          const id = ids[op.tenant]!;
          const a = await check.withTenant(id, (lease) => keywordSearch(lease.db, id, params(op.query)).map((h) => `${h.row.filePath}:${h.row.qualifiedName}:${h.row.startLine}`));
          const b = sharedKeywordSearch(shared, id, params(op.query)).map((h) => `${h.row.filePath}:${h.row.qualifiedName}:${h.row.startLine}`);
          if (a[0] === b[0]) sameTop1++;
          const setB = new Set(b);
          overlap += a.length === 0 ? 1 : a.filter((x) => setB.has(x)).length / a.length;
        }
      } finally {
        await check.close();
      }
      results.throughput = { ...through, agreement: { queries: sampleOps.length, sameTop1: r(sameTop1 / sampleOps.length), meanOverlapAt10: r(overlap / sampleOps.length) } };
    } finally {
      shared.close();
    }
    const pt = through.perTenant;
    const sh = through.shared;
    printTable(
      `Keyword search throughput, one thread: ${TENANTS.toLocaleString('en-US')} tenants, ${HANDLES} handles (per-tenant) vs one shared database (${HANDLES} MiB cache); up to ${OPS.toLocaleString('en-US')} queries or ${MAX_SECONDS} s after a warm-up of ${WARMUP_OPS.toLocaleString('en-US')}`,
      ['access', 'per-tenant q/s', 'queries', 'pool hit rate', 'p50 ms', 'p99 ms', 'shared q/s', 'queries', 'shared p50 ms', 'shared p99 ms', 'per-tenant / shared', 'vs all-hot (per-tenant)'],
      (Object.keys(workloads) as Workload[]).map((w) => [
        w === 'hot' ? `all-hot (${HANDLES} tenants)` : w === 'zipf' ? `zipf s=${ZIPF_S} over ${TENANTS.toLocaleString('en-US')}` : `uniform over ${TENANTS.toLocaleString('en-US')}`,
        pt[w].qps,
        pt[w].ops,
        pt[w].hitRate,
        pt[w].latency.p50,
        pt[w].latency.p99,
        sh[w].qps,
        sh[w].ops,
        sh[w].latency.p50,
        sh[w].latency.p99,
        ratio(pt[w].qps, sh[w].qps),
        ratio(pt[w].qps, pt.hot.qps),
      ]),
    );
    const ag = (results.throughput as { agreement: { sameTop1: number; meanOverlapAt10: number; queries: number } }).agreement;
    process.stdout.write(`\nsame answers: top hit identical in ${(ag.sameTop1 * 100).toFixed(1)}% of ${ag.queries} sampled queries, top-10 overlap ${(ag.meanOverlapAt10 * 100).toFixed(1)}% (BM25 statistics are per tenant in one design, global in the other)\n`);
  }

  // ---- memory ---------------------------------------------------------------------------------
  if (only.has('memory')) {
    log('memory: one fresh child process per design');
    const plan = path.join(tmp.path, 'memory-plan.json');
    fs.writeFileSync(
      plan,
      JSON.stringify({
        dataDir,
        sharedFile,
        handles: HANDLES,
        cacheKiB: CACHE_KIB_PER_HANDLE,
        hot: hotSet.map((i) => ({ id: ids[i]!, queries: queriesOf(i) })),
        churn: plans.uniform.timed.slice(0, 5000).map((op) => ({ id: ids[op.tenant]!, query: op.query })),
      }),
    );
    const reports: Record<string, MemoryReport> = {};
    for (const design of ['per-tenant', 'shared']) {
      const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--memory-child', `${design}:${plan}`], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`memory child (${design}) failed: ${child.stderr}`);
      reports[design] = JSON.parse(child.stdout.trim().split('\n').pop()!) as MemoryReport;
    }
    results.memory = reports;
    const rows = Object.entries(reports).flatMap(([design, m]) => m.points.map((p) => [design, p.label, r(p.rssMiB), r(p.heapMiB), p.fds, p.open ?? null]));
    printTable(`Memory and descriptors (fresh process per design; RSS includes Node + tsx, ~${r(reports['per-tenant']!.points[0]!.rssMiB)} MiB at start)`, ['design', 'point', 'RSS MiB', 'JS heap MiB', 'open fds', 'open handles'], rows);
  }

  // ---- delete ---------------------------------------------------------------------------------
  if (only.has('delete')) {
    log(`delete: building a tenant of ≥${BIG_SYMBOLS.toLocaleString('en-US')} symbols`);
    const biggest = [...templates].sort((a, b) => b.symbols.length - a.symbols.length)[0]!;
    const pristineData = path.join(tmp.path, 'big-pristine');
    const big = await buildBigTenant(pristineData, BIG_TENANT, biggest, BIG_SYMBOLS);
    const pristine = path.join(pristineData, 'tenants', BIG_TENANT);
    const control = openControlDb(path.join(dataDir, 'control.db'));
    const pool = new TenantDbPool({ dataDir, maxHandles: HANDLES, idleTtlMs: 0, cacheKiB: CACHE_KIB_PER_HANDLE });
    const endToEnd: number[] = [];
    const filesOnly: { totalMs: number; closeMs: number; renameMs: number; rmMs: number }[] = [];
    const live = pool.paths(BIG_TENANT);
    const placeBig = async () => {
      fs.cpSync(pristine, live.dir, { recursive: true });
      syncFolder(live.dir);
      // A live tenant: its handle open and warm, as after a query.
      await pool.withTenant(BIG_TENANT, (lease) => keywordSearch(lease.db, BIG_TENANT, params(biggest.queries[0]!)));
    };
    try {
      for (let rep = 0; rep < DELETE_REPS; rep++) {
        await placeBig();
        control.tenants.create({ name: `big-${rep}`, id: BIG_TENANT });
        const t0 = performance.now();
        await deleteTenant({ control, pool }, BIG_TENANT);
        endToEnd.push(performance.now() - t0);
        if (fs.existsSync(live.dir)) throw new Error('deleteTenant left the tenant folder behind');
      }
      for (let rep = 0; rep < DELETE_REPS; rep++) {
        await placeBig();
        const t0 = performance.now();
        await pool.block(BIG_TENANT, new PctxError('TENANT_DELETING', { tenantId: BIG_TENANT }));
        const t1 = performance.now();
        fs.renameSync(live.dir, live.trash);
        const t2 = performance.now();
        fs.rmSync(live.trash, { recursive: true, force: true });
        const t3 = performance.now();
        pool.unblock(BIG_TENANT);
        filesOnly.push({ totalMs: t3 - t0, closeMs: t1 - t0, renameMs: t2 - t1, rmMs: t3 - t2 });
      }
    } finally {
      await pool.close();
      control.close();
    }

    const sharedRuns: ReturnType<typeof sharedDelete>[] = [];
    for (let rep = 0; rep < DELETE_REPS; rep++) {
      log(`delete: shared rep ${rep + 1}, adding the big tenant's rows`);
      addBigTenant(sharedFile, BIG_TENANT, biggest, Math.ceil(BIG_SYMBOLS / biggest.symbols.length));
      const shared = openShared(sharedFile, HANDLES * CACHE_KIB_PER_HANDLE);
      try {
        sharedKeywordSearch(shared, BIG_TENANT, params(biggest.queries[0]!));
        sharedRuns.push(sharedDelete(shared, BIG_TENANT));
      } finally {
        shared.close();
      }
    }
    const perTenantMs = median(filesOnly.map((f) => f.totalMs));
    const rmMs = median(filesOnly.map((f) => f.rmMs));
    const quickMs = median(filesOnly.map((f) => f.closeMs + f.renameMs));
    const e2eMs = median(endToEnd);
    const sharedMs = median(sharedRuns.map((s) => s.deleteMs + s.checkpointMs));
    results.delete = {
      bigTenant: { symbols: big.symbols, bytes: big.bytes, buildMs: r(big.ms), template: biggest.name },
      perTenant: { deleteTenantMs: endToEnd.map(r), filesOnly: filesOnly.map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, r(v)]))) },
      shared: sharedRuns.map((s) => ({ deleteMs: r(s.deleteMs), checkpointMs: r(s.checkpointMs), rows: s.rows, freelistBytes: s.freelistBytes })),
      medians: { perTenantFilesMs: r(perTenantMs), deleteTenantMs: r(e2eMs), rmMs: r(rmMs), closeAndRenameMs: r(quickMs), sharedMs: r(sharedMs) },
    };
    const sharedFreed = sharedRuns[0]!.freelistBytes;
    printTable(
      `Tenant delete: one tenant of ${big.symbols.toLocaleString('en-US')} symbols (${r(big.bytes / 1e6)} MB on disk) — median of ${DELETE_REPS}`,
      ['design', 'step', 'ms', 'vs per-tenant files'],
      [
        ['per-tenant', 'close handle + rename folder + rm (files only)', r(perTenantMs), '1×'],
        ['per-tenant', '  of which: close handle', r(median(filesOnly.map((f) => f.closeMs))), null],
        ['per-tenant', '  of which: rename', r(median(filesOnly.map((f) => f.renameMs))), null],
        ['per-tenant', '  of which: rm -r', r(median(filesOnly.map((f) => f.rmMs))), null],
        ['per-tenant', 'deleteTenant() end to end (tombstone, close, rename, purge; rm -r continues in the background)', r(e2eMs), ratio(e2eMs, perTenantMs)],
        ['per-tenant', 'close handle + rename only (what a delete that removed the trash after returning would wait for)', r(quickMs), ratio(quickMs, perTenantMs)],
        ['shared', 'DELETE its rows from 5 tables + FTS5, one transaction', r(median(sharedRuns.map((s) => s.deleteMs))), ratio(median(sharedRuns.map((s) => s.deleteMs)), perTenantMs)],
        ['shared', 'wal_checkpoint(TRUNCATE)', r(median(sharedRuns.map((s) => s.checkpointMs))), null],
        ['shared', 'total', r(sharedMs), ratio(sharedMs, perTenantMs)],
      ],
    );
    process.stdout.write(
      `\nper-tenant returns ${r(big.bytes / 1e6)} MB to the file system at once; the shared file keeps its size (${r(sharedFreed / 1e6)} MB of free pages inside it until a VACUUM, which rewrites the whole database)\n`,
    );
  }

  // ---- verdict ------------------------------------------------------------------------------------
  const verdict: [string, string, string, boolean | null][] = [];
  const miss = results.miss as { total: Summary } | undefined;
  if (miss) verdict.push(['miss p50 (open + first query)', `≤${TARGETS.missP50Ms} ms`, `${miss.total.p50} ms`, miss.total.p50 <= TARGETS.missP50Ms]);
  const th = results.throughput as { perTenant: Record<string, { qps: number }>; shared: Record<string, { qps: number }> } | undefined;
  if (th) {
    verdict.push(['zipf throughput / all-hot', `≥${TARGETS.zipfVsHot}`, `${r(th.perTenant.zipf!.qps / th.perTenant.hot!.qps)}`, th.perTenant.zipf!.qps / th.perTenant.hot!.qps >= TARGETS.zipfVsHot]);
    for (const w of ['hot', 'zipf', 'uniform']) {
      const q = th.perTenant[w]!.qps / th.shared[w]!.qps;
      verdict.push([`per-tenant / shared throughput, ${w}`, `≥${TARGETS.perTenantVsShared}`, `${r(q)}`, q >= TARGETS.perTenantVsShared]);
    }
  }
  const mem = results.memory as Record<string, MemoryReport> | undefined;
  if (mem) {
    const worst = Math.max(...mem['per-tenant']!.points.map((p) => p.rssMiB));
    verdict.push([`RSS with ${HANDLES} tenants open (max over the run)`, `≤${TARGETS.rssGiB} GiB`, `${r(worst)} MiB`, worst <= TARGETS.rssGiB * 1024]);
  }
  const del = results.delete as { medians: { perTenantFilesMs: number; sharedMs: number; deleteTenantMs: number; closeAndRenameMs: number } } | undefined;
  if (del) {
    verdict.push(['per-tenant delete (files)', `≤${TARGETS.deleteMs} ms`, `${del.medians.perTenantFilesMs} ms`, del.medians.perTenantFilesMs <= TARGETS.deleteMs]);
    verdict.push(['deleteTenant() end to end', `≤${TARGETS.deleteMs} ms`, `${del.medians.deleteTenantMs} ms`, del.medians.deleteTenantMs <= TARGETS.deleteMs]);
    // What a caller waits for: deleteTenant() returns once the tenant is gone (folder moved
    // aside, keys and row purged); the moved-aside files are removed in the background.
    const speedup = del.medians.sharedMs / del.medians.deleteTenantMs;
    verdict.push(['shared delete / deleteTenant()', `≥${TARGETS.deleteSpeedup}×`, `${r(speedup)}×`, speedup >= TARGETS.deleteSpeedup]);
    const withRm = del.medians.sharedMs / del.medians.perTenantFilesMs;
    verdict.push(['  shared delete / per-tenant close + rename + rm -r', `≥${TARGETS.deleteSpeedup}×`, `${r(withRm)}×`, null]);
  }
  results.verdict = verdict.map(([what, target, measured, met]) => ({ what, target, measured, met }));
  printTable('Targets', ['what', 'target', 'measured', 'met'], verdict.map(([a, b, c, d]) => [a, b, c, d === null ? '' : d ? 'yes' : 'NO']));
  const file = writeResults('pool', machine, { ...results, loadAvgAtEnd: loadAvg() });
  process.stdout.write(`\nraw results: ${path.relative(process.cwd(), file)} · load average at end ${loadAvg().join(' ')}\n`);
} finally {
  tmp.remove();
}

function roundSummary(s: Summary): Summary {
  return { n: s.n, mean: r(s.mean), p50: r(s.p50), p90: r(s.p90), p99: r(s.p99), max: r(s.max) };
}

function pcts(s: Summary): number[] {
  return [r(s.p50), r(s.p90), r(s.p99), r(s.max)];
}
