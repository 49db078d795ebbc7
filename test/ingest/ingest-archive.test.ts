import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { deleteTenant, settleTenantRemovals } from '../../src/admin/delete-tenant.js';
import { openControlDb } from '../../src/control/index.js';
import type { Engine } from '../../src/engine/engine.js';
import { isPctxError, type PctxError } from '../../src/errors.js';
import { ingestArchive, type IngestArchiveOptions } from '../../src/ingest/index.js';
import { tenantDiskUsage, uploadsDiskUsage } from '../../src/tenant/quota.js';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';
import { bodyOf, tarGz, type RawMember } from './tar-builder.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const TENANT = '0a0b0c0d';

function demoMembers(files: Record<string, string> = DEMO_REPO): RawMember[] {
  return Object.entries(files).map(([p, body]) => ({ path: `./${p}`, body }));
}

function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

/** Every path under `dir` with a hash of each file's content: equal snapshots mean nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of listTree(dir)) {
    const full = path.join(dir, rel);
    out[rel] = fs.statSync(full).isDirectory() ? 'dir' : crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
  return out;
}

async function refusal(options: IngestArchiveOptions): Promise<PctxError> {
  try {
    await ingestArchive(options);
  } catch (err) {
    if (isPctxError(err)) return err;
    throw err;
  }
  throw new Error('the upload was accepted');
}

async function names(engine: Engine, tenantId: string, query: string): Promise<string[]> {
  return (await engine.searchSymbols(tenantId, { query })).results.map((h) => h.name);
}

/** ~1 KiB of upload that claims `claimedMiB` MiB of content (gzip members concatenate). */
function bomb(claimedMiB: number): Readable {
  const MiB = 1024 * 1024;
  const zeros = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
  const header = new Header({ path: 'bomb.bin', type: 'File', size: claimedMiB * MiB, mode: 0o644, mtime: new Date(0) });
  header.encode();
  return Readable.from(
    (function* () {
      yield zlib.gzipSync(header.block!);
      for (let i = 0; i < claimedMiB; i++) yield zeros;
    })(),
  );
}

