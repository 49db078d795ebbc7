import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { settleTenantRemovals } from '../../src/admin/delete-tenant.js';
import { tarGz } from '../ingest/tar-builder.js';
import { toolCall, toolResult, useTestServers, type TestServer } from './harness.js';

const startServer = useTestServers();

function adminKey(server: TestServer): string {
  return server.tenantWithKey('ops', ['admin']).key;
}

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

describe('admin REST API', () => {
  it('creates a tenant and a key that indexes, then counts its requests in the tenant stats', async () => {
    const server = await startServer();
    const admin = adminKey(server);
    const created = await server.call('POST', '/admin/tenants', { key: admin, body: { name: 'acme', quotaBytes: 50 * 1024 * 1024 } });
    expect(created.status).toBe(201);
    const tenant = await json<{ id: string; name: string; quotaBytes: number; status: string }>(created);
    expect(tenant).toMatchObject({ name: 'acme', quotaBytes: 50 * 1024 * 1024, status: 'active' });
    expect(tenant.id).toMatch(/^[0-9a-f]{8}$/);

    const keyResponse = await server.call('POST', `/admin/tenants/${tenant.id}/keys`, { key: admin, body: { permissions: ['read', 'write'], label: 'ci', tier: 'pro' } });
    expect(keyResponse.status).toBe(201);
    const created_key = await json<{ key: string; prefix: string; permissions: string[]; tier: string; label: string }>(keyResponse);
    expect(created_key).toMatchObject({ permissions: ['read', 'write'], tier: 'pro', label: 'ci' });
    expect(created_key.key.startsWith(created_key.prefix)).toBe(true);
    expect(JSON.stringify(created_key)).not.toMatch(/[0-9a-f]{64}/);

    const { key } = created_key;
    const upload = await server.call('POST', '/v1/repos/app/archive', {
      key,
      body: tarGz([{ path: 'lib/math.ts', body: 'export function addNumbers(a: number, b: number) { return a + b; }\n' }]),
      headers: { 'content-type': 'application/gzip' },
    });
    expect(upload.status).toBe(200);
    expect(await json(upload)).toMatchObject({ repo: 'app', files: { indexed: 1 } });
    const search = await toolResult(await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query: 'addNumbers' }) }));
    expect((search.structuredContent.results as unknown[]).length).toBe(1);
    await server.call('POST', '/mcp', { key, body: toolCall('get_symbol_source', { id: 'missing' }) });

    const stats = await json<Record<string, unknown>>(await server.call('GET', `/admin/tenants/${tenant.id}/stats`, { key: admin }));
    expect(stats).toMatchObject({
      tenantId: tenant.id,
      repos: 1,
      files: 1,
      symbols: 1,
      quotaBytes: 50 * 1024 * 1024,
      requests: { requests: 3, errors: 1, rateLimited: 0, byTool: { upload_archive: 1, search_symbols: 1, get_symbol_source: 1 } },
    });
    expect(stats.storageBytes).toBeGreaterThan(0);

    const keys = await json<{ keys: { prefix: string; lastUsedAt: string | null }[] }>(await server.call('GET', `/admin/tenants/${tenant.id}/keys`, { key: admin }));
    expect(keys.keys.map((k) => k.prefix)).toEqual([created_key.prefix]);
    expect(keys.keys[0]!.lastUsedAt).not.toBeNull();

    const all = await json<Record<string, unknown>>(await server.call('GET', '/admin/stats', { key: admin }));
    expect(all).toMatchObject({ tenants: 2, repos: 1, symbols: 1, rate_limit_hits_24h: 0 });
    expect(all.requests_24h).toBeGreaterThanOrEqual(7);
    expect(all.uptimeSeconds).toBe(0);

    const patched = await server.call('PATCH', `/admin/tenants/${tenant.id}`, { key: admin, body: { quotaBytes: null } });
    expect(await json(patched)).toMatchObject({ quotaBytes: null });
    const listed = await json<{ tenants: { name: string }[] }>(await server.call('GET', '/admin/tenants', { key: admin }));
    expect(listed.tenants.map((t) => t.name).sort()).toEqual(['acme', 'ops']);

    expect((await server.call('DELETE', `/admin/keys/${created_key.prefix}`, { key: admin })).status).toBe(200);
    expect((await server.call('GET', '/v1/repos', { key })).status).toBe(401);
  });

  it('deletes a tenant: its files and keys are gone and its key stops working', async () => {
    const server = await startServer();
    const admin = adminKey(server);
    const { tenant, key } = server.tenantWithKey('acme');
    await server.call('POST', '/v1/repos/app/archive', { key, body: tarGz([{ path: 'a.ts', body: 'export const a = 1;\n' }]), headers: { 'content-type': 'application/gzip' } });
    const folder = server.engine.pool.paths(tenant.id).dir;
    expect(fs.existsSync(folder)).toBe(true);

    const deleted = await server.call('DELETE', `/admin/tenants/${tenant.id}`, { key: admin });
    expect(deleted.status).toBe(200);
    expect(await json(deleted)).toMatchObject({ tenantId: tenant.id, name: 'acme' });
    await settleTenantRemovals();
    expect(fs.existsSync(folder)).toBe(false);
    expect(fs.readdirSync(path.dirname(folder)).filter((n) => n.includes(tenant.id))).toEqual([]);
    expect(server.control.apiKeys.listByTenant(tenant.id)).toEqual([]);
    expect(server.control.tenants.get(tenant.id)).toBeNull();

    const after = await server.call('GET', '/v1/repos', { key });
    expect(after.status).toBe(401);
    expect((await server.call('GET', `/admin/tenants/${tenant.id}`, { key: admin })).status).toBe(404);
  });

  it('streams a backup archive of a tenant', async () => {
    const server = await startServer();
    const admin = adminKey(server);
    const { tenant, key } = server.tenantWithKey('acme');
    await server.call('POST', '/v1/repos/app/archive', { key, body: tarGz([{ path: 'a.ts', body: 'export const a = 1;\n' }]), headers: { 'content-type': 'application/gzip' } });
    const response = await server.call('POST', `/admin/tenants/${tenant.id}/backup`, { key: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="acme-.*\.tar\.gz"$/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const tar = zlib.gunzipSync(bytes);
    expect(tar.includes(Buffer.from('manifest.json'))).toBe(true);
    expect(tar.includes(Buffer.from('index.db'))).toBe(true);
    expect(fs.readdirSync(os.tmpdir()).filter((n: string) => n.startsWith(`pctx-backup-${process.pid}-`))).toEqual([]);
  });

  it('validates bodies and parameters against the route schemas with INVALID_ARGUMENT', async () => {
    const server = await startServer();
    const admin = adminKey(server);
    const badName = await server.call('POST', '/admin/tenants', { key: admin, body: { name: 'bad name!' } });
    expect(badName.status).toBe(400);
    expect((await json<{ error: { code: string; details: { option: string } } }>(badName)).error).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'body.name' } });
    const extra = await server.call('POST', '/admin/tenants', { key: admin, body: { name: 'ok', owner: 'x' } });
    expect(extra.status).toBe(400);
    expect((await json<{ error: { details: { option: string } } }>(extra)).error.details.option).toBe('body.owner');
    const badPerm = await server.call('POST', '/admin/tenants/ops/keys', { key: admin, body: { permissions: ['root'] } });
    expect(badPerm.status).toBe(400);
    const badTier = await server.call('POST', '/admin/tenants/ops/keys', { key: admin, body: { permissions: ['read'], tier: 'gold' } });
    expect((await json<{ error: { details: { option: string } } }>(badTier)).error.details.option).toBe('tier');
    const badJson = await server.call('POST', '/admin/tenants', { key: admin, body: '{"name":' });
    expect(badJson.status).toBe(400);
    const notFound = await server.call('GET', '/admin/nothing', { key: admin });
    expect(notFound.status).toBe(404);
    expect((await json<{ error: { code: string } }>(notFound)).error.code).toBe('PCTX_ERR_ROUTE_NOT_FOUND');
  });

  it('serves an OpenAPI document listing every route with its permission', async () => {
    const server = await startServer();
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, { 'x-permission'?: string; requestBody?: unknown }>> }>(await server.call('GET', '/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/admin/keys/{prefix}',
        '/admin/stats',
        '/admin/tenants',
        '/admin/tenants/{id}',
        '/admin/tenants/{id}/backup',
        '/admin/tenants/{id}/keys',
        '/admin/tenants/{id}/restore',
        '/admin/tenants/{id}/stats',
        '/healthz',
        '/mcp',
        '/metrics',
        '/openapi.json',
        '/readyz',
        '/v1/repos',
        '/v1/repos/{name}',
        '/v1/repos/{name}/archive',
      ].sort(),
    );
    expect(doc.paths['/admin/tenants']!.post!['x-permission']).toBe('admin');
    expect(doc.paths['/admin/tenants']!.post!.requestBody).toBeDefined();
    expect(doc.paths['/v1/repos/{name}/archive']!.post!['x-permission']).toBe('write');
    expect(doc.paths['/admin/tenants/{id}/restore']!.post!['x-permission']).toBe('admin');
    expect(doc.paths['/admin/tenants/{id}/restore']!.post!.requestBody).toMatchObject({ required: true, content: { 'application/gzip': { schema: { type: 'string', contentMediaType: 'application/gzip' } } } });
  });

  it('answers health and readiness without a key, and metrics to an admin in Prometheus text', async () => {
    const server = await startServer();
    const admin = adminKey(server);
    expect(await json(await server.call('GET', '/healthz'))).toEqual({ status: 'ok' });
    const ready = await server.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ready', checks: { controlPlane: 'ok' } });
    await server.call('GET', '/v1/repos', { key: 'cl_live_bad' });
    const metrics = await server.call('GET', '/metrics', { key: admin });
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/pctx_http_requests_total\{route="\/v1\/repos",method="GET",status="401"\} 1/);
    expect(text).toContain('pctx_http_request_duration_seconds_bucket');
    expect(text).toContain('pctx_pool_open_handles');
    expect(text).toContain('pctx_rate_limit_hits_total');
  });

  it('reports on /metrics how long the event loop was held up, since start and unaltered by a scrape', async () => {
    const server = await startServer();
    const admin = adminKey(server);
    const gauges = async () => {
      const text = await (await server.call('GET', '/metrics', { key: admin })).text();
      const read = (name: string) => Number(new RegExp(`^pctx_event_loop_delay_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1]);
      return { max: read('max'), p99: read('p99'), p50: read('p50') };
    };
    /** Scrapes until `done` holds (each scrape lets the loop, and the sampler, run), for at most a minute. */
    const scrapeUntil = async (done: (g: Awaited<ReturnType<typeof gauges>>) => boolean) => {
      const deadline = performance.now() + 60_000;
      for (;;) {
        const g = await gauges();
        if (done(g) || performance.now() > deadline) return g;
      }
    };
    // A delay is measured from one tick of the sampler to the next: wait for a first one.
    expect((await scrapeUntil((g) => g.p50 > 0)).p50).toBeGreaterThan(0);
    // The thread this server serves on, blocked for 300 ms as by a long synchronous statement.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    const blocked = await scrapeUntil((g) => g.max >= 0.25);
    expect(blocked.max).toBeGreaterThanOrEqual(0.25);
    expect(blocked.p99).toBeGreaterThan(0);
    // Cumulative: the next scrape (another scraper's, say) still sees it.
    expect((await gauges()).max).toBeGreaterThanOrEqual(blocked.max);
  });
});
