/**
 * The least per-request work issue 7 asks of `POST /mcp`, each part in its cheapest form,
 * on a fastify route with no hooks, plugins or framework of ours (bench:floor:http):
 *
 * - the key from `Authorization: Bearer`, its checksum checked before any lookup, its
 *   SHA-256 looked up in SQLite on every request (revocation seen on the very next one);
 * - a token bucket in memory and the five rate-limit headers;
 * - the JSON-RPC body parsed;
 * - the tenant's database consulted once (its change stamp: the cheapest way to know a
 *   remembered answer still holds) and a remembered, gzip-coded answer of the product's
 *   size sent;
 * - a request-log row buffered and written in batches (one transaction per 50 ms).
 *
 * `--mode bare` keeps only the body parse and the answer: fastify's own floor for this
 * request and answer. The key to accept comes in PCTX_FLOOR_KEY; prints `listening <url>`
 * on stderr.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { parseApiKey } from '../../src/auth/api-key.js';

const { values } = parseArgs({ options: { mode: { type: 'string' } } });
const BARE = values.mode === 'bare';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pctx-floor-'));
const control = new Database(path.join(dir, 'control.db'));
control.pragma('journal_mode = WAL');
control.exec(
  'CREATE TABLE api_keys (key_hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, revoked_at TEXT, tier TEXT NOT NULL, permissions TEXT NOT NULL);' +
    'CREATE TABLE request_log (id INTEGER PRIMARY KEY, timestamp TEXT, tenant_id TEXT, tool TEXT, duration_ms INTEGER, status TEXT)',
);
// The key comes from the driver (PCTX_FLOOR_KEY), like a key issued before the server starts.
const rawKey = process.env.PCTX_FLOOR_KEY ?? '';
const parsedKey = parseApiKey(rawKey);
if (!parsedKey.ok) throw new Error(`PCTX_FLOOR_KEY: expected an API key (${parsedKey.reason})`);
const tenantId = parsedKey.key.tenantId;
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
control.prepare('INSERT INTO api_keys VALUES (?, ?, NULL, ?, ?)').run(sha256(rawKey), tenantId, 'standard', 'read,write');
const findKey = control.prepare('SELECT tenant_id, revoked_at, tier, permissions FROM api_keys WHERE key_hash = ?');
const insertLog = control.prepare('INSERT INTO request_log (timestamp, tenant_id, tool, duration_ms, status) VALUES (?, ?, ?, ?, ?)');
const writeBatch = control.transaction((rows: [string, string, string, number, string][]) => {
  for (const row of rows) insertLog.run(...row);
});
let logBuffer: [string, string, string, number, string][] = [];
setInterval(() => {
  const batch = logBuffer;
  logBuffer = [];
  if (batch.length > 0) writeBatch(batch);
}, 50).unref();

const tenant = new Database(path.join(dir, 'tenant.db'));
tenant.pragma('journal_mode = WAL');
tenant.exec('CREATE TABLE symbols (id INTEGER PRIMARY KEY, name TEXT)');
const changeStamp = tenant.prepare('PRAGMA data_version').pluck();

// An answer of the product's size (bench:http's 10 hits: 10.4 KB of JSON, 1.2 KB coded).
const hit = (i: number) => ({ id: `src/m${i}.ts::parseConfig${i}#function`, name: `parseConfig${i}`, kind: 'function', file: `src/m${i}.ts`, line: 4, signature: `export function parseConfig${i}(text: string): Record<string, string>`, summary: `Parses the configuration of part ${i}.`, score: 1 });
const structured = { query: 'parseConfig', mode: 'keyword', results: Array.from({ length: 10 }, (_, i) => hit(i)) };
const answer = zlib.gzipSync(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: JSON.stringify(structured, null, 2) }], structuredContent: structured } }));

const MAX_TOKENS = 1e9;
const buckets = new Map<string, { tokens: number; at: number }>();

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/mcp', (request, reply) => {
  if (BARE) {
    JSON.parse(request.body as string);
    return reply.header('content-type', 'application/json').header('vary', 'Accept-Encoding').header('content-encoding', 'gzip').send(answer);
  }
  const started = performance.now();
  const header = request.headers.authorization;
  const raw = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
  if (!parseApiKey(raw).ok) return reply.code(401).send('{"error":"unauthorized"}');
  const row = findKey.get(sha256(raw)) as { tenant_id: string; revoked_at: string | null; tier: string } | undefined;
  if (!row || row.revoked_at !== null) return reply.code(401).send('{"error":"unauthorized"}');
  const now = Date.now();
  let bucket = buckets.get(row.tenant_id);
  if (!bucket) buckets.set(row.tenant_id, (bucket = { tokens: MAX_TOKENS, at: now }));
  bucket.tokens = Math.min(MAX_TOKENS, bucket.tokens + (now - bucket.at) * MAX_TOKENS) - 1;
  bucket.at = now;
  const remaining = Math.floor(bucket.tokens);
  reply
    .header('ratelimit-policy', `${MAX_TOKENS};w=1`)
    .header('ratelimit', `limit=${MAX_TOKENS}, remaining=${remaining}, reset=0`)
    .header('x-ratelimit-limit', String(MAX_TOKENS))
    .header('x-ratelimit-remaining', String(remaining))
    .header('x-ratelimit-reset', '0');
  const message = JSON.parse(request.body as string) as { params?: { name?: string } };
  changeStamp.get();
  logBuffer.push([new Date(now).toISOString(), row.tenant_id, message.params?.name ?? 'unknown', Math.round(performance.now() - started), 'success']);
  return reply.header('content-type', 'application/json').header('vary', 'Accept-Encoding').header('content-encoding', 'gzip').send(answer);
});

const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stderr.write(`listening ${url}\n`);
process.once('SIGTERM', () =>
  void app.close().then(() => {
    control.close();
    tenant.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }),
);
