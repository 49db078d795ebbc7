import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';
import { tarGz } from '../ingest/tar-builder.js';
import { toolCall, toolResult, useTestServers, type TestServer } from './harness.js';

const startServer = useTestServers();
const tempDir = useTempDir('pctx-isolation-');

function repoOf(marker: string): Record<string, string> {
  return {
    'src/service.ts': `/** ${marker} service. */\nexport function ${marker}Lookup(id: string): string {\n  return id;\n}\n\nexport class ${marker}Store {}\n`,
  };
}

async function upload(server: TestServer, key: string, name: string, files: Record<string, string>): Promise<Response> {
  return server.call('POST', `/v1/repos/${name}/archive`, {
    key,
    body: tarGz(Object.entries(files).map(([p, body]) => ({ path: p, body }))),
    headers: { 'content-type': 'application/gzip' },
  });
}

describe('tenant isolation over HTTP', () => {
  it("never shows tenant A tenant B's repositories, symbols, sources or sessions", async () => {
    const server = await startServer();
    const a = server.tenantWithKey('acme');
    const b = server.tenantWithKey('globex');
    // Same repository name in both tenants.
    expect((await upload(server, a.key, 'app', repoOf('alpha'))).status).toBe(200);
    expect((await upload(server, b.key, 'app', repoOf('beta'))).status).toBe(200);

    const reposA = (await (await server.call('GET', '/v1/repos', { key: a.key })).json()) as { repos: { repo: string; root: string; symbols: number }[] };
    expect(reposA.repos).toEqual([expect.objectContaining({ repo: 'app', symbols: 2 })]);

    const search = await toolResult(await server.call('POST', '/mcp', { key: a.key, body: toolCall('search_symbols', { query: 'Lookup', limit: 50 }) }));
    const names = (search.structuredContent.results as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(['alphaLookup']);
    // Uploads are re-sent by their owners, never watched: the answer says so with its index time.
    expect(search.structuredContent.freshness).toEqual({ app: { indexedAt: expect.any(String), watching: false } });
    const betaSearch = await toolResult(await server.call('POST', '/mcp', { key: a.key, body: toolCall('search_symbols', { query: 'betaLookup' }) }));
    expect(betaSearch.structuredContent.results).toEqual([]);

    // B's symbol id is unknown to A, even though ids are guessable in shape.
    const bHit = await toolResult(await server.call('POST', '/mcp', { key: b.key, body: toolCall('search_symbols', { query: 'betaLookup' }) }));
    const bId = (bHit.structuredContent.results as { id: string }[])[0]!.id;
    const stolen = await toolResult(await server.call('POST', '/mcp', { key: a.key, body: toolCall('get_symbol_source', { id: bId }) }));
    expect(stolen.isError).toBe(true);
    expect((stolen.structuredContent.error as { code: string }).code).toBe('PCTX_ERR_SYMBOL_NOT_FOUND');

    const content = await toolResult(await server.call('POST', '/mcp', { key: a.key, body: toolCall('get_file_content', { repo: 'app', path: 'src/service.ts' }) }));
    expect(JSON.stringify(content.structuredContent)).toContain('alphaLookup');
    expect(JSON.stringify(content.structuredContent)).not.toContain('beta');

    // B's session id is not A's to use.
    const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
    const bSession = (await server.call('POST', '/mcp', { key: b.key, body: init })).headers.get('mcp-session-id')!;
    const hijack = await server.call('POST', '/mcp', { key: a.key, body: { jsonrpc: '2.0', id: 1, method: 'ping' }, headers: { 'mcp-session-id': bSession } });
    expect(hijack.status).toBe(404);
    expect((await server.call('DELETE', '/mcp', { key: a.key, headers: { 'mcp-session-id': bSession } })).status).toBe(404);

    // A deleting its repository leaves B's alone.
    expect((await server.call('DELETE', '/v1/repos/app', { key: a.key })).status).toBe(200);
    const reposB = (await (await server.call('GET', '/v1/repos', { key: b.key })).json()) as { repos: unknown[] };
    expect(reposB.repos).toHaveLength(1);
  });

  it('reads server folders only under hosting.allowedRoots', async () => {
    const allowed = tempDir();
    const outside = tempDir();
    writeTree(path.join(allowed, 'ok'), repoOf('inside'));
    writeTree(path.join(outside, 'secret'), repoOf('outside'));
    const server = await startServer({ allowedRoots: [allowed] });
    const { key } = server.tenantWithKey('acme');
    const ok = await toolResult(await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: path.join(allowed, 'ok') }) }));
    expect(ok.isError).toBeFalsy();
    const refused = await toolResult(await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: path.join(outside, 'secret') }) }));
    expect(refused.isError).toBe(true);
    expect((refused.structuredContent.error as { code: string }).code).toBe('PCTX_ERR_PATH_NOT_ALLOWED');
  });
});

describe('storage quotas over HTTP', () => {
  it('answers an upload over the quota with 507 and used/limit details', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('tiny', ['read', 'write'], { quotaBytes: 4096 });
    const response = await upload(server, key, 'app', { ...repoOf('alpha'), 'big.ts': `export const big = "${'x'.repeat(20_000)}";\n` });
    expect(response.status).toBe(507);
    const { error } = (await response.json()) as { error: { code: string; details: Record<string, unknown> } };
    expect(error.code).toBe('PCTX_ERR_QUOTA_EXCEEDED');
    expect(error.details).toMatchObject({ limit: 4096, used: expect.any(Number) });
  });

  it('returns an over-quota index_folder as the QUOTA_EXCEEDED tool error with the same details', async () => {
    const root = tempDir();
    writeTree(path.join(root, 'app'), repoOf('alpha'));
    const server = await startServer({ allowedRoots: [root] });
    const { key } = server.tenantWithKey('tiny', ['read', 'write'], { quotaBytes: 4096 });
    const result = await toolResult(await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: path.join(root, 'app') }) }));
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error).toMatchObject({ code: 'PCTX_ERR_QUOTA_EXCEEDED', details: { limit: 4096, used: expect.any(Number) } });
  });
});
