import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { backupTenant } from '../../src/admin/backup-tenant.js';
import { deleteTenant, settleTenantRemovals } from '../../src/admin/delete-tenant.js';
import { reconcileDataDir } from '../../src/admin/reconcile.js';
import { restoreTenant } from '../../src/admin/restore-tenant.js';
import { tenantGuard, withContext } from '../../src/cli/context.js';
import { openControlDb, type ControlPlane } from '../../src/control/index.js';
import type { Engine } from '../../src/engine/engine.js';
import { tenantDiskUsage } from '../../src/tenant/quota.js';
import { tenantPaths, uniqueTrashPath } from '../../src/tenant/tenant-paths.js';
import { sha256File } from '../../src/util/atomic-file.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();

interface World {
  dataDir: string;
  control: ControlPlane;
  engine: Engine;
  root: string;
}

/** A data folder with a control plane whose guard the engine's pool asks, like the CLI's. */
function world(): World {
  const dataDir = tempDir();
  const control = openControlDb(path.join(dataDir, 'control.db'));
  const root = path.join(tempDir(), 'demo');
  writeTree(root, DEMO_REPO);
  return { dataDir, control, engine: newEngine(dataDir, { pool: { tenantGuard: tenantGuard(control) } }), root };
}

/** The pid of a process that has exited: what a crashed owner's leftovers carry. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function names(engine: Engine, tenantId: string, query: string): Promise<string[]> {
  return (await engine.searchSymbols(tenantId, { query })).results.map((h) => h.name);
}

async function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => null,
    (err: unknown) => err,
  );
}

/** Rewrites an archive's index.db with `mutate` and fixes the manifest's size and checksum, as a forger would. */
async function forge(archive: string, mutate: (db: Database.Database) => void): Promise<string> {
  const work = tempDir();
  await tar.extract({ file: archive, cwd: work });
  const dbFile = path.join(work, 'index.db');
  const db = new Database(dbFile);
  mutate(db);
  db.close();
  const manifest = JSON.parse(fs.readFileSync(path.join(work, 'manifest.json'), 'utf8'));
  manifest.files = manifest.files.map((f: { name: string }) => (f.name === 'index.db' ? { ...f, size: fs.statSync(dbFile).size, sha256: sha256File(dbFile) } : f));
  fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(manifest));
  const forged = path.join(tempDir(), 'forged.tar.gz');
  await tar.create({ gzip: true, file: forged, cwd: work }, fs.readdirSync(work));
  return forged;
}

async function indexedTenant(w: World, name: string): Promise<string> {
  const tenant = w.control.tenants.create({ name });
  await w.engine.indexFolder(tenant.id, { path: w.root }, { vectors: 'wait' });
  return tenant.id;
}

describe('backup --out (issue 8 #2, #11, #14)', () => {
  it('backup --out refuses a path inside the data dir, an existing folder, a missing folder, and an existing file without force (issue 8 #2)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    const ctx = { control: w.control, pool: w.engine.pool };
    const controlDb = path.join(w.dataDir, 'control.db');
    const liveDb = tenantPaths(w.dataDir, id).db;
    const before = [sha256File(controlDb), sha256File(liveDb)];

    for (const out of [liveDb, controlDb, path.join(w.dataDir, 'tenants', 'x.tar.gz'), path.join(w.dataDir, 'new.tar.gz')]) {
      expect(await failure(backupTenant(ctx, 'acme', out))).toMatchObject({ code: 'PCTX_ERR_BACKUP_OUTPUT_INVALID', details: { reason: expect.stringContaining('inside the data folder') } });
    }
    // Through a symlink to the data folder, too.
    const link = path.join(tempDir(), 'link');
    fs.symlinkSync(w.dataDir, link);
    expect(await failure(backupTenant(ctx, 'acme', path.join(link, 'control.db')))).toMatchObject({ code: 'PCTX_ERR_BACKUP_OUTPUT_INVALID' });
    expect([sha256File(controlDb), sha256File(liveDb)]).toEqual(before);

    const outside = tempDir();
    expect(await failure(backupTenant(ctx, 'acme', outside))).toMatchObject({ code: 'PCTX_ERR_BACKUP_OUTPUT_INVALID', details: { reason: expect.stringContaining('is a folder') } });
    const missing = path.join(outside, 'no', 'such', 'a.tar.gz');
    expect(await failure(backupTenant(ctx, 'acme', missing))).toMatchObject({ code: 'PCTX_ERR_BACKUP_OUTPUT_INVALID', details: { reason: expect.stringContaining('does not exist') } });
    expect(fs.existsSync(path.join(outside, 'no'))).toBe(false);

    const existing = path.join(outside, 'a.tar.gz');
    fs.writeFileSync(existing, 'keep me');
    expect(await failure(backupTenant(ctx, 'acme', existing))).toMatchObject({ code: 'PCTX_ERR_BACKUP_OUTPUT_EXISTS', status: 409 });
    expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');
    await backupTenant(ctx, 'acme', existing, { force: true });
    expect(fs.statSync(existing).size).toBeGreaterThan(1000);
    expect(fs.readdirSync(outside)).toEqual(['a.tar.gz']);
    w.control.close();
  });

  it('backup archives are written 0600, like the tenant folder is 0700 (issue 8 #11)', async () => {
    const w = world();
    await indexedTenant(w, 'acme');
    const out = path.join(tempDir(), 'acme.tar.gz');
    const previous = process.umask(0o022);
    try {
      await backupTenant({ control: w.control, pool: w.engine.pool }, 'acme', out);
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    w.control.close();
  });
});

