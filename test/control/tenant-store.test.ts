import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_TENANT_ID } from '../../src/control/index.js';
import { openSqliteConnection } from '../../src/control/sqlite-connection.js';
import { SqliteTenantStore } from '../../src/control/sqlite-tenant-store.js';
import { HASH_A, HASH_B, thrown, useControlFixture } from './fixture.js';

const fixture = useControlFixture();

describe('TenantStore.create', () => {
  it('creates an active tenant with a random 8-hex id, timestamps from the clock and unlimited quota', () => {
    const { tenants } = fixture().open();
    const tenant = tenants.create({ name: 'acme' });
    expect(tenant).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}$/),
      name: 'acme',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      settings: {},
      quotaBytes: null,
      status: 'active',
      deletingSince: null,
    });
    expect(tenant.id).not.toBe(LOCAL_TENANT_ID);
    expect(tenants.get(tenant.id)).toEqual(tenant);
  });

  it('stores an explicit id, a quota and settings as given', () => {
    const { tenants } = fixture().open();
    const tenant = tenants.create({ name: 'beta.team_2-x', id: 'c0ffee00', quotaBytes: 1_000_000, settings: { embed: { model: 'm' }, n: [1, null] } });
    expect(tenant).toMatchObject({ id: 'c0ffee00', quotaBytes: 1_000_000, settings: { embed: { model: 'm' }, n: [1, null] } });
    expect(tenants.get('c0ffee00')).toEqual(tenant);
  });

  it('keeps the stored settings apart from the object the caller passed in', () => {
    const { tenants } = fixture().open();
    const settings = { tier: 'gold' };
    const tenant = tenants.create({ name: 'acme', settings });
    settings.tier = 'changed';
    expect(tenants.get(tenant.id)?.settings).toEqual({ tier: 'gold' });
  });

  it('refuses a second tenant with the same name', () => {
    const { tenants } = fixture().open();
    tenants.create({ name: 'acme' });
    expect(thrown(() => tenants.create({ name: 'acme' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_EXISTS',
      details: { tenant: 'acme' },
    });
    expect(tenants.list()).toHaveLength(1);
  });

  it('treats names as case-sensitive', () => {
    const { tenants } = fixture().open();
    tenants.create({ name: 'acme' });
    expect(tenants.create({ name: 'ACME' }).name).toBe('ACME');
  });

  it('refuses an explicit id that is taken, malformed, or reserved for the local tenant', () => {
    const { tenants } = fixture().open();
    tenants.create({ name: 'one', id: 'c0ffee00' });
    expect(thrown(() => tenants.create({ name: 'two', id: 'c0ffee00' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_EXISTS',
      details: { tenant: 'c0ffee00' },
    });
    expect(thrown(() => tenants.create({ name: 'two', id: 'C0FFEE00' }))).toMatchObject({
      code: 'PCTX_ERR_INVALID_TENANT_ID',
      details: { tenantId: 'C0FFEE00' },
    });
    expect(thrown(() => tenants.create({ name: 'two', id: LOCAL_TENANT_ID }))).toMatchObject({
      code: 'PCTX_ERR_INVALID_ARGUMENT',
      details: { option: 'id' },
    });
  });

  it('rejects names that are empty, too long or unsafe on a command line, naming the option', () => {
    const { tenants } = fixture().open();
    for (const name of ['', 'x'.repeat(65), '-rf', '.hidden', 'a b', 'a/b', 'a;b', 'ünï', 'a\n']) {
      expect(thrown(() => tenants.create({ name })), JSON.stringify(name)).toMatchObject({
        code: 'PCTX_ERR_INVALID_ARGUMENT',
        details: { option: 'name' },
      });
    }
    expect(tenants.create({ name: 'x'.repeat(64) }).name).toHaveLength(64);
  });

  it('rejects quotas that are not positive integers', () => {
    const { tenants } = fixture().open();
    for (const quotaBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '10' as unknown as number]) {
      expect(thrown(() => tenants.create({ name: 'acme', quotaBytes })), String(quotaBytes)).toMatchObject({
        code: 'PCTX_ERR_INVALID_ARGUMENT',
        details: { option: 'quotaBytes' },
      });
    }
    expect(tenants.create({ name: 'acme', quotaBytes: null }).quotaBytes).toBeNull();
  });

  it('rejects settings that would not survive a JSON round trip unchanged', () => {
    const { tenants } = fixture().open();
    const bad: unknown[] = [
      [],
      null,
      'text',
      new Map(),
      { when: new Date(0) },
      { ratio: Number.NaN },
      { missing: undefined },
      { nested: { fn: () => 1 } },
      { big: 'x'.repeat(20_000) },
    ];
    for (const settings of bad) {
      expect(thrown(() => tenants.create({ name: 'acme', settings: settings as Record<string, unknown> }))).toMatchObject({
        code: 'PCTX_ERR_INVALID_ARGUMENT',
        details: { option: 'settings' },
      });
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(thrown(() => tenants.create({ name: 'acme', settings: cyclic }))).toMatchObject({
      details: { option: 'settings' },
    });
    expect(tenants.list()).toEqual([]);
  });

  it('rejects unknown input keys such as a misspelt quota', () => {
    const { tenants } = fixture().open();
    expect(thrown(() => tenants.create({ name: 'acme', quota: 5 } as never))).toMatchObject({
      code: 'PCTX_ERR_INVALID_ARGUMENT',
      details: { option: 'quota' },
    });
  });
});

describe('TenantStore id generation', () => {
  let db: Database.Database | undefined;

  afterEach(() => {
    db?.close();
    db = undefined;
  });

  /** A store on the fixture file whose id generator returns `ids` in turn. */
  function storeWithIds(ids: string[]): SqliteTenantStore {
    const { file, clock, open } = fixture();
    open().close();
    db = openSqliteConnection(file);
    let next = 0;
    return new SqliteTenantStore(db, { now: clock.now, newTenantId: () => ids[next++] ?? 'ffffffff' });
  }

  it('skips the reserved id and ids or names already taken, then uses the next free candidate', () => {
    const store = storeWithIds(['aaaaaaaa', LOCAL_TENANT_ID, 'aaaaaaaa', 'bbbbbbbb', 'cccccccc']);
    expect(store.create({ name: 'first' }).id).toBe('aaaaaaaa');
    store.create({ name: 'bbbbbbbb', id: 'dddddddd' });
    expect(store.create({ name: 'second' }).id).toBe('cccccccc');
  });

  it('gives up with an internal error when the generator keeps colliding', () => {
    const store = storeWithIds(Array<string>(20).fill('aaaaaaaa'));
    store.create({ name: 'first' });
    expect(thrown(() => store.create({ name: 'second' }))).toMatchObject({ code: 'PCTX_ERR_INTERNAL' });
    expect(store.list().map((tenant) => tenant.name)).toEqual(['first']);
  });
});

describe('TenantStore.ensure', () => {
  it('creates the local tenant once and returns it unchanged on later calls', () => {
    const { tenants } = fixture().open();
    const first = tenants.ensure({ id: LOCAL_TENANT_ID, name: 'local' });
    expect(first).toMatchObject({ id: LOCAL_TENANT_ID, name: 'local', status: 'active' });
    fixture().clock.advance(60_000);
    expect(tenants.ensure({ id: LOCAL_TENANT_ID, name: 'local' })).toEqual(first);
    expect(tenants.list()).toEqual([first]);
  });

  it('returns an existing tenant even after it was renamed, instead of failing at startup', () => {
    const { tenants } = fixture().open();
    tenants.ensure({ id: LOCAL_TENANT_ID, name: 'local' });
    const renamed = tenants.update(LOCAL_TENANT_ID, { name: 'laptop' });
    expect(tenants.ensure({ id: LOCAL_TENANT_ID, name: 'local' })).toEqual(renamed);
  });

  it('refuses to create a tenant whose name another tenant holds', () => {
    const { tenants } = fixture().open();
    tenants.create({ name: 'laptop' });
    expect(thrown(() => tenants.ensure({ id: LOCAL_TENANT_ID, name: 'laptop' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_EXISTS',
      details: { tenant: 'laptop' },
    });
  });

  it('reserves the name local for the local tenant, so the CLI can always recreate it (it locked every start-up out)', () => {
    const { tenants } = fixture().open();
    expect(thrown(() => tenants.create({ name: 'local' }))).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'name' } });
    const other = tenants.create({ name: 'other' });
    expect(thrown(() => tenants.update(other.id, { name: 'local' }))).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'name' } });
    tenants.ensure({ id: LOCAL_TENANT_ID, name: 'local' });
    tenants.update(LOCAL_TENANT_ID, { name: 'laptop' });
    expect(tenants.update(LOCAL_TENANT_ID, { name: 'local' }).name).toBe('local');
  });

  it('validates the id and the name', () => {
    const { tenants } = fixture().open();
    expect(thrown(() => tenants.ensure({ id: '0', name: 'local' }))).toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
    expect(thrown(() => tenants.ensure({ id: LOCAL_TENANT_ID, name: '' }))).toMatchObject({
      code: 'PCTX_ERR_INVALID_ARGUMENT',
      details: { option: 'name' },
    });
  });
});

