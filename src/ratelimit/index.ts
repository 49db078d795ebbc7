/** Public surface of `ratelimit/`. */

export { TokenBucketLimiter, DEFAULT_MAX_KEYS } from './token-bucket.js';
export type { ConsumeResult, TokenBucketOptions } from './token-bucket.js';
export { RateLimiter, DEFAULT_POLICY_NAME } from './rate-limiter.js';
export type { RateLimitDecision, RateLimitPolicy } from './rate-limiter.js';
export { DEFAULT_RATE_LIMIT, validateRateLimitConfig } from './rate-limit-config.js';
export type { RateLimitConfig, TierLimits } from './rate-limit-config.js';
export { rateLimitHeaders, rateLimitedError, retryAfterSeconds } from './rate-limit-headers.js';
export type { RateLimitHeaderInput } from './rate-limit-headers.js';
