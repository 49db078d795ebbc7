/**
 * The HTTP fuzzer shared by `npm run test:fuzz` (scripts/fuzz-http.ts) and its short run
 * in `npm test` (test/server/http-fuzz.test.ts): fast-check arbitraries of hostile
 * requests against every route, a sender that records statuses, resets and timeouts,
 * and the liveness check that ends a run.
 *
 * A request is acceptable when its answer is 2xx (the input happened to be valid, or a
 * JSON-RPC/tool error inside a 200 as MCP wants) or 4xx. Anything else — a 5xx, a
 * connection reset, a timeout, no answer — is a finding.
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { DRAIN_CAP_BYTES } from '../../src/server/drain-request.js';

export interface FuzzTarget {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A read+write key of the fuzzed tenant. */
  writeKey: string;
  /** A read-only key of the fuzzed tenant. */
  readKey: string;
  /** An admin key (of another tenant). */
  adminKey: string;
  /** A key revoked before the run. */
  revokedKey: string;
  /** The fuzzed tenant's id and a victim tenant the admin routes may change or delete. */
  tenantId: string;
  victimTenantId: string;
}

/** One generated request. Huge and deep bodies are described, and built only when sent. */
export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: [string, string][];
  body?: string | Buffer | { repeat: string; times: number; prefix: string; suffix: string };
  /** Bytes written as they are on a raw socket (for requests no HTTP client would send). */
  raw?: string;
  /**
   * Set on a request with a valid key and a JSON content type to a route that parses its
   * body: with a body over the server's body limit it must be answered 413, nothing else.
   */
  bodyParsed?: boolean;
}

export interface FuzzOutcome {
  status: number | null;
  /** ECONNRESET, timeout… when no answer came. */
  error?: string;
  body: string;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  /** 5xx answers, resets, timeouts and other non-4xx/2xx outcomes, with the request that caused them. */
  findings: { request: string; outcome: string }[];
  elapsedMs: number;
}

export const TRAVERSAL = [
  '..',
  '../',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '%2e%2e/%2e%2e/control.db',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  '/proc/self/environ',
  'tenants/../../control.db',
  'a/../../b',
  '....//....//',
  '%00',
  'a%00b',
  '\u0000',
  '~',
  '~root/.ssh',
  '.',
  '',
  ' ',
  '%',
  '%zz',
  '%c0%ae%c0%ae/',
  '\u202e',
  'CON',
  'x'.repeat(300),
  '*',
  '?',
  '#frag',
  '\\',
  '//',
  'uploads/../..',
];

const TOOLS = ['index_folder', 'search_symbols', 'get_symbol_source', 'get_file_outline', 'get_file_content', 'list_repos', 'find_importers', 'get_dependencies', 'delete_repo'];
const ARG_NAMES = ['query', 'kind', 'language', 'pathPrefix', 'repo', 'limit', 'mode', 'id', 'contextLines', 'path', 'startLine', 'endLine', 'name', 'exclude', '__proto__', 'constructor'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const MCP_METHODS = ['initialize', 'ping', 'tools/list', 'tools/call', 'notifications/initialized', 'resources/list', 'prompts/get', 'completion/complete', 'logging/setLevel', '', 'tools/', 'rpc.discover', '__proto__'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/gzip', 'application/octet-stream', 'application/json; charset=utf-16', 'application/jsonx', '', 'application/*', 'APPLICATION/JSON'];

/** Fast-check strings worth trying anywhere a string goes. */
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRAVERSAL) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('app', 'src/module0.ts', 'parse', 'sym:1', '1', '-1', 'null', 'true') },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1e308, -0, 2 ** 53, 1.5, Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const argsArb = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...ARG_NAMES), hostileValue, { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const idArb = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constantFrom<unknown>(null, 1.5, true, {}, [], -0));

