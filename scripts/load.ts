/**
 * `npm run test:load`: 100 concurrent clients across 10 tenants against a real server
 * on 127.0.0.1 (in a child process), mixed MCP and REST calls, for a bounded time.
 * Asserts: no answer carries another tenant's data (every symbol name carries its
 * tenant's marker), no 5xx, and each tenant's accepted calls stay within its own token
 * bucket (burst + refill × elapsed), with the busiest tenants actually limited.
 *
 *   npm run test:load [-- --seconds 15 --clients 100 --tenants 10]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { seedTenants, spawnServer, tarGzOf, type SeededTenant } from './lib/server-process.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '15' }, clients: { type: 'string', default: '100' }, tenants: { type: 'string', default: '10' } },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const TENANTS = Number(values.tenants);
/**
 * The measured keys' bucket: small enough that every tenant outruns it on any machine,
 * so "limits applied per tenant" is observed, not assumed.
 */
const BURST = 10;
const REFILL = 0.2;

interface TenantStats {
  ok: number;
  limited: number;
  tokensAccepted: number;
  crossTenant: string[];
  fiveHundreds: number;
  otherErrors: string[];
  /** Ids seen in this tenant's own search results, read back with get_symbol_source. */
  symbolIds: string[];
}

const marker = (i: number) => `tenant${String(i).padStart(2, '0')}mark`;

/** Each tenant's code: the same shapes, names carrying its marker, plus a name every tenant shares. */
function repoFiles(i: number): Record<string, string> {
  const m = marker(i);
  const files: Record<string, string> = {};
  for (let f = 0; f < 20; f++) {
    files[`src/module${f}.ts`] =
      `/** Shared words: parse config user session. */\nexport function ${m}Parse${f}(input: string): string {\n  return input;\n}\n\n` +
      `export class ${m}Session${f} {\n  ${m}Open(): void {}\n}\n\nexport function parseConfig${f}_${m}(): void {}\n`;
  }
  return files;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'server-load-'));
  const dataDir = path.join(work, 'data');
  const tenants = seedTenants(
    dataDir,
    // Seeding uses an enterprise key: another bucket, so the measured one starts full.
    Array.from({ length: TENANTS }, (_, i) => ({ name: `load-${i}`, tiers: ['standard', 'enterprise'] })),
  );
  const configFile = path.join(work, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ dataDir, rateLimit: { tiers: { standard: { maxTokens: BURST, refillRate: REFILL } } }, workers: 1 }));
  const server = await spawnServer(configFile);
  const failures: string[] = [];
  try {
    // Seed every tenant by upload; uploads are charged like any call, so seeding comes first.
    for (const [i, t] of tenants.entries()) {
      const response = await fetch(`${server.url}/v1/repos/app/archive`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.keys.enterprise}`, 'content-type': 'application/gzip' },
        body: await tarGzOf(repoFiles(i)),
      });
      if (response.status !== 200) throw new Error(`seeding ${t.name}: ${response.status} ${await response.text()}`);
    }
    const stats = new Map<string, TenantStats>(tenants.map((t) => [t.id, { ok: 0, limited: 0, tokensAccepted: 0, crossTenant: [], fiveHundreds: 0, otherErrors: [], symbolIds: [] }]));
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    let calls = 0;
    const client = async (n: number) => {
      const index = n % tenants.length;
      const tenant = tenants[index]!;
      const s = stats.get(tenant.id)!;
      let op = n;
      while (performance.now() < deadline) {
        op++;
        calls++;
        await oneCall(server.url, tenant, index, op, s);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    const elapsed = (performance.now() - started) / 1000;

    console.log(`\n${calls} calls from ${CLIENTS} clients over ${TENANTS} tenants in ${elapsed.toFixed(1)} s (${Math.round(calls / elapsed)}/s)`);
    console.log('tenant      ok  429  tokens  bound  cross  5xx');
    const bound = BURST + REFILL * elapsed + 1; // one token of slack for clock granularity
    for (const t of tenants) {
      const s = stats.get(t.id)!;
      console.log(`${t.name.padEnd(9)} ${String(s.ok).padStart(4)} ${String(s.limited).padStart(4)} ${String(s.tokensAccepted).padStart(7)} ${String(Math.floor(bound)).padStart(6)} ${String(s.crossTenant.length).padStart(6)} ${String(s.fiveHundreds).padStart(4)}`);
      if (s.crossTenant.length > 0) failures.push(`${t.name} saw another tenant's data: ${s.crossTenant.slice(0, 3).join('; ')}`);
      if (s.fiveHundreds > 0) failures.push(`${t.name} got ${s.fiveHundreds} 5xx answers`);
      if (s.tokensAccepted > bound) failures.push(`${t.name} was allowed ${s.tokensAccepted} tokens, more than its bucket allows (${Math.floor(bound)})`);
      if (s.limited === 0) failures.push(`${t.name} was never limited: the load did not reach its bucket`);
      if (s.ok === 0) failures.push(`${t.name} never got an answer`);
      for (const e of s.otherErrors.slice(0, 3)) failures.push(`${t.name}: ${e}`);
    }
  } finally {
    const code = await server.stop();
    if (code !== 0) failures.push(`the server exited with ${code} after SIGTERM`);
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\nFAILED:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nOK: zero cross-tenant results, zero 5xx, every tenant held to its own bucket');
  }
}

