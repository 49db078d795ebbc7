import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT, RateLimiter, rateLimitHeaders, rateLimitedError, validateRateLimitConfig } from '../../src/ratelimit/rate-limiter.js';
import { isPctxError } from '../../src/errors.js';
import { thrown } from '../control/fixture.js';
import { manualClock } from './clock.js';

describe('RateLimiter', () => {
  it('lets 100 calls through on the default bucket and refuses the 101st', () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMIT, manualClock().now);
    for (let i = 0; i < 100; i++) expect(limiter.check('tenant:0a1b2c3d', null, 1).allowed).toBe(true);
    const refused = limiter.check('tenant:0a1b2c3d', null, 1);
    expect(refused).toMatchObject({ allowed: false, remainingTokens: 0, retryAfterMs: 100, limit: 100 });
    expect(refused.policy).toEqual({ name: 'default', limit: 100, windowSeconds: 10 });
  });

  it('charges index_folder and uploads 10 tokens and other tools 1', () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMIT, manualClock().now);
    expect(limiter.costOf('index_folder')).toBe(10);
    expect(limiter.costOf('upload_archive')).toBe(10);
    expect(limiter.costOf('search_symbols')).toBe(1);
    expect(limiter.costOf('__proto__')).toBe(1);
    expect(limiter.check('k', null, limiter.costOf('index_folder')).remainingTokens).toBe(90);
    expect(limiter.check('k', null, limiter.costOf('search_symbols')).remainingTokens).toBe(89);
  });

  it('gives each tier its own capacity and refill rate', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(DEFAULT_RATE_LIMIT, clock.now);
    expect(limiter.check('tenant:a', 'free', 1)).toMatchObject({ limit: 30, policy: { name: 'free', limit: 30, windowSeconds: 30 } });
    expect(limiter.check('tenant:a', 'pro', 1)).toMatchObject({ limit: 500, policy: { name: 'pro', windowSeconds: 10 } });
    expect(limiter.check('tenant:a', 'enterprise', 1).limit).toBe(2000);
    // An unknown tier (a key created before its tier left the config) uses the default bucket.
    expect(limiter.check('tenant:a', 'gold', 1).policy.name).toBe('default');
    for (let i = 0; i < 29; i++) limiter.check('tenant:f', 'free', 1);
    expect(limiter.check('tenant:f', 'free', 1).allowed).toBe(true);
    expect(limiter.check('tenant:f', 'free', 1)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    clock.advance(1000);
    expect(limiter.check('tenant:f', 'free', 1).allowed).toBe(true);
  });

  it('restores capacity as time passes', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(DEFAULT_RATE_LIMIT, clock.now);
    for (let i = 0; i < 10; i++) limiter.check('ip:127.0.0.1', null, 10);
    expect(limiter.check('ip:127.0.0.1', null, 1).allowed).toBe(false);
    clock.advance(10_000);
    expect(limiter.remaining('ip:127.0.0.1', null)).toBe(100);
  });

  it('allows everything and counts nothing when disabled', () => {
    const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMIT, enabled: false }, manualClock().now);
    for (let i = 0; i < 1000; i++) expect(limiter.check('k', null, 10).allowed).toBe(true);
    expect(limiter.enabled).toBe(false);
    expect(limiter.remaining('k', null)).toBe(100);
  });
});

