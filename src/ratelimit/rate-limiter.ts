/**
 * The server's rate limiter: one token-bucket limiter per tier plus a default one, and
 * the token cost of each operation.
 */

import { TokenBucketLimiter, type ConsumeResult } from './token-bucket.js';
import { validateRateLimitConfig, type RateLimitConfig } from './rate-limit-config.js';

export { DEFAULT_RATE_LIMIT, validateRateLimitConfig } from './rate-limit-config.js';
export type { RateLimitConfig, TierLimits } from './rate-limit-config.js';
export { rateLimitHeaders, rateLimitedError } from './rate-limit-headers.js';
export type { ConsumeResult } from './token-bucket.js';

/** The bucket a decision was made against, as advertised in `RateLimit-Policy`. */
export interface RateLimitPolicy {
  /** The tier's name, or `default` for the default bucket. */
  name: string;
  /** Bucket capacity. */
  limit: number;
  /** Seconds an empty bucket takes to fill (at least 1). */
  windowSeconds: number;
}

export type RateLimitDecision = ConsumeResult & { policy: RateLimitPolicy };

export const DEFAULT_POLICY_NAME = 'default';

interface Bucket {
  limiter: TokenBucketLimiter;
  policy: RateLimitPolicy;
}

export class RateLimiter {
  readonly config: RateLimitConfig;
  readonly #default: Bucket;
  readonly #tiers = new Map<string, Bucket>();

  /** `config` is validated again (naming keys under `rateLimit`), so any object will do. */
  constructor(config: RateLimitConfig, now?: () => number) {
    this.config = validateRateLimitConfig(config, 'rateLimit');
    const bucket = (name: string, maxTokens: number, refillRate: number): Bucket => ({
      limiter: new TokenBucketLimiter({ maxTokens, refillRate, ...(now ? { now } : {}) }),
      policy: Object.freeze({ name, limit: maxTokens, windowSeconds: Math.max(1, Math.ceil(maxTokens / refillRate)) }),
    });
    this.#default = bucket(DEFAULT_POLICY_NAME, this.config.maxTokens, this.config.refillRate);
    for (const [name, limits] of Object.entries(this.config.tiers)) {
      this.#tiers.set(name, bucket(name, limits.maxTokens, limits.refillRate));
    }
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Tokens an operation (an MCP tool name, `upload_archive`…) costs; unlisted ones cost 1. */
  costOf(operation: string): number {
    return Object.hasOwn(this.config.perToolLimits, operation) ? this.config.perToolLimits[operation]! : 1;
  }

  /**
   * Charges `cost` tokens to `key` — `tenant:<id>` for an authenticated request,
   * `ip:<address>` otherwise — in the bucket of `tier`. A null tier, or a tier the
   * configuration does not define, uses the default bucket. Disabled: always allowed,
   * nothing counted.
   */
  check(key: string, tier: string | null, cost: number): RateLimitDecision {
    const bucket = this.#bucketFor(tier);
    if (!this.config.enabled) {
      return { allowed: true, remainingTokens: bucket.policy.limit, retryAfterMs: 0, limit: bucket.policy.limit, resetMs: 0, policy: bucket.policy };
    }
    return { ...bucket.limiter.tryConsume(key, cost), policy: bucket.policy };
  }

  /** Whole tokens `key` has left in the bucket of `tier`, without spending any. */
  remaining(key: string, tier: string | null): number {
    return this.#bucketFor(tier).limiter.getRemainingTokens(key);
  }

  /** Refills `key` in every bucket, or, without a key, everything. */
  reset(key?: string): void {
    this.#default.limiter.reset(key);
    for (const bucket of this.#tiers.values()) bucket.limiter.reset(key);
  }

  #bucketFor(tier: string | null): Bucket {
    return (tier === null ? undefined : this.#tiers.get(tier)) ?? this.#default;
  }
}
