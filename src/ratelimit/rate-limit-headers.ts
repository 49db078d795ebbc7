/**
 * Response headers for a rate-limit decision: the IETF httpapi draft fields
 * (`RateLimit-Policy`, `RateLimit`; draft-ietf-httpapi-ratelimit-headers-09/10, HTTP
 * Structured Fields), the widespread `X-RateLimit-*` trio, and `Retry-After` on refusal.
 */

import { PctxError } from '../errors.js';
import type { ConsumeResult } from './token-bucket.js';

export interface RateLimitHeaderInput extends ConsumeResult {
  policy: { name?: string; limit: number; windowSeconds: number };
}

/** Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry storm. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/** The header values, keyed by their canonical names. */
export function rateLimitHeaders(result: RateLimitHeaderInput): Record<string, string> {
  const name = JSON.stringify(result.policy.name ?? 'default');
  const remaining = Math.max(0, Math.floor(result.remainingTokens));
  // For a refused request the useful "reset" is when it may retry; otherwise when full.
  const resetSeconds = result.allowed ? Math.ceil(result.resetMs / 1000) : retryAfterSeconds(result.retryAfterMs);
  const headers: Record<string, string> = {
    'RateLimit-Policy': `${name};q=${result.policy.limit};w=${result.policy.windowSeconds}`,
    RateLimit: `${name};r=${remaining};t=${resetSeconds}`,
    'X-RateLimit-Limit': String(result.limit),
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': String(resetSeconds),
  };
  if (!result.allowed) headers['Retry-After'] = String(retryAfterSeconds(result.retryAfterMs));
  return headers;
}

/** The RATE_LIMITED error (429) for a refused decision, with the details clients read. */
export function rateLimitedError(result: ConsumeResult): PctxError {
  return new PctxError('RATE_LIMITED', {
    retryAfterMs: result.retryAfterMs,
    retryAfterSeconds: retryAfterSeconds(result.retryAfterMs),
    limit: result.limit,
  });
}
