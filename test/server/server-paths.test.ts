import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServerPaths } from '../../src/engine/server-paths.js';
import { PctxError } from '../../src/errors.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';
import { tarGz } from '../ingest/tar-builder.js';
import { toolCall, toolResult, useTestServers, type TestServer } from './harness.js';

const startServer = useTestServers();
const tempDir = useTempDir('pctx-server-paths-');

const APP = { 'src/app.ts': 'export function appMain(): number {\n  return 1;\n}\n' };

async function upload(server: TestServer, key: string, name: string): Promise<Response> {
  return server.call('POST', `/v1/repos/${name}/archive`, {
    key,
    body: tarGz(Object.entries(APP).map(([p, body]) => ({ path: p, body }))),
    headers: { 'content-type': 'application/gzip' },
  });
}

/** Every spelling of the data folder a leak could use. */
function leaks(server: TestServer, text: string): string[] {
  const spellings = new Set([server.dataDir, fs.realpathSync(server.dataDir), path.join(server.dataDir, 'tenants')]);
  return [...spellings].filter((s) => text.includes(s));
}

describe('server paths are never shown to a tenant (regression: list_repos and GET /v1/repos gave uploads as …/data/tenants/<id>/uploads/<name>)', () => {
  it('lists an uploaded repository as uploads/<name> with source "upload", over REST and MCP', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    expect((await upload(server, key, 'app')).status).toBe(200);

    const rest = await (await server.call('GET', '/v1/repos', { key })).text();
    expect(leaks(server, rest)).toEqual([]);
    expect(JSON.parse(rest).repos).toEqual([expect.objectContaining({ repo: 'app', root: 'uploads/app', source: 'upload', files: 1, symbols: 1 })]);

    const listed = await toolResult(await server.call('POST', '/mcp', { key, body: toolCall('list_repos', {}) }));
    expect(leaks(server, JSON.stringify(listed))).toEqual([]);
    expect(listed.structuredContent.repos).toEqual([expect.objectContaining({ repo: 'app', root: 'uploads/app', source: 'upload' })]);

    const status = await server.call('POST', '/mcp', { key, body: toolCall('get_index_status', {}) });
    const statusText = await status.text();
    expect(leaks(server, statusText)).toEqual([]);
    expect(JSON.parse(statusText).result.structuredContent.repos).toEqual([expect.objectContaining({ repo: 'app', root: 'uploads/app', source: 'upload', rootExists: true })]);
  });

  it('keeps the path of a repository indexed from an allowed root: the tenant named that folder itself', async () => {
    const root = fs.realpathSync(tempDir());
    writeTree(path.join(root, 'lib'), APP);
    const server = await startServer({ allowedRoots: [root] });
    const { key } = server.tenantWithKey('acme');
    const indexed = await toolResult(await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: path.join(root, 'lib') }) }));
    expect(indexed.structuredContent).toMatchObject({ repo: 'lib', root: path.join(root, 'lib') });
    const { repos } = (await (await server.call('GET', '/v1/repos', { key })).json()) as { repos: unknown[] };
    expect(repos).toEqual([expect.objectContaining({ repo: 'lib', root: path.join(root, 'lib'), source: 'folder' })]);
  });

  it('answers index_folder on its own upload folder with uploads/<name>, and an error about a server path without it', async () => {
    const server = await startServer();
    const { tenant, key } = server.tenantWithKey('acme');
    expect((await upload(server, key, 'app')).status).toBe(200);
    const uploads = server.engine.pool.paths(tenant.id).uploads;

    const again = await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: path.join(uploads, 'app'), name: 'app' }) });
    const againText = await again.text();
    expect(leaks(server, againText)).toEqual([]);
    expect(JSON.parse(againText).result.structuredContent).toMatchObject({ repo: 'app', root: 'uploads/app' });

    const missing = await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: path.join(uploads, 'gone') }) });
    const missingText = await missing.text();
    expect(leaks(server, missingText)).toEqual([]);
    const failed = JSON.parse(missingText).result;
    expect(failed.isError).toBe(true);
    expect(failed.structuredContent.error).toMatchObject({ code: 'PCTX_ERR_ROOT_NOT_FOUND', message: 'Folder uploads/gone does not exist', details: { path: 'uploads/gone' } });
  });
});

describe('ServerPaths', () => {
  const dataDir = '/srv/pctx/data';
  const hosted = new ServerPaths(dataDir, true);

  it('rewrites paths inside a tenant folder to tenant-relative ones and hides the rest of the data folder', () => {
    expect(hosted.text("ENOSPC: no space left on device, open '/srv/pctx/data/tenants/ab12cd34/uploads/.staging-1-x/a.ts'")).toBe(
      "ENOSPC: no space left on device, open 'uploads/.staging-1-x/a.ts'",
    );
    expect(hosted.text('Indexing /srv/pctx/data/tenants/ab12cd34/uploads/app failed')).toBe('Indexing uploads/app failed');
    expect(hosted.text('in /srv/pctx/data/tenants/ab12cd34 now')).toBe('in (tenant folder) now');
    expect(hosted.text('/srv/pctx/data/control.db is locked')).toBe('(data folder) is locked');
    expect(hosted.text('/srv/pctx/data/tenants/.staging-1-x/index.db')).toBe('(data folder)');
    expect(hosted.text('/srv/code/app is fine')).toBe('/srv/code/app is fine');
    expect(hosted.text('/srv/pctx/database/x and /srv/pctx/data')).toBe('/srv/pctx/database/x and (data folder)');
  });

  it('rewrites the message and every string detail of an error, keeping its code and status', () => {
    const error = hosted.error(new PctxError('INDEX_FAILED', { root: '/srv/pctx/data/tenants/ab12cd34/uploads/app', reason: 'x' })) as PctxError;
    expect(error).toBeInstanceOf(PctxError);
    expect(error.toJSON()).toEqual({ code: 'PCTX_ERR_INDEX_FAILED', message: 'Indexing uploads/app failed and was rolled back: x', details: { root: 'uploads/app', reason: 'x' } });
    expect(error.status).toBe(500);
    expect((hosted.error(new Error("EACCES: permission denied, open '/srv/pctx/data/tenants/ab12cd34/index.db'")) as PctxError).toJSON()).toMatchObject({
      code: 'PCTX_ERR_INTERNAL',
      message: "Internal error: EACCES: permission denied, open 'index.db'",
    });
  });

  it('leaves errors alone for local use, where the data folder is the user’s own', () => {
    const local = new ServerPaths(dataDir, false);
    const original = new PctxError('ROOT_NOT_FOUND', { path: '/srv/pctx/data/tenants/ab12cd34/uploads/x' });
    expect(local.error(original)).toBe(original);
  });
});