/** A JSON-RPC-ish message: sometimes valid, mostly not. */
const rpcMessage: fc.Arbitrary<unknown> = fc
  .record(
    {
      jsonrpc: fc.constantFrom<unknown>('2.0', '2.0', '2.0', '1.0', 2, null, ''),
      id: idArb,
      method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...MCP_METHODS) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
      params: fc.oneof(
        { weight: 5, arbitrary: fc.record({ name: fc.oneof(fc.constantFrom(...TOOLS), hostileValue), arguments: argsArb }, { requiredKeys: [] }) },
        { weight: 1, arbitrary: fc.record({ protocolVersion: fc.oneof(fc.constantFrom('2025-06-18', '1999-01-01'), hostileValue), capabilities: hostileValue, clientInfo: hostileValue }, { requiredKeys: [] }) },
        { weight: 1, arbitrary: fc.record({ name: fc.constantFrom(...TOOLS), arguments: argsArb, _meta: fc.record({ progressToken: idArb }) }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      result: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  )
  .map((m) => m as unknown);

function mcpHeaders(key: string | null, extra: [string, string][] = []): [string, string][] {
  const h: [string, string][] = [
    ['content-type', 'application/json'],
    ['accept', 'application/json, text/event-stream'],
  ];
  if (key) h.push(['authorization', `Bearer ${key}`]);
  return [...h, ...extra];
}

/** Percent-encodes `s` byte by byte (lone surrogates too, which encodeURIComponent refuses); `keep` matches bytes left as they are. */
function pct(s: string, keep: RegExp = /[A-Za-z0-9._~-]/): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && keep.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Every route of the service with a sample of each path parameter filled in. */
function routes(t: FuzzTarget, param: string): { path: string; methods: string[] }[] {
  const p = pct(param);
  return [
    { path: '/mcp', methods: ['POST', 'GET', 'DELETE'] },
    { path: '/v1/repos', methods: ['GET'] },
    { path: `/v1/repos/${p}`, methods: ['DELETE'] },
    { path: `/v1/repos/${p}/archive`, methods: ['POST'] },
    { path: '/admin/tenants', methods: ['GET', 'POST'] },
    { path: `/admin/tenants/${p}`, methods: ['GET', 'PATCH', 'DELETE'] },
    { path: `/admin/tenants/${p}/keys`, methods: ['GET', 'POST'] },
    { path: `/admin/tenants/${p}/stats`, methods: ['GET'] },
    { path: `/admin/tenants/${p}/backup`, methods: ['POST'] },
    { path: `/admin/tenants/${p}/restore`, methods: ['POST'] },
    { path: `/admin/keys/${p}`, methods: ['DELETE'] },
    { path: '/admin/stats', methods: ['GET'] },
    { path: '/healthz', methods: ['GET'] },
    { path: '/readyz', methods: ['GET'] },
    { path: '/metrics', methods: ['GET'] },
    { path: '/openapi.json', methods: ['GET'] },
    { path: `/${p}`, methods: [] },
  ];
}

/** The keys a request may carry: valid ones, the revoked one, forged and malformed ones. */
function keyArb(t: FuzzTarget): fc.Arbitrary<string | null> {
  const forge = (body: string) => body;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(t.writeKey, t.readKey, t.adminKey) },
    { weight: 1, arbitrary: fc.constant(t.revokedKey) },
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        // Right shape, wrong checksum; right shape, another tenant; truncated; case-flipped.
        fc.nat({ max: t.writeKey.length - 1 }).map((i) => forge(t.writeKey.slice(0, i) + (t.writeKey[i] === 'a' ? 'b' : 'a') + t.writeKey.slice(i + 1))),
        fc.constant(t.writeKey.replace(t.tenantId, t.victimTenantId)),
        fc.nat({ max: t.writeKey.length }).map((n) => t.writeKey.slice(0, n)),
        fc.constant(t.writeKey.toUpperCase()),
        fc.constant(`${t.writeKey} ${t.writeKey}`),
        fc.constant(t.writeKey + '\t'),
        fc.string({ maxLength: 60 }),
        fc.stringMatching(/^cl_(live|test)_[0-9a-f]{8}_[0-9A-Za-z]{24}_[0-9A-Za-z]{4}$/),
        fc.constant('cl_live_' + 'f'.repeat(8000)),
      ),
    },
  );
}