describe('restore validation (issue 8 #9, #10, #19)', () => {
  it('restore refuses a database with a trigger that rewrites tenant ids (issue 8 #9)', async () => {
    const w = world();
    await indexedTenant(w, 'acme');
    const ctx = { control: w.control, pool: w.engine.pool };
    const good = path.join(tempDir(), 'good.tar.gz');
    await backupTenant(ctx, 'acme', good);
    const tenantsBefore = w.control.tenants.list().length;

    const withTrigger = await forge(good, (db) => db.exec("CREATE TRIGGER steal AFTER UPDATE ON repos BEGIN UPDATE symbols SET tenant_id = 'deadbeef'; END"));
    expect(await failure(restoreTenant(ctx, withTrigger, { as: 't1' }))).toMatchObject({ code: 'PCTX_ERR_BACKUP_INVALID', details: { reason: 'index.db: unexpected trigger "steal"' } });
    const withTable = await forge(good, (db) => db.exec('CREATE TABLE extra (x)'));
    expect(await failure(restoreTenant(ctx, withTable, { as: 't2' }))).toMatchObject({ details: { reason: 'index.db: unexpected table "extra"' } });
    const withView = await forge(good, (db) => db.exec('CREATE VIEW v AS SELECT 1'));
    expect(await failure(restoreTenant(ctx, withView, { as: 't3' }))).toMatchObject({ details: { reason: 'index.db: unexpected view "v"' } });
    const foreignRows = await forge(good, (db) => db.exec("UPDATE files SET tenant_id = 'deadbeef' WHERE id IN (SELECT id FROM files LIMIT 2)"));
    expect(await failure(restoreTenant(ctx, foreignRows, { as: 't4' }))).toMatchObject({ details: { reason: 'index.db: 2 rows of files belong to another tenant' } });
    const alteredTable = await forge(good, (db) => db.exec('ALTER TABLE repos ADD COLUMN evil TEXT'));
    expect(await failure(restoreTenant(ctx, alteredTable, { as: 't5' }))).toMatchObject({ details: { reason: expect.stringContaining('table "repos" is not the one schema version') } });

    expect(w.control.tenants.list()).toHaveLength(tenantsBefore);
    expect(fs.readdirSync(path.join(w.dataDir, 'tenants')).filter((n) => n.startsWith('.'))).toEqual([]);
    w.control.close();
  });

  it('restore stops extracting a member at its manifest size (issue 8 #10)', async () => {
    const w = world();
    await indexedTenant(w, 'acme');
    const ctx = { control: w.control, pool: w.engine.pool };
    const good = path.join(tempDir(), 'good.tar.gz');
    const backup = await backupTenant(ctx, 'acme', good);
    // A 4 MiB index.db where the manifest (and its checksum) describe the real one. (A
    // plain zero bomb is already stopped by tar's 1000:1 ratio limit; the archive
    // expanded 835:1.)
    const work = tempDir();
    await tar.extract({ file: good, cwd: work });
    fs.writeFileSync(path.join(work, 'index.db'), crypto.randomBytes(4 * 1024 * 1024));
    const bomb = path.join(tempDir(), 'bomb.tar.gz');
    await tar.create({ gzip: true, file: bomb, cwd: work }, ['manifest.json', 'index.db', 'vectors.hnsw']);

    const size = backup.manifest.files.find((f) => f.name === 'index.db')!.size;
    expect(await failure(restoreTenant(ctx, bomb, { as: 'boom' }))).toMatchObject({
      code: 'PCTX_ERR_BACKUP_INVALID',
      details: { reason: `index.db is ${4 * 1024 * 1024} bytes in the archive, the manifest says ${size}` },
    });
    // Refused from the table of contents: no staging folder was ever filled.
    expect(fs.readdirSync(path.join(w.dataDir, 'tenants')).filter((n) => n.startsWith('.'))).toEqual([]);

    // A member listed twice (the second copy could be the big one) is refused too.
    const twice = path.join(tempDir(), 'twice.tar.gz');
    await tar.create({ gzip: true, file: twice, cwd: work }, ['manifest.json', 'index.db', 'index.db']);
    expect(await failure(restoreTenant(ctx, twice, { as: 'boom2' }))).toMatchObject({ details: { reason: 'index.db appears twice' } });
    w.control.close();
  });

  it('tenants restore --as local --force is refused as the docs say (issue 8 #19)', async () => {
    const w = world();
    w.control.tenants.ensure({ id: '00000000', name: 'local' });
    await w.engine.indexFolder('00000000', { path: w.root });
    await indexedTenant(w, 'acme');
    const ctx = { control: w.control, pool: w.engine.pool };
    const archive = path.join(tempDir(), 'acme.tar.gz');
    await backupTenant(ctx, 'acme', archive);
    await w.engine.deleteRepo('00000000', { repo: 'demo' });
    writeTree(w.root, { 'only-local.ts': 'export function onlyLocal() {}\n' });
    await w.engine.indexFolder('00000000', { path: w.root });

    expect(await failure(restoreTenant(ctx, archive, { as: 'local', force: true }))).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'as' } });
    expect(await names(w.engine, '00000000', 'onlyLocal')).toEqual(['onlyLocal']);
    expect(w.control.tenants.get('00000000')).toMatchObject({ name: 'local' });
    w.control.close();
  });
});

