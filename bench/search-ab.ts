/**
 * Keyword search of two builds, in turns, on one cached tenant: for a machine shared with
 * other work, where two runs of bench:search minutes apart see different loads.
 *
 *   node --import tsx bench/search-ab.ts --baseline <checkout> [--corpus python-mid] [--rounds 3]
 *
 * `--baseline` is a checkout (or `git archive` export, with node_modules reachable) of the
 * build to compare with, e.g. `git archive main src | tar -x -C /tmp/base`. Each side
 * imports its own `keywordSearch` and opens its own handle of the same tenant database
 * (bench:search's cached index; the schemas must match). Every query of bench:search's set
 * runs on both sides back to back, the side going first alternating, and is timed in wall
 * time and in CPU time of the process (user + system): on a loaded machine the CPU time
 * is what the search itself costs, the wall time adds the wait for a core.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { intOption } from './lib/args.js';
import { CORPUS_NAMES, resolveCorpus, type CorpusName } from './lib/corpora.js';
import { describeMachine, loadAvg, machineInfo } from './lib/machine.js';
import { buildQuerySet, QUERY_CLASSES, schedule } from './lib/queries.js';
import { rng } from './lib/random.js';
import { writeResults } from './lib/results.js';
import { corpusIndex } from './lib/search-index.js';
import { r, ratio, summarize } from './lib/stats.js';
import { printTable } from './lib/table.js';

const USAGE = `usage: node --import tsx bench/search-ab.ts --baseline <checkout> [--corpus ${CORPUS_NAMES.join('|')}] [--rounds N]`;
const { values: args } = parseArgs({ options: { baseline: { type: 'string' }, corpus: { type: 'string' }, rounds: { type: 'string' }, help: { type: 'boolean' } } });
if (args.help || !args.baseline) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(args.help ? 0 : 2);
}
const corpusName = (args.corpus ?? 'python-mid') as CorpusName;
if (!(CORPUS_NAMES as readonly string[]).includes(corpusName)) throw new Error(`--corpus: unknown corpus "${corpusName}"`);
const rounds = intOption(args.rounds, 'rounds', 3);
const SEED = 20_241_124;
const log = (line: string) => process.stderr.write(`[search-ab] ${line}\n`);

type Search = (db: unknown, tenantId: string, params: { query: string; limit: number; mode: 'keyword' }) => { row: { name: string } }[];
interface Side {
  name: 'baseline' | 'this build';
  search: Search;
  db: { close(): void };
}

async function side(name: Side['name'], root: string, dataDir: string, tenantId: string): Promise<Side> {
  const { keywordSearch } = (await import(path.join(root, 'src/engine/queries/search-symbols.ts'))) as { keywordSearch: Search };
  const { openTenantDb } = await import(path.join(root, 'src/tenant/tenant-db.ts'));
  const { tenantPaths } = await import(path.join(root, 'src/tenant/tenant-paths.ts'));
  return { name, search: keywordSearch, db: openTenantDb(tenantPaths(dataDir, tenantId), { create: false }) };
}

const machine = machineInfo();
process.stdout.write(`bench:search-ab — ${describeMachine(machine)}\n`);
const index = await corpusIndex(`search-${corpusName}`, resolveCorpus(corpusName), { cache: true, log });
const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const sides = [await side('baseline', path.resolve(args.baseline), index.dataDir, index.tenantId), await side('this build', here, index.dataDir, index.tenantId)];
try {
  const queries = buildQuerySet(sides[1]!.db as never, rng(SEED));
  const order = schedule(queries, rounds, 300, rng(SEED + 1));
  const params = (query: string) => ({ query, limit: 10, mode: 'keyword' as const });
  for (const s of sides) for (const q of queries) s.search(s.db, index.tenantId, params(q.query));
  const exactTop1 = sides.map((s) => queries.filter((q) => q.cls === 'exact' && s.search(s.db, index.tenantId, params(q.query))[0]?.row.name.toLowerCase() === q.expect!.toLowerCase()).length);
  const wall = sides.map(() => new Map<string, number[]>());
  const cpu = sides.map(() => new Map<string, number[]>());
  const loadBefore = loadAvg();
  log(`${queries.length} queries, ${order.length} searches a side, in turns`);
  order.forEach((q, i) => {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const s = sides[k]!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      s.search(s.db, index.tenantId, params(q.query));
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      for (const cls of [q.cls, 'overall']) {
        (wall[k]!.get(cls) ?? wall[k]!.set(cls, []).get(cls)!).push(ms);
        (cpu[k]!.get(cls) ?? cpu[k]!.set(cls, []).get(cls)!).push((c.user + c.system) / 1000);
      }
    }
  });
  const loadAfter = loadAvg();
  const classes = [...QUERY_CLASSES, 'overall'];
  const rows = classes.map((cls) => {
    const [bw, tw, bc, tc] = [wall[0]!, wall[1]!, cpu[0]!, cpu[1]!].map((m) => summarize(m.get(cls)!));
    return { cls, wall: { baseline: bw!, build: tw! }, cpu: { baseline: bc!, build: tc! } };
  });
  printTable(
    `Keyword search, ${corpusName}, in turns (ms; load ${loadBefore.join(' ')} → ${loadAfter.join(' ')})`,
    ['class', 'CPU p50 base', 'CPU p50 this', 'ratio', 'CPU p99 base', 'CPU p99 this', 'ratio', 'wall p50 base', 'wall p50 this', 'wall p99 base', 'wall p99 this'],
    rows.map((x) => [
      x.cls,
      r(x.cpu.baseline.p50),
      r(x.cpu.build.p50),
      ratio(x.cpu.baseline.p50, x.cpu.build.p50),
      r(x.cpu.baseline.p99),
      r(x.cpu.build.p99),
      ratio(x.cpu.baseline.p99, x.cpu.build.p99),
      r(x.wall.baseline.p50),
      r(x.wall.build.p50),
      r(x.wall.baseline.p99),
      r(x.wall.build.p99),
    ]),
  );
  process.stdout.write(`\nexact-name queries with the name as top hit: baseline ${exactTop1[0]}, this build ${exactTop1[1]} (of ${queries.filter((q) => q.cls === 'exact').length})\n`);
  const file = writeResults('search-ab', machine, { corpus: corpusName, baseline: path.resolve(args.baseline), rounds, seed: SEED, loadBefore, loadAfter, exactTop1, rows });
  process.stdout.write(`raw results: ${path.relative(process.cwd(), file)}\n`);
} finally {
  for (const s of sides) s.db.close();
}
