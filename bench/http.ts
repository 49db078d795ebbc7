/**
 * `npm run bench:http`: the HTTP service under load, against this machine's ceiling.
 *
 * 1. ceiling: a fastify hello-world route, autocannon at 100 connections;
 * 2. product: MCP `tools/call search_symbols` at 100 connections — authenticated,
 *    rate-limit-checked (limits high enough never to refuse), logged to the request log —
 *    against a tenant whose handle is hot in the pool; reported as requests/s, p99 and
 *    the ratio to the ceiling (targets: >= 40 %, p99 <= 15 ms);
 * 3. noisy neighbour: tenant A's search p99 (10 connections) while tenant B indexes a
 *    large tree through index_folder, against A idle (target: <= 2x);
 * 4. floor (bench/http/floor-server.ts): the least per-request work the issue asks of
 *    `POST /mcp` — key checksum and one SQLite lookup, token bucket and its headers, the
 *    body parsed, one read of the tenant's database, a remembered gzip answer of the
 *    product's size, a batched request-log row — on a bare fastify route; and `bare`, that
 *    route with only the body parse and the answer. No complete product can cost less
 *    than `floor`.
 *
 * Both servers run in child processes so autocannon (this process) does not share their
 * event loop. Results go to bench/results/http-<date>.json; record them in
 * docs/benchmarks.md.
 *
 * The product runs send the Accept-Encoding the official MCP SDK client sends (Node's
 * fetch: `gzip, deflate`), so its answers come gzip-coded as they would to that client;
 * one run sends none, for the uncoded figure.
 *
 *   npm run bench:http [-- --seconds 10 --connections 100 --files 3000
 *                         --runs ceiling,bare,floor,product,identity,distinct,neighbour --rounds 1]
 *
 * `--runs` picks a subset (default: all), for A/B comparisons of one path; `--rounds N`
 * repeats the load runs in turn and reports each figure's median.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Options, type Result } from 'autocannon';
import { seedTenants, spawnScript, spawnServer, tarGzOf, REPO_ROOT } from '../scripts/lib/server-process.js';
import { generateApiKey } from '../src/auth/api-key.js';
import { intOption } from './lib/args.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { writeResults } from './lib/results.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, connections: { type: 'string' }, files: { type: 'string' }, runs: { type: 'string' }, rounds: { type: 'string' } } });
const ROUNDS = intOption(values.rounds, 'rounds', 1);
const RUN_NAMES = ['ceiling', 'bare', 'floor', 'product', 'identity', 'distinct', 'neighbour'] as const;
type RunName = (typeof RUN_NAMES)[number];
const RUNS = new Set<RunName>(
  (values.runs ?? RUN_NAMES.join(',')).split(',').map((name) => {
    if (!(RUN_NAMES as readonly string[]).includes(name)) {
      process.stderr.write(`--runs: expected a comma-separated subset of ${RUN_NAMES.join(',')}, got "${name}"\n`);
      process.exit(2);
    }
    return name as RunName;
  }),
);
/** What the official MCP SDK client sends through Node's fetch over http (checked in test/server/mcp-sdk-client.test.ts). */
const SDK_ACCEPT_ENCODING = 'gzip, deflate';
const SEARCH_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_symbols', arguments: { query: 'parseConfig', limit: 10 } } });
const SECONDS = intOption(values.seconds, 'seconds', 10);
const CONNECTIONS = intOption(values.connections, 'connections', 100);
const BIG_TREE_FILES = intOption(values.files, 'files', 3000);
const NEIGHBOUR_CONNECTIONS = 10;

function moduleSource(i: number): string {
  return (
    `import { helper${(i + 1) % 50} } from './m${(i + 1) % 50}';\n\n` +
    `/** Parses the configuration of part ${i}. */\nexport function parseConfig${i}(text: string): Record<string, string> {\n  return { text, part: '${i}' };\n}\n\n` +
    `export class UserSession${i} {\n  open(id: string): string {\n    return id + helper${i % 50}();\n  }\n  close(): void {}\n}\n\nexport function helper${i}(): string {\n  return '${i}';\n}\n`
  );
}

