import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { backupTenant } from '../../src/admin/backup-tenant.js';
import { deleteTenant, resumePendingDeletes, settleTenantRemovals } from '../../src/admin/delete-tenant.js';
import { restoreTenant } from '../../src/admin/restore-tenant.js';
import { withContext } from '../../src/cli/context.js';
import { openControlDb, type ControlPlane } from '../../src/control/index.js';
import type { Engine } from '../../src/engine/engine.js';
import { tenantDiskUsage } from '../../src/tenant/quota.js';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { TENANT_SCHEMA_VERSION, migrateTenantDb } from '../../src/tenant/tenant-schema.js';
import { sha256File } from '../../src/util/atomic-file.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface World {
  dataDir: string;
  control: ControlPlane;
  engine: Engine;
  root: string;
}

function world(): World {
  const dataDir = tempDir();
  const control = openControlDb(path.join(dataDir, 'control.db'));
  const root = path.join(tempDir(), 'demo');
  writeTree(root, DEMO_REPO);
  return { dataDir, control, engine: newEngine(dataDir), root };
}

function fakeKey(control: ControlPlane, tenantId: string, n: number): string {
  const hash = crypto.createHash('sha256').update(`key-${tenantId}-${n}`).digest('hex');
  control.apiKeys.insert({ keyHash: hash, keyPrefix: `pctx_test_${tenantId}_${n}`, tenantId, permissions: ['read'] });
  return hash;
}

async function names(engine: Engine, tenantId: string, query: string): Promise<string[]> {
  return (await engine.searchSymbols(tenantId, { query })).results.map((h) => h.name);
}

describe('storage quota', () => {
  it('rolls back a run that exceeds the quota midway and keeps the previous index searchable', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'small' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    const paths = tenantPaths(w.dataDir, tenant.id);
    const before = tenantDiskUsage(paths);
    const limit = before + 256 * 1024;
    const big: Record<string, string> = {};
    for (let i = 0; i < 400; i++) big[`gen/module${i}.ts`] = `/** Generated ${i}. */\nexport function generated${i}(input: string): string {\n  return ${JSON.stringify('x'.repeat(6000))} + input;\n}\n`;
    writeTree(w.root, big);

    const err = await w.engine.indexFolder(tenant.id, { path: w.root }, { quotaBytes: limit }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'PCTX_ERR_QUOTA_EXCEEDED', status: 507, details: { used: before, limit } });
    expect((err as { details: { attempted: number } }).details.attempted).toBeGreaterThan(limit - before);

    expect(await names(w.engine, tenant.id, 'getUserById')).toContain('getUserById');
    expect(await names(w.engine, tenant.id, 'generated7')).toEqual([]);
    // The rolled-back run's pages are given back, not left in the WAL.
    expect(tenantDiskUsage(paths)).toBeLessThan(limit);
    w.control.close();
  });

  it('refuses to start a run when the tenant is already over its quota', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'full' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    await expect(w.engine.indexFolder(tenant.id, { path: w.root }, { quotaBytes: 1024 })).rejects.toMatchObject({
      code: 'PCTX_ERR_QUOTA_EXCEEDED',
      details: { limit: 1024, attempted: 0 },
    });
    w.control.close();
  });
});

