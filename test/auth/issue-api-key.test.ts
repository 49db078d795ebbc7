import { describe, expect, it } from 'vitest';
import { apiKeyView, hashApiKey, issueApiKey, parseApiKey } from '../../src/auth/index.js';
import type { ApiKeyStore } from '../../src/control/index.js';
import { isPctxError } from '../../src/errors.js';
import { thrown, useControlFixture } from '../control/fixture.js';
import { withApiKeyStore } from '../helpers/api-key-store.js';

const fixture = useControlFixture();

describe('issueApiKey', () => {
  it('stores only the hash of a new key and returns the key once', () => {
    const control = fixture().open();
    const tenant = control.tenants.create({ name: 'acme' });
    const { key, record } = issueApiKey(control.apiKeys, { tenantId: tenant.id, permissions: ['write', 'read'], tier: 'pro', label: 'ci', environment: 'test' });
    const parsed = parseApiKey(key);
    expect(parsed.ok && parsed.key).toMatchObject({ tenantId: tenant.id, environment: 'test', prefix: record.keyPrefix });
    expect(record).toMatchObject({ keyHash: hashApiKey(key), tenantId: tenant.id, permissions: ['read', 'write'], rateLimitTier: 'pro', label: 'ci', revokedAt: null });
    expect(JSON.stringify(control.apiKeys.listByTenant(tenant.id))).not.toContain(key);
  });

  it('defaults to a live key of tier standard without a label', () => {
    const control = fixture().open();
    const tenant = control.tenants.create({ name: 'acme' });
    const { key, record } = issueApiKey(control.apiKeys, { tenantId: tenant.id, permissions: ['read'] });
    expect(key.startsWith(`cl_live_${tenant.id}_`)).toBe(true);
    expect(record).toMatchObject({ rateLimitTier: 'standard', label: null });
  });

  it('draws a new key when the prefix is already taken', () => {
    const control = fixture().open();
    const tenant = control.tenants.create({ name: 'acme' });
    const taken = issueApiKey(control.apiKeys, { tenantId: tenant.id, permissions: ['read'] }).record.keyPrefix;
    let calls = 0;
    // The first attempt is sent with an existing prefix, so the real store refuses it.
    const clashing: ApiKeyStore = {
      ...withApiKeyStore(control.apiKeys),
      insert: (r) => control.apiKeys.insert(calls++ === 0 ? { ...r, keyPrefix: taken } : r),
    };
    const { record } = issueApiKey(clashing, { tenantId: tenant.id, permissions: ['read'] });
    expect(calls).toBe(2);
    expect(record.keyPrefix).not.toBe(taken);
  });

  it('passes the store errors through: unknown tenant, tenant being deleted', () => {
    const control = fixture().open();
    expect(isPctxError(thrown(() => issueApiKey(control.apiKeys, { tenantId: '0a1b2c3d', permissions: ['read'] })), 'TENANT_NOT_FOUND')).toBe(true);
    const tenant = control.tenants.create({ name: 'acme' });
    control.tenants.markDeleting(tenant.id);
    expect(isPctxError(thrown(() => issueApiKey(control.apiKeys, { tenantId: tenant.id, permissions: ['read'] })), 'TENANT_DELETING')).toBe(true);
  });
});

describe('apiKeyView', () => {
  it('shows everything but the hash', () => {
    const control = fixture().open();
    const tenant = control.tenants.create({ name: 'acme' });
    const { record } = issueApiKey(control.apiKeys, { tenantId: tenant.id, permissions: ['admin'], label: 'ops' });
    const view = apiKeyView(record);
    expect(view).toEqual({
      prefix: record.keyPrefix,
      tenantId: tenant.id,
      environment: 'live',
      permissions: ['admin'],
      tier: 'standard',
      label: 'ops',
      createdAt: record.createdAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(view)).not.toContain(record.keyHash);
  });
});

