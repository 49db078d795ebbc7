/**
 * Embeddings from any server that speaks OpenAI's `POST /embeddings`: OpenAI itself, Ollama
 * (`http://127.0.0.1:11434/v1`), vLLM, LM Studio, llama.cpp. Everything the server sends
 * back is checked before use, because a vector of the wrong length or order corrupts the
 * index silently.
 */

import { PctxError } from '../../errors.js';
import { checkBaseUrl, checkInteger, checkString } from './option-checks.js';
import type { EmbeddingProvider, SymbolFields } from './provider.js';
import { symbolEmbeddingText } from './symbol-embedding.js';
import { normalizeInPlace } from './vector-math.js';

export interface OpenAIEmbedderOptions {
  /**
   * The API root, to which `/embeddings` is appended: `https://api.openai.com/v1`,
   * `http://127.0.0.1:11434/v1` for Ollama.
   */
  baseUrl: string;
  /** Model name as the server knows it, e.g. `text-embedding-3-small`, `nomic-embed-text`. */
  model: string;
  /** Sent as `Authorization: Bearer …`; never logged nor put in errors. @default none */
  apiKey?: string;
  /** Length of the vectors the model returns; any other length fails the call. */
  dimension: number;
  /** Texts per request. @default 64 */
  batchSize?: number;
  /** Time allowed for one attempt, response body included. @default 30000 */
  timeoutMs?: number;
  /** Further attempts after a 429, a 5xx, a timeout or a network error. @default 2 */
  maxRetries?: number;
  /** Wait before the first retry; doubles each time, with jitter. @default 500 */
  retryBaseDelayMs?: number;
}

export const OPENAI_DEFAULTS = Object.freeze({ batchSize: 64, timeoutMs: 30_000, maxRetries: 2, retryBaseDelayMs: 500 });

/** Inclusive bounds of the numeric options. */
export const OPENAI_LIMITS = Object.freeze({
  dimension: [1, 65_536],
  batchSize: [1, 2048],
  timeoutMs: [1, 600_000],
  maxRetries: [0, 10],
  retryBaseDelayMs: [0, 60_000],
} as const satisfies Record<string, readonly [number, number]>);

/** A server asking for a longer pause than this is treated as failing now. */
const MAX_RETRY_AFTER_MS = 30_000;
/** Error bodies are quoted up to this length: enough for the message, not a whole HTML page. */
const MAX_QUOTED_BODY = 300;

/** One failed attempt; `retryable` says whether another attempt could succeed. */
class AttemptFailure {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {}
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // An 'abort' listener added after the fact never fires.
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export class OpenAIEmbedder implements EmbeddingProvider {
  readonly id: string;
  readonly dimension: number;
  readonly model: string;
  readonly baseUrl: string;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  // A private field: util.inspect, JSON.stringify and spreading the object never show it.
  readonly #apiKey: string | undefined;

  /** @throws PctxError `INVALID_CONFIG` naming the first bad option. */
  constructor(options: OpenAIEmbedderOptions) {
    this.baseUrl = checkBaseUrl('baseUrl', options.baseUrl);
    this.model = checkString('model', options.model);
    this.#apiKey = options.apiKey === undefined ? undefined : checkString('apiKey', options.apiKey);
    this.dimension = checkInteger('dimension', options.dimension, ...OPENAI_LIMITS.dimension);
    this.batchSize = checkInteger('batchSize', options.batchSize ?? OPENAI_DEFAULTS.batchSize, ...OPENAI_LIMITS.batchSize);
    this.timeoutMs = checkInteger('timeoutMs', options.timeoutMs ?? OPENAI_DEFAULTS.timeoutMs, ...OPENAI_LIMITS.timeoutMs);
    this.maxRetries = checkInteger('maxRetries', options.maxRetries ?? OPENAI_DEFAULTS.maxRetries, ...OPENAI_LIMITS.maxRetries);
    this.retryBaseDelayMs = checkInteger(
      'retryBaseDelayMs',
      options.retryBaseDelayMs ?? OPENAI_DEFAULTS.retryBaseDelayMs,
      ...OPENAI_LIMITS.retryBaseDelayMs,
    );
    this.id = `openai:${this.model}`;
  }

  /** Sends batches one after another, so a local server is never flooded. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    signal?.throwIfAborted();
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.batchSize), signal)));
    }
    return vectors;
  }

  embedSymbols(symbols: readonly SymbolFields[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.embed(symbols.map(symbolEmbeddingText), signal);
  }

  private async embedBatch(batch: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(batch, signal);
      if (!(outcome instanceof AttemptFailure)) return outcome;
      if (!outcome.retryable || attempt >= this.maxRetries) {
        const attempts = attempt + 1;
        throw new PctxError('EMBEDDING_FAILED', {
          reason: `${outcome.reason} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
          provider: this.id,
          ...(outcome.status === undefined ? {} : { status: outcome.status }),
          attempts,
        });
      }
      await sleep(this.backoff(attempt, outcome.retryAfterMs), signal);
    }
  }

  /** Exponential backoff with jitter (so that many indexers do not retry in step), or the server's Retry-After if longer. */
  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const exponential = this.retryBaseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
    return Math.max(exponential, retryAfterMs ?? 0);
  }

