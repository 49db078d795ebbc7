import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, COMPRESS_MIN_BYTES, deflatePart, gzipSpliced } from '../../src/server/compression.js';
import { DEMO_REPO } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';
import { toolCall, useTestServers } from './harness.js';

const startServer = useTestServers();
const tempDir = useTempDir('pctx-compression-fixture-');

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as sent, before any decoding. */
  raw: Buffer;
}

/** One request with node:http, which (unlike fetch) neither adds an Accept-Encoding nor decodes the answer. */
function rawRequest(url: string, method: string, urlPath: string, headers: Record<string, string>, body?: unknown): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(urlPath, url), { method, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, raw: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const gunzipJson = (answer: RawAnswer): unknown => JSON.parse(zlib.gunzipSync(answer.raw).toString('utf8'));
const plainJson = (answer: RawAnswer): unknown => JSON.parse(answer.raw.toString('utf8'));

describe('acceptsGzip reads Accept-Encoding as RFC 9110 writes it', () => {
  it.each([
    ['gzip, deflate', true], // what the MCP SDK client sends through Node's fetch
    ['gzip', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['br, gzip;q=0.5', true],
    ['*', true],
    ['deflate, *;q=0.1', true],
    [' gzip ;  q=1.000 ', true],
    ['gzip, , deflate', true],
  ])('%j accepts gzip', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it.each([
    ['identity'],
    ['deflate, br'],
    ['gzip;q=0'],
    ['gzip;q=0.000'],
    ['gzip;q=0, *'],
    ['*;q=0'],
    [''],
  ])('%j does not', (header) => {
    expect(acceptsGzip(header)).toBe(false);
  });

  it.each([['gzip;q=2'], ['gzip;q=0.5000'], ['gzip;level=9'], ['gzip;q'], ['g zip'], [';q=1'], ['gzip;;'], ['gzip;q=abc']])('%j is malformed, so the answer is not coded', (header) => {
    expect(acceptsGzip(header)).toBe(false);
  });

  it('treats an absent header as no coding, and repeated headers as one list', () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip(['br', 'gzip'])).toBe(true);
  });
});

describe('gzipSpliced frames a memoized deflate part between stored blocks', () => {
  it('decodes to prefix + part + suffix, also with non-ASCII text, and stays valid when the part is reused', () => {
    const text = JSON.stringify({ hits: Array.from({ length: 50 }, (_, i) => ({ name: `parseConfig${i}`, doc: 'Parses the configuration — ünïcode' })) });
    const part = deflatePart(text);
    for (const id of ['1', '"ä-42"', '9007199254740991']) {
      const prefix = `{"jsonrpc":"2.0","id":${id},"result":`;
      const coded = gzipSpliced(prefix, part, '}')!;
      // gunzip checks the CRC-32 and length in the trailer, combined without reading the part again.
      expect(zlib.gunzipSync(coded).toString('utf8')).toBe(prefix + text + '}');
    }
  });

  it('combines CRCs right for parts of every length class, the empty one included', () => {
    for (const length of [0, 1, 7, 255, 256, 65_537, 1_000_003]) {
      const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
      expect(zlib.gunzipSync(gzipSpliced('[', deflatePart(text), ']')!).toString('utf8')).toBe(`[${text}]`);
    }
  });

  it('declines an envelope too long for one stored block, so the caller compresses the whole', () => {
    const part = deflatePart('{}');
    expect(gzipSpliced('x'.repeat(70_000), part, '}')).toBeNull();
  });
});

describe('HTTP answers are gzip-coded when the client accepts it', () => {
  it('codes a large MCP answer, and the same answer again with another id, to the JSON the identity answer carries', async () => {
    const fixtures = tempDir();
    writeTree(path.join(fixtures, 'demo'), DEMO_REPO);
    const server = await startServer({ allowedRoots: [fixtures] });
    const { key } = server.tenantWithKey('acme');
    const auth = { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream' };
    const indexed = await rawRequest(server.url, 'POST', '/mcp', auth, toolCall('index_folder', { path: path.join(fixtures, 'demo') }));
    expect(indexed.status).toBe(200);

    const search = (id: number) => toolCall('search_symbols', { query: 'user', limit: 20 }, id);
    const plain = await rawRequest(server.url, 'POST', '/mcp', auth, search(1));
    expect(plain.status).toBe(200);
    expect(plain.raw.length).toBeGreaterThanOrEqual(COMPRESS_MIN_BYTES);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');

    for (const id of [2, 3]) {
      const coded = await rawRequest(server.url, 'POST', '/mcp', { ...auth, 'accept-encoding': 'gzip, deflate' }, search(id));
      expect(coded.status).toBe(200);
      expect(coded.headers['content-encoding']).toBe('gzip');
      expect(coded.headers.vary).toBe('Accept-Encoding');
      expect(coded.headers['content-type']).toMatch(/^application\/json/);
      expect(Number(coded.headers['content-length'])).toBe(coded.raw.length);
      expect(coded.raw.length).toBeLessThan(plain.raw.length / 2);
      expect(gunzipJson(coded)).toEqual({ ...(plainJson(plain) as object), id });
    }
  });

  it('sends identity when gzip is not accepted, refused with q=0, or the header is malformed — never an error', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const list = { jsonrpc: '2.0', id: 7, method: 'tools/list' };
    const expected = plainJson(await rawRequest(server.url, 'POST', '/mcp', { authorization: `Bearer ${key}` }, list));
    expect(JSON.stringify(expected).length).toBeGreaterThanOrEqual(COMPRESS_MIN_BYTES);
    for (const header of ['identity', 'br', 'gzip;q=0, deflate', '*;q=0', 'gzip;q=7', 'gzip;;q=1', '%%%']) {
      const answer = await rawRequest(server.url, 'POST', '/mcp', { authorization: `Bearer ${key}`, 'accept-encoding': header }, list);
      expect({ header, status: answer.status, coding: answer.headers['content-encoding'] }).toEqual({ header, status: 200, coding: undefined });
      expect(plainJson(answer)).toEqual(expected);
    }
  });

  it('leaves small answers alone: no coding and no Vary', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const answer = await rawRequest(server.url, 'POST', '/mcp', { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' }, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers.vary).toBeUndefined();
    expect(plainJson(answer)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('codes the large JSON answers of the other routes too (the OpenAPI document)', async () => {
    const server = await startServer();
    const plain = await rawRequest(server.url, 'GET', '/openapi.json', {});
    const coded = await rawRequest(server.url, 'GET', '/openapi.json', { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(coded.status).toBe(200);
    expect(coded.headers['content-encoding']).toBe('gzip');
    expect(coded.headers.vary).toBe('Accept-Encoding');
    expect(gunzipJson(coded)).toEqual(plainJson(plain));
  });
});