describe('empty databases and orphan folders (issue 8 #3, #14)', () => {
  it('a zero-byte index.db is reported as corrupt, never served as an empty tenant (issue 8 #3)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    await w.engine.close();
    const db = tenantPaths(w.dataDir, id).db;
    fs.rmSync(`${db}-wal`, { force: true });
    fs.writeFileSync(db, '');
    const engine = newEngine(w.dataDir, { pool: { tenantGuard: tenantGuard(w.control) } });
    expect(await failure(engine.searchSymbols(id, { query: 'getUserById' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_CORRUPT',
      details: { reason: expect.stringContaining('is empty (0 bytes)') },
    });
    expect(await failure(engine.indexFolder(id, { path: w.root }))).toMatchObject({ code: 'PCTX_ERR_TENANT_CORRUPT' });
    expect(fs.statSync(db).size).toBe(0);
    w.control.close();
  });

  it('a zero-byte or foreign control.db is CONTROL_CORRUPT and is never re-created over the tenant folders (issue 8 #3, #14)', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'control.db');
    fs.writeFileSync(file, '');
    expect(() => openControlDb(file)).toThrow(expect.objectContaining({ code: 'PCTX_ERR_CONTROL_CORRUPT', status: 503 }));
    expect(fs.statSync(file).size).toBe(0);
    fs.writeFileSync(file, 'not a database, but longer than a header would be: '.repeat(40));
    expect(await failure(withContext({ dataDir }, async () => undefined))).toMatchObject({ code: 'PCTX_ERR_CONTROL_CORRUPT', message: expect.stringContaining('move it aside') });
  });

  it('the control plane adopts tenant folders it has no row for, and reports those it cannot open (issue 8 #3)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    w.control.close();
    await w.engine.close();
    // control.db lost; an unrelated broken folder sits next to the tenant.
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(w.dataDir, `control.db${suffix}`), { force: true });
    fs.mkdirSync(path.join(w.dataDir, 'tenants', 'abcdef12'));
    fs.writeFileSync(path.join(w.dataDir, 'tenants', 'abcdef12', 'index.db'), 'garbage'.repeat(200));

    const control = openControlDb(path.join(w.dataDir, 'control.db'));
    const engine = newEngine(w.dataDir, { pool: { tenantGuard: tenantGuard(control) } });
    const report = await reconcileDataDir({ control, pool: engine.pool });
    expect(report.adopted).toEqual([{ id, name: `recovered-${id}` }]);
    expect(report.orphans).toEqual([{ id: 'abcdef12', reason: expect.stringContaining('unreadable') }]);
    expect(await names(engine, id, 'getUserById')).toContain('getUserById');
    expect(fs.existsSync(path.join(w.dataDir, 'tenants', 'abcdef12', 'index.db'))).toBe(true);
    // A second start finds nothing left to adopt.
    expect((await reconcileDataDir({ control, pool: engine.pool })).adopted).toEqual([]);
    control.close();
  });

  it('--data-dir that is a file is DATA_DIR_INVALID with a sentence, not EEXIST (issue 8 #14)', async () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    for (const dataDir of [file, path.join(file, 'below')]) {
      expect(await failure(withContext({ dataDir }, async () => undefined))).toMatchObject({
        code: 'PCTX_ERR_DATA_DIR_INVALID',
        message: expect.stringContaining('is a file, not a folder'),
      });
    }
  });

  it('vectors.hnsw that is a folder is TENANT_CORRUPT, not EISDIR (issue 8 #14)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    await w.engine.close();
    const vectors = tenantPaths(w.dataDir, id).vectors;
    fs.rmSync(vectors);
    fs.mkdirSync(vectors);
    const engine = newEngine(w.dataDir, { pool: { tenantGuard: tenantGuard(w.control) } });
    expect(await failure(engine.searchSymbols(id, { query: 'parse configuration', mode: 'semantic' }))).toMatchObject({
      code: 'PCTX_ERR_TENANT_CORRUPT',
      message: expect.stringContaining('vectors.hnsw is not a regular file'),
    });
    // Keyword search does not need the file and keeps working.
    expect(await names(engine, id, 'getUserById')).toContain('getUserById');
    w.control.close();
  });
});