describe('TenantStore.get and require', () => {
  it('finds a tenant by id or by name and returns null for anything unknown', () => {
    const { tenants } = fixture().open();
    const acme = tenants.create({ name: 'acme', id: '0000ac0e' });
    expect(tenants.get(acme.id)).toEqual(acme);
    expect(tenants.get('acme')).toEqual(acme);
    expect(tenants.get('ACME')).toBeNull();
    expect(tenants.get('12345678')).toBeNull();
    expect(tenants.get('not a valid name')).toBeNull();
    expect(tenants.get('')).toBeNull();
  });

  it('resolves a hex-looking name by name when no tenant has that id', () => {
    const { tenants } = fixture().open();
    const hexNamed = tenants.create({ name: 'cafebabe', id: '11111111' });
    expect(tenants.get('cafebabe')).toEqual(hexNamed);
  });

  it('refuses to name a tenant after another tenant id, so lookups stay unambiguous', () => {
    const { tenants } = fixture().open();
    tenants.create({ name: 'first', id: 'cafebabe' });
    const second = tenants.create({ name: 'second', id: '22222222' });
    expect(thrown(() => tenants.create({ name: 'cafebabe' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_EXISTS',
      details: { tenant: 'cafebabe' },
    });
    expect(thrown(() => tenants.update(second.id, { name: 'cafebabe' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_EXISTS',
    });
  });

  it('refuses an explicit id equal to another tenant name', () => {
    const { tenants } = fixture().open();
    tenants.create({ name: 'cafebabe', id: '11111111' });
    expect(thrown(() => tenants.create({ name: 'other', id: 'cafebabe' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_EXISTS',
      details: { tenant: 'cafebabe' },
    });
  });

  it('lets a tenant carry its own id as its name', () => {
    const { tenants } = fixture().open();
    const self = tenants.create({ name: 'abcdef12', id: 'abcdef12' });
    expect(tenants.get('abcdef12')).toEqual(self);
  });

  it('prefers the id when rows written outside the store make a name equal another tenant id', () => {
    const { file, open } = fixture();
    const { tenants } = open();
    const byId = tenants.create({ name: 'owner', id: 'cafebabe' });
    const raw = new Database(file);
    raw
      .prepare(
        "INSERT INTO tenants (id, name, created_at, updated_at, status) VALUES ('33333333', 'cafebabe', ?, ?, 'active')",
      )
      .run(byId.createdAt, byId.createdAt);
    raw.close();
    expect(tenants.get('cafebabe')).toEqual(byId);
    expect(tenants.get('33333333')?.name).toBe('cafebabe');
  });

  it('require throws TENANT_NOT_FOUND for unknown tenants and TENANT_DELETING for tombstoned ones', () => {
    const { tenants } = fixture().open();
    const acme = tenants.create({ name: 'acme' });
    expect(tenants.require('acme')).toEqual(acme);
    expect(thrown(() => tenants.require('nobody'))).toMatchObject({
      code: 'PCTX_ERR_TENANT_NOT_FOUND',
      details: { tenant: 'nobody' },
    });
    tenants.markDeleting(acme.id);
    expect(tenants.get('acme')?.status).toBe('deleting');
    expect(thrown(() => tenants.require('acme'))).toMatchObject({
      code: 'PCTX_ERR_TENANT_DELETING',
      details: { tenantId: acme.id },
    });
  });
});

describe('TenantStore.update', () => {
  it('changes name, quota and settings, replacing settings wholesale and bumping updatedAt', () => {
    const { open, clock } = fixture();
    const { tenants } = open();
    const acme = tenants.create({ name: 'acme', quotaBytes: 100, settings: { a: 1, b: 2 } });
    clock.advance(1000);
    const updated = tenants.update(acme.id, { name: 'acme-corp', quotaBytes: null, settings: { c: 3 } });
    expect(updated).toEqual({
      ...acme,
      name: 'acme-corp',
      quotaBytes: null,
      settings: { c: 3 },
      updatedAt: '2025-01-01T00:00:01.000Z',
    });
    expect(tenants.get('acme')).toBeNull();
    expect(tenants.get('acme-corp')).toEqual(updated);
  });

  it('keeps fields the patch leaves out', () => {
    const { tenants } = fixture().open();
    const acme = tenants.create({ name: 'acme', quotaBytes: 100, settings: { a: 1 } });
    expect(tenants.update(acme.id, { quotaBytes: 200 })).toMatchObject({ name: 'acme', quotaBytes: 200, settings: { a: 1 } });
  });

  it('treats an empty patch as a no-op that does not bump updatedAt', () => {
    const { open, clock } = fixture();
    const { tenants } = open();
    const acme = tenants.create({ name: 'acme' });
    clock.advance(1000);
    expect(tenants.update(acme.id, {})).toEqual(acme);
  });

  it('refuses a rename onto a taken name, unknown or tombstoned tenants, names instead of ids, and bad values', () => {
    const { tenants } = fixture().open();
    const acme = tenants.create({ name: 'acme' });
    tenants.create({ name: 'beta' });
    expect(thrown(() => tenants.update(acme.id, { name: 'beta' }))).toMatchObject({ code: 'PCTX_ERR_TENANT_EXISTS' });
    expect(thrown(() => tenants.update('12345678', { quotaBytes: 5 }))).toMatchObject({ code: 'PCTX_ERR_TENANT_NOT_FOUND' });
    expect(thrown(() => tenants.update('acme', { quotaBytes: 5 }))).toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
    expect(thrown(() => tenants.update(acme.id, { quotaBytes: 0 }))).toMatchObject({ details: { option: 'quotaBytes' } });
    expect(thrown(() => tenants.update(acme.id, { status: 'deleting' } as never))).toMatchObject({ details: { option: 'status' } });
    tenants.markDeleting(acme.id);
    expect(thrown(() => tenants.update(acme.id, { quotaBytes: 5 }))).toMatchObject({ code: 'PCTX_ERR_TENANT_DELETING' });
  });

  it('allows renaming a tenant to its own name', () => {
    const { tenants } = fixture().open();
    const acme = tenants.create({ name: 'acme' });
    expect(tenants.update(acme.id, { name: 'acme' }).name).toBe('acme');
  });
});

describe('TenantStore.list', () => {
  it('orders tenants by creation time, then by name', () => {
    const { open, clock } = fixture();
    const { tenants } = open();
    tenants.create({ name: 'zeta' });
    tenants.create({ name: 'alpha' });
    clock.advance(1);
    tenants.create({ name: 'beta' });
    expect(tenants.list().map((tenant) => tenant.name)).toEqual(['alpha', 'zeta', 'beta']);
  });
});

describe('TenantStore delete tombstones', () => {
  it('markDeleting twice keeps the first deletingSince', () => {
    const { open, clock } = fixture();
    const { tenants } = open();
    const acme = tenants.create({ name: 'acme' });
    clock.advance(1000);
    const marked = tenants.markDeleting(acme.id);
    expect(marked).toMatchObject({ status: 'deleting', deletingSince: '2025-01-01T00:00:01.000Z', updatedAt: '2025-01-01T00:00:01.000Z' });
    clock.advance(1000);
    expect(tenants.markDeleting(acme.id)).toEqual(marked);
  });

  it('markDeleting revokes the tenant keys at the tombstone time and leaves other tenants alone', () => {
    const { open, clock } = fixture();
    const { tenants, apiKeys } = open();
    const acme = tenants.create({ name: 'acme' });
    const beta = tenants.create({ name: 'beta' });
    apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_test_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    apiKeys.insert({ keyHash: HASH_B, keyPrefix: 'cl_test_bbbbbbbb', tenantId: beta.id, permissions: ['read'] });
    clock.advance(5000);
    tenants.markDeleting(acme.id);
    expect(apiKeys.findByHash(HASH_A)?.revokedAt).toBe('2025-01-01T00:00:05.000Z');
    expect(apiKeys.findByHash(HASH_B)?.revokedAt).toBeNull();
  });

  it('markDeleting an unknown tenant throws TENANT_NOT_FOUND', () => {
    const { tenants } = fixture().open();
    expect(thrown(() => tenants.markDeleting('12345678'))).toMatchObject({ code: 'PCTX_ERR_TENANT_NOT_FOUND' });
  });

  it('listDeleting returns only tombstoned tenants, oldest tombstone first', () => {
    const { open, clock } = fixture();
    const { tenants } = open();
    const a = tenants.create({ name: 'a' });
    const b = tenants.create({ name: 'b' });
    tenants.create({ name: 'c' });
    tenants.markDeleting(b.id);
    clock.advance(1);
    tenants.markDeleting(a.id);
    expect(tenants.listDeleting().map((tenant) => tenant.name)).toEqual(['b', 'a']);
  });

  it('purge removes the tenant and its keys, keeps its request log, and can be called twice', () => {
    const { tenants, apiKeys, requestLog } = fixture().open();
    const acme = tenants.create({ name: 'acme' });
    const beta = tenants.create({ name: 'beta' });
    apiKeys.insert({ keyHash: HASH_A, keyPrefix: 'cl_test_aaaaaaaa', tenantId: acme.id, permissions: ['read'] });
    apiKeys.insert({ keyHash: HASH_B, keyPrefix: 'cl_test_bbbbbbbb', tenantId: beta.id, permissions: ['read'] });
    requestLog.append({ tenantId: acme.id, tool: 'search_symbols', durationMs: 3, status: 'success' });
    tenants.markDeleting(acme.id);

    tenants.purge(acme.id);
    tenants.purge(acme.id);

    expect(tenants.get(acme.id)).toBeNull();
    expect(apiKeys.findByHash(HASH_A)).toBeNull();
    expect(apiKeys.listByTenant(acme.id)).toEqual([]);
    expect(apiKeys.findByHash(HASH_B)).not.toBeNull();
    expect(requestLog.stats({ tenantId: acme.id, since: new Date(0) }).requests).toBe(1);
  });

  it('purge refuses an active tenant so the tombstone always comes first', () => {
    const { tenants } = fixture().open();
    const acme = tenants.create({ name: 'acme' });
    expect(thrown(() => tenants.purge(acme.id))).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'id' } });
    expect(tenants.get(acme.id)).toEqual(acme);
  });

  it('a purged name can be used again by a new tenant', () => {
    const { tenants } = fixture().open();
    const acme = tenants.create({ name: 'acme' });
    tenants.markDeleting(acme.id);
    tenants.purge(acme.id);
    expect(tenants.create({ name: 'acme' }).status).toBe('active');
  });
});
