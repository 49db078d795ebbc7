import { describe, expect, it } from 'vitest';
import type { ControlPlane, Tenant } from '../../src/control/index.js';
import { HASH_A, HASH_B, HASH_C, thrown, useControlFixture } from './fixture.js';

const fixture = useControlFixture();

function withTenant(): { plane: ControlPlane; acme: Tenant } {
  const plane = fixture().open();
  return { plane, acme: plane.tenants.create({ name: 'acme' }) };
}

describe('ApiKeyStore.insert and findByHash', () => {
  it('stores a key with defaults and finds it by hash', () => {
    const { plane, acme } = withTenant();
    const record = plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_abcdefgh_Xy', tenantId: acme.id, permissions: ['read'] });
    expect(record).toEqual({
      keyHash: HASH_A,
      keyPrefix: 'cl_live_abcdefgh_Xy',
      tenantId: acme.id,
      permissions: ['read'],
      rateLimitTier: 'standard',
      label: null,
      createdAt: '2025-01-01T00:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(plane.apiKeys.findByHash(HASH_A)).toEqual(record);
    expect(plane.apiKeys.findByHash(HASH_B)).toBeNull();
  });

  it('stores permissions in canonical order, with the tier and label given', () => {
    const { plane, acme } = withTenant();
    const record = plane.apiKeys.insert({
      keyHash: HASH_A,
      keyPrefix: 'cl_live_aaaaaaaa',
      tenantId: acme.id,
      permissions: ['admin', 'read', 'write'],
      rateLimitTier: 'pro_2',
      label: 'CI runner',
    });
    expect(record).toMatchObject({ permissions: ['read', 'write', 'admin'], rateLimitTier: 'pro_2', label: 'CI runner' });
  });

  it('refuses keys for unknown or tombstoned tenants', () => {
    const { plane, acme } = withTenant();
    expect(
      thrown(() => plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: '12345678', permissions: ['read'] })),
    ).toMatchObject({ code: 'PCTX_ERR_TENANT_NOT_FOUND', details: { tenant: '12345678' } });
    plane.tenants.markDeleting(acme.id);
    expect(
      thrown(() => plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] })),
    ).toMatchObject({ code: 'PCTX_ERR_TENANT_DELETING', details: { tenantId: acme.id } });
    expect(plane.apiKeys.findByHash(HASH_A)).toBeNull();
  });

  it('refuses a second key with the same hash or the same prefix', () => {
    const { plane, acme } = withTenant();
    plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    expect(
      thrown(() => plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_other000', tenantId: acme.id, permissions: ['read'] })),
    ).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'keyHash' } });
    expect(
      thrown(() => plane.apiKeys.insert({ keyHash: HASH_B, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] })),
    ).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'keyPrefix' } });
    expect(plane.apiKeys.countByTenant(acme.id)).toBe(1);
  });

  it('validates every field, naming the option', () => {
    const { plane, acme } = withTenant();
    const good = { keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read' as const] };
    const cases: [Record<string, unknown>, string][] = [
      [{ keyHash: HASH_A.toUpperCase() }, 'keyHash'],
      [{ keyHash: 'abc' }, 'keyHash'],
      [{ keyPrefix: 'short' }, 'keyPrefix'],
      [{ keyPrefix: 'has space in it' }, 'keyPrefix'],
      [{ permissions: [] }, 'permissions'],
      [{ permissions: ['read', 'read'] }, 'permissions'],
      [{ permissions: ['root'] }, 'permissions'],
      [{ permissions: 'read' }, 'permissions'],
      [{ rateLimitTier: 'Gold' }, 'rateLimitTier'],
      [{ rateLimitTier: '' }, 'rateLimitTier'],
      [{ rateLimitTier: 'x'.repeat(33) }, 'rateLimitTier'],
      [{ label: '' }, 'label'],
      [{ label: 'evil\u001b[2J' }, 'label'],
      [{ label: 'x'.repeat(201) }, 'label'],
      [{ revokedAt: 'now' }, 'revokedAt'],
    ];
    for (const [change, option] of cases) {
      expect(thrown(() => plane.apiKeys.insert({ ...good, ...change } as never)), JSON.stringify(change)).toMatchObject({
        code: 'PCTX_ERR_INVALID_ARGUMENT',
        details: { option },
      });
    }
    expect(thrown(() => plane.apiKeys.insert({ ...good, tenantId: 'acme' }))).toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
    expect(plane.apiKeys.listByTenant(acme.id)).toEqual([]);
  });
});