describe('crash leftovers and usage (issue 8 #13, #17)', () => {
  it('temp files of crashed processes are removed at open and start, and never count as usage (issue 8 #13)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    await w.engine.close();
    const paths = tenantPaths(w.dataDir, id);
    const usage = tenantDiskUsage(paths);
    const dead = deadPid();
    const deadTemp = path.join(paths.dir, `.vectors.hnsw.${dead}.0badf00d.tmp`);
    const liveTemp = path.join(paths.dir, `.vectors.hnsw.${process.pid}.0badf00d.tmp`);
    fs.writeFileSync(deadTemp, Buffer.alloc(2 * 1024 * 1024));
    fs.writeFileSync(liveTemp, Buffer.alloc(1024 * 1024));
    expect(tenantDiskUsage(paths)).toBe(usage);

    const engine = newEngine(w.dataDir, { pool: { tenantGuard: tenantGuard(w.control) } });
    await engine.listRepos(id);
    expect(fs.existsSync(deadTemp)).toBe(false);
    // A live process may still rename its temp file into place.
    expect(fs.existsSync(liveTemp)).toBe(true);

    const tmpDir = tempDir();
    for (const name of [`pctx-backup-${dead}-AbC123`, `pctx-backup-${process.pid}-XyZ789`]) fs.mkdirSync(path.join(tmpDir, name));
    const report = await reconcileDataDir({ control: w.control, pool: engine.pool }, { tmpDir });
    expect(report.leftoversRemoved).toContain(`pctx-backup-${dead}-AbC123`);
    expect(fs.readdirSync(tmpDir)).toEqual([`pctx-backup-${process.pid}-XyZ789`]);

    const outDir = tempDir();
    const strayArchive = path.join(outDir, `.acme.tar.gz.${dead}.12345678.tmp`);
    fs.writeFileSync(strayArchive, 'partial');
    await backupTenant({ control: w.control, pool: engine.pool }, 'acme', path.join(outDir, 'acme.tar.gz'));
    expect(fs.readdirSync(outDir)).toEqual(['acme.tar.gz']);
    w.control.close();
  });

  it('usage is one definition: the same before, during and after a connection is open, and in every command (issue 8 #17)', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'fresh' });
    const paths = tenantPaths(w.dataDir, tenant.id);
    // The first open creates the database: it counts from then on.
    const lease = w.engine.pool.acquire(tenant.id);
    const whileOpen = tenantDiskUsage(paths);
    expect(fs.existsSync(`${paths.db}-shm`)).toBe(true);
    lease.release();
    await w.engine.close();
    expect(whileOpen).toBeGreaterThan(0);
    expect(tenantDiskUsage(paths)).toBe(whileOpen);
    w.control.close();
  });

  it('a tenant already over its quota is told so in human units, not "needed 0 more" (issue 8 #17)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'full');
    const err = await failure(w.engine.indexFolder(id, { path: w.root }, { quotaBytes: 1024 }));
    expect(err).toMatchObject({ code: 'PCTX_ERR_QUOTA_EXCEEDED', details: { tenantId: id, limit: 1024, attempted: 0 } });
    expect(err.message).toMatch(/^Storage quota exceeded for tenant [0-9a-f]{8}: [\d.]+ KB used of 1 KB; it was already over its quota before this run \(by [\d.]+ KB\)\. Raise the quota or delete a repository\.$/);
    expect(err.message).not.toContain('needed 0');
    w.control.close();
  });
});