/** How a key is presented: bearer, X-API-Key, both, duplicated, lowercase scheme, no scheme. */
function authHeaders(key: string | null, style: number, other: string): [string, string][] {
  if (key === null) return [];
  switch (style % 7) {
    case 0:
      return [['authorization', `Bearer ${key}`]];
    case 1:
      return [['x-api-key', key]];
    case 2:
      return [['authorization', `Bearer ${key}`], ['x-api-key', other]];
    case 3:
      return [['authorization', `Bearer ${key}`], ['authorization', `Bearer ${other}`]];
    case 4:
      return [['authorization', `bearer ${key}`]];
    case 5:
      return [['authorization', key]];
    default:
      return [['authorization', `Basic ${Buffer.from(`${key}:x`).toString('base64')}`]];
  }
}

export function fuzzRequestArbitrary(t: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const json = (v: unknown) => {
    try {
      return JSON.stringify(v) ?? 'null';
    } catch {
      return 'null';
    }
  };

  const badJson: fc.Arbitrary<FuzzRequest> = fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.json().map((s) => s.slice(0, Math.max(0, s.length - 1))),
      fc.constantFrom('{', '[', '{"jsonrpc":"2.0",', '{"a":1}{"b":2}', 'nul', '\u0000', '\ufeff{}', '{"jsonrpc":"2.0","id":1,"method":"ping"', '[,]', '{"__proto__":{"x":1}}', '1e999999', '"\\ud800"'),
    )
    .map((body) => ({ kind: 'bad-json', method: 'POST', path: '/mcp', headers: mcpHeaders(t.readKey), body }));

  const rpc: fc.Arbitrary<FuzzRequest> = fc.tuple(rpcMessage, fc.constantFrom(t.writeKey, t.readKey)).map(([m, key]) => ({ kind: 'json-rpc', method: 'POST', path: '/mcp', headers: mcpHeaders(key), body: json(m) }));

  const toolCall: fc.Arbitrary<FuzzRequest> = fc
    .tuple(fc.constantFrom(...TOOLS), argsArb, fc.constantFrom(t.writeKey, t.readKey), idArb)
    .map(([name, args, key, id]) => ({ kind: 'tool-args', method: 'POST', path: '/mcp', headers: mcpHeaders(key), body: json({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }) }));

  const batch: fc.Arbitrary<FuzzRequest> = fc
    .oneof({ weight: 5, arbitrary: fc.array(rpcMessage, { maxLength: 30 }) }, { weight: 1, arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }))) })
    .map((items) => ({ kind: 'batch', method: 'POST', path: '/mcp', headers: mcpHeaders(t.readKey), body: json(items) }));

  const deep: fc.Arbitrary<FuzzRequest> = fc
    .tuple(fc.integer({ min: 100, max: 200_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('body', 'arguments', 'params', 'id'))
    .map(([depth, open, where]) => {
      const close = open === '[' ? ']' : '}';
      const prefix = where === 'body' ? '' : where === 'arguments' ? '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_symbols","arguments":{"query":' : where === 'params' ? '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":' : '{"jsonrpc":"2.0","method":"ping","id":';
      const suffix = where === 'body' ? '' : where === 'arguments' ? '}}}' : '}';
      // Nested `depth` times: open…1…close, built when sent.
      return { kind: 'deep', method: 'POST', path: '/mcp', headers: mcpHeaders(t.readKey), body: { repeat: open, times: depth, prefix, suffix: `1${close.repeat(depth)}${suffix}` } };
    });

  const huge: fc.Arbitrary<FuzzRequest> = fc
    .tuple(fc.constantFrom(900_000, 1_100_000, 3_000_000), fc.constantFrom('/mcp', '/admin/tenants', `/admin/tenants/${t.victimTenantId}`), fc.boolean())
    .map(([size, path, asQuery]) => ({
      kind: 'huge',
      method: path === '/mcp' || path === '/admin/tenants' ? 'POST' : 'PATCH',
      path,
      headers: mcpHeaders(path === '/mcp' ? t.readKey : t.adminKey),
      bodyParsed: true,
      body: asQuery
        ? { repeat: 'a', times: size, prefix: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_symbols","arguments":{"query":"', suffix: '"}}}' }
        : { repeat: 'x', times: size, prefix: '{"name":"', suffix: '"}' },
    }));

  const headersCase: fc.Arbitrary<FuzzRequest> = fc
    .tuple(keyArb(t), fc.nat(), fc.constantFrom(...CONTENT_TYPES), fc.constantFrom('application/json', 'text/html', 'image/png', '*/*', '', 'text/event-stream', 'application/x-ndjson'), fc.oneof(fc.constant(null), hostileString), fc.oneof(fc.constant(null), fc.constantFrom('2025-06-18', '2099-01-01', 'x'.repeat(100))), fc.boolean())
    .map(([key, style, ct, accept, session, version, dupCt]) => {
      const headers: [string, string][] = [...authHeaders(key, style, t.readKey), ['accept', accept]];
      if (ct) headers.push(['content-type', ct]);
      if (dupCt) headers.push(['content-type', 'text/plain']);
      if (session !== null) headers.push(['mcp-session-id', session.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')]);
      if (version !== null) headers.push(['mcp-protocol-version', version]);
      return { kind: 'headers', method: 'POST', path: '/mcp', headers, body: json({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_symbols', arguments: { query: 'parse' } } }) };
    });

  const oversizedHeaders: fc.Arbitrary<FuzzRequest> = fc
    .tuple(fc.integer({ min: 8_000, max: 40_000 }), fc.integer({ min: 1, max: 200 }))
    .map(([size, count]) => ({
      kind: 'oversized-headers',
      method: 'GET',
      path: '/v1/repos',
      headers: [['authorization', `Bearer ${t.readKey}`], ...Array.from({ length: count }, (_, i) => [`x-pad-${i}`, 'p'.repeat(Math.ceil(size / count))] as [string, string])],
    }));

  const wrongMethod: fc.Arbitrary<FuzzRequest> = fc
    .tuple(fc.constantFrom(...routes(t, 'x')), fc.constantFrom(...METHODS), keyArb(t), fc.oneof(fc.constant(undefined), fc.json()))
    .map(([route, method, key, body]) => ({
      kind: 'method',
      method,
      // DELETE of the fuzzed tenant or its repos is out: the run would then fuzz nothing.
      path: route.path,
      headers: [...authHeaders(key, 0, t.readKey), ...(body !== undefined ? ([['content-type', 'application/json']] as [string, string][]) : [])],
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    }));

  const pathParams: fc.Arbitrary<FuzzRequest> = fc
    .tuple(hostileString, fc.boolean(), fc.nat(), fc.constantFrom(t.adminKey, t.writeKey), fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })))
    .map(([param, encode, pick, key, body]) => {
      const value = param === 'app' ? 'app-x' : param;
      const all = routes(t, value).filter((r) => r.path.includes(pct(value)) && r.methods.length > 0);
      const route = all[pick % all.length] ?? { path: '/v1/repos', methods: ['GET'] };
      const method = route.methods[pick % route.methods.length]!;
      // Raw (unencoded) forms too, where a URL allows them.
      const rawPath = encode ? route.path : route.path.replace(pct(value), pct(value, /[\x21-\x7e]/).replace(/[?#]/g, (c) => pct(c)));
      const isArchive = route.path.endsWith('/archive');
      return {
        kind: 'path-param',
        method,
        path: rawPath,
        headers: [['authorization', `Bearer ${key}`], ['content-type', isArchive ? 'application/gzip' : 'application/json']] as [string, string][],
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: isArchive ? zlib.gzipSync(Buffer.from(String(body ?? 'x'))) : JSON.stringify(body ?? {}) }),
      };
    });

  const adminBodies: fc.Arbitrary<FuzzRequest> = fc
    .tuple(fc.constantFrom('POST /admin/tenants', 'PATCH victim', 'POST victim/keys', 'GET victim/stats'), fc.dictionary(fc.constantFrom('name', 'quotaBytes', 'settings', 'permissions', 'tier', 'label', 'test', 'since', 'extra'), hostileValue, { maxKeys: 4 }), hostileString)
    .map(([which, body, since]) => {
      const victim = `/admin/tenants/${t.victimTenantId}`;
      const [method, path] =
        which === 'POST /admin/tenants' ? ['POST', '/admin/tenants'] : which === 'PATCH victim' ? ['PATCH', victim] : which === 'POST victim/keys' ? ['POST', `${victim}/keys`] : ['GET', `${victim}/stats?since=${pct(since)}`];
      return { kind: 'admin-body', method: method!, path: path!, headers: [['authorization', `Bearer ${t.adminKey}`], ['content-type', 'application/json']] as [string, string][], ...(method === 'GET' ? {} : { body: JSON.stringify(body) }) };
    });

  const archives: fc.Arbitrary<FuzzRequest> = fc
    .tuple(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('raw', 'gzip', 'truncated-gzip', 'tar-header'), fc.constantFrom('application/gzip', 'application/octet-stream', 'application/json', 'text/plain'), fc.constantFrom('fuzz-up', 'Bad Name', '..', 'a'.repeat(65)), fc.boolean())
    .map(([bytes, form, ct, name, asRestore]) => {
      let body = Buffer.from(bytes);
      if (form === 'gzip') body = zlib.gzipSync(body);
      if (form === 'truncated-gzip') body = zlib.gzipSync(Buffer.concat([body, Buffer.alloc(4096)])).subarray(0, 40);
      if (form === 'tar-header') {
        const header = Buffer.alloc(512);
        header.write('../../escape.ts', 0);
        header.write('0000644\0', 100);
        header.write('00000000010\0', 124);
        body = zlib.gzipSync(Buffer.concat([header, body.subarray(0, 512), Buffer.alloc(1024)]));
      }
      // The same bytes as a backup archive to restore into the victim tenant.
      if (asRestore) return { kind: 'archive', method: 'POST', path: `/admin/tenants/${t.victimTenantId}/restore`, headers: [['authorization', `Bearer ${t.adminKey}`], ['content-type', ct]] as [string, string][], body };
      return { kind: 'archive', method: 'POST', path: `/v1/repos/${encodeURIComponent(name)}/archive`, headers: [['authorization', `Bearer ${t.writeKey}`], ['content-type', ct]] as [string, string][], body };
    });

  const raw: fc.Arbitrary<FuzzRequest> = fc
    .constantFrom(
      `POST /mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.readKey}\r\nContent-Type: application/json\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n{"a":1}...`,
      `POST /mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.readKey}\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n`,
      `POST /mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.readKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
      `POST /mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.readKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`,
      `GET /v1/repos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.readKey}\u0001\r\n\r\n`,
      `GET /v1/repos HTTP/1.1\r\nHost: x\r\nAuthorization : Bearer ${t.readKey}\r\n\r\n`,
      `GET /v1/repos HTTP/1.1\r\nHost: x\r\nX-API-Key: ${t.readKey}\r\n folded\r\n\r\n`,
      `GET /v1/repos HTTP/1.1\nHost: x\nAuthorization: Bearer ${t.readKey}\n\n`,
      `GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET //admin//tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\n\r\n`,
      `GET http://evil/healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET * HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n`,
      `GET /healthz\r\n\r\n`,
      `BREW /mcp HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /v1/repos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe${t.readKey}\r\n\r\n`,
      `\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n`,
      `POST /mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.readKey}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd`,
    )
    .map((text) => ({ kind: 'raw', method: 'RAW', path: text.split(/\r?\n/)[0]!.slice(0, 60), headers: [], raw: text }));

  return fc.oneof(
    { weight: 3, arbitrary: badJson },
    { weight: 5, arbitrary: rpc },
    { weight: 6, arbitrary: toolCall },
    { weight: 2, arbitrary: batch },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: huge },
    { weight: 4, arbitrary: headersCase },
    { weight: 1, arbitrary: oversizedHeaders },
    { weight: 4, arbitrary: wrongMethod },
    { weight: 5, arbitrary: pathParams },
    { weight: 3, arbitrary: adminBodies },
    { weight: 2, arbitrary: archives },
    { weight: 2, arbitrary: raw },
  );
}

function bodyBytes(body: FuzzRequest['body']): Buffer | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return Buffer.from(body);
  return Buffer.from(body.prefix + body.repeat.repeat(body.times) + body.suffix);
}

/** Short description of a request for a report line. */
export function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? ` ${r.body.slice(0, 120)}` : Buffer.isBuffer(r.body) ? ` <${r.body.length} bytes>` : ` <${r.body.repeat}×${r.body.times}>`;
  return `[${r.kind}] ${r.method} ${r.path.slice(0, 120)}${body}`;
}

/** Sends one request on its own connection (no keep-alive, so one bad answer cannot spoil the next). */
export function sendFuzzRequest(url: string, r: FuzzRequest, timeoutMs = 30_000): Promise<FuzzOutcome> {
  const { hostname, port } = new URL(url);
  if (r.raw !== undefined) return sendRaw(hostname, Number(port), r.raw, timeoutMs);
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: FuzzOutcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    // Same-name headers are sent as separate lines (duplicates are part of the fuzz).
    const grouped = new Map<string, string[]>();
    for (const [k, v] of r.headers) grouped.set(k, [...(grouped.get(k) ?? []), v]);
    const body = bodyBytes(r.body);
    if (body) grouped.set('content-length', [String(body.length)]);
    let req: http.ClientRequest;
    try {
      req = http.request({ host: hostname, port: Number(port), method: r.method, path: r.path, agent: false });
      for (const [k, v] of grouped) req.setHeader(k, v.length === 1 ? v[0]! : v);
    } catch (err) {
      // The client itself refuses to send it (invalid characters): not the server's concern.
      return done({ status: 0, body: `client refused: ${(err as Error).message}` });
    }
    const timer = setTimeout(() => {
      req.destroy(new Error('timeout'));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        done({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8').slice(0, 2000) });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        done({ status: res.statusCode ?? null, error: `response ${(err as NodeJS.ErrnoException).code ?? err.message}`, body: '' });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      done({ status: null, error: (err as NodeJS.ErrnoException).code ?? err.message, body: '' });
    });
    req.end(body);
  });
}

function sendRaw(host: string, port: number, text: string, timeoutMs: number): Promise<FuzzOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs);
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const reply = Buffer.concat(chunks).toString('latin1');
      // Skip interim answers (100 Continue): the final status is the one that counts.
      const status = /^HTTP\/1\.[01] ([2-5]\d\d)/m.exec(reply);
      if (status) resolve({ status: Number(status[1]), body: reply.slice(0, 2000) });
      // A request so broken that the server hangs up without a word (TLS bytes, HTTP/0.9) is fine: no answer is owed.
      else resolve({ status: 0, body: reply.slice(0, 200), ...(error ? { error } : {}) });
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // Keep-alive answers do not close: one complete status line and headers is enough.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) socket.end();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err) => finish((err as NodeJS.ErrnoException).code ?? err.message));
    socket.write(Buffer.from(text, 'latin1'));
  });
}

