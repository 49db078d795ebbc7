import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import type { AdminContext } from '../../src/admin/admin-context.js';
import { backupTenant } from '../../src/admin/backup-tenant.js';
import { restoreTenant } from '../../src/admin/restore-tenant.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { tarGz } from '../ingest/tar-builder.js';
import { toolCall, toolResult, useTestServers, type TestServer } from '../server/harness.js';

const startServer = useTestServers();
const tempDir = useTempDir('pctx-backup-uploads-');

const V1 = { 'src/app.ts': 'export function appMain(): number {\n  return 1;\n}\n', 'README.md': '# app\n' };
const V2 = { 'src/app.ts': 'export function appMain(): number {\n  return 2;\n}\n\nexport function appNext(): void {}\n' };

async function upload(server: TestServer, key: string, name: string, files: Record<string, string>): Promise<void> {
  const response = await server.call('POST', `/v1/repos/${name}/archive`, {
    key,
    body: tarGz(Object.entries(files).map(([p, body]) => ({ path: p, body }))),
    headers: { 'content-type': 'application/gzip' },
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

function adminOf(server: TestServer): AdminContext {
  return { control: server.control, pool: server.engine.pool, writeLock: (id, fn) => server.engine.withWriteLock(id, () => fn()) };
}

async function call(server: TestServer, key: string, tool: string, args: Record<string, unknown>) {
  return toolResult(await server.call('POST', '/mcp', { key, body: toolCall(tool, args) }));
}

/** What a restored uploaded repository must still do: show its source as unchanged, and re-index from its own files. */
async function expectUsableUpload(server: TestServer, tenantId: string, expectedSource: string): Promise<void> {
  const key = server.keyFor(tenantId);
  const repos = await call(server, key, 'list_repos', {});
  expect(repos.structuredContent.repos).toEqual([expect.objectContaining({ repo: 'app', root: 'uploads/app', source: 'upload', files: 1 })]);
  const hits = await call(server, key, 'search_symbols', { query: 'appMain' });
  const id = (hits.structuredContent.results as { id: string }[])[0]!.id;
  const source = await call(server, key, 'get_symbol_source', { id });
  expect(source.structuredContent).toMatchObject({ fileState: 'unchanged' });
  expect(source.structuredContent.source).toContain(expectedSource);
  const uploads = server.engine.pool.paths(tenantId).uploads;
  const again = await call(server, key, 'index_folder', { path: path.join(uploads, 'app'), name: 'app' });
  expect(again.isError).toBeFalsy();
  expect(again.structuredContent).toMatchObject({ repo: 'app', root: 'uploads/app', files: { total: 1, removed: 0 } });
  expect(fs.readFileSync(path.join(uploads, 'app', 'README.md'), 'utf8')).toBe(V1['README.md']);
}

describe('backups hold uploaded repositories (regression: a restored tenant had the index of its uploads but not their files)', () => {
  it('round-trips an uploaded repository into another data folder: its source reads and a re-index work after restore', async () => {
    const source = await startServer();
    const { tenant, key } = source.tenantWithKey('acme');
    await upload(source, key, 'app', V1);
    const archive = path.join(tempDir(), 'acme.tar.gz');
    const backup = await backupTenant(adminOf(source), tenant.id, archive);
    expect(backup.manifest).toMatchObject({ formatVersion: 2, uploads: { repos: ['app'], files: 2, bytes: Buffer.byteLength(V1['src/app.ts']) + Buffer.byteLength(V1['README.md']) } });
    expect(backup.manifest.files.map((f) => f.name)).toContain('uploads.tar.gz');

    const target = await startServer();
    const restored = await restoreTenant(adminOf(target), archive);
    expect(restored.tenant.id).toBe(tenant.id);
    await expectUsableUpload(target, tenant.id, 'return 1;');
  });

  it('gives a copy restored under another name its own files, never the original tenant’s', async () => {
    const server = await startServer();
    const { tenant, key } = server.tenantWithKey('acme');
    await upload(server, key, 'app', V1);
    const archive = path.join(tempDir(), 'acme.tar.gz');
    await backupTenant(adminOf(server), tenant.id, archive);
    const copy = await restoreTenant(adminOf(server), archive, { as: 'acme-copy' });
    expect(copy.tenant.id).not.toBe(tenant.id);

    // The original moves on; the copy keeps reading and re-indexing the files it was restored with.
    await upload(server, key, 'app', { ...V1, ...V2 });
    await expectUsableUpload(server, copy.tenant.id, 'return 1;');
    const names = await call(server, server.keyFor(copy.tenant.id), 'search_symbols', { query: 'appNext' });
    expect(names.structuredContent.results).toEqual([]);
  });

  it('refuses a backup whose uploads hold a link, before anything goes live', async () => {
    const server = await startServer();
    const { tenant, key } = server.tenantWithKey('acme');
    await upload(server, key, 'app', V1);
    const dir = tempDir();
    const archive = path.join(dir, 'acme.tar.gz');
    await backupTenant(adminOf(server), tenant.id, archive);

    // Re-pack the backup with a symbolic link in uploads.tar.gz and a manifest that matches it.
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    await tar.extract({ file: archive, cwd: work });
    const inner = path.join(dir, 'inner');
    fs.mkdirSync(inner);
    await tar.extract({ file: path.join(work, 'uploads.tar.gz'), cwd: inner });
    fs.symlinkSync('/etc/passwd', path.join(inner, 'app', 'passwd'));
    await tar.create({ gzip: true, file: path.join(work, 'uploads.tar.gz'), cwd: inner, portable: true }, ['app']);
    const manifest = JSON.parse(fs.readFileSync(path.join(work, 'manifest.json'), 'utf8'));
    const { sha256File } = await import('../../src/util/atomic-file.js');
    const entry = manifest.files.find((f: { name: string }) => f.name === 'uploads.tar.gz');
    entry.size = fs.statSync(path.join(work, 'uploads.tar.gz')).size;
    entry.sha256 = sha256File(path.join(work, 'uploads.tar.gz'));
    fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(manifest));
    const hostile = path.join(dir, 'hostile.tar.gz');
    await tar.create({ gzip: true, file: hostile, cwd: work }, fs.readdirSync(work));

    await expect(restoreTenant(adminOf(server), hostile, { as: 'evil' })).rejects.toMatchObject({ code: 'PCTX_ERR_BACKUP_INVALID' });
    expect(server.control.tenants.get('evil')).toBeNull();
  });
});