// Several index runs per test: generous on a machine loaded by other jobs, never a race.
describe('ingestArchive', { timeout: 120_000 }, () => {
  it('extracts a good archive into the tenant uploads folder and indexes it end to end with real SQLite and HNSW files', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    const phases = new Set<string>();
    const result = await ingestArchive({
      engine,
      tenantId: TENANT,
      repoName: 'demo',
      body: bodyOf(tarGz(demoMembers())),
      onProgress: (p) => phases.add(p.phase),
    });

    expect(result).toMatchObject({
      repo: 'demo',
      root: 'uploads/demo',
      files: { total: 8, indexed: 8, removed: 0, skipped: 0 },
      vectors: { mode: 'rebuilt' },
      archive: { files: Object.keys(DEMO_REPO).length, folders: 0, bytes: expect.any(Number), compressedBytes: expect.any(Number) },
    });
    expect(phases).toContain('extracting');
    expect(phases).toContain('parsing');

    const paths = tenantPaths(dataDir, TENANT);
    expect(fs.readFileSync(path.join(paths.uploads, 'demo', 'main.go'), 'utf8')).toBe(DEMO_REPO['main.go']);
    expect(listTree(paths.uploads).filter((p) => p.startsWith('.'))).toEqual([]);
    expect(fs.statSync(paths.vectors).size).toBeGreaterThan(0);

    const search = await engine.searchSymbols(TENANT, { query: 'getUserById' });
    expect(search.results[0]).toMatchObject({ name: 'getUserById', repo: 'demo', filePath: 'ts/src/services/user-service.ts' });
    const semantic = await engine.searchSymbols(TENANT, { query: 'parse configuration file', mode: 'semantic' });
    expect(semantic.results.length).toBeGreaterThan(0);
  });

  it('refuses every hostile archive with its error and leaves the previous upload, its index and the tenant folder exactly as they were', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    await ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
    const paths = tenantPaths(dataDir, TENANT);
    const before = snapshot(paths.uploads);
    const reposBefore = await engine.listRepos(TENANT);

    const hostile: Array<[string, () => Readable, string, Partial<IngestArchiveOptions>?]> = [
      ['path traversal', () => bodyOf(tarGz([{ path: 'ts/new.ts', body: 'export const fresh = 1;\n' }, { path: '../escaped.ts', body: 'x' }])), 'PCTX_ERR_ARCHIVE_INVALID'],
      ['deeper traversal', () => bodyOf(tarGz([{ path: '../../../../index.db', body: 'x' }])), 'PCTX_ERR_ARCHIVE_INVALID'],
      ['absolute path', () => bodyOf(tarGz([{ path: `${paths.dir}/owned.ts`, body: 'x' }])), 'PCTX_ERR_ARCHIVE_INVALID'],
      ['symlink out', () => bodyOf(tarGz([{ path: 'link', type: 'SymbolicLink', linkpath: paths.dir }, { path: 'link/index.db', body: 'x' }])), 'PCTX_ERR_ARCHIVE_INVALID'],
      ['hardlink out', () => bodyOf(tarGz([{ path: 'db', type: 'Link', linkpath: '../../index.db' }])), 'PCTX_ERR_ARCHIVE_INVALID'],
      ['decompression bomb', () => bomb(4096), 'PCTX_ERR_ARCHIVE_TOO_LARGE', { limits: { maxExpandedBytes: 4 * 1024 * 1024 } }],
      ['too many files', () => bodyOf(tarGz(Array.from({ length: 30 }, (_, i) => ({ path: `f${i}.ts`, body: `export const v${i} = ${i};\n` })))), 'PCTX_ERR_ARCHIVE_TOO_LARGE', { limits: { maxFiles: 20 } }],
    ];
    for (const [label, body, code, extra] of hostile) {
      const err = await refusal({ engine, tenantId: TENANT, repoName: 'demo', body: body(), ...extra });
      expect(err.code, label).toBe(code);
      expect(typeof err.details.member, label).toBe('string');
      expect(snapshot(paths.uploads), label).toEqual(before);
    }
    expect(listTree(paths.dir).filter((p) => !p.startsWith('uploads') && !/^(index\.db|vectors\.hnsw)/.test(p))).toEqual([]);
    expect(await engine.listRepos(TENANT)).toEqual(reposBefore);
    expect(await names(engine, TENANT, 'getUserById')).toContain('getUserById');
    expect(await names(engine, TENANT, 'fresh')).toEqual([]);
  });

  it('replaces the previous upload on a re-upload: files missing from the new archive leave the folder and the index', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    await ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
    const withoutPython = Object.fromEntries(Object.entries(DEMO_REPO).filter(([p]) => !p.startsWith('py/')));
    const second = await ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers(withoutPython))), vectors: 'skip' });
    expect(second.files).toMatchObject({ total: 5, removed: 3 });
    const paths = tenantPaths(dataDir, TENANT);
    expect(listTree(paths.uploads).filter((p) => p.startsWith('py') || p.startsWith('demo/py') || p.startsWith('.'))).toEqual([]);
    expect(await names(engine, TENANT, 'parse_config')).toEqual([]);
    expect(await names(engine, TENANT, 'getUserById')).toContain('getUserById');
  });

  it('puts the previous upload back when the index run fails after the new files went live', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    await ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
    const paths = tenantPaths(dataDir, TENANT);
    const before = snapshot(paths.uploads);
    const controller = new AbortController();
    const err = await refusal({
      engine,
      tenantId: TENANT,
      repoName: 'demo',
      body: bodyOf(tarGz(demoMembers({ ...DEMO_REPO, 'ts/src/extra.ts': 'export function extraThing() {}\n' }))),
      signal: controller.signal,
      // Abort once indexing has started: the archive is extracted and live by then.
      onProgress: (p) => {
        if (p.phase === 'parsing') controller.abort();
      },
    });
    expect(err.code).toBe('PCTX_ERR_INDEX_FAILED');
    expect(snapshot(paths.uploads)).toEqual(before);
    expect(await names(engine, TENANT, 'extraThing')).toEqual([]);

    // A name taken by a repository indexed from a server folder: refused, and no upload folder is left.
    const local = path.join(tempDir(), 'local');
    writeTree(local, { 'a.ts': 'export const a = 1;\n' });
    await engine.indexFolder(TENANT, { path: local, name: 'taken' });
    const taken = await refusal({ engine, tenantId: TENANT, repoName: 'taken', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
    expect(taken).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'name' } });
    expect(snapshot(paths.uploads)).toEqual(before);
  });

  it('counts uploads toward the quota and refuses one that would exceed it while it is being extracted', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    await ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
    const paths = tenantPaths(dataDir, TENANT);
    const uploads = uploadsDiskUsage(paths);
    const demoBytes = Object.values(DEMO_REPO).reduce((n, text) => n + Buffer.byteLength(text), 0);
    expect(uploads).toBe(demoBytes);
    expect(tenantDiskUsage(paths)).toBeGreaterThanOrEqual(uploads + fs.statSync(paths.db).size);

    const used = tenantDiskUsage(paths);
    const before = snapshot(paths.uploads);
    const big = { 'big.ts': `export const big = ${JSON.stringify('z'.repeat(64 * 1024))};\n` };
    const err = await refusal({ engine, tenantId: TENANT, repoName: 'second', body: bodyOf(tarGz(demoMembers(big))), quotaBytes: used + 1024 });
    expect(err).toMatchObject({ code: 'PCTX_ERR_QUOTA_EXCEEDED', status: 507, details: { used, limit: used + 1024, member: './big.ts' } });
    expect(snapshot(paths.uploads)).toEqual(before);

    // Re-uploading the same repository within the quota works: the copy being replaced does not count twice.
    const again = await ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), quotaBytes: used + 1024, vectors: 'skip' });
    expect(again.files.total).toBe(8);
  });

  it('removes the upload folder when the repository is deleted, and every upload when the tenant is deleted', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    const control = openControlDb(path.join(dataDir, 'control.db'));
    try {
      const tenant = control.tenants.create({ name: 'uploader' });
      await ingestArchive({ engine, tenantId: tenant.id, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
      await ingestArchive({ engine, tenantId: tenant.id, repoName: 'other', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
      const paths = tenantPaths(dataDir, tenant.id);
      expect(fs.readdirSync(paths.uploads).sort()).toEqual(['demo', 'other']);

      await engine.deleteRepo(tenant.id, { repo: 'demo' });
      expect(fs.readdirSync(paths.uploads)).toEqual(['other']);
      expect((await engine.listRepos(tenant.id)).repos.map((r) => r.repo)).toEqual(['other']);

      await deleteTenant({ control, pool: engine.pool }, tenant.id);
      await settleTenantRemovals();
      expect(fs.existsSync(paths.dir)).toBe(false);
      expect(fs.readdirSync(path.join(dataDir, 'tenants'))).toEqual([]);
    } finally {
      control.close();
    }
  });

  it('indexes uploads on an engine that may read no server folder, and refuses the uploads of another tenant', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir, { allowedRoots: [] });
    const result = await ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), vectors: 'skip' });
    expect(result.files.total).toBe(8);
    // Re-indexing the tenant's own upload by path is allowed too.
    const own = tenantPaths(dataDir, TENANT).uploads;
    await expect(engine.indexFolder(TENANT, { path: path.join(own, 'demo'), name: 'demo' })).resolves.toMatchObject({ repo: 'demo' });
    await expect(engine.indexFolder('0e0e0e0e', { path: path.join(own, 'demo') })).rejects.toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED', status: 403 });
  });

  it('refuses a bad repository name, bad limits and a bad quota before reading the body', async () => {
    const engine = newEngine(tempDir());
    const body = bodyOf(tarGz(demoMembers()));
    await expect(ingestArchive({ engine, tenantId: TENANT, repoName: '../demo', body })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'name' } });
    await expect(ingestArchive({ engine, tenantId: TENANT, repoName: '.hidden', body })).rejects.toMatchObject({ details: { option: 'name' } });
    await expect(ingestArchive({ engine, tenantId: 'ABCDEF12', repoName: 'demo', body })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
    await expect(ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body, limits: { maxFiles: -1 } })).rejects.toMatchObject({ details: { option: 'limits.maxFiles' } });
    await expect(ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body, quotaBytes: 1.5 })).rejects.toMatchObject({ details: { option: 'quotaBytes' } });
    expect(body.readableFlowing).toBe(null);
  });

  it('turns a cancelled upload into ARCHIVE_INVALID and leaves no staging folder, whether it was cancelled before or during extraction', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    const before = new AbortController();
    before.abort();
    await expect(ingestArchive({ engine, tenantId: TENANT, repoName: 'demo', body: bodyOf(tarGz(demoMembers())), signal: before.signal })).rejects.toMatchObject({
      code: 'PCTX_ERR_ARCHIVE_INVALID',
    });

    // Cancelled once the first part of the archive was consumed: the second read is the signal.
    const during = new AbortController();
    const gz = tarGz([{ path: 'big.ts', body: `export const s = ${JSON.stringify('q'.repeat(200_000))};\n` }]);
    let reads = 0;
    const body = new Readable({
      read() {
        if (reads++ === 0) this.push(gz.subarray(0, 256));
        else during.abort();
      },
    });
    const err = await refusal({ engine, tenantId: TENANT, repoName: 'demo', body, signal: during.signal });
    expect(err.code).toBe('PCTX_ERR_ARCHIVE_INVALID');
    expect(err.message).toMatch(/cancelled/);
    expect(listTree(tenantPaths(dataDir, TENANT).uploads)).toEqual([]);
  });

  it('makes a tenant delete wait for an upload in flight, which then fails with TENANT_DELETING and leaves no folder behind', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    const control = openControlDb(path.join(dataDir, 'control.db'));
    try {
      const tenant = control.tenants.create({ name: 'leaving' });
      const gz = tarGz(demoMembers());
      let reads = 0;
      let secondRead!: () => void;
      const extracting = new Promise<void>((resolve) => (secondRead = resolve));
      const body = new Readable({
        read() {
          if (reads++ === 0) this.push(gz.subarray(0, 64));
          else secondRead();
        },
      });
      const upload = ingestArchive({ engine, tenantId: tenant.id, repoName: 'demo', body, vectors: 'skip' });
      await extracting;
      const deleting = deleteTenant({ control, pool: engine.pool }, tenant.id);
      body.push(gz.subarray(64));
      body.push(null);
      await expect(upload).rejects.toMatchObject({ code: 'PCTX_ERR_TENANT_DELETING' });
      await deleting;
      await settleTenantRemovals();
      expect(fs.readdirSync(path.join(dataDir, 'tenants'))).toEqual([]);
    } finally {
      control.close();
    }
  });
});