/** The server's JSON body limit (`server.bodyLimit`, 1 MiB by default). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

function bodyLength(body: FuzzRequest['body']): number {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Buffer.isBuffer(body)) return body.length;
  return body.prefix.length + body.repeat.length * body.times + body.suffix.length;
}

/**
 * Acceptable: 2xx or 4xx; a raw request may also be hung up on (status 0) without a
 * reset. A body over the limit is refused with 413 before it is parsed, and the server
 * reads the rest of it, up to `drainCap` (32 MiB), before answering (docs/http-api.md):
 * within that, a reset (EPIPE, ECONNRESET) instead of the answer is a finding, and a
 * request marked `bodyParsed` must get exactly the 413. Only a body over `drainCap` may
 * end in a reset for a client still writing it: the server cuts the connection there.
 */
export function isAcceptable(r: FuzzRequest, o: FuzzOutcome, bodyLimit = DEFAULT_BODY_LIMIT, drainCap = DRAIN_CAP_BYTES): boolean {
  const length = bodyLength(r.body);
  if (o.error) return (o.error === 'EPIPE' || o.error === 'ECONNRESET') && length > drainCap;
  if (r.bodyParsed && length > bodyLimit && length <= drainCap) return o.status === 413;
  if (o.status === 0) return r.raw !== undefined || o.body.startsWith('client refused');
  return o.status !== null && ((o.status >= 200 && o.status < 300) || (o.status >= 400 && o.status < 500));
}

