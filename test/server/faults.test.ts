import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PctxError } from '../../src/errors.js';
import { tarGz } from '../ingest/tar-builder.js';
import { toolCall, toolResult, useTestServers, type TestServer } from './harness.js';

const startServer = useTestServers();

function repoOf(marker: string, extraBytes = 0): { path: string; body: string }[] {
  const files = [{ path: 'src/service.ts', body: `/** ${marker} lookup service for invoices. */\nexport function ${marker}Lookup(id: string): string {\n  return id;\n}\n` }];
  // Incompressible-looking text, so the archive stays small only if the file is small.
  for (let i = 0; extraBytes > 0; i++, extraBytes -= 200_000) {
    let text = '';
    for (let j = 0; j < 4000; j++) text += `export const ${marker}V${i}_${j} = "${(i * 7919 + j * 104729).toString(36)}";\n`;
    files.push({ path: `src/data${i}.ts`, body: text });
  }
  return files;
}

async function upload(server: TestServer, key: string, marker: string, extraBytes = 0): Promise<Response> {
  return server.call('POST', '/v1/repos/app/archive', { key, body: tarGz(repoOf(marker, extraBytes)), headers: { 'content-type': 'application/gzip' } });
}

async function search(server: TestServer, key: string, query: string, mode = 'keyword') {
  return toolResult(await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query, mode }) }));
}

function names(result: { structuredContent: Record<string, unknown> }): string[] {
  return ((result.structuredContent.results ?? []) as { name: string }[]).map((r) => r.name);
}

/** Two tenants with an upload each; tenant A's handle is closed so the next request opens its files afresh. */
async function twoTenants(server: TestServer) {
  const a = server.tenantWithKey('acme');
  const b = server.tenantWithKey('globex');
  expect((await upload(server, a.key, 'alpha')).status).toBe(200);
  expect((await upload(server, b.key, 'beta')).status).toBe(200);
  // Semantic search once, so the HNSW files exist and are loaded.
  expect(names(await search(server, a.key, 'alpha lookup invoices', 'semantic'))).toContain('alphaLookup');
  expect(names(await search(server, b.key, 'beta lookup invoices', 'semantic'))).toContain('betaLookup');
  const reopen = async () => {
    await server.engine.pool.block(a.tenant.id, new PctxError('TENANT_DELETING', { tenantId: a.tenant.id }));
    server.engine.pool.unblock(a.tenant.id);
  };
  return { a, b, paths: server.engine.pool.paths(a.tenant.id), reopen };
}

async function expectOtherTenantFine(server: TestServer, key: string): Promise<void> {
  expect(names(await search(server, key, 'betaLookup'))).toEqual(['betaLookup']);
  expect(names(await search(server, key, 'beta lookup invoices', 'hybrid'))).toContain('betaLookup');
  expect((await server.call('GET', '/v1/repos', { key })).status).toBe(200);
  expect((await server.call('GET', '/healthz')).status).toBe(200);
}