describe('ApiKeyStore.listByTenant and countByTenant', () => {
  it('lists a tenant keys oldest first, revoked included, and counts only the valid ones', () => {
    const { open, clock } = fixture();
    const plane = open();
    const acme = plane.tenants.create({ name: 'acme' });
    const beta = plane.tenants.create({ name: 'beta' });
    plane.apiKeys.insert({ keyHash: HASH_B, keyPrefix: 'cl_live_bbbbbbbb', tenantId: acme.id, permissions: ['read'] });
    clock.advance(1);
    plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['write'] });
    plane.apiKeys.insert({ keyHash: HASH_C, keyPrefix: 'cl_live_cccccccc', tenantId: beta.id, permissions: ['read'] });
    plane.apiKeys.revokeByPrefix('cl_live_bbbbbbbb');

    expect(plane.apiKeys.listByTenant(acme.id).map((key) => [key.keyPrefix, key.revokedAt !== null])).toEqual([
      ['cl_live_bbbbbbbb', true],
      ['cl_live_aaaaaaaa', false],
    ]);
    expect(plane.apiKeys.countByTenant(acme.id)).toBe(1);
    expect(plane.apiKeys.countByTenant(beta.id)).toBe(1);
    expect(plane.apiKeys.listByTenant('12345678')).toEqual([]);
    expect(plane.apiKeys.countByTenant('12345678')).toBe(0);
  });
});

describe('ApiKeyStore.revokeByPrefix', () => {
  it('revoking twice keeps the first revokedAt and does not throw', () => {
    const { open, clock } = fixture();
    const plane = open();
    const acme = plane.tenants.create({ name: 'acme' });
    plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    clock.advance(1000);
    const first = plane.apiKeys.revokeByPrefix('cl_live_aaaaaaaa');
    expect(first.revokedAt).toBe('2025-01-01T00:00:01.000Z');
    clock.advance(1000);
    expect(plane.apiKeys.revokeByPrefix('cl_live_aaaaaaaa')).toEqual(first);
    expect(plane.apiKeys.findByHash(HASH_A)).toEqual(first);
  });

  it('matches the stored prefix exactly, not a shorter or longer string', () => {
    const { plane, acme } = withTenant();
    plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    for (const prefix of ['cl_live_aaaa', 'cl_live_aaaaaaaab']) {
      expect(thrown(() => plane.apiKeys.revokeByPrefix(prefix))).toMatchObject({
        code: 'PCTX_ERR_API_KEY_NOT_FOUND',
        details: { prefix },
      });
    }
    expect(plane.apiKeys.findByHash(HASH_A)?.revokedAt).toBeNull();
  });

  it('with a tenant id, does not reveal or revoke another tenant key', () => {
    const { plane, acme } = withTenant();
    const beta = plane.tenants.create({ name: 'beta' });
    plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    expect(thrown(() => plane.apiKeys.revokeByPrefix('cl_live_aaaaaaaa', beta.id))).toMatchObject({
      code: 'PCTX_ERR_API_KEY_NOT_FOUND',
    });
    expect(plane.apiKeys.findByHash(HASH_A)?.revokedAt).toBeNull();
    expect(plane.apiKeys.revokeByPrefix('cl_live_aaaaaaaa', acme.id).revokedAt).not.toBeNull();
  });

  it('keeps the key findable after revoking, so auth can tell revoked from unknown', () => {
    const { plane, acme } = withTenant();
    plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    plane.apiKeys.revokeByPrefix('cl_live_aaaaaaaa');
    expect(plane.apiKeys.findByHash(HASH_A)?.revokedAt).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('ApiKeyStore.touch', () => {
  it('records the last use, defaulting to the clock, and never moves it backwards', () => {
    const { open, clock } = fixture();
    const plane = open();
    const acme = plane.tenants.create({ name: 'acme' });
    plane.apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_live_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    clock.advance(60_000);
    plane.apiKeys.touch(HASH_A);
    expect(plane.apiKeys.findByHash(HASH_A)?.lastUsedAt).toBe('2025-01-01T00:01:00.000Z');
    plane.apiKeys.touch(HASH_A, new Date('2025-01-01T00:00:30.000Z'));
    expect(plane.apiKeys.findByHash(HASH_A)?.lastUsedAt).toBe('2025-01-01T00:01:00.000Z');
    plane.apiKeys.touch(HASH_A, new Date('2025-01-02T00:00:00.000Z'));
    expect(plane.apiKeys.findByHash(HASH_A)?.lastUsedAt).toBe('2025-01-02T00:00:00.000Z');
  });

  it('does nothing for an unknown hash and rejects a malformed one or an invalid date', () => {
    const { plane } = withTenant();
    plane.apiKeys.touch(HASH_B);
    expect(thrown(() => plane.apiKeys.touch('nope'))).toMatchObject({ details: { option: 'keyHash' } });
    expect(thrown(() => plane.apiKeys.touch(HASH_B, new Date(Number.NaN)))).toMatchObject({ details: { option: 'at' } });
  });
});