describe('validateRateLimitConfig', () => {
  function failure(input: unknown): unknown {
    const err = thrown(() => validateRateLimitConfig(input, 'rateLimit'));
    expect(isPctxError(err, 'INVALID_CONFIG')).toBe(true);
    return isPctxError(err) ? err.details.option : undefined;
  }

  it('returns the defaults, frozen, for undefined or an empty object', () => {
    const config = validateRateLimitConfig(undefined, 'rateLimit');
    expect(config).toEqual(DEFAULT_RATE_LIMIT);
    expect(validateRateLimitConfig({}, 'rateLimit')).toEqual(DEFAULT_RATE_LIMIT);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tiers.pro)).toBe(true);
    expect(Object.isFrozen(config.perToolLimits)).toBe(true);
  });

  it('merges tool costs over the defaults and tiers by name', () => {
    const config = validateRateLimitConfig(
      { maxTokens: 50, perToolLimits: { search_symbols: 2 }, tiers: { pro: { maxTokens: 1000 }, team: { maxTokens: 300, refillRate: 0.5 } } },
      'rateLimit',
    );
    expect(config.perToolLimits).toEqual({ index_folder: 10, upload_archive: 10, search_symbols: 2 });
    expect(config.tiers.pro).toEqual({ maxTokens: 1000, refillRate: 50 });
    expect(config.tiers.team).toEqual({ maxTokens: 300, refillRate: 0.5 });
    expect(config.tiers.free).toEqual(DEFAULT_RATE_LIMIT.tiers.free);
    expect(config.maxTokens).toBe(50);
  });

  it('names the offending key', () => {
    expect(failure('yes')).toBe('rateLimit');
    expect(failure({ enabled: 'true' })).toBe('rateLimit.enabled');
    expect(failure({ maxTokens: 0 })).toBe('rateLimit.maxTokens');
    expect(failure({ maxTokens: 1.5 })).toBe('rateLimit.maxTokens');
    expect(failure({ refillRate: -1 })).toBe('rateLimit.refillRate');
    expect(failure({ refilRate: 1 })).toBe('rateLimit.refilRate');
    expect(failure({ perToolLimits: [] })).toBe('rateLimit.perToolLimits');
    expect(failure({ perToolLimits: { search_symbols: -1 } })).toBe('rateLimit.perToolLimits.search_symbols');
    expect(failure({ perToolLimits: { 'Bad Name': 1 } })).toBe('rateLimit.perToolLimits.Bad Name');
    expect(failure({ tiers: { pro: { maxTokens: 'lots' } } })).toBe('rateLimit.tiers.pro.maxTokens');
    expect(failure({ tiers: { pro: { burst: 5 } } })).toBe('rateLimit.tiers.pro.burst');
    expect(failure({ tiers: { team: { maxTokens: 5 } } })).toBe('rateLimit.tiers.team.refillRate');
    expect(failure({ tiers: { team: null } })).toBe('rateLimit.tiers.team');
  });

  it('refuses a tool cost larger than some bucket, since that tool could never run there', () => {
    const err = thrown(() => validateRateLimitConfig({ tiers: { tiny: { maxTokens: 5, refillRate: 1 } } }, 'rateLimit'));
    expect(isPctxError(err) && err.details).toEqual({
      option: 'rateLimit.perToolLimits.index_folder',
      reason: 'costs 10 tokens but rateLimit.tiers.tiny.maxTokens is only 5, so it could never run',
    });
  });

  it('keeps a tier called __proto__ an ordinary tier', () => {
    const config = validateRateLimitConfig(JSON.parse('{"tiers":{"__proto__":{"maxTokens":40,"refillRate":4}}}'), 'rateLimit');
    expect(Object.hasOwn(config.tiers, '__proto__')).toBe(true);
    const limiter = new RateLimiter(config, manualClock().now);
    expect(limiter.check('k', '__proto__', 1).limit).toBe(40);
    expect(limiter.check('k', 'constructor', 1).policy.name).toBe('default');
  });
});

describe('rateLimitHeaders', () => {
  it('describes an allowed request with the draft fields and the X-RateLimit trio', () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMIT, manualClock().now);
    const headers = rateLimitHeaders(limiter.check('tenant:a', 'standard', 25));
    expect(headers).toEqual({
      'RateLimit-Policy': '"standard";q=100;w=10',
      RateLimit: '"standard";r=75;t=3',
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Remaining': '75',
      'X-RateLimit-Reset': '3',
    });
  });

  it('adds Retry-After in whole seconds, at least 1, to a refused request', () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMIT, manualClock().now);
    for (let i = 0; i < 100; i++) limiter.check('k', null, 1);
    const refused = limiter.check('k', null, 1);
    expect(refused.retryAfterMs).toBe(100);
    const headers = rateLimitHeaders(refused);
    expect(headers['Retry-After']).toBe('1');
    expect(headers.RateLimit).toBe('"default";r=0;t=1');
    expect(headers['X-RateLimit-Remaining']).toBe('0');
    const big = limiter.check('k', null, 10);
    expect(big.retryAfterMs).toBe(1000);
    expect(rateLimitHeaders(big)['Retry-After']).toBe('1');
    expect(rateLimitHeaders({ ...big, retryAfterMs: 1001 })['Retry-After']).toBe('2');
  });

  it('builds the RATE_LIMITED error (429) with retryAfterMs and limit', () => {
    const err = rateLimitedError({ allowed: false, remainingTokens: 0, retryAfterMs: 1500, limit: 100, resetMs: 10_000 });
    expect(err.status).toBe(429);
    expect(err.toJSON()).toEqual({
      code: 'PCTX_ERR_RATE_LIMITED',
      message: 'Rate limit exceeded (100 tokens); retry in 2 s',
      details: { retryAfterMs: 1500, retryAfterSeconds: 2, limit: 100 },
    });
  });
});
