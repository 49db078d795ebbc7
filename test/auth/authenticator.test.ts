import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-key.js';
import { ApiKeyAuthenticator, extractApiKey, requirePermission, type Principal } from '../../src/auth/authenticator.js';
import type { ApiKeyStore, ControlPlane, Permission } from '../../src/control/index.js';
import { isPctxError } from '../../src/errors.js';
import { thrown, useControlFixture } from '../control/fixture.js';
import { withApiKeyStore, withoutChangeVersion } from '../helpers/api-key-store.js';

const fixture = useControlFixture();

function setup(permissions: Permission[] = ['read'], options: { touchIntervalMs?: number; apiKeys?: (store: ApiKeyStore) => ApiKeyStore } = {}) {
  const f = fixture();
  const control = f.open();
  const tenant = control.tenants.create({ name: 'acme' });
  const generated = generateApiKey(tenant.id);
  control.apiKeys.insert({ keyHash: generated.keyHash, keyPrefix: generated.prefix, tenantId: tenant.id, permissions, rateLimitTier: 'pro', label: 'ci' });
  const auth = new ApiKeyAuthenticator({
    apiKeys: options.apiKeys ? options.apiKeys(control.apiKeys) : control.apiKeys,
    now: () => f.clock.now().getTime(),
    ...(options.touchIntervalMs !== undefined ? { touchIntervalMs: options.touchIntervalMs } : {}),
  });
  return { f, control, tenant, ...generated, auth };
}

function reason(result: ReturnType<ApiKeyAuthenticator['authenticate']>): unknown {
  if (result.ok) return 'ok';
  expect(result.error.code).toBe('PCTX_ERR_UNAUTHORIZED');
  expect(result.error.status).toBe(401);
  return result.error.details.reason;
}

