import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { API_KEY_LENGTH, computeChecksum, generateApiKey, hashApiKey, parseApiKey } from '../../src/auth/api-key.js';
import { BASE62_ALPHABET, encodeBase62, randomBase62 } from '../../src/auth/base62.js';
import { isPctxError } from '../../src/errors.js';

const TENANT = '0a1b2c3d';

describe('API key format', () => {
  it('generates cl_live_<tenant>_<24 base62>_<4 base62> keys whose hash and prefix match', () => {
    const { key, prefix, keyHash } = generateApiKey(TENANT);
    expect(key).toMatch(/^cl_live_0a1b2c3d_[0-9A-Za-z]{24}_[0-9A-Za-z]{4}$/);
    expect(key).toHaveLength(API_KEY_LENGTH);
    expect(prefix).toBe(key.slice(0, 25));
    expect(keyHash).toBe(hashApiKey(key));
    expect(keyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('generates cl_test_ keys for the test environment', () => {
    const { key, prefix } = generateApiKey(TENANT, 'test');
    expect(key.startsWith('cl_test_0a1b2c3d_')).toBe(true);
    const parsed = parseApiKey(key);
    expect(parsed).toEqual({ ok: true, key: { environment: 'test', tenantId: TENANT, secret: key.slice(17, 41), checksum: key.slice(42), prefix } });
  });

  it('refuses to generate a key for an id that is not 8 lowercase hex characters', () => {
    for (const bad of ['', 'ABCDEF12', '../x', '0a1b2c3d4', '0a1b2c3']) {
      let caught: unknown;
      try {
        generateApiKey(bad);
      } catch (err) {
        caught = err;
      }
      expect(isPctxError(caught, 'INVALID_TENANT_ID'), bad).toBe(true);
    }
  });

  it('never generates the same secret twice in a thousand keys', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateApiKey(TENANT).key.slice(17, 41)));
    expect(secrets.size).toBe(1000);
  });

  it('draws secret characters from the whole alphabet without bias toward the first ones', () => {
    const counts = new Map<string, number>();
    const sample = randomBase62(62 * 500);
    for (const ch of sample) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Expected 500 each; modulo bias from bytes 248–255 would push the first 8 characters to about 516.
    for (const n of counts.values()) expect(n).toBeGreaterThan(380);
    for (const n of counts.values()) expect(n).toBeLessThan(620);
  });

  it('computes the checksum as the low 23 bits of CRC-32 in 4 fixed-width base62 digits', () => {
    const body = 'cl_live_0a1b2c3d_AAAAAAAAAAAAAAAAAAAAAAAA';
    expect(computeChecksum(body)).toBe(encodeBase62(crc32(body) & 0x7fffff, 4));
    expect(encodeBase62(0, 4)).toBe('0000');
    expect(encodeBase62(62 ** 4 - 1, 4)).toBe('zzzz');
  });

  it('parses a generated key and reports its parts', () => {
    const { key, prefix } = generateApiKey(TENANT);
    const parsed = parseApiKey(key);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.key).toMatchObject({ environment: 'live', tenantId: TENANT, prefix, checksum: key.slice(-4) });
  });

  it('calls keys of the wrong shape malformed', () => {
    const { key } = generateApiKey(TENANT);
    for (const bad of [
      '',
      'cl_live_',
      key.slice(0, -1),
      `${key}x`,
      ` ${key}`,
      key.replace('cl_live_', 'cl_prod_'),
      key.replace('cl_live_', 'CL_LIVE_'),
      key.replace(TENANT, TENANT.toUpperCase()),
      key.replace(/_/g, '-'),
      `Bearer ${key}`,
      'x'.repeat(10_000),
    ]) {
      expect(parseApiKey(bad), JSON.stringify(bad.slice(0, 60))).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('calls a well-formed key with a wrong checksum bad_checksum', () => {
    const { key } = generateApiKey(TENANT);
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    expect(parseApiKey(key.slice(0, -1) + last)).toEqual({ ok: false, reason: 'bad_checksum' });
    // Same checksum, other tenant: the checksum covers the tenant id too.
    expect(parseApiKey(key.replace(TENANT, '0a1b2c3e'))).toEqual({ ok: false, reason: 'bad_checksum' });
  });

  it('detects every single-byte change of the 41 checksummed characters (exhaustive, by linearity of CRC-32)', () => {
    // crc(m ^ e) = crc(m) ^ crc(e) ^ crc(0), so whether a change e goes unnoticed does not
    // depend on the key: checking every (position, byte delta) covers every key.
    const length = API_KEY_LENGTH - 5;
    const zero = crc32(Buffer.alloc(length));
    const undetected: string[] = [];
    for (let pos = 0; pos < length; pos++) {
      for (let delta = 1; delta < 256; delta++) {
        const e = Buffer.alloc(length);
        e[pos] = delta;
        if (((crc32(e) ^ zero) & 0x7fffff) === 0) undetected.push(`${pos}:${delta}`);
      }
    }
    expect(undetected).toEqual([]);
  });

  it('rejects every single-character substitution of a real key, checksum characters included', () => {
    const { key } = generateApiKey(TENANT);
    for (let pos = 0; pos < key.length; pos++) {
      for (const ch of `${BASE62_ALPHABET}_-`) {
        if (ch === key[pos]) continue;
        const changed = key.slice(0, pos) + ch + key.slice(pos + 1);
        expect(parseApiKey(changed).ok, changed).toBe(false);
      }
    }
  });

  it('hashes with SHA-256 as lowercase hex', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
