import fc from 'fast-check';
import { describe, it } from 'vitest';
import { TokenBucketLimiter } from '../../src/ratelimit/token-bucket.js';
import { manualClock } from './clock.js';

const bucketOptions = fc.record({
  maxTokens: fc.integer({ min: 1, max: 1000 }),
  refillRate: fc.oneof(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0.01, max: 100, noNaN: true })),
});

/** A step is either time passing or a request for some share of the capacity. */
type Step = { wait: number } | { take: number };
const steps = fc.array(fc.oneof(fc.record({ wait: fc.integer({ min: 0, max: 5_000 }) }), fc.record({ take: fc.double({ min: 0, max: 1, noNaN: true }) })), { maxLength: 60 });

function cost(share: number, maxTokens: number): number {
  return Math.min(maxTokens, Math.round(share * maxTokens));
}

describe('TokenBucketLimiter (properties)', () => {
  it('never reports fewer than 0 or more than maxTokens tokens', () => {
    fc.assert(
      fc.property(bucketOptions, steps, (options, plan: Step[]) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ...options, now: clock.now });
        for (const step of plan) {
          if ('wait' in step) clock.advance(step.wait);
          else {
            const r = limiter.tryConsume('k', cost(step.take, options.maxTokens));
            if (r.remainingTokens < 0 || r.remainingTokens > options.maxTokens) return false;
            if (r.resetMs < 0 || r.retryAfterMs < 0) return false;
          }
          const left = limiter.getRemainingTokens('k');
          if (left < 0 || left > options.maxTokens) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('refills monotonically: without spending, later never has fewer tokens than earlier', () => {
    fc.assert(
      fc.property(bucketOptions, fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 30 }), (options, share, waits) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ...options, now: clock.now });
        limiter.tryConsume('k', cost(share, options.maxTokens));
        let previous = limiter.getRemainingTokens('k');
        for (const wait of waits) {
          clock.advance(wait);
          const now = limiter.getRemainingTokens('k');
          if (now < previous) return false;
          previous = now;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('grants a refused request once retryAfterMs has passed', () => {
    fc.assert(
      fc.property(bucketOptions, steps, fc.double({ min: 0, max: 1, noNaN: true }), (options, plan: Step[], share) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ...options, now: clock.now });
        for (const step of plan) {
          if ('wait' in step) clock.advance(step.wait);
          else limiter.tryConsume('k', cost(step.take, options.maxTokens));
        }
        const tokens = Math.max(1, cost(share, options.maxTokens));
        const first = limiter.tryConsume('k', tokens);
        if (first.allowed) return first.retryAfterMs === 0;
        clock.advance(first.retryAfterMs);
        return limiter.tryConsume('k', tokens).allowed;
      }),
      { numRuns: 600 },
    );
  });

  it('never grants more than the capacity plus what refilled during the period', () => {
    fc.assert(
      fc.property(bucketOptions, steps, (options, plan: Step[]) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ...options, now: clock.now });
        let granted = 0;
        let elapsed = 0;
        for (const step of plan) {
          if ('wait' in step) {
            clock.advance(step.wait);
            elapsed += step.wait;
          } else {
            const tokens = cost(step.take, options.maxTokens);
            if (limiter.tryConsume('k', tokens).allowed) granted += tokens;
          }
        }
        return granted <= options.maxTokens + (elapsed * options.refillRate) / 1000 + 1e-6;
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every key within bounds however requests interleave across keys', () => {
    fc.assert(
      fc.property(bucketOptions, fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 2_000 }), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 60 }), (options, plan) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ...options, now: clock.now, maxKeys: 2 });
        for (const [key, wait, share] of plan) {
          clock.advance(wait);
          const r = limiter.tryConsume(key, cost(share, options.maxTokens));
          if (r.remainingTokens < 0 || r.remainingTokens > options.maxTokens) return false;
        }
        return limiter.size <= 2;
      }),
      { numRuns: 200 },
    );
  });
});