describe('tenant delete', () => {
  it('removes the folder, the keys and the tenant row, and revokes keys at once', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'doomed' });
    const other = w.control.tenants.create({ name: 'stays' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    await w.engine.indexFolder(other.id, { path: w.root });
    const key = fakeKey(w.control, tenant.id, 1);
    const otherKey = fakeKey(w.control, other.id, 1);

    const result = await deleteTenant({ control: w.control, pool: w.engine.pool }, 'doomed');
    expect(result).toMatchObject({ tenantId: tenant.id, name: 'doomed' });
    expect(result.bytesFreed).toBeGreaterThan(0);
    expect(fs.existsSync(tenantPaths(w.dataDir, tenant.id).dir)).toBe(false);
    // The moved-aside folder is removed in the background.
    await settleTenantRemovals();
    expect(fs.readdirSync(path.join(w.dataDir, 'tenants')).sort()).toEqual([other.id]);
    expect(w.control.tenants.get(tenant.id)).toBeNull();
    expect(w.control.apiKeys.findByHash(key)).toBeNull();
    expect(w.control.apiKeys.findByHash(otherKey)?.revokedAt).toBeNull();
    expect(await names(w.engine, other.id, 'getUserById')).toContain('getUserById');
    await expect(deleteTenant({ control: w.control, pool: w.engine.pool }, 'doomed')).rejects.toMatchObject({ code: 'PCTX_ERR_TENANT_NOT_FOUND' });
    w.control.close();
  });

  it('waits for a request in flight before removing the files', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'busy' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    const lease = w.engine.pool.acquire(tenant.id);
    const deleting = deleteTenant({ control: w.control, pool: w.engine.pool }, tenant.id);
    await new Promise((r) => setTimeout(r, 20));
    // Keys are already revoked and the tenant blocked, but the leased handle still works.
    expect(w.control.tenants.get(tenant.id)?.status).toBe('deleting');
    expect(lease.db.prepare('SELECT count(*) FROM symbols').pluck().get()).toBeGreaterThan(0);
    await expect(w.engine.searchSymbols(tenant.id, { query: 'x' })).rejects.toMatchObject({ code: 'PCTX_ERR_TENANT_DELETING' });
    lease.release();
    await deleting;
    expect(fs.existsSync(tenantPaths(w.dataDir, tenant.id).dir)).toBe(false);
    w.control.close();
  });

  it('finishes on restart a delete that a crash interrupted after the tombstone', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'crashed' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    const key = fakeKey(w.control, tenant.id, 1);
    const paths = tenantPaths(w.dataDir, tenant.id);
    // The crash: tombstone written, folder half-way (moved to trash), process gone.
    w.control.tenants.markDeleting(tenant.id);
    await w.engine.close();
    fs.renameSync(paths.dir, paths.trash);
    w.control.close();

    const control = openControlDb(path.join(w.dataDir, 'control.db'));
    expect(control.apiKeys.findByHash(key)?.revokedAt).not.toBeNull();
    const engine = newEngine(w.dataDir);
    expect(await resumePendingDeletes({ control, pool: engine.pool })).toEqual([tenant.id]);
    expect(fs.existsSync(paths.dir)).toBe(false);
    expect(fs.existsSync(paths.trash)).toBe(false);
    expect(control.tenants.get(tenant.id)).toBeNull();
    expect(control.apiKeys.findByHash(key)).toBeNull();
    expect(await resumePendingDeletes({ control, pool: engine.pool })).toEqual([]);
    control.close();
  });
});