describe('ApiKeyAuthenticator', () => {
  it('accepts a stored key and returns its tenant, prefix, permissions, tier and environment', () => {
    const { auth, tenant, key, prefix } = setup(['read', 'write']);
    const result = auth.authenticate(key);
    expect(result).toEqual({
      ok: true,
      principal: { tenantId: tenant.id, keyPrefix: prefix, permissions: ['read', 'write'], tier: 'pro', environment: 'live' },
    });
  });

  it('refuses a missing key without a lookup', () => {
    const { auth } = setup();
    expect(reason(auth.authenticate(null))).toBe('missing');
    expect(reason(auth.authenticate(''))).toBe('missing');
    expect(auth.lookups).toBe(0);
  });

  it('refuses a malformed key without a lookup', () => {
    const { auth, key } = setup();
    expect(reason(auth.authenticate(`${key} `))).toBe('malformed');
    expect(reason(auth.authenticate('Basic dXNlcjpwYXNz'))).toBe('malformed');
    expect(auth.lookups).toBe(0);
  });

  it('refuses a key with a tampered checksum without a database lookup', () => {
    const { auth, key } = setup();
    const tampered = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    expect(reason(auth.authenticate(tampered))).toBe('bad_checksum');
    // A tampered secret with the original checksum fails the same way.
    const secretChanged = key.slice(0, 20) + (key[20] === 'x' ? 'y' : 'x') + key.slice(21);
    expect(reason(auth.authenticate(secretChanged))).toBe('bad_checksum');
    expect(auth.lookups).toBe(0);
  });

  it('refuses a well-formed key that was never stored after one lookup', () => {
    const { auth, tenant } = setup();
    expect(reason(auth.authenticate(generateApiKey(tenant.id).key))).toBe('unknown');
    expect(auth.lookups).toBe(1);
  });

  it('refuses a stored key whose record belongs to another tenant than the key names', () => {
    const { auth, control, tenant } = setup();
    const other = control.tenants.create({ name: 'globex' });
    const forA = generateApiKey(tenant.id);
    control.apiKeys.insert({ keyHash: forA.keyHash, keyPrefix: forA.prefix, tenantId: other.id, permissions: ['read'] });
    expect(reason(auth.authenticate(forA.key))).toBe('unknown');
  });

  it('refuses a revoked key on the very next request, also when another connection revoked it', () => {
    const { auth, f, key, prefix } = setup();
    expect(auth.authenticate(key).ok).toBe(true);
    const elsewhere = f.open();
    elsewhere.apiKeys.revokeByPrefix(prefix);
    expect(reason(auth.authenticate(key))).toBe('revoked');
  });

  it('reuses a verified key without a lookup until anything commits to control.db, by any connection', () => {
    const { auth, f, key } = setup();
    expect(auth.authenticate(key).ok).toBe(true); // looked up; records lastUsedAt (a commit)
    expect(auth.authenticate(key).ok).toBe(true); // looked up again after that commit
    const lookups = auth.lookups;
    for (let i = 0; i < 5; i++) expect(auth.authenticate(key).ok).toBe(true);
    expect(auth.lookups).toBe(lookups);
    // Any commit, even one that does not touch the key, sends it back to the store once.
    f.open().tenants.create({ name: 'globex' });
    expect(auth.authenticate(key).ok).toBe(true);
    expect(auth.lookups).toBe(lookups + 1);
    expect(auth.authenticate(key).ok).toBe(true);
    expect(auth.lookups).toBe(lookups + 1);
  });

  it('refuses a remembered key once its tenant is suspended or deleted elsewhere', () => {
    const { auth, f, key, tenant } = setup();
    for (let i = 0; i < 3; i++) expect(auth.authenticate(key).ok).toBe(true);
    f.open().tenants.markDeleting(tenant.id);
    expect(reason(auth.authenticate(key))).toBe('revoked');
  });

  it('asks a store without changeVersion on every call', () => {
    const { auth, key } = setup(['read'], { apiKeys: (store) => withoutChangeVersion(store) });
    for (let i = 0; i < 4; i++) expect(auth.authenticate(key).ok).toBe(true);
    expect(auth.lookups).toBe(4);
  });

  it('refuses every key of a deleted tenant', () => {
    const { auth, control, tenant, key } = setup();
    control.tenants.markDeleting(tenant.id);
    expect(reason(auth.authenticate(key))).toBe('revoked');
  });

  it('refuses a key whose tenant is not active even if the key itself was not revoked', () => {
    const { auth, f, key } = setup();
    // markDeleting revokes keys in the same transaction, so only a row written by another
    // implementation (or by hand) reaches this state; the authenticator must not trust it.
    const raw = new Database(f.file);
    try {
      raw.prepare("UPDATE tenants SET status = 'deleting', deleting_since = updated_at").run();
    } finally {
      raw.close();
    }
    expect(reason(auth.authenticate(key))).toBe('tenant_inactive');
  });

  it('records lastUsedAt at most once per interval per key, not on every request', () => {
    let touches = 0;
    const { auth, control, key, keyHash, f } = setup(['read'], {
      touchIntervalMs: 60_000,
      apiKeys: (store) => countingTouches(store, () => touches++),
    });
    const start = f.clock.now().toISOString();
    for (let i = 0; i < 50; i++) {
      expect(auth.authenticate(key).ok).toBe(true);
      f.clock.advance(1000);
    }
    // 50 requests over 50 s: the first one wrote, the rest fell inside the interval.
    expect(touches).toBe(1);
    expect(control.apiKeys.findByHash(keyHash)?.lastUsedAt).toBe(start);
    f.clock.advance(10_000);
    auth.authenticate(key);
    expect(touches).toBe(2);
    expect(control.apiKeys.findByHash(keyHash)?.lastUsedAt).toBe(f.clock.now().toISOString());
  });

  it('still authenticates when recording lastUsedAt fails, and retries only after the interval', () => {
    const failures: unknown[] = [];
    let attempts = 0;
    const f = fixture();
    const control = f.open();
    const tenant = control.tenants.create({ name: 'acme' });
    const { key, keyHash, prefix } = generateApiKey(tenant.id);
    control.apiKeys.insert({ keyHash, keyPrefix: prefix, tenantId: tenant.id, permissions: ['read'] });
    const auth = new ApiKeyAuthenticator({
      apiKeys: countingTouches(control.apiKeys, () => {
        attempts++;
        throw new Error('SQLITE_BUSY: database is locked');
      }),
      now: () => f.clock.now().getTime(),
      onTouchError: (err) => failures.push(err),
    });
    expect(auth.authenticate(key).ok).toBe(true);
    expect(auth.authenticate(key).ok).toBe(true);
    expect(attempts).toBe(1);
    expect(failures).toHaveLength(1);
    f.clock.advance(60_000);
    expect(auth.authenticate(key).ok).toBe(true);
    expect(attempts).toBe(2);
  });

  it('refuses a negative touch interval as invalid configuration', () => {
    const control = fixture().open();
    const err = thrown(() => new ApiKeyAuthenticator({ apiKeys: control.apiKeys, touchIntervalMs: -1 }));
    expect(isPctxError(err, 'INVALID_CONFIG')).toBe(true);
  });
});

