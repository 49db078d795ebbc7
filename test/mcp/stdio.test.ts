import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_REPO } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(dataDir: string, ...extra: string[]): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    // Watching is off unless a test asks for it: a watcher re-indexing behind a test's back
    // would race its assertions about files changed on disk.
    args: ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'serve', '--data-dir', dataDir, ...(extra.includes('--watch') ? extra.filter((a) => a !== '--watch') : ['--no-watch', ...extra])],
    cwd: repoRoot,
    env: { ...process.env, PCTX_WORKERS: '2', PCTX_EMBEDDING_DIMENSION: '64' } as Record<string, string>,
    stderr: 'pipe',
  });
  const log = { text: '', waiters: [] as Array<() => void> };
  transport.stderr!.on('data', (chunk: Buffer) => {
    log.text += chunk.toString('utf8');
    for (const wake of log.waiters.splice(0)) wake();
  });
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  stderrLogs.set(client, log);
  return client;
}

const stderrLogs = new WeakMap<Client, { text: string; waiters: Array<() => void> }>();

/** Resolves with the first line the server wrote to stderr that matches (the test's timeout bounds the wait). */
async function stderrLine(client: Client, pattern: RegExp): Promise<string> {
  const log = stderrLogs.get(client)!;
  for (;;) {
    const line = log.text.split('\n').find((l) => pattern.test(l));
    if (line !== undefined) return line;
    await new Promise<void>((resolve) => log.waiters.push(resolve));
  }
}

/** The structuredContent of a tool result (the SDK types results as a union). */
function body(result: unknown): any {
  return (result as { structuredContent?: unknown }).structuredContent;
}

describe('MCP over stdio', () => {
  it('lists the tools with JSON Schema inputs', async () => {
    const client = await connect(tempDir());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'delete_repo',
      'find_importers',
      'get_dependencies',
      'get_file_content',
      'get_file_outline',
      'get_index_status',
      'get_symbol_source',
      'index_folder',
      'list_repos',
      'search_symbols',
    ]);
    const search = tools.find((t) => t.name === 'search_symbols')!;
    expect(search.inputSchema).toMatchObject({
      type: 'object',
      required: ['query'],
      additionalProperties: false,
      properties: { mode: { enum: ['keyword', 'semantic', 'hybrid'], default: 'keyword' } },
    });
    expect(search.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('indexes a fixture with progress notifications, then searches and reads a symbol', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const client = await connect(dataDir);

    const progress: { progress: number; total?: number; message?: string }[] = [];
    const indexed = await client.callTool({ name: 'index_folder', arguments: { path: root } }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p),
      timeout: 60_000,
    });
    expect(indexed.isError).toBeFalsy();
    expect(body(indexed)).toMatchObject({ repo: 'demo', files: { total: 8, indexed: 8 } });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => p.message?.startsWith('Parsing'))).toBe(true);
    // MCP requires progress to increase (it went back to 0 after parsing).
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThanOrEqual(progress[i - 1]!.progress);

    const found = await client.callTool({ name: 'search_symbols', arguments: { query: 'getUserById' } });
    const hit = body(found).results[0];
    expect(hit).toMatchObject({ name: 'getUserById', qualifiedName: 'UserService.getUserById', kind: 'method', filePath: 'ts/src/services/user-service.ts' });
    // The text content carries the same JSON for clients that ignore structuredContent.
    expect(JSON.parse((found.content as { text: string }[])[0]!.text)).toEqual(body(found));

    const source = await client.callTool({ name: 'get_symbol_source', arguments: { id: hit.id } });
    expect(body(source).source).toContain('getUserById(id: string): string {');
  });

  it("enforces the served tenant's quota on index_folder (the MCP path passed none)", async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const create = await import('node:child_process').then(({ execFileSync }) =>
      execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'tenants', 'create', 'tiny', '--quota', '4KB', '--data-dir', dataDir], { cwd: repoRoot }),
    );
    expect(String(create)).toMatch(/^[0-9a-f]{8}\n$/);
    const client = await connect(dataDir, '--tenant', 'tiny');
    const result = await client.callTool({ name: 'index_folder', arguments: { path: root } });
    expect(result.isError).toBe(true);
    expect(body(result).error).toMatchObject({ code: 'PCTX_ERR_QUOTA_EXCEEDED', details: { limit: 4096 } });
  });

  it('reports failures as tool errors carrying the registry code', async () => {
    const client = await connect(tempDir());
    const missing = await client.callTool({ name: 'get_symbol_source', arguments: { id: 'nope' } });
    expect(missing.isError).toBe(true);
    expect(body(missing)).toEqual({ error: { code: 'PCTX_ERR_SYMBOL_NOT_FOUND', message: 'Symbol "nope" does not exist', details: { symbolId: 'nope' } } });

    const invalid = await client.callTool({ name: 'search_symbols', arguments: { query: 'x', limit: 0 } });
    expect(invalid.isError).toBe(true);
    expect(body(invalid).error).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'limit' } });

    const unknown = await client.callTool({ name: 'drop_tables', arguments: {} });
    expect(body(unknown).error.code).toBe('PCTX_ERR_INVALID_ARGUMENT');
  });

  it('keeps an indexed folder fresh while serving and says so in get_index_status', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'live');
    writeTree(root, { 'app.py': 'def first_function():\n    return 1\n' });
    const client = await connect(dataDir, '--watch');
    const indexed = await client.callTool({ name: 'index_folder', arguments: { path: root } }, CallToolResultSchema, { timeout: 60_000 });
    expect(indexed.isError).toBeFalsy();

    fs.writeFileSync(path.join(root, 'app.py'), 'def first_function():\n    return 1\n\n\ndef added_while_serving():\n    return 2\n');
    // The server writes a line after each watcher run that changed the index; the run has
    // committed by then, so the next search must see the edit.
    expect(await stderrLine(client, /re-indexed live: /)).toMatch(/^purecontext-mcp: re-indexed live: 1 file indexed, 0 removed \(\d+ ms\)$/);
    const found = await client.callTool({ name: 'search_symbols', arguments: { query: 'added_while_serving' } });
    expect(body(found).results.map((h: { name: string }) => h.name)).toContain('added_while_serving');
    expect(body(found).freshness).toEqual({ live: { indexedAt: expect.any(String), watching: true, pendingChanges: expect.any(Number), indexing: expect.any(Boolean) } });
    const status = await client.callTool({ name: 'get_index_status', arguments: {} });
    expect(body(status).repos[0]).toMatchObject({ repo: 'live', rootExists: true, pending: { total: 0 }, watch: { mode: 'events', lastError: null } });
    expect(body(status).repos[0].watch.runs).toBeGreaterThanOrEqual(1);
  });
});