describe('another process deletes or restores a tenant (issue 8 #14, #18)', () => {
  it('a process serving a tenant refuses it on its next request once another process deleted it, and never recreates its folder (issue 8 #18)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    // The server: its own control-plane connection and pool, with the tenant's handle open.
    const serverControl = openControlDb(path.join(w.dataDir, 'control.db'));
    const server = newEngine(w.dataDir, { pool: { tenantGuard: tenantGuard(serverControl) } });
    expect(await names(server, id, 'getUserById')).toContain('getUserById');

    await deleteTenant({ control: w.control, pool: w.engine.pool }, 'acme');
    await settleTenantRemovals();
    expect(await failure(server.searchSymbols(id, { query: 'getUserById' }))).toMatchObject({ code: 'PCTX_ERR_TENANT_NOT_FOUND' });
    expect(await failure(server.indexFolder(id, { path: w.root }))).toMatchObject({ code: 'PCTX_ERR_TENANT_NOT_FOUND' });
    expect(fs.existsSync(tenantPaths(w.dataDir, id).dir)).toBe(false);
    expect(fs.readdirSync(path.join(w.dataDir, 'tenants'))).toEqual([]);
    serverControl.close();
    w.control.close();
  });

  it('a process serving a tenant serves the restored data once another process restored it with --force (issue 8 #18)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    const archive = path.join(tempDir(), 'acme.tar.gz');
    await backupTenant({ control: w.control, pool: w.engine.pool }, 'acme', archive);
    const serverControl = openControlDb(path.join(w.dataDir, 'control.db'));
    const server = newEngine(w.dataDir, { pool: { tenantGuard: tenantGuard(serverControl) } });
    await server.deleteRepo(id, { repo: 'demo' });
    expect(await names(server, id, 'getUserById')).toEqual([]);

    await restoreTenant({ control: w.control, pool: w.engine.pool }, archive, { force: true });
    expect(await names(server, id, 'getUserById')).toContain('getUserById');
    serverControl.close();
    w.control.close();
  });

  it('a delete racing an index run in another process fails the run with the tenant\'s state, not ENOENT (issue 8 #14)', async () => {
    const w = world();
    const id = await indexedTenant(w, 'acme');
    writeTree(w.root, Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`gen/m${i}.ts`, `export function gen${i}() { return ${i}; }\n`])));
    const serverControl = openControlDb(path.join(w.dataDir, 'control.db'));
    const server = newEngine(w.dataDir, { pool: { tenantGuard: tenantGuard(serverControl) } });
    const paths = tenantPaths(w.dataDir, id);
    let batches = 0;
    const err = await failure(
      server.indexFolder(id, { path: w.root }, {
        vectors: 'wait',
        // The other process's delete, step by step, while this run is between batches:
        // tombstone, then the folder moved to trash.
        afterBatch: () => {
          if (batches++ > 0) return;
          w.control.tenants.markDeleting(id);
          fs.renameSync(paths.dir, uniqueTrashPath(paths));
        },
      }),
    );
    expect(batches).toBeGreaterThan(0);
    expect(err).toMatchObject({ code: 'PCTX_ERR_TENANT_DELETING' });
    // The other process finishes its delete; nothing of the tenant is left or re-created.
    await deleteTenant({ control: w.control, pool: w.engine.pool }, id);
    await settleTenantRemovals();
    expect(fs.readdirSync(path.join(w.dataDir, 'tenants'))).toEqual([]);
    serverControl.close();
    w.control.close();
  });
});
