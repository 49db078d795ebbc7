/**
 * Two builds of the server side by side: this checkout (B) against another checkout of
 * the repository (A, e.g. `git worktree add ../base main`, with node_modules), each in its
 * own process over its own data folder with the same 200-file upload, loaded in turn
 * A B, B A, ... at 100 connections. Prints each round and, per figure, the medians and the
 * B/A ratio pair by pair: on a shared machine whose speed drifts from minute to minute,
 * only ratios of neighbouring runs mean anything.
 *
 *   node --import tsx bench/http/ab.ts --base ../base [--rounds 6 --seconds 5
 *     --coding 'gzip, deflate' | --coding none   --mode same|distinct --connections 100]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Options } from 'autocannon';
import { REPO_ROOT } from '../../scripts/lib/server-process.js';
import { intOption } from '../lib/args.js';

const { values } = parseArgs({
  options: { base: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' }, coding: { type: 'string' }, mode: { type: 'string' }, connections: { type: 'string' } },
});
if (!values.base) {
  process.stderr.write('--base: expected the path of the checkout to compare against\n');
  process.exit(2);
}
const BASE = path.resolve(values.base);
const ROUNDS = intOption(values.rounds, 'rounds', 6);
const SECONDS = intOption(values.seconds, 'seconds', 5);
const CONNECTIONS = intOption(values.connections, 'connections', 100);
/** What the official MCP SDK client sends through Node's fetch; `none` sends no Accept-Encoding. */
const CODING = values.coding ?? 'gzip, deflate';
const MODE = values.mode ?? 'same';
if (MODE !== 'same' && MODE !== 'distinct') {
  process.stderr.write(`--mode: expected same or distinct, got "${MODE}"\n`);
  process.exit(2);
}

function moduleSource(i: number): string {
  return (
    `import { helper${(i + 1) % 50} } from './m${(i + 1) % 50}';\n\n` +
    `/** Parses the configuration of part ${i}. */\nexport function parseConfig${i}(text: string): Record<string, string> {\n  return { text, part: '${i}' };\n}\n\n` +
    `export class UserSession${i} {\n  open(id: string): string {\n    return id + helper${i % 50}();\n  }\n  close(): void {}\n}\n\nexport function helper${i}(): string {\n  return '${i}';\n}\n`
  );
}

function cpuMs(pid: number | undefined): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

type ServerLib = typeof import('../../scripts/lib/server-process.js');

/** Starts the server of one checkout with its own helpers (its own src/), uploads the repository. */
async function start(tree: string, tag: string) {
  const lib = (await import(path.join(tree, 'scripts/lib/server-process.ts'))) as ServerLib;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `bench-http-ab-${tag}-`));
  const dataDir = path.join(work, 'data');
  const [tenant] = lib.seedTenants(dataDir, [{ name: 'a' }]);
  const huge = { maxTokens: 1_000_000_000, refillRate: 1_000_000_000 };
  const configFile = path.join(work, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ dataDir, rateLimit: { ...huge, tiers: { standard: huge } } }));
  const server = await lib.spawnServer(configFile, { PCTX_CLI_SUPERVISED: '1' });
  const files: Record<string, string> = {};
  for (let i = 0; i < 200; i++) files[`src/m${i}.ts`] = moduleSource(i);
  const upload = await fetch(`${server.url}/v1/repos/app/archive`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant!.key}`, 'content-type': 'application/gzip' },
    body: await lib.tarGzOf(files),
  });
  if (upload.status !== 200) throw new Error(`${tag}: upload answered ${upload.status}`);
  return { tag, server, key: tenant!.key, work };
}

let turn = 0;
/** As bench/http.ts: 6,000 distinct answers in a cycle, three times what the answer cache holds. */
function distinctBody(): string {
  const i = turn++;
  const query = `${['parseConfig', 'helper', 'UserSession'][i % 3]}${Math.floor(i / 3) % 200}`;
  return JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'search_symbols', arguments: { query, limit: 1 + (Math.floor(i / 600) % 10) } } });
}

type Started = Awaited<ReturnType<typeof start>>;

function load(s: Started, duration: number) {
  const body: Pick<Options, 'body' | 'requests'> =
    MODE === 'distinct'
      ? { requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: distinctBody() }) }] }
      : { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_symbols', arguments: { query: 'parseConfig', limit: 10 } } }) };
  return autocannon({
    url: `${s.server.url}/mcp`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: {
      authorization: `Bearer ${s.key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(CODING === 'none' ? {} : { 'accept-encoding': CODING }),
    },
    ...body,
  });
}

const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)]!;

async function main(): Promise<void> {
  console.log(`A: ${BASE}\nB: ${REPO_ROOT}\n${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections, Accept-Encoding: ${CODING}, ${MODE} search`);
  const a = await start(BASE, 'A');
  const b = await start(REPO_ROOT, 'B');
  try {
    // Warm-up at full load (JIT, statement caches, heap size), twice each.
    for (const s of [a, b]) for (let i = 0; i < 2; i++) await load(s, 3);
    const rows: Record<string, { rps: number; p50: number; p99: number; cpu: number }[]> = { A: [], B: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 === 0 ? [a, b] : [b, a]) {
        const before = cpuMs(s.server.child.pid);
        const r = await load(s, SECONDS);
        const cpu = Math.round(((cpuMs(s.server.child.pid) - before) * 1000) / Math.max(1, r.requests.total));
        rows[s.tag]!.push({ rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, cpu });
        console.log(`round ${round + 1} ${s.tag}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${cpu} µs CPU/req, non-2xx ${r.non2xx}`);
      }
    }
    for (const key of ['rps', 'p50', 'p99', 'cpu'] as const) {
      const ratios = rows.B!.map((row, i) => row[key] / rows.A![i]![key]);
      console.log(
        `${key}: A median ${median(rows.A!.map((r) => r[key]))}, B median ${median(rows.B!.map((r) => r[key]))}; B/A by pair ${ratios.map((x) => x.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`,
      );
    }
  } finally {
    await Promise.all([a.server.stop(), b.server.stop()]);
    for (const s of [a, b]) fs.rmSync(s.work, { recursive: true, force: true });
  }
}

await main();
