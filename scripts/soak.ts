/**
 * `npm run test:soak`: a long mixed load against `serve --http` in a child process on
 * 127.0.0.1 — 100 clients over 20 tenants searching, reading sources and outlines,
 * re-indexing by upload and by index_folder (under hosting.allowedRoots), and creating,
 * using and revoking keys through the admin API — while the server's RSS and open file
 * descriptors are sampled from /proc/<pid>.
 *
 * Fails on: any result carrying another tenant's marker, any 5xx, a revoked key accepted
 * on the request after its revocation, a request_log row count (read from control.db
 * after shutdown) different from the number of logged requests sent, fds or RSS growing
 * without bound after warm-up (end above warm-up peak + 32 fds, or above 2× the warm-up
 * RSS), and an unclean shutdown. Prints the slopes per minute after warm-up (RSS's also
 * over the second half of the run), V8's heap and external memory beside RSS each minute
 * (from /metrics), and the server's event-loop delay over the whole run.
 *
 *   npm run test:soak [-- --duration 10m --clients 100 --tenants 20 --sample 5s --warmup 2m
 *                       --accept-encoding identity]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { sampleProc, slope, type ProcSample } from './lib/proc-sampler.js';
import { seedTenants, spawnServer, tarGzOf, type SeededTenant } from './lib/server-process.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10m' },
    clients: { type: 'string', default: '100' },
    tenants: { type: 'string', default: '20' },
    sample: { type: 'string', default: '5s' },
    warmup: { type: 'string' },
    // What the clients send as Accept-Encoding; by default fetch's own (`gzip, deflate`).
    'accept-encoding': { type: 'string' },
  },
});

/** `90`, `90s`, `10m`, `1h` → seconds. */
function seconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (examples: 60s, 10m)`);
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

const DURATION = seconds(values.duration);
const CLIENTS = Number(values.clients);
const TENANTS = Number(values.tenants);
const SAMPLE_EVERY = seconds(values.sample);
const WARMUP = values.warmup !== undefined ? seconds(values.warmup) : Math.min(120, DURATION * 0.3);

/** A request still unanswered after this is a finding (a hang), not a wait. */
const REQUEST_TIMEOUT_MS = 300_000;
const inFlight = new Map<number, string>();
let nextRequestId = 0;

const marker = (i: number) => `tenant${String(i).padStart(2, '0')}mark`;
const MARKER_RE = /tenant\d\dmark/g;

function repoFiles(i: number, generation: number): Record<string, string> {
  const m = marker(i);
  const files: Record<string, string> = {};
  for (let f = 0; f < 10; f++) {
    files[`src/module${f}.ts`] =
      `/** Shared words: parse config user session. */\nexport function ${m}Parse${f}(input: string): string {\n  return input;\n}\n\n` +
      `export class ${m}Session${f} {\n  ${m}Open(): void {}\n}\n\nexport function parseConfig${f}_${m}_g${generation}(): void {}\n`;
  }
  return files;
}

function writeFolder(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

interface Totals {
  requests: number;
  /** Requests the server must have written to request_log. */
  logged: number;
  byOp: Record<string, number>;
  byStatus: Record<string, number>;
  fiveHundreds: string[];
  crossTenant: string[];
  revokedAccepted: string[];
  revocationsChecked: number;
  unexpected: string[];
  /** Slowest answer per operation, ms. */
  maxMs: Record<string, number>;
}

const totals: Totals = { requests: 0, logged: 0, byOp: {}, byStatus: {}, fiveHundreds: [], crossTenant: [], revokedAccepted: [], revocationsChecked: 0, unexpected: [], maxMs: {} };

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'server-soak-'));
  const dataDir = path.join(work, 'data');
  const roots = path.join(work, 'roots');
  const tenants = seedTenants(dataDir, Array.from({ length: TENANTS }, (_, i) => ({ name: `soak-${i}`, tiers: ['soak'] })));
  const [ops] = seedTenants(dataDir, [{ name: 'ops', permissions: ['admin'], tiers: ['soak'] }]) as [SeededTenant];
  for (const [i] of tenants.entries()) writeFolder(path.join(roots, `t${i}`, 'local'), repoFiles(i, 0));
  const configFile = path.join(work, 'config.json');
  // Generous limits: the soak measures leaks and isolation, not the limiter (test:load does
  // that). The default bucket included: it is the one every failed authentication is
  // charged to by client address, and all the soak's revoked-key checks come from 127.0.0.1
  // (at 180 requests/s they drained it, and 429s hid the 401s the soak checks for).
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      dataDir,
      workers: 1,
      hosting: { allowedRoots: [roots] },
      rateLimit: { maxTokens: 100000, refillRate: 100000, tiers: { soak: { maxTokens: 100000, refillRate: 100000 }, standard: { maxTokens: 100000, refillRate: 100000 } } },
    }),
  );
  const server = await spawnServer(configFile);
  const pid = server.child.pid!;
  const failures: string[] = [];
  const samples: ProcSample[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let exitCode: number | null = null;
  try {
    const call = callerFor(server.url);
    for (const [i, t] of tenants.entries()) {
      const up = await call('seed-upload', t.key, i, 'POST', '/v1/repos/app/archive', await tarGzOf(repoFiles(i, 0)), 'application/gzip');
      if (up.status !== 200) throw new Error(`seeding ${t.name}: ${up.status} ${up.text}`);
      const idx = await call('seed-index', t.key, i, 'POST', '/mcp', rpc('index_folder', { path: path.join(roots, `t${i}`, 'local') }));
      if (idx.status !== 200 || idx.text.includes('"isError":true')) throw new Error(`index_folder ${t.name}: ${idx.status} ${idx.text.slice(0, 300)}`);
    }

    const started = performance.now();
    const deadline = started + DURATION * 1000;
    sampler = setInterval(() => {
      const s = sampleProc(pid, (performance.now() - started) / 1000);
      if (s) samples.push(s);
    }, SAMPLE_EVERY * 1000);
    samples.push(sampleProc(pid, 0)!);
    let lastReport = started;
    const client = async (n: number) => {
      const index = n % tenants.length;
      const tenant = tenants[index]!;
      const ids: string[] = [];
      let generation = 0;
      for (let op = n; performance.now() < deadline; op++) {
        await oneOp(call, tenant, index, op, ids, ops.key, roots, () => ++generation * 1000 + n);
        if (n === 0 && performance.now() - lastReport > 60_000) {
          lastReport = performance.now();
          const s = samples.at(-1);
          console.log(`  ${Math.round((lastReport - started) / 1000)} s: ${totals.requests} requests, rss ${s ? (s.rssBytes / 2 ** 20).toFixed(0) : '?'} MiB (${await memoryBreakdown(server.url, ops.key)}), ${s?.fds ?? '?'} fds`);
        }
      }
    };
    console.log(`soak: ${CLIENTS} clients over ${TENANTS} tenants for ${DURATION} s (warm-up ${WARMUP} s, a sample every ${SAMPLE_EVERY} s) against ${server.url}, pid ${pid}`);
    const straggler = setInterval(() => {
      if (performance.now() > deadline) console.log(`  waiting for ${inFlight.size} requests: ${[...inFlight.values()].slice(0, 3).join('; ')}`);
    }, 15_000);
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    clearInterval(straggler);
    const loopDelay = await eventLoopDelay(server.url, ops.key);
    clearInterval(sampler);
    samples.push(sampleProc(pid, (performance.now() - started) / 1000)!);
    const elapsed = (performance.now() - started) / 1000;

    const after = samples.filter((s) => s.t >= WARMUP);
    const warm = samples.filter((s) => s.t < WARMUP);
    const rssSlope = slope(after.map((s) => ({ x: s.t / 60, y: s.rssBytes / 2 ** 20 })));
    const fdSlope = slope(after.map((s) => ({ x: s.t / 60, y: s.fds })));
    const warmRss = Math.max(...warm.map((s) => s.rssBytes));
    const warmFds = Math.max(...warm.map((s) => s.fds));
    const end = samples.at(-1)!;
    console.log(`\n${totals.requests} requests in ${elapsed.toFixed(0)} s (${Math.round(totals.requests / elapsed)}/s)`);
    console.log(`by operation: ${JSON.stringify(totals.byOp)}`);
    console.log(`by status:    ${JSON.stringify(totals.byStatus)}`);
    console.log(`slowest (ms): ${JSON.stringify(totals.maxMs)}`);
    console.log(`5xx: ${totals.fiveHundreds.length}; cross-tenant results: ${totals.crossTenant.length}; revoked keys checked: ${totals.revocationsChecked}, accepted after revocation: ${totals.revokedAccepted.length}`);
    // A server settles over minutes (worker heaps, caches): the second half says whether it still grows.
    const secondHalf = samples.filter((s) => s.t >= elapsed / 2);
    const lateSlope = slope(secondHalf.map((s) => ({ x: s.t / 60, y: s.rssBytes / 2 ** 20 })));
    console.log(`RSS: ${(samples[0]!.rssBytes / 2 ** 20).toFixed(1)} MiB at start, ${(warmRss / 2 ** 20).toFixed(1)} MiB warm-up peak, ${(end.rssBytes / 2 ** 20).toFixed(1)} MiB at end; slope after warm-up ${rssSlope.toFixed(2)} MiB/min over ${after.length} samples, over the second half ${lateSlope.toFixed(2)} MiB/min`);
    console.log(`fds: ${samples[0]!.fds} at start, ${warmFds} warm-up peak, ${end.fds} at end; slope after warm-up ${fdSlope.toFixed(2)} fds/min`);
    console.log(`event-loop delay of the server since it started: ${loopDelay}`);
    console.log(`memory of the server at the end: ${await memoryBreakdown(server.url, ops.key)}`);
    if (totals.crossTenant.length) failures.push(`cross-tenant results: ${[...new Set(totals.crossTenant)].slice(0, 5).join("; ")}`);
    if (totals.fiveHundreds.length) failures.push(`5xx answers: ${totals.fiveHundreds.slice(0, 5).join('; ')}`);
    if (totals.revokedAccepted.length) failures.push(`revoked keys accepted: ${totals.revokedAccepted.slice(0, 5).join('; ')}`);
    for (const u of totals.unexpected.slice(0, 10)) failures.push(u);
    if (after.length >= 3 && end.fds > warmFds + 32) failures.push(`open fds grew after warm-up: ${warmFds} → ${end.fds}`);
    if (after.length >= 3 && end.rssBytes > 2 * warmRss) failures.push(`RSS doubled after warm-up: ${warmRss} → ${end.rssBytes}`);
  } finally {
    if (sampler) clearInterval(sampler);
    exitCode = await server.stop();
  }
  if (exitCode !== 0) failures.push(`the server exited with ${exitCode} after SIGTERM`);
  // The log is written behind in batches and flushed at shutdown: count it now.
  const db = new Database(path.join(dataDir, 'control.db'), { readonly: true });
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM request_log').get() as { n: number }).n;
  db.close();
  console.log(`request_log rows: ${rows}; logged requests sent: ${totals.logged}`);
  if (rows !== totals.logged) failures.push(`request_log has ${rows} rows for ${totals.logged} logged requests`);
  fs.rmSync(work, { recursive: true, force: true });
  if (failures.length > 0) {
    console.error(`\nFAILED:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nOK: zero cross-tenant results, zero 5xx, revoked keys refused at once, request_log complete, fds and RSS bounded');
  }
}

