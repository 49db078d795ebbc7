import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { generateApiKey } from '../../src/auth/api-key.js';
import { loadConfig } from '../../src/config.js';
import { openControlDb } from '../../src/control/index.js';
import { startServer } from '../../src/server/run-server.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { tarGz } from '../ingest/tar-builder.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const tempDir = useTempDir('pctx-shutdown-');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A data folder with one tenant and a read/write key, written before the server starts. */
function seed(dataDir: string): string {
  const control = openControlDb(path.join(dataDir, 'control.db'));
  try {
    const tenant = control.tenants.create({ name: 'acme' });
    const key = generateApiKey(tenant.id, 'test');
    control.apiKeys.insert({ keyHash: key.keyHash, keyPrefix: key.prefix, tenantId: tenant.id, permissions: ['read', 'write'] });
    return key.key;
  } finally {
    control.close();
  }
}

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new ones, writes the request log and closes everything', async () => {
    const dataDir = tempDir();
    const key = seed(dataDir);
    const running = await startServer(loadConfig({ PCTX_DATA_DIR: dataDir, PCTX_PORT: '0', PCTX_WORKERS: '1' }));

    const archive = tarGz([{ path: 'src/a.ts', body: 'export function drainMe() { return 1; }\n' }]);
    let feed!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
    const arrived = new Promise((resolve) => running.app.server.once('request', resolve));
    const pending = fetch(`${running.url}/v1/repos/app/archive`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/gzip' },
    } as RequestInit);
    feed.enqueue(archive.subarray(0, 10));
    await arrived;

    const stopping = running.shutdown();
    expect(running.shutdown()).toBe(stopping);
    // A new request: the listener is closed (connection refused) or the server answers 503.
    const late = await fetch(`${running.url}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);

    feed.enqueue(archive.subarray(10));
    feed.close();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ repo: 'app', files: { indexed: 1 } });
    await stopping;

    const control = openControlDb(path.join(dataDir, 'control.db'));
    try {
      expect(control.requestLog.stats({ since: new Date(0) }).byTool).toMatchObject({ upload_archive: 1 });
    } finally {
      control.close();
    }
  });

  it('stops `serve --http` on SIGTERM with exit code 0', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'serve', '--http', '--port', '0', '--data-dir', dataDir], {
      cwd: repoRoot,
      env: { ...process.env, PCTX_WORKERS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /MCP over HTTP at (http:\/\/\S+)\/mcp/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: finishing requests in flight');
    expect(stderr).toContain('stopped');
  });
});
