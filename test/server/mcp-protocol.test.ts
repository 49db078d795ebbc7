import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { toolCall, useTestServers } from './harness.js';

const startServer = useTestServers();

async function rpc(response: Response): Promise<{ jsonrpc: string; id: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } }> {
  return (await response.json()) as never;
}

const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 't', version: '1' } } };

describe('POST /mcp JSON-RPC framing', () => {
  it('answers initialize with the negotiated version, tools capability and a session id', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const response = await server.call('POST', '/mcp', { key, body: initialize });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = await rpc(response);
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 0, result: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: { tools: {} }, serverInfo: { name: 'purecontext-mcp' } } });

    const old = await rpc(await server.call('POST', '/mcp', { key, body: { ...initialize, params: { ...initialize.params, protocolVersion: '2024-11-05' } } }));
    expect(old.result?.protocolVersion).toBe('2024-11-05');
    const future = await rpc(await server.call('POST', '/mcp', { key, body: { ...initialize, params: { ...initialize.params, protocolVersion: '2099-01-01' } } }));
    expect(future.result?.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
  });

  it('acknowledges notifications and client responses with 202 and no body', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const response = await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', method: 'notifications/initialized' } });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    const answer = await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', id: 5, result: {} } });
    expect(answer.status).toBe(202);
  });

  it('maps bad JSON to -32700, a malformed message to -32600, an unknown method to -32601 and bad params to -32602', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const parse = await server.call('POST', '/mcp', { key, body: '{"jsonrpc":' });
    expect(parse.status).toBe(400);
    expect((await rpc(parse)).error?.code).toBe(-32700);

    const invalid = await server.call('POST', '/mcp', { key, body: { jsonrpc: '1.0', id: 1, method: 'ping' } });
    expect(invalid.status).toBe(400);
    expect(await rpc(invalid)).toMatchObject({ id: 1, error: { code: -32600 } });

    const unknown = await rpc(await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', id: 2, method: 'resources/list' } }));
    expect(unknown).toMatchObject({ id: 2, error: { code: -32601, message: 'Method not found: resources/list' } });

    const badParams = await rpc(await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { arguments: {} } } }));
    expect(badParams.error?.code).toBe(-32602);
    // One readable line, not a dump of zod issues.
    expect(badParams.error?.message).toMatch(/^Invalid params: name: /);
    expect(badParams.error?.message).not.toContain('[');

    const unknownTool = await rpc(await server.call('POST', '/mcp', { key, body: toolCall('rm_rf', {}, 4) }));
    expect(unknownTool).toMatchObject({ id: 4, error: { code: -32602, message: 'Unknown tool: rm_rf' } });
  });

  it('returns invalid tool arguments as a tool error with the registry code', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const body = await rpc(await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query: 'x', limit: 0 }) }));
    expect(body.result).toMatchObject({ isError: true, structuredContent: { error: { code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'limit' } } } });
  });

  it('answers a batch with one response per request, in a JSON array', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const response = await server.call('POST', '/mcp', {
      key,
      body: [{ jsonrpc: '2.0', id: 'a', method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 'b', method: 'tools/list' }],
    });
    const body = (await response.json()) as { id: string }[];
    expect(body.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('refuses GET /mcp with 405 and an Allow header, as it offers no server-initiated stream', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const response = await server.call('GET', '/mcp', { key, headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, DELETE');
  });

  it('ends a session on DELETE and then refuses its id with 404', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const session = (await server.call('POST', '/mcp', { key, body: initialize })).headers.get('mcp-session-id')!;
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    expect((await server.call('POST', '/mcp', { key, body: ping, headers: { 'mcp-session-id': session } })).status).toBe(200);
    expect((await server.call('DELETE', '/mcp', { key, headers: { 'mcp-session-id': session } })).status).toBe(204);
    const after = await server.call('POST', '/mcp', { key, body: ping, headers: { 'mcp-session-id': session } });
    expect(after.status).toBe(404);
    expect((await rpc(after)).error?.code).toBe(-32001);
    expect((await server.call('DELETE', '/mcp', { key, headers: { 'mcp-session-id': session } })).status).toBe(404);
  });

  it('refuses an unsupported protocol version header with 400', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const response = await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', id: 1, method: 'ping' }, headers: { 'mcp-protocol-version': '1999-01-01' } });
    expect(response.status).toBe(400);
    expect((await rpc(response)).error?.code).toBe(-32600);
  });

  it('refuses a body that is not JSON with 415 and one over the limit with 413', async () => {
    const server = await startServer({ bodyLimit: 1024 });
    const { key } = server.tenantWithKey('acme');
    const text = await server.call('POST', '/mcp', { key, body: 'ping', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('PCTX_ERR_UNSUPPORTED_MEDIA_TYPE');
    const big = await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query: 'x'.repeat(2000) }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({ code: 'PCTX_ERR_PAYLOAD_TOO_LARGE', details: { limit: 1024 } });
  });

  it('logs every tool call with its tenant, tool, status and error code', async () => {
    const server = await startServer();
    const { tenant, key } = server.tenantWithKey('acme');
    await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query: 'x' }) });
    await server.call('POST', '/mcp', { key, body: toolCall('get_symbol_source', { id: 'nope' }) });
    await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    const stats = server.control.requestLog.stats({ since: new Date(0), tenantId: tenant.id });
    expect(stats).toMatchObject({ requests: 2, errors: 1, byTool: { search_symbols: 1, get_symbol_source: 1 } });
  });
});