function writeBigTree(root: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `pkg${Math.floor(i / 100)}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `m${i % 100}.ts`), moduleSource(i));
  }
}

/** CPU time (user + system, ms) a process has used, from /proc: load-independent cost per request. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
  } catch {
    return NaN;
  }
}

/** Waits until the process uses < 5 % of a core over 500 ms (at most 120 s); resolves how long it took. */
async function settle(pid: number | undefined): Promise<{ ms: number; percent: number }> {
  const started = performance.now();
  let percent = 100;
  while (performance.now() - started < 120_000) {
    const before = cpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    percent = ((cpuMs(pid) - before) / 500) * 100;
    if (percent < 5) break;
  }
  return { ms: Math.round(performance.now() - started), percent };
}

/** Runs `fn` and returns its result with the CPU microseconds the server spent per request meanwhile. */
async function withCpu(pid: number | undefined, fn: () => Promise<Result>): Promise<ReturnType<typeof summary> & { cpuUsPerRequest: number }> {
  const before = cpuMs(pid);
  const result = await fn();
  const used = cpuMs(pid) - before;
  const s = summary(result);
  return { ...s, cpuUsPerRequest: Math.round((used * 1000) / Math.max(1, s.total)) };
}

function summary(r: Result): { requestsPerSec: number; p50: number; p99: number; non2xx: number; errors: number; total: number } {
  return { requestsPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(describeMachine(machine));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'server-bench-http-'));
  const dataDir = path.join(work, 'data');
  const bigTree = path.join(work, 'trees', 'big');
  fs.mkdirSync(bigTree, { recursive: true });
  if (RUNS.has('neighbour')) writeBigTree(bigTree, BIG_TREE_FILES);
  const [a, b] = seedTenants(dataDir, [{ name: 'bench-a' }, { name: 'bench-b' }]);
  const huge = { maxTokens: 1_000_000_000, refillRate: 1_000_000_000 };
  const configFile = path.join(work, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ dataDir, rateLimit: { maxTokens: huge.maxTokens, refillRate: huge.refillRate, tiers: { standard: huge } }, hosting: { allowedRoots: [path.dirname(bigTree)] } }),
  );

  const hello = await spawnScript(path.join(REPO_ROOT, 'bench/http/hello-server.ts'));
  // The floor servers accept one key, made here and handed over in their environment (the
  // product never sees it).
  const floorKey = generateApiKey('0123abcd', 'test').key;
  process.env.PCTX_FLOOR_KEY = floorKey;
  const floor = RUNS.has('floor') ? await spawnScript(path.join(REPO_ROOT, 'bench/http/floor-server.ts')) : null;
  const bare = RUNS.has('bare') ? await spawnScript(path.join(REPO_ROOT, 'bench/http/floor-server.ts'), ['--mode', 'bare']) : null;
  // Unsupervised: the measured pid is the process that serves (see src/cli/supervisor.ts).
  const server = await spawnServer(configFile, { PCTX_CLI_SUPERVISED: '1' });
  try {
    // Tenant A: a 200-file repository, uploaded, then searched until its handle is hot.
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`src/m${i}.ts`] = moduleSource(i);
    const upload = await fetch(`${server.url}/v1/repos/app/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a!.key}`, 'content-type': 'application/gzip' },
      body: await tarGzOf(files),
    });
    if (upload.status !== 200) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
    const mcpLoad = (key: string, connections: number, duration: number, body: Pick<Options, 'body' | 'requests'>, coding: 'sdk' | 'none' = 'sdk', url = server.url) =>
      autocannon({
        url: `${url}/mcp`,
        method: 'POST',
        connections,
        duration,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(coding === 'sdk' ? { 'accept-encoding': SDK_ACCEPT_ENCODING } : {}),
        },
        ...body,
      });
    const search = (key: string, connections: number, duration: number, coding: 'sdk' | 'none' = 'sdk') =>
      mcpLoad(
        key,
        connections,
        duration,
        { body: SEARCH_BODY },
        coding,
      );
    // The same search again is answered from the answer cache while the tenant is unchanged;
    // searches that differ each time measure the ranking itself. 200 names x 3 kinds x 10
    // limits: 6,000 distinct answers, three times what the cache holds, asked in a cycle.
    let turn = 0;
    const distinctBody = () => {
      const i = turn++;
      const query = `${['parseConfig', 'helper', 'UserSession'][i % 3]}${Math.floor(i / 3) % 200}`;
      return JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'search_symbols', arguments: { query, limit: 1 + (Math.floor(i / 600) % 10) } } });
    };
    const searchDistinct = (key: string, connections: number, duration: number) =>
      mcpLoad(key, connections, duration, { requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: distinctBody() }) }] });
    // Warm-up at full load, both codings: JIT, statement cache, pool, and a heap grown to
    // its working size (with a 2 s warm-up at 10 connections, the first measured run cost
    // 1.3-1.7x the CPU per request of the same run repeated after it).
    await search(a!.key, CONNECTIONS, 2);
    await search(a!.key, CONNECTIONS, 2, 'none');
    // The same request, to a floor server, with the key it accepts.
    const floorLoad = (url: string, duration: number) => mcpLoad(floorKey, CONNECTIONS, duration, { body: SEARCH_BODY }, 'sdk', url);
    for (const s of [floor, bare]) if (s) await floorLoad(s.url, 2);
    // The upload's index run leaves V8 optimising the grammar's WebAssembly on background
    // threads for a while; the hot-pool figures are of a server that has finished.
    const settled = await settle(server.child.pid);
    console.log(`server settled ${settled.ms} ms after warm-up (CPU ${settled.percent.toFixed(1)} % of a core over the last 500 ms)`);

    type Measured = Awaited<ReturnType<typeof withCpu>>;
    const loads: { name: RunName; label: string; measure: () => Promise<Measured> }[] = [
      { name: 'ceiling', label: 'ceiling: fastify hello-world', measure: () => withCpu(hello.child.pid, () => autocannon({ url: `${hello.url}/hello`, connections: CONNECTIONS, duration: SECONDS })) },
      ...(bare ? [{ name: 'bare' as const, label: 'bare: fastify POST route, body parsed, remembered gzip answer', measure: () => withCpu(bare.child.pid, () => floorLoad(bare.url, SECONDS)) }] : []),
      ...(floor ? [{ name: 'floor' as const, label: "floor: the issue's least per-request work on a bare fastify route", measure: () => withCpu(floor.child.pid, () => floorLoad(floor.url, SECONDS)) }] : []),
      { name: 'product', label: `product: MCP tools/call search_symbols, Accept-Encoding: ${SDK_ACCEPT_ENCODING}`, measure: () => withCpu(server.child.pid, () => search(a!.key, CONNECTIONS, SECONDS)) },
      { name: 'identity', label: 'product, no Accept-Encoding (uncoded answers)', measure: () => withCpu(server.child.pid, () => search(a!.key, CONNECTIONS, SECONDS, 'none')) },
      { name: 'distinct', label: 'product, a different search each time (no answer reused)', measure: () => withCpu(server.child.pid, () => searchDistinct(a!.key, CONNECTIONS, SECONDS)) },
    ];
    // Rounds take the runs in turn (A B C A B C ...), so a drift of the shared machine's
    // speed falls on all of them alike; each figure reported is the median over rounds.
    const rounds = new Map<RunName, Measured[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const load of loads) {
        if (!RUNS.has(load.name)) continue;
        console.log(`${load.label}, ${CONNECTIONS} connections, ${SECONDS} s${ROUNDS > 1 ? `, round ${round}/${ROUNDS}` : ''}`);
        const measured = await load.measure();
        rounds.set(load.name, [...(rounds.get(load.name) ?? []), measured]);
        if (ROUNDS > 1) console.log(`  ${measured.requestsPerSec} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${measured.cpuUsPerRequest} µs CPU/req`);
      }
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)]!;
    const medianRun = (name: RunName): Measured | null => {
      const runs = rounds.get(name);
      if (!runs) return null;
      const pick = (key: keyof Measured) => median(runs.map((r) => r[key]));
      return { requestsPerSec: pick('requestsPerSec'), p50: pick('p50'), p99: pick('p99'), non2xx: pick('non2xx'), errors: pick('errors'), total: pick('total'), cpuUsPerRequest: pick('cpuUsPerRequest') };
    };
    const ceiling = medianRun('ceiling');
    const bareRun = medianRun('bare');
    const floorRun = medianRun('floor');
    const product = medianRun('product');
    const identity = medianRun('identity');
    const distinct = medianRun('distinct');

    let neighbour: { idle: ReturnType<typeof summary>; busy: ReturnType<typeof summary>; p99Ratio: number; indexMs: number; overlap: number } | null = null;
    if (RUNS.has('neighbour')) {
      console.log(`tenant A idle, ${NEIGHBOUR_CONNECTIONS} connections`);
      const idle = summary(await search(a!.key, NEIGHBOUR_CONNECTIONS, SECONDS));
      console.log(`tenant A while tenant B indexes ${BIG_TREE_FILES} files`);
      let indexDone = 0;
      const indexStarted = performance.now();
      const indexing = fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${b!.key}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'index_folder', arguments: { path: bigTree } } }),
      }).then(async (r) => {
        indexDone = performance.now();
        return { status: r.status, body: (await r.json()) as { result?: { isError?: boolean; structuredContent?: unknown } } };
      });
      const measureStarted = performance.now();
      const busy = summary(await search(a!.key, NEIGHBOUR_CONNECTIONS, SECONDS));
      const measureEnded = performance.now();
      const indexed = await indexing;
      if (indexed.status !== 200 || indexed.body.result?.isError) throw new Error(`tenant B's index run failed: ${JSON.stringify(indexed.body).slice(0, 300)}`);
      const overlap = Math.max(0, Math.min(indexDone, measureEnded) - Math.max(indexStarted, measureStarted)) / (measureEnded - measureStarted);
      neighbour = { idle, busy, p99Ratio: busy.p99 / idle.p99, indexMs: Math.round(indexDone - indexStarted), overlap };
    }

    const toCeiling = (run: { requestsPerSec: number } | null) => (run && ceiling ? run.requestsPerSec / ceiling.requestsPerSec : null);
    const results = {
      config: { seconds: SECONDS, connections: CONNECTIONS, neighbourConnections: NEIGHBOUR_CONNECTIONS, bigTreeFiles: BIG_TREE_FILES, runs: [...RUNS], acceptEncoding: SDK_ACCEPT_ENCODING },
      ceiling,
      bare: bareRun,
      floor: floorRun,
      floorRatio: toCeiling(floorRun),
      product,
      identity,
      distinct,
      ratio: toCeiling(product),
      identityRatio: toCeiling(identity),
      distinctRatio: toCeiling(distinct),
      // What the ratio would be if both were limited only by their own CPU time per request.
      cpuRatio: product && ceiling ? ceiling.cpuUsPerRequest / product.cpuUsPerRequest : null,
      neighbour,
      rounds: Object.fromEntries(rounds),
    };
    const file = writeResults('http', machine, results);
    const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(0)} %`);
    const row = (label: string, run: (ReturnType<typeof summary> & { cpuUsPerRequest?: number }) | null) => {
      if (run) console.log(`| ${label} | ${run.requestsPerSec} | ${run.p50} | ${run.p99} | ${run.non2xx} | ${run.cpuUsPerRequest ?? ''} |`);
    };
    if (ROUNDS > 1) console.log(`\nmedians over ${ROUNDS} rounds`);
    console.log('\n| run | req/s | p50 ms | p99 ms | non-2xx | server CPU µs/req |');
    console.log('|---|---:|---:|---:|---:|---:|');
    row('fastify hello-world (ceiling)', ceiling);
    row('bare: POST route, body parsed, remembered gzip answer', bareRun);
    row("floor: the issue's least per-request work, bare route", floorRun);
    row(`MCP search_symbols (auth + rate limit + log), same search, gzip`, product);
    row('MCP search_symbols, same search, uncoded (no Accept-Encoding)', identity);
    row('MCP search_symbols, a different search each time, gzip', distinct);
    row(`tenant A search, idle (${NEIGHBOUR_CONNECTIONS} conn.)`, neighbour?.idle ?? null);
    row(`tenant A search, B indexing (${NEIGHBOUR_CONNECTIONS} conn.)`, neighbour?.busy ?? null);
    console.log('');
    if (floorRun) console.log(`floor: ratio to ceiling ${pct(results.floorRatio)}, p99 ${floorRun.p99} ms — no complete product can do better`);
    if (product) console.log(`ratio to ceiling ${pct(results.ratio)} (target >= 40 %), p99 ${product.p99} ms (target <= 15 ms); by server CPU per request ${pct(results.cpuRatio)}`);
    if (identity) console.log(`uncoded answers: ratio to ceiling ${pct(results.identityRatio)}, p99 ${identity.p99} ms`);
    if (distinct) console.log(`different searches: ratio to ceiling ${pct(results.distinctRatio)}, p99 ${distinct.p99} ms`);
    if (neighbour) {
      console.log(
        `noisy neighbour: p99 ${neighbour.busy.p99} ms vs ${neighbour.idle.p99} ms idle = ${neighbour.p99Ratio.toFixed(2)}x (target <= 2x); B's index run took ${neighbour.indexMs} ms and overlapped ${pct(neighbour.overlap)} of the measurement`,
      );
    }
    console.log(`raw results: ${path.relative(REPO_ROOT, file)}`);
  } finally {
    await Promise.all([hello.stop(), server.stop(), floor?.stop(), bare?.stop()]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
