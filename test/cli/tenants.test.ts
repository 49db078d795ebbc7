import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withContext } from '../../src/cli/context.js';
import { cli } from '../helpers/cli.js';
import { DEMO_REPO } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();

/**
 * A data folder holding tenant `acme` with the demo repository indexed, made in this
 * process: each test below starts only the CLI commands it is about (a CLI start costs
 * ~0.8 s of CPU, several seconds on a loaded machine; this test once ran them all in one
 * test, 15 starts through tsx, and passed its 30 s timeout).
 */
async function acmeWithDemo(): Promise<{ dataDir: string; id: string }> {
  const dataDir = tempDir();
  const root = path.join(tempDir(), 'demo');
  writeTree(root, DEMO_REPO);
  const id = await withContext({ dataDir }, async (ctx) => {
    const acme = ctx.control.tenants.create({ name: 'acme', quotaBytes: 50 * 1024 * 1024 });
    await ctx.engine().indexFolder(acme.id, { path: root }, { vectors: 'wait' });
    return acme.id;
  });
  return { dataDir, id };
}

// Each test starts a few CLI processes (~0.8 s of CPU each): generous on a machine shared by many jobs.
describe('CLI tenants commands', { timeout: 120_000 }, () => {
  it('create, list, update and search by --tenant print the documented shapes', async () => {
    const dataDir = tempDir();
    const created = await cli(dataDir, 'tenants', 'create', 'acme', '--quota', '50MB', '--json');
    expect(created.json).toMatchObject({ name: 'acme', status: 'active', quotaBytes: 50 * 1024 * 1024, settings: {} });
    const id = created.json.id as string;
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    const plain = await cli(dataDir, 'tenants', 'create', 'globex');
    expect(plain.stdout).toMatch(/^[0-9a-f]{8}\n$/);
    expect((await cli(dataDir, 'search', 'getUserById', '--tenant', 'globex', '--json')).json.results).toEqual([]);

    const list = await cli(dataDir, 'tenants', 'list', '--json');
    expect(list.json.tenants.map((t: { name: string }) => t.name)).toEqual(['local', 'acme', 'globex']);
    // globex was opened by its search: its database counts, with the one definition of usage.
    expect(list.json.tenants[2].usedBytes).toBeGreaterThan(0);

    const updated = await cli(dataDir, 'tenants', 'update', 'acme', '--quota', 'none', '--json');
    expect(updated.json).toMatchObject({ id, quotaBytes: null });
  });

  it('backup writes an archive that restore --as brings back as a new tenant', async () => {
    const { dataDir, id } = await acmeWithDemo();
    const archive = path.join(tempDir(), 'acme.tgz');
    const backup = await cli(dataDir, 'tenants', 'backup', 'acme', '--out', archive, '--json');
    expect(backup.json).toMatchObject({ file: archive, manifest: { tenant: { id, name: 'acme' } } });
    const restored = await cli(dataDir, 'tenants', 'restore', archive, '--as', 'acme-2', '--json');
    expect(restored.json).toMatchObject({ tenant: { name: 'acme-2' }, replaced: false });
    expect((await cli(dataDir, 'search', 'getUserById', '--tenant', 'acme-2', '--json')).json.results[0].name).toBe('getUserById');
  });

  it('delete needs --yes off a terminal, then removes the tenant', async () => {
    const { dataDir, id } = await acmeWithDemo();
    const refused = await cli(dataDir, 'tenants', 'delete', 'acme', '--json');
    expect(refused.json.error).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: '--yes' } });
    const deleted = await cli(dataDir, 'tenants', 'delete', 'acme', '--yes', '--json');
    expect(deleted.json).toMatchObject({ tenantId: id, name: 'acme' });
    expect((await cli(dataDir, 'search', 'x', '--tenant', 'acme', '--json')).json.error.code).toBe('PCTX_ERR_TENANT_NOT_FOUND');
    expect(fs.readdirSync(path.join(dataDir, 'tenants'))).toEqual([]);
  });
});
