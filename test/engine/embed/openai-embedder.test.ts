import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIEmbedder, type OpenAIEmbedderOptions } from '../../../src/engine/embed/openai-embedder.js';
import type { SymbolFields } from '../../../src/engine/embed/provider.js';
import { symbolEmbeddingText } from '../../../src/engine/embed/symbol-embedding.js';
import { isPctxError, type PctxError } from '../../../src/errors.js';

const DIMENSION = 4;
const API_KEY = 'sk-test-0123456789abcdef';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: { model: string; input: string[]; encoding_format?: string };
}

type Handler = (request: Received, response: ServerResponse, attempt: number) => void;

interface FakeServer {
  baseUrl: string;
  requests: Received[];
  close(): Promise<void>;
}

const servers: FakeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A real HTTP server on 127.0.0.1, port chosen by the OS, that plays the embeddings API. */
async function startServer(handler: Handler): Promise<FakeServer> {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      requests.push(received);
      handler(received, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeServer = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

/** A vector the fake model gives each text, different for each text and never zero. */
function fakeVector(text: string): number[] {
  return Array.from({ length: DIMENSION }, (_, i) => (text.charCodeAt(i % Math.max(text.length, 1)) || 7) + i);
}

function unit(values: number[]): Float32Array {
  const length = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0));
  return Float32Array.from(values, (x) => x / length);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Answers like OpenAI, but lists the embeddings in reverse order: clients must sort by index. */
function answer(req: Received, res: ServerResponse): void {
  const data = req.body.input.map((text, index) => ({ object: 'embedding', index, embedding: fakeVector(text) })).reverse();
  send(res, 200, { object: 'list', data, model: req.body.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
}

function embedder(server: FakeServer, options: Partial<OpenAIEmbedderOptions> = {}): OpenAIEmbedder {
  return new OpenAIEmbedder({ baseUrl: server.baseUrl, model: 'nomic-embed-text', dimension: DIMENSION, retryBaseDelayMs: 1, ...options });
}

async function failure(promise: Promise<unknown>): Promise<PctxError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isPctxError(error, 'EMBEDDING_FAILED')).toBe(true);
  return error as PctxError;
}

describe('OpenAIEmbedder', () => {
  it('embeds in batches and returns unit vectors in input order though the server lists them shuffled', async () => {
    const server = await startServer(answer);
    const provider = embedder(server, { apiKey: API_KEY, batchSize: 2 });
    const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const vectors = await provider.embed(texts);
    expect(vectors).toEqual(texts.map((text) => unit(fakeVector(text))));
    expect(server.requests.map((request) => request.body.input)).toEqual([['alpha', 'beta'], ['gamma', 'delta'], ['epsilon']]);
    const [first] = server.requests;
    expect(first!.url).toBe('/v1/embeddings');
    expect(first!.body).toEqual({ model: 'nomic-embed-text', input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(first!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(first!.headers['content-type']).toBe('application/json');
    expect(provider.id).toBe('openai:nomic-embed-text');
    expect(provider.dimension).toBe(DIMENSION);
  });

  it('sends no authorization header without an API key', async () => {
    const server = await startServer(answer);
    await embedder(server).embed(['x']);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('resolves to an empty array for no texts without calling the server', async () => {
    const server = await startServer(answer);
    expect(await embedder(server).embed([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('embeds symbols from the text symbolEmbeddingText builds', async () => {
    const server = await startServer(answer);
    const symbols: SymbolFields[] = [
      { name: 'getUser', qualifiedName: 'UserService.getUser', kind: 'method', signature: 'getUser(id: string): User', doc: 'Loads a user.' },
      { name: 'MAX_RETRIES', qualifiedName: 'MAX_RETRIES', kind: 'constant', signature: 'const MAX_RETRIES = 3', doc: null },
    ];
    const vectors = await embedder(server).embedSymbols(symbols);
    expect(server.requests[0]!.body.input).toEqual(symbols.map(symbolEmbeddingText));
    expect(vectors).toEqual(symbols.map((symbol) => unit(fakeVector(symbolEmbeddingText(symbol)))));
  });

  describe('retries', () => {
    it('retries a 500 and then succeeds', async () => {
      const server = await startServer((req, res, attempt) => (attempt === 1 ? send(res, 500, { error: { message: 'model is loading' } }) : answer(req, res)));
      expect(await embedder(server).embed(['x'])).toEqual([unit(fakeVector('x'))]);
      expect(server.requests).toHaveLength(2);
    });

    it('retries a 429 once the server allows it', async () => {
      const server = await startServer((req, res, attempt) =>
        attempt === 1 ? send(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '0' }) : answer(req, res),
      );
      expect(await embedder(server).embed(['x'])).toHaveLength(1);
      expect(server.requests).toHaveLength(2);
    });

    it('gives up after maxRetries with EMBEDDING_FAILED naming the status and the attempts', async () => {
      const server = await startServer((_req, res) => send(res, 503, { error: { message: 'overloaded' } }));
      const error = await failure(embedder(server, { maxRetries: 2 }).embed(['x']));
      expect(server.requests).toHaveLength(3);
      expect(error.details).toMatchObject({ status: 503, attempts: 3, provider: 'openai:nomic-embed-text' });
      expect(error.message).toBe(`The embedding provider failed: HTTP 503 from ${server.baseUrl}/embeddings: "overloaded" (3 attempts)`);
    });

    it('fails a 401 at once, and never repeats the API key the server echoed', async () => {
      const server = await startServer((_req, res) =>
        send(res, 401, { error: { message: `Incorrect API key provided: ${API_KEY}. You can find your API key at https://example.com.` } }),
      );
      const error = await failure(embedder(server, { apiKey: API_KEY }).embed(['x']));
      expect(server.requests).toHaveLength(1);
      expect(error.details).toMatchObject({ status: 401, attempts: 1 });
      expect(error.message).toContain('HTTP 401');
      expect(error.message).toContain('[redacted]');
      expect(JSON.stringify(error)).not.toContain(API_KEY);
      expect(util.inspect(error)).not.toContain(API_KEY);
    });

    it('does not retry a 400', async () => {
      const server = await startServer((_req, res) => send(res, 400, 'input is too long', { 'content-type': 'text/plain' }));
      const error = await failure(embedder(server).embed(['x']));
      expect(server.requests).toHaveLength(1);
      expect(error.message).toContain('input is too long');
    });

    it('fails without waiting when the server asks for a pause longer than 30 seconds', async () => {
      const server = await startServer((_req, res) => send(res, 429, { error: { message: 'quota' } }, { 'retry-after': '3600' }));
      const error = await failure(embedder(server).embed(['x']));
      expect(server.requests).toHaveLength(1);
      expect(error.message).toContain('the server asks to wait 3600 s');
    });

    it('retries a network error and reports it when nothing listens', async () => {
      const server = await startServer(answer);
      await server.close();
      const error = await failure(embedder(server, { maxRetries: 1 }).embed(['x']));
      expect(error.details).toMatchObject({ attempts: 2 });
      expect(error.message).toContain('network error');
      expect(error.message).toContain('ECONNREFUSED');
    });
  });

  describe('response checks', () => {
    it('rejects embeddings whose length differs from the configured dimension, without retrying', async () => {
      const server = await startServer((req, res) => send(res, 200, { data: req.body.input.map((_, index) => ({ index, embedding: [1, 2, 3] })) }));
      const error = await failure(embedder(server).embed(['x']));
      expect(server.requests).toHaveLength(1);
      expect(error.message).toContain('embeddings have 3 dimensions but 4 are configured for model "nomic-embed-text"');
    });

    it.each([
      ['no data array', { embeddings: [] }, 'no "data" array'],
      ['too few embeddings', { data: [] }, '0 embeddings for 2 inputs'],
      ['a duplicate index', { data: [{ index: 0, embedding: [1, 0, 0, 0] }, { index: 0, embedding: [0, 1, 0, 0] }] }, 'index 0 appears twice'],
      ['an index out of range', { data: [{ index: 0, embedding: [1, 0, 0, 0] }, { index: 2, embedding: [0, 1, 0, 0] }] }, 'data[1].index must be an integer from 0 to 1'],
      ['a missing index', { data: [{ embedding: [1, 0, 0, 0] }, { index: 1, embedding: [0, 1, 0, 0] }] }, 'data[0].index must be an integer'],
      ['a non-numeric value', { data: [{ index: 0, embedding: [1, 'x', 0, 0] }, { index: 1, embedding: [0, 1, 0, 0] }] }, 'data[0].embedding[1] is not a finite number'],
      ['a base64 string', { data: [{ index: 0, embedding: 'AAAA' }, { index: 1, embedding: 'AAAA' }] }, 'data[0].embedding is not an array of numbers'],
      ['a zero vector', { data: [{ index: 0, embedding: [0, 0, 0, 0] }, { index: 1, embedding: [0, 1, 0, 0] }] }, 'data[0].embedding is a zero vector'],
      ['a body that is not JSON', '<html>oops</html>', 'HTTP 200 with a body that is not JSON'],
    ])('rejects a response with %s', async (_label, body, reason) => {
      const server = await startServer((_req, res) => send(res, 200, body));
      const error = await failure(embedder(server).embed(['a', 'b']));
      expect(error.message).toContain(reason);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('time limits and cancellation', () => {
    it('gives up on a request that gets no answer within timeoutMs, and retries it', async () => {
      const server = await startServer(() => {
        // Never answer.
      });
      const started = Date.now();
      const error = await failure(embedder(server, { timeoutMs: 100, maxRetries: 1 }).embed(['x']));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(server.requests).toHaveLength(2);
      expect(error.message).toContain('no complete answer within 100 ms (2 attempts)');
    });

    it('rejects with the abort reason when the signal aborts mid-request, without retrying', async () => {
      const controller = new AbortController();
      const server = await startServer(() => controller.abort());
      const started = Date.now();
      await expect(embedder(server).embed(['x'], controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - started).toBeLessThan(5000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.requests).toHaveLength(1);
    });

    it('stops waiting between retries when the signal aborts', async () => {
      const controller = new AbortController();
      const server = await startServer((_req, res) => {
        send(res, 500, { error: { message: 'boom' } });
        setTimeout(() => controller.abort(), 20);
      });
      const started = Date.now();
      const provider = embedder(server, { retryBaseDelayMs: 60_000 });
      await expect(provider.embed(['x'], controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(server.requests).toHaveLength(1);
    });

    it('does not call the server when the signal is already aborted', async () => {
      const server = await startServer(answer);
      await expect(embedder(server).embed(['x'], AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
      expect(server.requests).toHaveLength(0);
    });
  });

  it('never shows the API key when inspected or serialised', async () => {
    const server = await startServer(answer);
    const provider = embedder(server, { apiKey: API_KEY });
    expect(util.inspect(provider, { depth: 5, showHidden: true })).not.toContain(API_KEY);
    expect(JSON.stringify(provider)).not.toContain(API_KEY);
    expect(JSON.stringify({ ...provider })).not.toContain(API_KEY);
  });

  it('rejects bad options with INVALID_CONFIG naming the option', () => {
    const base: OpenAIEmbedderOptions = { baseUrl: 'http://127.0.0.1:11434/v1', model: 'm', dimension: 8 };
    const cases: Array<[Partial<OpenAIEmbedderOptions>, string]> = [
      [{ baseUrl: 'ftp://example.com' }, 'baseUrl'],
      [{ baseUrl: 'not a url' }, 'baseUrl'],
      [{ baseUrl: 'https://user:pass@example.com/v1' }, 'baseUrl'],
      [{ model: '' }, 'model'],
      [{ apiKey: '' }, 'apiKey'],
      [{ dimension: 0 }, 'dimension'],
      [{ batchSize: 0 }, 'batchSize'],
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ maxRetries: -1 }, 'maxRetries'],
      [{ retryBaseDelayMs: 1.5 }, 'retryBaseDelayMs'],
    ];
    for (const [override, option] of cases) {
      let error: unknown;
      try {
        new OpenAIEmbedder({ ...base, ...override });
      } catch (err) {
        error = err;
      }
      expect(isPctxError(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as PctxError).details.option).toBe(option);
    }
  });

  it('trims a trailing slash from the base URL', async () => {
    const server = await startServer(answer);
    await embedder(server, { baseUrl: `${server.baseUrl}/` }).embed(['x']);
    expect(server.requests[0]!.url).toBe('/v1/embeddings');
  });
});
