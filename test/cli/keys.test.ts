import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from '../../src/auth/authenticator.js';
import { openControlDb } from '../../src/control/index.js';
import { cli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();

/** Each step is a fresh Node process compiling TypeScript; a busy machine makes that slow, not wrong. */
const SLOW = { timeout: 180_000 };

const KEY_OBJECT_FIELDS = ['createdAt', 'environment', 'label', 'lastUsedAt', 'permissions', 'prefix', 'revokedAt', 'tenantId', 'tier'];

describe('CLI keys', () => {
  it('creates a key that authenticates, lists it without secrets, and revokes it for the next request', SLOW, async () => {
    const dataDir = tempDir();
    const tenantId = (await cli(dataDir, 'tenants', 'create', 'acme', '--json')).json.id as string;

    // Human output: the key alone on stdout, the warning on stderr.
    const human = await cli(dataDir, 'keys', 'create', '--tenant', 'acme', '--permissions', 'write,read', '--label', 'ci');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^cl_live_${tenantId}_[0-9A-Za-z]{24}_[0-9A-Za-z]{4}\\n$`));
    expect(human.stderr).toContain('not shown again');
    const key = human.stdout.trim();

    const created = await cli(dataDir, 'keys', 'create', '--tenant', tenantId, '--permissions', 'read,admin', '--tier', 'pro', '--test', '--json');
    expect(created.code).toBe(0);
    expect(Object.keys(created.json).sort()).toEqual(['key', ...KEY_OBJECT_FIELDS].sort());
    expect(created.json).toMatchObject({ tenantId, environment: 'test', permissions: ['read', 'admin'], tier: 'pro', label: null, lastUsedAt: null, revokedAt: null });
    expect(created.json.key.startsWith(created.json.prefix)).toBe(true);

    // The server's view, in this process: the CLI wrote to the same control.db.
    const control = openControlDb(path.join(dataDir, 'control.db'));
    try {
      const auth = new ApiKeyAuthenticator({ apiKeys: control.apiKeys });
      const accepted = auth.authenticate(key);
      expect(accepted.ok && accepted.principal).toMatchObject({ tenantId, permissions: ['read', 'write'], tier: 'standard', environment: 'live' });

      const listed = await cli(dataDir, 'keys', 'list', '--tenant', 'acme', '--json');
      expect(listed.json.keys).toHaveLength(2);
      for (const k of listed.json.keys) expect(Object.keys(k).sort()).toEqual(KEY_OBJECT_FIELDS);
      expect(listed.stdout).not.toContain(key);
      expect(listed.stdout).not.toContain(created.json.key);
      const first = listed.json.keys.find((k: { label: string | null }) => k.label === 'ci');
      expect(first.lastUsedAt).not.toBeNull();

      const table = await cli(dataDir, 'keys', 'list');
      expect(table.stdout.split('\n')[0]).toMatch(/^PREFIX\s+TENANT\s+PERMISSIONS\s+TIER\s+LABEL\s+CREATED \(UTC\)\s+LAST USED \(UTC\)\s+REVOKED \(UTC\)$/);
      expect(table.stdout).toContain(first.prefix);
      expect(table.stdout).not.toContain(key);

      // Verified once, the key is not looked up again while control.db is unchanged...
      expect(auth.authenticate(key).ok).toBe(true);
      const lookups = auth.lookups;
      expect(auth.authenticate(key).ok).toBe(true);
      expect(auth.lookups).toBe(lookups);
      // ...and once revoked by another process, the very next authentication here fails.
      const revoked = await cli(dataDir, 'keys', 'revoke', first.prefix, '--json');
      expect(revoked.code).toBe(0);
      expect(revoked.json).toMatchObject({ prefix: first.prefix, revokedAt: expect.any(String) });
      const refused = auth.authenticate(key);
      expect(refused.ok || refused.error.details).toEqual({ reason: 'revoked' });

      // The whole key is accepted in place of its prefix; revoking twice is not an error.
      const again = await cli(dataDir, 'keys', 'revoke', key);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`Revoked key ${first.prefix} of tenant acme (${tenantId})`);
    } finally {
      control.close();
    }
  });

  it('reports bad input with the documented exit codes and JSON errors', SLOW, async () => {
    const dataDir = tempDir();
    const badPermission = await cli(dataDir, 'keys', 'create', '--tenant', 'local', '--permissions', 'read,execute', '--json');
    expect(badPermission.code).toBe(2);
    expect(badPermission.json.error).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', message: expect.stringContaining('"execute" is not a permission') });

    const missing = await cli(dataDir, 'keys', 'create', '--tenant', 'local', '--json');
    expect(missing.code).toBe(2);
    expect(missing.json.error.details).toEqual({ reason: 'commander.missingMandatoryOptionValue' });

    const noTenant = await cli(dataDir, 'keys', 'create', '--tenant', 'ghost', '--permissions', 'read', '--json');
    expect(noTenant.code).toBe(1);
    expect(noTenant.json).toEqual({ error: { code: 'PCTX_ERR_TENANT_NOT_FOUND', message: 'Tenant "ghost" does not exist', details: { tenant: 'ghost' } } });

    const unknown = await cli(dataDir, 'keys', 'revoke', 'cl_live_00000000_zzzzzzzz');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: No API key matches "cl_live_00000000_zzzzzzzz" (PCTX_ERR_API_KEY_NOT_FOUND)\n');

    const empty = await cli(dataDir, 'keys', 'list', '--tenant', 'local');
    expect(empty.stdout).toBe('No API keys for tenant local. Create one: purecontext-mcp keys create --tenant local --permissions read\n');
  });
});
