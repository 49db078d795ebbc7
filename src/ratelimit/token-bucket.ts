/**
 * Token buckets with continuous refill, one per key, held in an LRU of bounded size.
 *
 * A bucket holds up to `maxTokens`; it refills at `refillRate` tokens per second,
 * computed from the elapsed time whenever it is touched (no timers). A new or evicted key
 * starts full, so the LRU bound trades memory for the rare reset of a key nobody used
 * lately — with 10,000 keys, one that had to be evicted had been idle longer than nearly
 * every other.
 */

import { LRUCache } from 'lru-cache';
import { PctxError, invalidArgument } from '../errors.js';

export interface TokenBucketOptions {
  /** Capacity of every bucket, and what a new bucket starts with. */
  maxTokens: number;
  /** Tokens added per second. */
  refillRate: number;
  /** Milliseconds; tests inject a clock they move by hand. @default Date.now */
  now?: () => number;
  /** Buckets kept; the least recently used is dropped beyond this. @default 10_000 */
  maxKeys?: number;
}

export interface ConsumeResult {
  allowed: boolean;
  /** Whole tokens left after this call (fractions of a refilling token are not counted). */
  remainingTokens: number;
  /** 0 when allowed; otherwise how long until the same request would be allowed. */
  retryAfterMs: number;
  /** The bucket's capacity. */
  limit: number;
  /** How long until the bucket is full again. */
  resetMs: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was computed. Never moves backwards. */
  at: number;
}

export const DEFAULT_MAX_KEYS = 10_000;

function invalidOption(option: string, reason: string): PctxError {
  return new PctxError('INVALID_CONFIG', { option, reason });
}

export class TokenBucketLimiter {
  readonly maxTokens: number;
  readonly refillRate: number;
  readonly #now: () => number;
  readonly #buckets: LRUCache<string, Bucket>;

  constructor(options: TokenBucketOptions) {
    const { maxTokens, refillRate, maxKeys = DEFAULT_MAX_KEYS } = options;
    if (!Number.isFinite(maxTokens) || maxTokens <= 0) throw invalidOption('maxTokens', 'expected a positive number');
    if (!Number.isFinite(refillRate) || refillRate <= 0) throw invalidOption('refillRate', 'expected a positive number of tokens per second');
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw invalidOption('maxKeys', 'expected a whole number ≥ 1');
    this.maxTokens = maxTokens;
    this.refillRate = refillRate;
    this.#now = options.now ?? Date.now;
    this.#buckets = new LRUCache<string, Bucket>({ max: maxKeys });
  }

  /**
   * Takes `tokens` from the key's bucket if it holds that many, else takes nothing.
   * `tokens` must be between 0 and `maxTokens` (more could never be granted):
   * INVALID_ARGUMENT otherwise.
   */
  tryConsume(key: string, tokens = 1): ConsumeResult {
    if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < 0 || tokens > this.maxTokens) {
      throw invalidArgument('tokens', `expected a number from 0 to the bucket capacity ${this.maxTokens}`);
    }
    const bucket = this.#refilled(key);
    const allowed = bucket.tokens >= tokens;
    if (allowed) bucket.tokens -= tokens;
    this.#buckets.set(key, bucket);
    return {
      allowed,
      remainingTokens: Math.floor(bucket.tokens),
      retryAfterMs: allowed ? 0 : this.#msUntil(bucket.tokens, tokens),
      limit: this.maxTokens,
      resetMs: this.#msUntil(bucket.tokens, this.maxTokens),
    };
  }

  /** Whole tokens the key could spend now, without changing anything. */
  getRemainingTokens(key: string): number {
    return Math.floor(this.#refilled(key, false).tokens);
  }

  /** Refills one key's bucket (or, without a key, every bucket) to full. */
  reset(key?: string): void {
    if (key === undefined) this.#buckets.clear();
    else this.#buckets.delete(key);
  }

  /** Buckets currently held (at most `maxKeys`). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(key: string, touch = true): Bucket {
    const now = this.#now();
    const stored = touch ? this.#buckets.get(key) : this.#buckets.peek(key);
    if (stored === undefined) return { tokens: this.maxTokens, at: now };
    // A clock that steps back (NTP, a test) must neither mint nor take tokens.
    if (now <= stored.at) return { ...stored };
    return { tokens: this.#fill(stored.tokens, now - stored.at), at: now };
  }

  #fill(tokens: number, elapsedMs: number): number {
    return Math.min(this.maxTokens, tokens + (elapsedMs * this.refillRate) / 1000);
  }

  /**
   * Whole milliseconds until a bucket holding `tokens` holds `needed`. Rounded up, then
   * checked with the very formula `#refilled` uses, so that waiting exactly this long and
   * asking again succeeds despite floating-point rounding.
   */
  #msUntil(tokens: number, needed: number): number {
    if (tokens >= needed) return 0;
    let ms = Math.ceil(((needed - tokens) * 1000) / this.refillRate);
    while (this.#fill(tokens, ms) < needed) ms++;
    return ms;
  }
}
