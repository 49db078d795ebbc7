import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tarGz } from '../ingest/tar-builder.js';
import { toolCall, toolResult, useTestServers, type TestServer } from './harness.js';

const startServer = useTestServers();

const V1 = [{ path: 'src/one.ts', body: 'export function alphaRestoreMark(): number {\n  return 1;\n}\n' }];
const V2 = [{ path: 'src/two.ts', body: 'export function betaRestoreMark(): number {\n  return 2;\n}\n' }];

async function upload(server: TestServer, key: string, files: { path: string; body: string }[]): Promise<void> {
  const response = await server.call('POST', '/v1/repos/app/archive', { key, body: tarGz(files), headers: { 'content-type': 'application/gzip' } });
  expect(response.status).toBe(200);
}

/** The names a keyword search of `query` finds for `key`'s tenant. */
async function found(server: TestServer, key: string, query: string): Promise<string[]> {
  const result = await toolResult(await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query }), headers: { accept: 'application/json, text/event-stream' } }));
  expect(result.isError).toBeFalsy();
  return (result.structuredContent.results as { name: string }[]).map((r) => r.name);
}

async function backup(server: TestServer, admin: string, tenantId: string): Promise<Buffer> {
  const response = await server.call('POST', `/admin/tenants/${tenantId}/backup`, { key: admin });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

function restore(server: TestServer, key: string, tenantId: string, body: Buffer | string, contentType = 'application/gzip'): Promise<Response> {
  return server.call('POST', `/admin/tenants/${tenantId}/restore`, { key, body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': contentType } });
}

async function errorOf(response: Response): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  return ((await response.json()) as { error: { code: string; message: string; details: Record<string, unknown> } }).error;
}

/** Work folders this process left in the temp dir (the route stages the archive in one). */
function workFolders(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`pctx-backup-${process.pid}-`));
}