/** A second process that keeps committing writes to the tenant database until killed. */
function startWriter(dbFile: string): { stop: () => Promise<number> } {
  const script = `
    const Database = require(${JSON.stringify(path.join(repoRoot, 'node_modules/better-sqlite3'))});
    const db = new Database(${JSON.stringify(dbFile)});
    db.pragma('busy_timeout = 5000');
    const put = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    let n = 0;
    process.stdout.write('ready\\n');
    for (;;) { put.run('writer.' + n, String(n)); n++; if (n % 200 === 0) { const t = Date.now(); while (Date.now() - t < 1); } }
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return {
    stop: async () => {
      await ready;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const db = new Database(dbFile, { readonly: true });
      const count = db.prepare("SELECT count(*) FROM meta WHERE key LIKE 'writer.%'").pluck().get() as number;
      db.close();
      return count;
    },
  };
}

describe('backup and restore', () => {
  it('takes a consistent backup while another process writes, and restores it to an equivalent tenant', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'live', quotaBytes: 50 * 1024 * 1024, settings: { plan: 'team' } });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    const writer = startWriter(tenantPaths(w.dataDir, tenant.id).db);
    await new Promise((r) => setTimeout(r, 300));
    const archive = path.join(tempDir(), 'live.tar.gz');
    const backup = await backupTenant({ control: w.control, pool: w.engine.pool }, 'live', archive);
    const writtenTotal = await writer.stop();
    expect(backup.manifest).toMatchObject({ format: 'purecontext-tenant-backup', tenant: { id: tenant.id, name: 'live', settings: { plan: 'team' } }, schemaVersion: TENANT_SCHEMA_VERSION });
    expect(backup.manifest.files.map((f) => f.name).sort()).toEqual(['index.db', 'vectors.hnsw']);

    const restored = await restoreTenant({ control: w.control, pool: w.engine.pool }, archive, { as: 'live-copy' });
    expect(restored.tenant).toMatchObject({ name: 'live-copy', quotaBytes: 50 * 1024 * 1024, settings: { plan: 'team' } });
    expect(restored.tenant.id).not.toBe(tenant.id);
    const db = new Database(tenantPaths(w.dataDir, restored.tenant.id).db, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const snapshotWrites = db.prepare("SELECT count(*) FROM meta WHERE key LIKE 'writer.%'").pluck().get() as number;
    // A prefix of the writer's commits, nothing torn: rows 0..n-1 exactly.
    expect(db.prepare("SELECT count(*) FROM meta WHERE key LIKE 'writer.%' AND CAST(value AS INTEGER) >= ?").pluck().get(snapshotWrites)).toBe(0);
    expect(new Set(db.prepare('SELECT DISTINCT tenant_id FROM symbols').pluck().all())).toEqual(new Set([restored.tenant.id]));
    db.close();
    expect(snapshotWrites).toBeGreaterThan(0);
    expect(snapshotWrites).toBeLessThanOrEqual(writtenTotal);

    for (const query of ['getUserById', 'parse_config', 'Server']) {
      const original = (await w.engine.searchSymbols(tenant.id, { query })).results.map((h) => h.id);
      expect((await w.engine.searchSymbols(restored.tenant.id, { query })).results.map((h) => h.id)).toEqual(original);
    }
    const semantic = await w.engine.searchSymbols(restored.tenant.id, { query: 'parse configuration', mode: 'semantic', limit: 3 });
    expect(semantic.results.map((h) => h.name)).toContain('parse_config');
    w.control.close();
  });

  it('refuses to overwrite an existing tenant without force, and replaces it with force', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'orig' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    const archive = path.join(tempDir(), 'orig.tar.gz');
    await backupTenant({ control: w.control, pool: w.engine.pool }, tenant.id, archive);
    await w.engine.deleteRepo(tenant.id, { repo: 'demo' });
    const ctx = { control: w.control, pool: w.engine.pool };
    await expect(restoreTenant(ctx, archive)).rejects.toMatchObject({ code: 'PCTX_ERR_TENANT_EXISTS' });
    expect((await w.engine.listRepos(tenant.id)).repos).toEqual([]);
    const r = await restoreTenant(ctx, archive, { force: true });
    expect(r).toMatchObject({ replaced: true, tenant: { id: tenant.id, name: 'orig' } });
    expect(await names(w.engine, tenant.id, 'getUserById')).toContain('getUserById');
    w.control.close();
  });

  it('restores a deleted tenant under its original id', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'phoenix' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    const archive = path.join(tempDir(), 'phoenix.tar.gz');
    const ctx = { control: w.control, pool: w.engine.pool };
    await backupTenant(ctx, 'phoenix', archive);
    await deleteTenant(ctx, 'phoenix');
    const r = await restoreTenant(ctx, archive);
    expect(r.tenant).toMatchObject({ id: tenant.id, name: 'phoenix', status: 'active' });
    expect((await names(w.engine, tenant.id, 'parse_config'))[0]).toBe('parse_config');
    w.control.close();
  });

  it('rejects damaged, foreign and future archives before touching any tenant', async () => {
    const w = world();
    const tenant = w.control.tenants.create({ name: 'src' });
    await w.engine.indexFolder(tenant.id, { path: w.root });
    const ctx = { control: w.control, pool: w.engine.pool };
    const good = path.join(tempDir(), 'good.tar.gz');
    await backupTenant(ctx, tenant.id, good);
    const tenantsBefore = w.control.tenants.list().length;

    // Flip bytes inside index.db: the checksum catches it.
    const work = tempDir();
    await tar.extract({ file: good, cwd: work });
    const db = fs.readFileSync(path.join(work, 'index.db'));
    db[db.length - 100] ^= 0xff;
    fs.writeFileSync(path.join(work, 'index.db'), db);
    const tampered = path.join(tempDir(), 'tampered.tar.gz');
    await tar.create({ gzip: true, file: tampered, cwd: work }, fs.readdirSync(work));
    await expect(restoreTenant(ctx, tampered, { as: 'x1' })).rejects.toMatchObject({ code: 'PCTX_ERR_BACKUP_INVALID', message: expect.stringContaining('checksum') });

    // An archive smuggling a path outside the staging folder.
    const evil = tempDir();
    fs.mkdirSync(path.join(evil, 'sub'));
    fs.writeFileSync(path.join(evil, 'sub', 'index.db'), 'x');
    const smuggled = path.join(tempDir(), 'evil.tar.gz');
    await tar.create({ gzip: true, file: smuggled, cwd: evil }, ['sub/index.db']);
    await expect(restoreTenant(ctx, smuggled, { as: 'x2' })).rejects.toMatchObject({ code: 'PCTX_ERR_BACKUP_INVALID', message: expect.stringContaining('unexpected member') });

    // A backup written by a newer schema.
    const future = tempDir();
    await tar.extract({ file: good, cwd: future });
    const manifest = JSON.parse(fs.readFileSync(path.join(future, 'manifest.json'), 'utf8'));
    manifest.schemaVersion = 99;
    fs.writeFileSync(path.join(future, 'manifest.json'), JSON.stringify(manifest));
    const newer = path.join(tempDir(), 'newer.tar.gz');
    await tar.create({ gzip: true, file: newer, cwd: future }, fs.readdirSync(future));
    await expect(restoreTenant(ctx, newer, { as: 'x3' })).rejects.toMatchObject({ code: 'PCTX_ERR_SCHEMA_TOO_NEW' });

    // Checksums that match a file that is not a database (was PCTX_ERR_INTERNAL).
    const notDb = tempDir();
    await tar.extract({ file: good, cwd: notDb });
    fs.writeFileSync(path.join(notDb, 'index.db'), 'not a database at all, but checksummed');
    const m2 = JSON.parse(fs.readFileSync(path.join(notDb, 'manifest.json'), 'utf8'));
    m2.files = [{ name: 'index.db', size: fs.statSync(path.join(notDb, 'index.db')).size, sha256: sha256File(path.join(notDb, 'index.db')) }];
    fs.writeFileSync(path.join(notDb, 'manifest.json'), JSON.stringify(m2));
    fs.rmSync(path.join(notDb, 'vectors.hnsw'));
    const notDbArchive = path.join(tempDir(), 'notdb.tar.gz');
    await tar.create({ gzip: true, file: notDbArchive, cwd: notDb }, ['manifest.json', 'index.db']);
    await expect(restoreTenant(ctx, notDbArchive, { as: 'x5' })).rejects.toMatchObject({ code: 'PCTX_ERR_BACKUP_INVALID' });

    // An invalid --as name is refused before any folder moves (one was left orphaned).
    await expect(restoreTenant(ctx, good, { as: 'bad name!' })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'as' } });

    // Not an archive at all.
    const junk = path.join(tempDir(), 'junk.tar.gz');
    fs.writeFileSync(junk, 'definitely not a tarball');
    await expect(restoreTenant(ctx, junk, { as: 'x4' })).rejects.toMatchObject({ code: 'PCTX_ERR_BACKUP_INVALID' });

    expect(w.control.tenants.list()).toHaveLength(tenantsBefore);
    expect(fs.readdirSync(path.join(w.dataDir, 'tenants')).sort()).toEqual([tenant.id]);
    w.control.close();
  });
});

/** A backup archive of a tenant whose database is at schema version 1, with one symbol. */
async function schemaV1Archive(dir: string, tenantId: string): Promise<string> {
  const work = path.join(dir, 'v1');
  fs.mkdirSync(work);
  const file = path.join(work, 'index.db');
  const db = new Database(file);
  migrateTenantDb(db, tenantId, file, 1);
  const at = '2026-01-01T00:00:00.000Z';
  db.prepare("INSERT INTO repos (id, tenant_id, name, root_path, created_at, indexed_at, file_count, symbol_count) VALUES (1, ?, 'old', '/gone/old', ?, ?, 1, 1)").run(tenantId, at, at);
  db.prepare("INSERT INTO files (id, tenant_id, repo_id, path, language, content_hash, size, mtime_ms, line_count, content, indexed_at) VALUES (1, ?, 1, 'legacy.py', 'python', 'h', 27, 0, 2, ?, ?)").run(tenantId, 'def legacy_helper():\n    pass\n', at);
  db.prepare("INSERT INTO symbols (id, tenant_id, repo_id, file_id, uid, name, qualified_name, kind, language, start_line, end_line, start_byte, end_byte, signature, doc) VALUES (1, ?, 1, 1, 'old:legacy.py::legacy_helper#function', 'legacy_helper', 'legacy_helper', 'function', 'python', 1, 2, 0, 27, 'def legacy_helper()', NULL)").run(tenantId);
  db.prepare("INSERT INTO symbols_fts (rowid, name, qualified, signature, doc) VALUES (1, 'legacy_helper legacy helper', 'legacy_helper', 'def legacy helper', '')").run();
  db.close();
  const manifest = {
    format: 'purecontext-tenant-backup',
    formatVersion: 1,
    tenant: { id: tenantId, name: 'vintage', settings: {}, quotaBytes: null },
    schemaVersion: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    files: [{ name: 'index.db', size: fs.statSync(file).size, sha256: sha256File(file) }],
  };
  fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(manifest));
  const archive = path.join(dir, 'vintage.tar.gz');
  await tar.create({ gzip: true, file: archive, cwd: work }, ['manifest.json', 'index.db']);
  return archive;
}

describe('restore of an older schema', () => {
  it('migrates a schema-1 backup to the current schema and serves it', async () => {
    const w = world();
    const archive = await schemaV1Archive(tempDir(), 'c0ffee00');
    const r = await restoreTenant({ control: w.control, pool: w.engine.pool }, archive);
    expect(r).toMatchObject({ fromSchemaVersion: 1, tenant: { id: 'c0ffee00', name: 'vintage' } });
    const db = new Database(tenantPaths(w.dataDir, 'c0ffee00').db, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(TENANT_SCHEMA_VERSION);
    db.close();
    expect(await names(w.engine, 'c0ffee00', 'legacy_helper')).toEqual(['legacy_helper']);
    expect(await w.engine.getFileOutline('c0ffee00', { repo: 'old', path: 'legacy.py' })).toMatchObject({ syntaxErrors: false, symbols: [{ name: 'legacy_helper' }] });
    // The vector file was not in the backup: the first semantic query builds it from the table... of which v1 had none.
    expect((await w.engine.searchSymbols('c0ffee00', { query: 'legacy', mode: 'semantic' })).results).toEqual([]);
    w.control.close();
  });
});

describe('the local tenant', () => {
  it('adopts data indexed before the control plane existed, with nothing lost', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir);
    const before = await engine.indexFolder('00000000', { path: root });
    await engine.close();
    expect(fs.existsSync(path.join(dataDir, 'control.db'))).toBe(false);

    await withContext({ dataDir }, async (ctx) => {
      expect(ctx.tenant).toMatchObject({ id: '00000000', name: 'local', status: 'active' });
      const { repos } = await ctx.engine().listRepos(ctx.tenant.id);
      expect(repos).toEqual([expect.objectContaining({ repo: 'demo', files: before.files.total, symbols: before.symbols })]);
      expect((await ctx.engine().searchSymbols(ctx.tenant.id, { query: 'getUserById' })).results[0]!.name).toBe('getUserById');
    });
  });
});