describe('a damaged tenant file over HTTP', { timeout: 180_000 }, () => {
  it.each([
    ['overwritten with garbage', (file: string) => fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size, 0x5a))],
    ['truncated to its first page', (file: string) => fs.truncateSync(file, 4096)],
    ['with its pages after the header scrambled', (file: string) => {
      const fd = fs.openSync(file, 'r+');
      const size = fs.fstatSync(fd).size;
      for (let at = 4096; at < size; at += 4096) fs.writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, at + 16);
      fs.closeSync(fd);
    }],
  ])('gives only that tenant a TENANT_CORRUPT error when its index.db is %s', async (_how, damage) => {
    const server = await startServer();
    const { a, b, paths, reopen } = await twoTenants(server);
    await reopen();
    for (const suffix of ['-wal', '-shm']) fs.rmSync(paths.db + suffix, { force: true });
    damage(paths.db);

    const result = await search(server, a.key, 'alphaLookup');
    expect(result.isError).toBe(true);
    expect((result.structuredContent.error as { code: string }).code).toBe('PCTX_ERR_TENANT_CORRUPT');
    const rest = await server.call('GET', '/v1/repos', { key: a.key });
    expect(rest.status).toBe(503);
    expect(((await rest.json()) as { error: { code: string } }).error.code).toBe('PCTX_ERR_TENANT_CORRUPT');
    await expectOtherTenantFine(server, b.key);
  });

  it.each([
    ['overwritten with garbage', (file: string) => fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size, 0x5a))],
    ['truncated', (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3))],
    ['removed', (file: string) => fs.rmSync(file)],
  ])('rebuilds the vectors of that tenant alone when its vectors.hnsw is %s', async (_how, damage) => {
    const server = await startServer();
    const { a, b, paths, reopen } = await twoTenants(server);
    await reopen();
    const before = fs.existsSync(paths.vectors) ? fs.readFileSync(paths.vectors) : null;
    expect(before).not.toBeNull();
    damage(paths.vectors);

    const result = await search(server, a.key, 'alpha lookup invoices', 'semantic');
    expect(result.isError).toBeFalsy();
    expect(names(result)).toContain('alphaLookup');
    expect(fs.readFileSync(paths.vectors).equals(before!)).toBe(true);
    await expectOtherTenantFine(server, b.key);
  });
});

/** A 4 MiB tmpfs of the test's own, when this process may mount one (root on Linux). */
function mountSmallFs(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fire-small-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    fs.rmdirSync(dir);
    return null;
  }
}

const small = mountSmallFs();
afterAll(() => {
  if (!small) return;
  execFileSync('umount', [small], { stdio: 'ignore' });
  fs.rmdirSync(small);
});

describe.skipIf(small === null)('a full disk (a 4 MiB tmpfs; skipped unless this process may mount one)', { timeout: 180_000 }, () => {
  it('answers an upload that fills the disk with DISK_FULL (507) and keeps the previous upload searchable (it was a 500 INTERNAL, and the connection was reset before the client could read it)', async () => {
    const dataDir = fs.mkdtempSync(path.join(small!, 'data-'));
    const server = await startServer({ dataDir, maxArchiveBytes: 8 * 1024 * 1024 });
    const a = server.tenantWithKey('acme');
    const b = server.tenantWithKey('globex');
    expect((await upload(server, a.key, 'alpha')).status).toBe(200);
    expect((await upload(server, b.key, 'beta')).status).toBe(200);

    const full = await upload(server, a.key, 'alphanew', 6_000_000);
    const body = (await full.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('PCTX_ERR_DISK_FULL');
    expect(full.status).toBe(507);

    expect(names(await search(server, a.key, 'alphaLookup'))).toEqual(['alphaLookup']);
    expect(names(await search(server, a.key, 'alphanewLookup'))).toEqual([]);
    await expectOtherTenantFine(server, b.key);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a backup that fills the disk with DISK_FULL (507), leaves no partial archive, and the tenant intact (it was a 500 INTERNAL)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fire-backup-data-'));
    const server = await startServer({ dataDir, maxArchiveBytes: 8 * 1024 * 1024 });
    const a = server.tenantWithKey('acme');
    const admin = server.tenantWithKey('ops', ['admin']);
    expect((await upload(server, a.key, 'alpha', 3_000_000)).status).toBe(200);
    // Backups are written to a temp file first: put the temp folder on the small disk, already nearly full.
    const filler = path.join(small!, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(3 * 1024 * 1024 + 512 * 1024));
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = small!;
    try {
      const response = await server.call('POST', `/admin/tenants/${a.tenant.id}/backup`, { key: admin.key });
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe('PCTX_ERR_DISK_FULL');
      expect(response.status).toBe(507);
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
      fs.rmSync(filler, { force: true });
    }
    expect(fs.readdirSync(small!).filter((f) => f.startsWith(`pctx-backup-${process.pid}-`))).toEqual([]);
    expect(names(await search(server, a.key, 'alphaLookup'))).toEqual(['alphaLookup']);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