describe('POST /admin/tenants/:id/restore', () => {
  it('restores a backup taken over HTTP: the tenant is back to the backed-up state, keeps its key, and a second tenant can take a copy', async () => {
    const server = await startServer();
    const admin = server.tenantWithKey('ops', ['admin']).key;
    const { tenant, key } = server.tenantWithKey('acme');
    await upload(server, key, V1);
    const archive = await backup(server, admin, tenant.id);
    await upload(server, key, V2);
    expect(await found(server, key, 'betaRestoreMark')).toEqual(['betaRestoreMark']);

    const response = await restore(server, admin, tenant.id, archive);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      tenant: expect.objectContaining({ id: tenant.id, name: 'acme', status: 'active' }),
      replaced: true,
      fromSchemaVersion: expect.any(Number),
      durationMs: expect.any(Number),
    });
    expect(await found(server, key, 'alphaRestoreMark')).toEqual(['alphaRestoreMark']);
    expect(await found(server, key, 'betaRestoreMark')).toEqual([]);
    // The uploaded files came back with the index that describes them.
    expect(fs.readdirSync(path.join(server.dataDir, 'tenants', tenant.id, 'uploads', 'app', 'src'))).toEqual(['one.ts']);

    // Into another tenant: acme's data under copy's id, name and key; acme untouched.
    const copy = server.tenantWithKey('copy');
    const copied = await restore(server, admin, 'copy', archive);
    expect(copied.status).toBe(200);
    expect(((await copied.json()) as { tenant: { id: string; name: string } }).tenant).toMatchObject({ id: copy.tenant.id, name: 'copy' });
    expect(await found(server, copy.key, 'alphaRestoreMark')).toEqual(['alphaRestoreMark']);
    expect(await found(server, key, 'alphaRestoreMark')).toEqual(['alphaRestoreMark']);
    expect(workFolders()).toEqual([]);
  });

  it('refuses hostile or corrupt archives with a 4xx and a stable code, naming the request body, never a server path; the tenant stays as it was', async () => {
    const server = await startServer({ maxRestoreBytes: 256 * 1024 });
    const admin = server.tenantWithKey('ops', ['admin']).key;
    const { tenant, key } = server.tenantWithKey('acme');
    await upload(server, key, V1);
    const archive = await backup(server, admin, tenant.id);
    const tar = zlib.gunzipSync(archive);
    // index.db's bytes changed, its size kept: only the checksum can tell.
    const tampered = Buffer.from(tar);
    const at = tampered.indexOf(Buffer.from('SQLite format 3'));
    tampered[at + 600] = (tampered[at + 600]! + 1) % 256;

    const cases: [string, Buffer | string, string, number, string][] = [
      ['random bytes', crypto.randomBytes(4096), 'application/gzip', 400, 'PCTX_ERR_BACKUP_INVALID'],
      ['gzip of random bytes', zlib.gzipSync(crypto.randomBytes(4096)), 'application/gzip', 400, 'PCTX_ERR_BACKUP_INVALID'],
      ['a truncated backup', archive.subarray(0, Math.floor(archive.length / 2)), 'application/gzip', 400, 'PCTX_ERR_BACKUP_INVALID'],
      ['a member climbing out', tarGz([{ path: '../../escape.txt', body: 'x' }]), 'application/octet-stream', 400, 'PCTX_ERR_BACKUP_INVALID'],
      ['a link', tarGz([{ path: 'index.db', type: 'SymbolicLink', linkpath: '/etc/passwd' }]), 'application/gzip', 400, 'PCTX_ERR_BACKUP_INVALID'],
      ['a member changed after the backup', zlib.gzipSync(tampered), 'application/gzip', 400, 'PCTX_ERR_BACKUP_INVALID'],
      ['an empty body', Buffer.alloc(0), 'application/gzip', 400, 'PCTX_ERR_BACKUP_INVALID'],
      ['JSON', '{"archive":"x"}', 'application/json', 415, 'PCTX_ERR_UNSUPPORTED_MEDIA_TYPE'],
      ['a body over hosting.maxRestoreSize', crypto.randomBytes(300 * 1024), 'application/gzip', 413, 'PCTX_ERR_PAYLOAD_TOO_LARGE'],
    ];
    for (const [what, body, type, status, code] of cases) {
      const response = await restore(server, admin, tenant.id, body, type);
      const error = await errorOf(response);
      expect({ what, status: response.status, code: error.code }).toEqual({ what, status, code });
      expect(JSON.stringify(error)).not.toContain(os.tmpdir());
      expect(JSON.stringify(error)).not.toContain(server.dataDir);
      if (code === 'PCTX_ERR_BACKUP_INVALID') expect(error.message).toMatch(/^Backup the request body is not usable: /);
    }
    // A chunked body (no Content-Length) over the cap is counted as it arrives.
    const chunks = crypto.randomBytes(300 * 1024);
    const chunked = await fetch(`${server.url}/admin/tenants/${tenant.id}/restore`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/gzip' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < chunks.length; i += 16 * 1024) controller.enqueue(chunks.subarray(i, i + 16 * 1024));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await errorOf(chunked)).code).toBe('PCTX_ERR_PAYLOAD_TOO_LARGE');

    expect(await found(server, key, 'alphaRestoreMark')).toEqual(['alphaRestoreMark']);
    expect(workFolders()).toEqual([]);
    expect(fs.readdirSync(path.join(server.dataDir, 'tenants')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('is for admins only: a read/write key gets 403 and the tenant is not touched; an unknown tenant is 404', async () => {
    const server = await startServer();
    const admin = server.tenantWithKey('ops', ['admin']).key;
    const { tenant, key } = server.tenantWithKey('acme');
    await upload(server, key, V1);
    const archive = await backup(server, admin, tenant.id);
    await upload(server, key, V2);

    const forbidden = await restore(server, key, tenant.id, archive);
    expect(forbidden.status).toBe(403);
    expect((await errorOf(forbidden)).code).toBe('PCTX_ERR_FORBIDDEN');
    expect(await found(server, key, 'betaRestoreMark')).toEqual(['betaRestoreMark']);

    const missing = await restore(server, admin, 'nobody', archive);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('PCTX_ERR_TENANT_NOT_FOUND');
  });
});
