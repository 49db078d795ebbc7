import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from '../../src/ratelimit/token-bucket.js';
import { isPctxError } from '../../src/errors.js';
import { thrown } from '../control/fixture.js';
import { manualClock } from './clock.js';

describe('TokenBucketLimiter', () => {
  it('allows a full bucket of calls at once, then refuses the next with the wait for one token', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ maxTokens: 100, refillRate: 10, now: clock.now });
    for (let i = 0; i < 100; i++) {
      const r = limiter.tryConsume('tenant:a');
      expect(r.allowed).toBe(true);
      expect(r.remainingTokens).toBe(99 - i);
    }
    expect(limiter.tryConsume('tenant:a')).toEqual({ allowed: false, remainingTokens: 0, retryAfterMs: 100, limit: 100, resetMs: 10_000 });
  });

  it('refills continuously with the clock, never beyond capacity', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ maxTokens: 10, refillRate: 2, now: clock.now });
    expect(limiter.tryConsume('k', 10).allowed).toBe(true);
    expect(limiter.getRemainingTokens('k')).toBe(0);
    clock.advance(250);
    expect(limiter.getRemainingTokens('k')).toBe(0); // half a token
    clock.advance(250);
    expect(limiter.getRemainingTokens('k')).toBe(1);
    clock.advance(2_000);
    expect(limiter.getRemainingTokens('k')).toBe(5);
    clock.advance(60_000);
    expect(limiter.getRemainingTokens('k')).toBe(10);
  });

  it('gives a retryAfterMs after which the same request succeeds, and not a millisecond earlier', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ maxTokens: 20, refillRate: 3, now: clock.now });
    limiter.tryConsume('k', 18);
    const refused = limiter.tryConsume('k', 10);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(2667); // 8 tokens at 3/s
    clock.advance(refused.retryAfterMs - 1);
    expect(limiter.tryConsume('k', 10).allowed).toBe(false);
    clock.advance(1);
    expect(limiter.tryConsume('k', 10).allowed).toBe(true);
  });

  it('charges nothing for a refused request', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ maxTokens: 10, refillRate: 1, now: clock.now });
    limiter.tryConsume('k', 7);
    expect(limiter.tryConsume('k', 5).allowed).toBe(false);
    expect(limiter.getRemainingTokens('k')).toBe(3);
  });

  it('keeps keys apart', () => {
    const limiter = new TokenBucketLimiter({ maxTokens: 1, refillRate: 1, now: manualClock().now });
    expect(limiter.tryConsume('tenant:a').allowed).toBe(true);
    expect(limiter.tryConsume('tenant:a').allowed).toBe(false);
    expect(limiter.tryConsume('tenant:b').allowed).toBe(true);
  });

  it('reports resetMs as the time until the bucket is full', () => {
    const limiter = new TokenBucketLimiter({ maxTokens: 10, refillRate: 4, now: manualClock().now });
    expect(limiter.tryConsume('k', 0).resetMs).toBe(0);
    expect(limiter.tryConsume('k', 6).resetMs).toBe(1500);
  });

  it('neither mints nor takes tokens when the clock steps backwards', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ maxTokens: 10, refillRate: 10, now: clock.now });
    limiter.tryConsume('k', 10);
    clock.advance(-5_000);
    expect(limiter.getRemainingTokens('k')).toBe(0);
    clock.advance(5_100);
    expect(limiter.getRemainingTokens('k')).toBe(1);
  });

  it('reset refills one key or all of them', () => {
    const limiter = new TokenBucketLimiter({ maxTokens: 5, refillRate: 1, now: manualClock().now });
    limiter.tryConsume('a', 5);
    limiter.tryConsume('b', 5);
    limiter.reset('a');
    expect(limiter.getRemainingTokens('a')).toBe(5);
    expect(limiter.getRemainingTokens('b')).toBe(0);
    limiter.reset();
    expect(limiter.getRemainingTokens('b')).toBe(5);
    expect(limiter.size).toBe(0);
  });

  it('holds at most maxKeys buckets, dropping the least recently used (which then starts full)', () => {
    const limiter = new TokenBucketLimiter({ maxTokens: 2, refillRate: 1, now: manualClock().now, maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) limiter.tryConsume(k, 2);
    limiter.tryConsume('a', 0); // a is now the most recently used
    limiter.tryConsume('d', 2); // evicts b
    expect(limiter.size).toBe(3);
    expect(limiter.getRemainingTokens('a')).toBe(0);
    expect(limiter.getRemainingTokens('b')).toBe(2);
    expect(limiter.getRemainingTokens('c')).toBe(0);
  });

  it('holds 10,000 buckets by default', () => {
    const limiter = new TokenBucketLimiter({ maxTokens: 1, refillRate: 1, now: manualClock().now });
    for (let i = 0; i < 10_050; i++) limiter.tryConsume(`ip:${i}`);
    expect(limiter.size).toBe(10_000);
  });

  it('refuses costs that are negative, not numbers, or larger than the bucket', () => {
    const limiter = new TokenBucketLimiter({ maxTokens: 5, refillRate: 1, now: manualClock().now });
    for (const bad of [-1, 6, Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
      const err = thrown(() => limiter.tryConsume('k', bad));
      expect(isPctxError(err, 'INVALID_ARGUMENT'), String(bad)).toBe(true);
    }
  });

  it('refuses options that are not positive numbers, naming the option', () => {
    for (const [options, option] of [
      [{ maxTokens: 0, refillRate: 1 }, 'maxTokens'],
      [{ maxTokens: 1, refillRate: 0 }, 'refillRate'],
      [{ maxTokens: 1, refillRate: Number.NaN }, 'refillRate'],
      [{ maxTokens: 1, refillRate: 1, maxKeys: 0 }, 'maxKeys'],
    ] as const) {
      const err = thrown(() => new TokenBucketLimiter(options));
      expect(isPctxError(err, 'INVALID_CONFIG') && err.details.option).toBe(option);
    }
  });
});