/** Sends `requests` with `concurrency` in flight, stopping at `deadline` (performance.now() ms). */
export async function runFuzz(url: string, requests: readonly FuzzRequest[], options: { concurrency?: number; deadline?: number; onProgress?: (sent: number) => void } = {}): Promise<FuzzReport> {
  const started = performance.now();
  const report: FuzzReport = { sent: 0, byStatus: {}, byKind: {}, findings: [], elapsedMs: 0 };
  let next = 0;
  const worker = async () => {
    while (next < requests.length && (options.deadline === undefined || performance.now() < options.deadline)) {
      const r = requests[next++]!;
      const o = await sendFuzzRequest(url, r);
      report.sent++;
      const key = o.error ? o.error : String(o.status);
      report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
      report.byKind[r.kind] = (report.byKind[r.kind] ?? 0) + 1;
      if (!isAcceptable(r, o)) report.findings.push({ request: describeRequest(r), outcome: `${o.status ?? '-'} ${o.error ?? ''} ${o.body.slice(0, 300)}` });
      if (report.sent % 500 === 0) options.onProgress?.(report.sent);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  report.elapsedMs = performance.now() - started;
  return report;
}

/** After a run: health answers and a real search over MCP finds `expectName` with `key`. Returns problems found. */
export async function checkAlive(url: string, key: string, query: string, expectName: string): Promise<string[]> {
  const problems: string[] = [];
  const health = await fetch(`${url}/healthz`).catch((err: Error) => ({ status: -1, statusText: err.message }));
  if (health.status !== 200) problems.push(`/healthz answered ${health.status}`);
  const ready = await fetch(`${url}/readyz`).catch((err: Error) => ({ status: -1, statusText: err.message }));
  if (ready.status !== 200) problems.push(`/readyz answered ${ready.status}`);
  const search = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_symbols', arguments: { query, limit: 5 } } }),
  }).catch((err: Error) => err);
  if (search instanceof Error) problems.push(`the search failed: ${search.message}`);
  else {
    const text = await search.text();
    if (search.status !== 200 || !text.includes(expectName)) problems.push(`the search answered ${search.status}: ${text.slice(0, 300)}`);
  }
  return problems;
}

/** Samples `count` requests from the arbitrary, reproducibly from `seed`. */
export function sampleFuzzRequests(t: FuzzTarget, count: number, seed: number): FuzzRequest[] {
  return fc.sample(fuzzRequestArbitrary(t), { numRuns: count, seed });
}
