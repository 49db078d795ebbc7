import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator, extractApiKey, generateApiKey, issueApiKey, parseApiKey, UNAUTHORIZED_REASONS } from '../../src/auth/index.js';
import { useControlFixture } from '../control/fixture.js';

const fixture = useControlFixture();

function setup() {
  const control = fixture().open();
  const tenant = control.tenants.create({ name: 'acme' });
  const { key } = issueApiKey(control.apiKeys, { tenantId: tenant.id, permissions: ['read'] });
  return { control, tenant, key, auth: new ApiKeyAuthenticator({ apiKeys: control.apiKeys }) };
}

describe('ApiKeyAuthenticator under hostile input (properties)', () => {
  it('refuses arbitrary strings with UNAUTHORIZED, never throwing, and looks up only keys whose checksum holds', () => {
    const { auth } = setup();
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('', ' ', 'Bearer', 'null', 'cl_live_')), (raw) => {
        const before = auth.lookups;
        const result = auth.authenticate(raw);
        if (result.ok) return false;
        if (result.error.status !== 401 || !UNAUTHORIZED_REASONS.includes(result.error.details.reason as never)) return false;
        return parseApiKey(raw).ok || auth.lookups === before;
      }),
      { numRuns: 500 },
    );
  });

  it('refuses forged keys of the right shape and checksum as unknown after exactly one lookup', () => {
    const { auth, tenant } = setup();
    fc.assert(
      fc.property(fc.constantFrom(tenant.id, '0a1b2c3d', 'ffffffff'), fc.constantFrom('live' as const, 'test' as const), (t, env) => {
        const before = auth.lookups;
        const result = auth.authenticate(generateApiKey(t, env).key);
        return !result.ok && result.error.details.reason === 'unknown' && auth.lookups === before + 1;
      }),
      { numRuns: 200 },
    );
  });

  it('accepts the real key wherever it sits among forgeries', () => {
    const { auth, key, tenant } = setup();
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 20 }), fc.nat(20), (noise, at) => {
        const inputs = [...noise];
        inputs.splice(Math.min(at, inputs.length), 0, key);
        const accepted = inputs.map((raw) => auth.authenticate(raw)).filter((r) => r.ok);
        return accepted.length === 1 && accepted[0]!.ok && accepted[0]!.principal.tenantId === tenant.id;
      }),
      { numRuns: 200 },
    );
  });
});

describe('extractApiKey under hostile headers (properties)', () => {
  it('never throws and returns null only when neither key header is present', () => {
    const headerName = fc.oneof(fc.constantFrom('authorization', 'Authorization', 'x-api-key', 'X-API-KEY', 'cookie', '__proto__', 'constructor'), fc.string({ maxLength: 20 }));
    const headerValue = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined));
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue), (headers) => {
        const result = extractApiKey(headers);
        const present = Object.entries(headers).some(([k, v]) => v !== undefined && ['authorization', 'x-api-key'].includes(k.toLowerCase()));
        expect(result === null).toBe(!present);
      }),
      { numRuns: 1000 },
    );
  });
});