  /** One request. Resolves to the vectors or to why it failed; rejects only when `signal` aborts. */
  private async attempt(batch: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[] | AttemptFailure> {
    signal?.throwIfAborted();
    // One controller per attempt, torn down in `finally`: listeners never pile up on a
    // caller's long-lived signal, and no timer outlives the attempt.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
    let status: number | undefined;
    try {
      const response = await fetch(`${this.baseUrl}/embeddings`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.model, input: batch, encoding_format: 'float' }),
        signal: controller.signal,
      });
      status = response.status;
      const body = await response.text();
      if (!response.ok) return this.httpFailure(response, body);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return new AttemptFailure(`HTTP ${status} with a body that is not JSON: ${this.quote(body)}`, false, status);
      }
      return this.parseVectors(json, batch.length, status);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) return new AttemptFailure(`no complete answer within ${this.timeoutMs} ms`, true, status);
      return new AttemptFailure(`network error calling ${this.baseUrl}/embeddings: ${this.redact(describeNetworkError(err))}`, true, status);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private httpFailure(response: Response, body: string): AttemptFailure {
    const status = response.status;
    let message = body;
    try {
      const json: unknown = JSON.parse(body);
      // OpenAI and Ollama put the explanation in `error.message` or `error`.
      if (isRecord(json) && isRecord(json.error) && typeof json.error.message === 'string') message = json.error.message;
      else if (isRecord(json) && typeof json.error === 'string') message = json.error;
    } catch {
      // Not JSON: quote the raw body.
    }
    const reason = `HTTP ${status} from ${this.baseUrl}/embeddings: ${this.quote(message)}`;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
        return new AttemptFailure(`${reason}; the server asks to wait ${Math.ceil(retryAfterMs / 1000)} s`, false, status);
      }
      return new AttemptFailure(reason, true, status, retryAfterMs);
    }
    return new AttemptFailure(reason, false, status);
  }

  private parseVectors(json: unknown, expected: number, status: number): Float32Array[] | AttemptFailure {
    const fail = (reason: string) => new AttemptFailure(`invalid response: ${reason}`, false, status);
    if (!isRecord(json) || !Array.isArray(json.data)) return fail('no "data" array');
    const data: unknown[] = json.data;
    if (data.length !== expected) return fail(`${data.length} embeddings for ${expected} inputs`);
    const vectors: Array<Float32Array | undefined> = new Array(expected);
    for (let position = 0; position < data.length; position++) {
      const item = data[position];
      if (!isRecord(item)) return fail(`data[${position}] is not an object`);
      const index = item.index;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected) {
        return fail(`data[${position}].index must be an integer from 0 to ${expected - 1}`);
      }
      if (vectors[index] !== undefined) return fail(`index ${index} appears twice`);
      const embedding = item.embedding;
      if (!Array.isArray(embedding)) return fail(`data[${position}].embedding is not an array of numbers`);
      if (embedding.length !== this.dimension) {
        return fail(`embeddings have ${embedding.length} dimensions but ${this.dimension} are configured for model ${JSON.stringify(this.model)}`);
      }
      const vector = new Float32Array(this.dimension);
      for (let i = 0; i < embedding.length; i++) {
        const value: unknown = embedding[i];
        if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`data[${position}].embedding[${i}] is not a finite number`);
        vector[i] = value;
      }
      if (normalizeInPlace(vector) === null) return fail(`data[${position}].embedding is a zero vector`);
      vectors[index] = vector;
    }
    return vectors as Float32Array[];
  }

  /** Redacts before cutting, so a key that straddles the cut cannot leak in part. */
  private quote(text: string): string {
    const safe = this.redact(text.trim());
    return JSON.stringify(safe.length > MAX_QUOTED_BODY ? `${safe.slice(0, MAX_QUOTED_BODY)}…` : safe);
  }

  /** Servers sometimes echo the key they rejected; it must not reach logs through our errors. */
  private redact(text: string): string {
    const key = this.#apiKey;
    return key === undefined ? text : text.split(key).join('[redacted]');
  }
}
