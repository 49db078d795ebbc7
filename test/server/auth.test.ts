import { describe, expect, it } from 'vitest';
import { toolCall, useTestServers } from './harness.js';

const startServer = useTestServers();

async function errorOf(response: Response): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const body = (await response.json()) as { error: { code: string; message: string; details: Record<string, unknown> } };
  return body.error;
}

describe('API key authentication over HTTP', () => {
  it('authenticates a valid key from the Authorization header or X-API-Key', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    expect((await server.call('GET', '/v1/repos', { key })).status).toBe(200);
    const viaHeader = await server.call('GET', '/v1/repos', { headers: { 'x-api-key': key } });
    expect(viaHeader.status).toBe(200);
    expect(await viaHeader.json()).toEqual({ repos: [] });
  });

  it('answers 401 with the error body for a missing, malformed or unknown key', async () => {
    const server = await startServer();
    const { tenant } = server.tenantWithKey('acme');
    const missing = await server.call('GET', '/v1/repos');
    expect(missing.status).toBe(401);
    expect(await errorOf(missing)).toMatchObject({ code: 'PCTX_ERR_UNAUTHORIZED', details: { reason: 'missing' } });

    const malformed = await server.call('GET', '/v1/repos', { key: 'not-a-key' });
    expect(malformed.status).toBe(401);
    expect((await errorOf(malformed)).details.reason).toBe('malformed');

    // Well-formed, right checksum, never issued.
    const { generateApiKey } = await import('../../src/auth/api-key.js');
    const unknown = await server.call('GET', '/v1/repos', { key: generateApiKey(tenant.id).key });
    expect(unknown.status).toBe(401);
    expect((await errorOf(unknown)).details.reason).toBe('unknown');
  });

  it('refuses a revoked key on the very next request', async () => {
    const server = await startServer();
    const { tenant, key } = server.tenantWithKey('acme');
    expect((await server.call('GET', '/v1/repos', { key })).status).toBe(200);
    const [record] = server.control.apiKeys.listByTenant(tenant.id);
    server.control.apiKeys.revokeByPrefix(record!.keyPrefix);
    const after = await server.call('GET', '/v1/repos', { key });
    expect(after.status).toBe(401);
    expect((await errorOf(after)).details.reason).toBe('revoked');
  });

  it('refuses a key with a tampered checksum without looking it up', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const last = key.at(-1)!;
    const tampered = `${key.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    const lookups = server.app.pctx.authenticator.lookups;
    const response = await server.call('GET', '/v1/repos', { key: tampered });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).details.reason).toBe('bad_checksum');
    expect(server.app.pctx.authenticator.lookups).toBe(lookups);
  });

  it('answers an unauthenticated MCP call with HTTP 401 before reading its JSON-RPC body', async () => {
    const server = await startServer();
    const response = await server.call('POST', '/mcp', { body: '{ not json' });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('PCTX_ERR_UNAUTHORIZED');
  });

  it('answers 403 when a read-only key indexes or deletes, naming the permission', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme', ['read']);
    const del = await server.call('DELETE', '/v1/repos/x', { key });
    expect(del.status).toBe(403);
    expect(await errorOf(del)).toMatchObject({ code: 'PCTX_ERR_FORBIDDEN', details: { needed: 'write' } });

    const listed = await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    const names = ((await listed.json()) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
    expect(names).toContain('search_symbols');
    expect(names).not.toContain('index_folder');
    expect(names).not.toContain('delete_repo');

    const call = await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: '/tmp' }) });
    const result = ((await call.json()) as { result: { isError: boolean; structuredContent: { error: { code: string } } } }).result;
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error.code).toBe('PCTX_ERR_FORBIDDEN');
  });

  it('answers 403 to every admin route for a key without the admin permission', async () => {
    const server = await startServer();
    const { tenant, key } = server.tenantWithKey('acme', ['read', 'write']);
    const routes: [string, string, unknown?][] = [
      ['POST', '/admin/tenants', { name: 'x' }],
      ['GET', '/admin/tenants'],
      ['GET', `/admin/tenants/${tenant.id}`],
      ['PATCH', `/admin/tenants/${tenant.id}`, { quotaBytes: 1 }],
      ['DELETE', `/admin/tenants/${tenant.id}`],
      ['POST', `/admin/tenants/${tenant.id}/keys`, { permissions: ['admin'] }],
      ['GET', `/admin/tenants/${tenant.id}/keys`],
      ['DELETE', '/admin/keys/cl_test_abcdefgh'],
      ['GET', '/admin/stats'],
      ['GET', `/admin/tenants/${tenant.id}/stats`],
      ['POST', `/admin/tenants/${tenant.id}/backup`],
      ['GET', '/metrics'],
    ];
    for (const [method, path, body] of routes) {
      const response = await server.call(method, path, { key, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await errorOf(response)).code).toBe('PCTX_ERR_FORBIDDEN');
    }
    expect(server.control.tenants.list().map((t) => t.name)).toEqual(['acme']);
  });
});