/**
 * A gauge of the server's /metrics (prom-client text), NaN when absent. Read outside
 * `call`: a successful /metrics scrape is not a request_log row.
 */
async function scrapeMetrics(url: string, adminKey: string): Promise<(name: string) => number> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  return (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

/**
 * Where the server's memory is, from prom-client's default gauges: V8's heap (used /
 * reserved) and memory outside it that V8 knows of (Buffers, ArrayBuffers). RSS beyond
 * these is native: SQLite, hnswlib, thread stacks, malloc's free lists.
 */
async function memoryBreakdown(url: string, adminKey: string): Promise<string> {
  try {
    const gauge = await scrapeMetrics(url, adminKey);
    const mib = (name: string) => (gauge(`pctx_process_nodejs_${name}_bytes`) / 2 ** 20).toFixed(0);
    return `V8 heap ${mib('heap_size_used')}/${mib('heap_size_total')} MiB, external ${mib('external_memory')} MiB`;
  } catch (err) {
    return `memory unknown: ${(err as Error).message}`;
  }
}

/** The server's cumulative event-loop delay gauges (docs/http-api.md), as one line. */
async function eventLoopDelay(url: string, adminKey: string): Promise<string> {
  try {
    const gauge = await scrapeMetrics(url, adminKey);
    const seconds = (name: string) => gauge(`pctx_event_loop_delay_${name}_seconds`).toFixed(3);
    return `max ${seconds('max')} s, p99 ${seconds('p99')} s, p50 ${seconds('p50')} s`;
  } catch (err) {
    return `unknown (/metrics: ${(err as Error).message})`;
  }
}

function rpc(name: string, args: Record<string, unknown>, id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
}

type Caller = (op: string, key: string, tenantIndex: number | null, method: string, urlPath: string, body?: string | Buffer, contentType?: string) => Promise<{ status: number; text: string; retryAfterS?: number }>;

/**
 * Every request goes through here: it counts requests and statuses, flags 5xx and any
 * other tenant's marker in an answer. Every request this soak sends carries a key and is
 * a tool call, an upload, a REST listing or an admin call, so each one is a request_log row.
 */
function callerFor(url: string): Caller {
  return async (op, key, tenantIndex, method, urlPath, body, contentType = 'application/json') => {
    totals.requests++;
    totals.logged++;
    const requestId = nextRequestId++;
    const sentAt = performance.now();
    inFlight.set(requestId, `${op} ${method} ${urlPath} since ${Math.round(performance.now() / 1000)} s`);
    totals.byOp[op] = (totals.byOp[op] ?? 0) + 1;
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
    if (values['accept-encoding'] !== undefined) headers['accept-encoding'] = values['accept-encoding'];
    if (body !== undefined) headers['content-type'] = contentType;
    let status: number;
    let text: string;
    let retryAfterS: number | undefined;
    try {
      const response = await fetch(`${url}${urlPath}`, { method, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(body !== undefined ? { body } : {}) });
      status = response.status;
      text = await response.text();
      const retryAfter = Number(response.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterS = retryAfter;
    } catch (err) {
      inFlight.delete(requestId);
      totals.unexpected.push(`${op} ${method} ${urlPath}: no answer: ${(err as Error).message}`);
      totals.byStatus.error = (totals.byStatus.error ?? 0) + 1;
      return { status: 0, text: '' };
    }
    inFlight.delete(requestId);
    totals.maxMs[op] = Math.max(totals.maxMs[op] ?? 0, Math.round(performance.now() - sentAt));
    totals.byStatus[status] = (totals.byStatus[status] ?? 0) + 1;
    if (status >= 500) totals.fiveHundreds.push(`${op} ${method} ${urlPath}: ${status} ${text.slice(0, 200)}`);
    if (tenantIndex !== null) {
      const own = marker(tenantIndex);
      for (const m of text.matchAll(MARKER_RE)) if (m[0] !== own) totals.crossTenant.push(`${op} ${urlPath} for ${own} returned ${m[0]}: ${text.slice(Math.max(0, m.index - 150), m.index + 50)}`);
    }
    return { status, text, ...(retryAfterS !== undefined ? { retryAfterS } : {}) };
  };
}

async function oneOp(call: Caller, tenant: SeededTenant, index: number, n: number, ids: string[], adminKey: string, roots: string, nextGeneration: () => number): Promise<void> {
  const roll = (n * 7919) % 100;
  const expectOk = (op: string, r: { status: number; text: string }) => {
    if (r.status !== 200 && r.status < 500) totals.unexpected.push(`${op}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    else if (r.text.includes('"isError":true')) totals.unexpected.push(`${op}: tool error ${r.text.slice(0, 300)}`);
  };
  if (roll < 40) {
    const r = await call('search', tenant.key, index, 'POST', '/mcp', rpc('search_symbols', { query: ['parse', 'session', 'config', 'open'][n % 4], limit: 20, ...(n % 5 === 0 ? { mode: 'hybrid' } : {}) }));
    expectOk('search', r);
    if (r.status === 200 && ids.length < 40) for (const m of r.text.matchAll(/"id":"([^"]+)"/g)) if (ids.length < 40) ids.push(m[1]!);
  } else if (roll < 60) {
    const id = ids[n % Math.max(1, ids.length)];
    if (!id) return;
    const r = await call('source', tenant.key, index, 'POST', '/mcp', rpc('get_symbol_source', { id, contextLines: 2 }));
    // A re-index may have replaced the symbol: SYMBOL_NOT_FOUND is a valid answer then.
    if (r.text.includes('PCTX_ERR_SYMBOL_NOT_FOUND')) ids.splice(ids.indexOf(id), 1);
    else expectOk('source', r);
  } else if (roll < 72) {
    const r = await call('outline', tenant.key, index, 'POST', '/mcp', rpc(n % 2 ? 'get_file_outline' : 'get_file_content', { repo: n % 3 ? 'app' : 'local', path: `src/module${n % 10}.ts` }));
    expectOk('outline', r);
  } else if (roll < 80) {
    expectOk('list', await call('list', tenant.key, index, 'GET', '/v1/repos'));
  } else if (roll < 83) {
    const r = await call('reupload', tenant.key, index, 'POST', '/v1/repos/app/archive', await tarGzOf(repoFiles(index, nextGeneration())), 'application/gzip');
    expectOk('reupload', r);
  } else if (roll < 86) {
    const dir = path.join(roots, `t${index}`, 'local');
    writeFolder(dir, repoFiles(index, nextGeneration()));
    const r = await call('index_folder', tenant.key, index, 'POST', '/mcp', rpc('index_folder', { path: dir, name: 'local' }));
    expectOk('index_folder', r);
  } else if (roll < 92) {
    // Key churn: create, use, revoke, and the very next request with it must be refused.
    const created = await call('admin.createKey', adminKey, null, 'POST', `/admin/tenants/${tenant.id}/keys`, JSON.stringify({ permissions: ['read'], tier: 'soak', label: 'soak' }));
    if (created.status !== 201) return void totals.unexpected.push(`createKey: HTTP ${created.status} ${created.text.slice(0, 200)}`);
    const { key, prefix } = JSON.parse(created.text) as { key: string; prefix: string };
    expectOk('fresh key', await call('search(new key)', key, index, 'POST', '/mcp', rpc('search_symbols', { query: 'parse' })));
    const revoked = await call('admin.revokeKey', adminKey, null, 'DELETE', `/admin/keys/${prefix}`);
    if (revoked.status !== 200) return void totals.unexpected.push(`revokeKey: HTTP ${revoked.status}`);
    totals.revocationsChecked++;
    const useRevoked = () => call('search(revoked key)', key, index, 'POST', '/mcp', rpc('search_symbols', { query: 'parse' }));
    let after = await useRevoked();
    // A revoked key fails authentication, so its request is charged to the client address's
    // bucket, which every failed check of this soak shares (all from 127.0.0.1): a 429 there
    // is decided before the key is looked up and says nothing about it. Ask again when the
    // server says to, until it answers about the key.
    for (let tries = 0; after.status === 429 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, (after.retryAfterS ?? 1) * 1000));
      after = await useRevoked();
    }
    if (after.status !== 401) totals.revokedAccepted.push(`${prefix}: HTTP ${after.status}`);
  } else if (roll < 94) {
    expectOk('admin.stats', await call('admin.stats', adminKey, null, 'GET', n % 2 ? '/admin/stats' : `/admin/tenants/${tenant.id}/stats`));
  } else {
    const r = await call('search', tenant.key, index, 'POST', '/mcp', rpc('search_symbols', { query: `${marker(index)}Parse${n % 10}`, limit: 3 }));
    expectOk('search', r);
  }
}

await main();