/** The real store, with a hook run before each touch (counting, or failing). */
function countingTouches(store: ApiKeyStore, before: () => void): ApiKeyStore {
  return withApiKeyStore(store, {
    touch: (h, at) => {
      before();
      store.touch(h, at);
    },
  });
}

describe('extractApiKey', () => {
  const key = 'cl_live_0a1b2c3d_AAAAAAAAAAAAAAAAAAAAAAAA_0000';

  it('reads Authorization: Bearer, with any case of the scheme and surrounding blanks', () => {
    expect(extractApiKey({ authorization: `Bearer ${key}` })).toBe(key);
    expect(extractApiKey({ authorization: `bearer   ${key}  ` })).toBe(key);
    expect(extractApiKey({ Authorization: `Bearer ${key}` })).toBe(key);
  });

  it('reads X-API-Key when there is no bearer token', () => {
    expect(extractApiKey({ 'x-api-key': key })).toBe(key);
    expect(extractApiKey({ 'X-Api-Key': ` ${key} ` })).toBe(key);
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': key })).toBe(key);
  });

  it('prefers the bearer token when both headers are present', () => {
    expect(extractApiKey({ authorization: `Bearer ${key}`, 'x-api-key': 'other' })).toBe(key);
  });

  it('finds a key header when an undefined entry of the same name in another case comes first (found by the header fuzzer)', () => {
    expect(extractApiKey({ authorization: undefined, Authorization: `Bearer ${key}` })).toBe(key);
    expect(extractApiKey({ 'x-api-key': undefined, 'X-API-Key': key })).toBe(key);
  });

  it('returns null only when neither header is present', () => {
    expect(extractApiKey({})).toBeNull();
    expect(extractApiKey({ 'content-type': 'application/json', authorization: undefined })).toBeNull();
  });

  it('hands back other schemes, empty and repeated values as strings that fail as malformed, not as missing', () => {
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz' })).toBe('Basic dXNlcjpwYXNz');
    expect(extractApiKey({ authorization: 'Bearer' })).toBe('Bearer');
    expect(extractApiKey({ 'x-api-key': [key, key] })).toBe(`${key}, ${key}`);
  });
});

describe('requirePermission', () => {
  const principal: Principal = { tenantId: '0a1b2c3d', keyPrefix: 'cl_live_0a1b2c3d_AAAAAAAA', permissions: ['read'], tier: 'standard', environment: 'live' };

  it('passes when the key holds the permission', () => {
    expect(() => requirePermission(principal, 'read')).not.toThrow();
  });

  it('throws FORBIDDEN (403) naming what was needed and what the key has', () => {
    const err = thrown(() => requirePermission(principal, 'write'));
    expect(isPctxError(err, 'FORBIDDEN')).toBe(true);
    if (!isPctxError(err)) return;
    expect(err.status).toBe(403);
    expect(err.details).toEqual({ needed: 'write', granted: ['read'] });
    expect(err.message).toBe('This API key lacks the "write" permission (it has: read)');
  });

  it('does not let admin imply read or write', () => {
    const admin = { ...principal, permissions: ['admin'] as const };
    expect(isPctxError(thrown(() => requirePermission(admin, 'read')), 'FORBIDDEN')).toBe(true);
    expect(() => requirePermission(admin, 'admin')).not.toThrow();
  });
});
