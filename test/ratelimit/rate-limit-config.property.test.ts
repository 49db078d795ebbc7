import fc from 'fast-check';
import { describe, it } from 'vitest';
import { RateLimiter, validateRateLimitConfig } from '../../src/ratelimit/rate-limiter.js';
import { isPctxError } from '../../src/errors.js';

describe('validateRateLimitConfig under hostile input (properties)', () => {
  it('either returns a usable frozen config or throws INVALID_CONFIG naming a rateLimit key', () => {
    const tier = fc.record({ maxTokens: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.jsonValue()), refillRate: fc.oneof(fc.double(), fc.jsonValue()) }, { requiredKeys: [] });
    const config = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          enabled: fc.oneof(fc.boolean(), fc.jsonValue()),
          maxTokens: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.double(), fc.jsonValue()),
          refillRate: fc.oneof(fc.double(), fc.jsonValue()),
          perToolLimits: fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.integer({ min: -2, max: 40 }), fc.jsonValue())), fc.jsonValue()),
          tiers: fc.oneof(fc.dictionary(fc.constantFrom('free', 'pro', 'team', '__proto__', 'Bad'), tier), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(config, (input) => {
        let valid;
        try {
          valid = validateRateLimitConfig(input, 'rateLimit');
        } catch (err) {
          return isPctxError(err, 'INVALID_CONFIG') && String(err.details.option).startsWith('rateLimit');
        }
        if (!Object.isFrozen(valid)) return false;
        // A config that validates builds a limiter that can charge every configured cost.
        const limiter = new RateLimiter(valid, () => 0);
        for (const [tool, cost] of Object.entries(valid.perToolLimits)) {
          for (const name of [null, ...Object.keys(valid.tiers)]) {
            if (!limiter.check(`k:${tool}`, name, cost).allowed) return false;
          }
        }
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});
