import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STDIO_MESSAGE_BYTES } from '../../src/mcp/stdio-transport.js';
import { LOCAL_TENANT_ID, tenantPaths } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
});

/** A serve process spoken to line by line, as a raw client would. */
class RawClient {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  private readonly messages: any[] = [];
  private waiters: (() => void)[] = [];
  private buffered = '';
  stderr = '';

  constructor(dataDir: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'serve', '--no-watch', '--data-dir', dataDir], {
      cwd: repoRoot,
      env: { ...process.env, PCTX_WORKERS: '1', PCTX_EMBEDDING_DIMENSION: '64' },
    });
    children.push(this.child);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let nl = this.buffered.indexOf('\n'); nl !== -1; nl = this.buffered.indexOf('\n')) {
        this.messages.push(JSON.parse(this.buffered.slice(0, nl)));
        this.buffered = this.buffered.slice(nl + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  write(line: string | Buffer): void {
    this.child.stdin.write(line);
  }

  send(message: unknown): void {
    this.write(`${JSON.stringify(message)}\n`);
  }

  /** The next message (in arrival order) that `match` accepts; earlier ones are kept. */
  async next(match: (m: any) => boolean): Promise<any> {
    for (;;) {
      const at = this.messages.findIndex(match);
      if (at !== -1) return this.messages.splice(at, 1)[0];
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Whether a message with this id arrived and was not taken by next() yet. */
  received(id: unknown): boolean {
    return this.messages.some((m) => m.id === id);
  }

  answer(id: unknown): Promise<any> {
    return this.next((m) => m.id === id && ('result' in m || 'error' in m));
  }

  async initialize(): Promise<void> {
    this.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await this.answer('init');
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }
}

function toolErrorOf(answer: any): { code: string; details: Record<string, unknown> } {
  expect(answer.result.isError).toBe(true);
  return answer.result.structuredContent.error;
}

describe('MCP stdio protocol hardening (issue 8)', { timeout: 180_000 }, () => {
  it('invalid JSON, arrays, messages without jsonrpc and malformed tools/call get JSON-RPC answers, never a zod dump (issue 8 #15)', async () => {
    const client = new RawClient(tempDir());
    await client.initialize();

    client.write('{"jsonrpc": "2.0", "id": 1, "method": \n');
    expect(await client.next((m) => m.error?.code === -32700)).toMatchObject({ jsonrpc: '2.0', id: null });
    client.send([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
    expect(await client.next((m) => m.error?.code === -32600)).toMatchObject({ id: null, error: { message: expect.stringContaining('batches') } });
    client.send({ id: 3, method: 'ping' });
    expect(await client.answer(3)).toMatchObject({ error: { code: -32600 } });
    client.send('hello');
    expect(await client.next((m) => m.error?.code === -32600)).toMatchObject({ id: null });

    client.send({ jsonrpc: '2.0', id: 4, method: 'tools/call' });
    const missing = await client.answer(4);
    expect(missing.error).toEqual({ code: -32602, message: expect.stringContaining('tools/call needs "params"') });
    client.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'list_repos', arguments: '{}' } });
    expect(toolErrorOf(await client.answer(5))).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'arguments' } });
    client.send({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 42, arguments: {} } });
    expect(toolErrorOf(await client.answer(6))).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'name' } });
    // JSON-RPC: params that are not structured make the request itself invalid.
    client.send({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: 'all' });
    expect((await client.answer(7)).error).toMatchObject({ code: -32600 });
    client.send({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'list_repos', _meta: { progressToken: { nested: true } } } });
    const meta = await client.answer(8);
    expect(meta.error.code).toBe(-32602);
    expect(meta.error.message).not.toMatch(/invalid_type|"code"|\[/);

    // Still serving.
    client.send({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_repos', arguments: {} } });
    expect((await client.answer(9)).result.structuredContent).toEqual({ repos: [] });
    client.child.stdin.end();
    expect(await client.exited).toBe(0);
  });

  it('a message over the documented maximum size gets a JSON-RPC error and serving continues (issue 8 #5)', async () => {
    const client = new RawClient(tempDir());
    await client.initialize();
    for (const [id, bytes] of [
      [10, MAX_STDIO_MESSAGE_BYTES + 1],
      [11, 11 * 1024 * 1024],
    ] as const) {
      const huge = JSON.stringify({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'search_symbols', arguments: { query: 'x'.repeat(bytes) } }, id });
      client.write(`${huge}\n`);
      const answer = await client.answer(id);
      expect(answer.error).toEqual({ code: -32600, message: `Invalid Request: message larger than the maximum of ${MAX_STDIO_MESSAGE_BYTES} bytes` });
    }
    client.send({ jsonrpc: '2.0', id: 12, method: 'tools/list' });
    expect((await client.answer(12)).result.tools).toHaveLength(10);
    client.child.stdin.end();
    expect(await client.exited).toBe(0);
  });

  it('closing stdin finishes the index_folder call in flight and answers it before exiting (issue 8 #6)', async () => {
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const client = new RawClient(tempDir());
    await client.initialize();
    client.send({ jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'index_folder', arguments: { path: root } } });
    client.child.stdin.end();
    const answer = await client.answer(20);
    expect(answer.result.isError).toBeFalsy();
    expect(answer.result.structuredContent).toMatchObject({ repo: 'demo', files: { total: 8, indexed: 8 } });
    expect(await client.exited).toBe(0);
    expect(client.stderr).toContain('stdin closed; finishing 1 request in flight');
  });

  it('closing stdin after cancelling an index_folder call rolls it back and exits without answering it (issue 8 #6)', async () => {
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const dataDir = tempDir();
    const client = new RawClient(dataDir);
    await client.initialize();
    client.send({ jsonrpc: '2.0', id: 30, method: 'tools/call', params: { name: 'index_folder', arguments: { path: root } } });
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 30, reason: 'user' } });
    client.send({ jsonrpc: '2.0', id: 31, method: 'tools/list' });
    client.child.stdin.end();
    expect((await client.answer(31)).result.tools).toHaveLength(10);
    expect(await client.exited).toBe(0);
    expect(client.received(30)).toBe(false);
    expect(client.stderr).not.toMatch(/Error|error:/);
    const dbFile = tenantPaths(dataDir, LOCAL_TENANT_ID).db;
    if (fs.existsSync(dbFile)) {
      const db = new Database(dbFile, { readonly: true });
      expect(db.prepare('SELECT count(*) FROM repos').pluck().get()).toBe(0);
      db.close();
    }
  });
});