const OPS = ['search', 'search', 'search', 'source', 'outline', 'list', 'rest-list', 'tools'] as const;

async function oneCall(url: string, tenant: SeededTenant, index: number, n: number, s: TenantStats): Promise<void> {
  const own = marker(index);
  const op = OPS[n % OPS.length]!;
  const auth = { authorization: `Bearer ${tenant.key}` };
  const mcp = (method: string, params: Record<string, unknown>) =>
    fetch(`${url}/mcp`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: n, method, params }) });
  let response: Response;
  switch (op) {
    case 'search':
      // Words every tenant's code shares: a leak would show up here first.
      response = await mcp('tools/call', { name: 'search_symbols', arguments: { query: ['parse', 'session', 'config', 'open'][n % 4], limit: 20 } });
      break;
    case 'source': {
      const id = s.symbolIds[n % Math.max(1, s.symbolIds.length)];
      response = id
        ? await mcp('tools/call', { name: 'get_symbol_source', arguments: { id } })
        : await mcp('tools/call', { name: 'search_symbols', arguments: { query: `${own}Parse${n % 20}`, limit: 1 } });
      break;
    }
    case 'outline':
      response = await mcp('tools/call', { name: 'get_file_outline', arguments: { repo: 'app', path: `src/module${n % 20}.ts` } });
      break;
    case 'list':
      response = await mcp('tools/call', { name: 'list_repos', arguments: {} });
      break;
    case 'rest-list':
      response = await fetch(`${url}/v1/repos`, { headers: auth });
      break;
    case 'tools':
      response = await mcp('tools/list', {});
      break;
  }
  const text = await response.text();
  if (response.status >= 500) {
    s.fiveHundreds++;
    return;
  }
  if (response.status === 429) {
    s.limited++;
    return;
  }
  if (response.status !== 200) {
    s.otherErrors.push(`${op}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return;
  }
  s.ok++;
  s.tokensAccepted += 1;
  // Every marker in the answer must be this tenant's.
  for (const match of text.matchAll(/tenant\d\dmark/g)) {
    if (match[0] !== own) s.crossTenant.push(`${op} returned ${match[0]}`);
  }
  const body = JSON.parse(text) as { result?: { isError?: boolean; structuredContent?: { error?: { code: string }; results?: { id: string }[] } } };
  if (body.result?.isError) s.otherErrors.push(`${op}: tool error ${body.result.structuredContent?.error?.code}`);
  for (const hit of body.result?.structuredContent?.results ?? []) if (s.symbolIds.length < 50) s.symbolIds.push(hit.id);
}

await main();
