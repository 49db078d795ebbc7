import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_KEY_LENGTH, generateApiKey, hashApiKey, parseApiKey } from '../../src/auth/api-key.js';
import { BASE62_ALPHABET } from '../../src/auth/base62.js';

const SHAPE = /^cl_(live|test)_[0-9a-f]{8}_[0-9A-Za-z]{24}_[0-9A-Za-z]{4}$/;
const tenantId = fc.stringMatching(/^[0-9a-f]{8}$/);
const environment = fc.constantFrom('live' as const, 'test' as const);
const keyArb = fc.tuple(tenantId, environment).map(([t, e]) => generateApiKey(t, e));

/** Characters a key may hold, plus some it may not: a substitution can be either. */
const substitute = fc.constantFrom(...`${BASE62_ALPHABET}_- .:/é\u0000`);

describe('API key parser (properties)', () => {
  it('parses every generated key back to its tenant, environment and prefix', () => {
    fc.assert(
      fc.property(tenantId, environment, (t, e) => {
        const { key, prefix, keyHash } = generateApiKey(t, e);
        const parsed = parseApiKey(key);
        expect(parsed).toMatchObject({ ok: true, key: { tenantId: t, environment: e, prefix } });
        expect(keyHash).toBe(hashApiKey(key));
      }),
    );
  });

  it('rejects every single-character change of a generated key', () => {
    fc.assert(
      fc.property(keyArb, fc.nat({ max: API_KEY_LENGTH - 1 }), substitute, ({ key }, pos, ch) => {
        fc.pre(key[pos] !== ch);
        const changed = key.slice(0, pos) + ch + key.slice(pos + 1);
        expect(parseApiKey(changed).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a generated key with a character inserted or deleted', () => {
    fc.assert(
      fc.property(keyArb, fc.nat({ max: API_KEY_LENGTH }), substitute, fc.boolean(), ({ key }, pos, ch, insert) => {
        const changed = insert ? key.slice(0, pos) + ch + key.slice(pos) : key.slice(0, Math.min(pos, API_KEY_LENGTH - 1)) + key.slice(Math.min(pos, API_KEY_LENGTH - 1) + 1);
        expect(parseApiKey(changed)).toEqual({ ok: false, reason: 'malformed' });
      }),
    );
  });

  it('never throws on arbitrary strings, and only accepts strings of the key shape', () => {
    const accepts = (raw: string) => {
      const result = parseApiKey(raw);
      // Plain booleans: an expect() per run would cost more than the parser itself.
      return result.ok ? SHAPE.test(raw) : result.reason === 'malformed' || result.reason === 'bad_checksum';
    };
    for (const strings of [fc.string(), fc.string({ unit: 'binary' }), fc.string({ minLength: API_KEY_LENGTH, maxLength: API_KEY_LENGTH })]) {
      fc.assert(fc.property(strings, accepts), { numRuns: 1000 });
    }
  });

  it('accepts a random well-shaped key only when its checksum happens to match (about 1 in 8 million)', () => {
    const body = fc.tuple(tenantId, fc.stringMatching(/^[0-9A-Za-z]{24}$/), fc.stringMatching(/^[0-9A-Za-z]{4}$/));
    let accepted = 0;
    fc.assert(
      fc.property(body, ([t, secret, checksum]) => {
        const result = parseApiKey(`cl_live_${t}_${secret}_${checksum}`);
        if (result.ok) accepted++;
        else expect(result.reason).toBe('bad_checksum');
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeLessThan(2);
  });
});
