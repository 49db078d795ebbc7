import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_REPO } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';
import { useTestServers } from './harness.js';

const startServer = useTestServers();
const tempDir = useTempDir('pctx-sdk-fixture-');
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(url: string, key: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'sdk-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = (result: unknown): any => (result as { structuredContent: unknown }).structuredContent;

describe('the official MCP SDK client over Streamable HTTP', () => {
  it('lists tools, indexes a fixture with progress, searches and reads source with a bearer key', async () => {
    const fixtures = tempDir();
    const root = path.join(fixtures, 'demo');
    writeTree(root, DEMO_REPO);
    const server = await startServer({ allowedRoots: [fixtures] });
    const { key } = server.tenantWithKey('acme');
    const { client, transport } = await connect(server.url, key);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.getServerVersion()?.name).toBe('purecontext-mcp');

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['delete_repo', 'find_importers', 'get_dependencies', 'get_file_content', 'get_file_outline', 'get_index_status', 'get_symbol_source', 'index_folder', 'list_repos', 'search_symbols'].sort(),
    );

    const progress: { progress: number; message?: string }[] = [];
    const indexed = await client.callTool({ name: 'index_folder', arguments: { path: root } }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p),
      timeout: 60_000,
    });
    expect(indexed.isError).toBeFalsy();
    expect(body(indexed)).toMatchObject({ repo: 'demo', files: { total: 8, indexed: 8 } });
    // Progress arrived on the SSE stream of the call, in increasing order.
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThanOrEqual(progress[i - 1]!.progress);

    const found = await client.callTool({ name: 'search_symbols', arguments: { query: 'getUserById' } });
    const hit = body(found).results[0];
    expect(hit).toMatchObject({ name: 'getUserById', kind: 'method', filePath: 'ts/src/services/user-service.ts' });

    const source = await client.callTool({ name: 'get_symbol_source', arguments: { id: hit.id } });
    expect(body(source).source).toContain('getUserById(id: string): string {');

    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
  });

  it('shows a read-only key only the read tools', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme', ['read']);
    const { client } = await connect(server.url, key);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('index_folder');
    expect(names).toContain('get_symbol_source');
  });

  it('asks for gzip through Node fetch and reads the gzip-coded answers', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const codings: (string | null)[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      codings.push(response.headers.get('content-encoding'));
      return response;
    };
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', server.url), { fetch: recording, requestInit: { headers: { Authorization: `Bearer ${key}` } } });
    const client = new Client({ name: 'sdk-test', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    const { tools } = await client.listTools();
    expect(tools.length).toBe(10);
    // The tool listing is over the size threshold: it came gzip-coded, and the client read it.
    expect(codings).toContain('gzip');
  });

  it('fails to connect with a bad key, with the HTTP 401', async () => {
    const server = await startServer();
    const client = new Client({ name: 'sdk-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', server.url), { requestInit: { headers: { Authorization: 'Bearer cl_live_nope' } } });
    await expect(client.connect(transport)).rejects.toThrow(/401|UNAUTHORIZED/);
  });
});
