import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, vi } from 'vitest';
import { generateApiKey } from '../../src/auth/api-key.js';
import { openControlDb, type ControlPlane, type Permission, type Tenant } from '../../src/control/index.js';
import type { Engine } from '../../src/engine/engine.js';
import { DEFAULT_RATE_LIMIT, validateRateLimitConfig, type RateLimitConfig } from '../../src/ratelimit/rate-limiter.js';
import { buildServer } from '../../src/server/app.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir } from '../helpers/temp-dir.js';

// Each test indexes through real parse workers on a shared 2-core machine: the time a
// test may take is generous, what it checks never depends on speed.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

export interface TestServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  url: string;
  control: ControlPlane;
  engine: Engine;
  dataDir: string;
  /** The injected clock, in ms; advance it instead of sleeping. */
  clock: { now: number };
  /** Creates a tenant and a key for it; returns the raw key. */
  tenantWithKey(name: string, permissions?: Permission[], options?: { quotaBytes?: number | null; tier?: string }): { tenant: Tenant; key: string };
  /** A key for an existing tenant. */
  keyFor(tenantId: string, permissions?: Permission[], tier?: string): string;
  /** fetch against the server with a bearer key. */
  call(method: string, urlPath: string, options?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

export interface TestServerOptions {
  rateLimit?: Partial<RateLimitConfig>;
  allowedRoots?: string[];
  bodyLimit?: number;
  /** `server.trustProxy` @default false */
  trustProxy?: boolean | number | string[];
  maxArchiveBytes?: number;
  /** `hosting.maxRestoreBytes` @default 64 MiB */
  maxRestoreBytes?: number;
  /** A data folder of the test's own (e.g. on a small filesystem); default: a fresh temp folder. */
  dataDir?: string;
}

/**
 * A real server per test on 127.0.0.1 (port 0) over a fresh data folder, with a real
 * control plane and engine, all closed after the test.
 */
export function useTestServers(): (options?: TestServerOptions) => Promise<TestServer> {
  const tempDir = useTempDir('pctx-server-');
  const makeEngine = useEngines();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async (options = {}) => {
    const dataDir = options.dataDir ?? tempDir();
    const control = openControlDb(path.join(dataDir, 'control.db'));
    const allowedRoots = (options.allowedRoots ?? []).map((r) => fs.realpathSync(r));
    // As serve --http runs it: index runs in the engine's index thread.
    const engine = makeEngine(dataDir, { workers: 1, allowedRoots, indexThread: { embedding: { provider: 'hash', dimension: 64 } } });
    const clock = { now: Date.parse('2026-06-01T12:00:00Z') };
    const rateLimit = validateRateLimitConfig({ ...DEFAULT_RATE_LIMIT, ...options.rateLimit }, 'rateLimit');
    const app = buildServer({
      config: {
        server: { host: '127.0.0.1', port: 0, bodyLimit: options.bodyLimit ?? 1024 * 1024, shutdownTimeoutMs: 5000, trustProxy: options.trustProxy ?? false, backgroundNice: 0 },
        rateLimit,
        hosting: {
          allowedRoots,
          maxArchiveBytes: options.maxArchiveBytes ?? 1024 * 1024,
          maxArchiveExpandedBytes: 16 * 1024 * 1024,
          maxArchiveFiles: 1000,
          maxRestoreBytes: options.maxRestoreBytes ?? 64 * 1024 * 1024,
        },
      },
      control,
      engine,
      now: () => clock.now,
    });
    cleanups.push(async () => {
      await app.close();
      control.close();
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const keyFor = (tenantId: string, permissions: Permission[] = ['read', 'write'], tier = 'standard') => {
      const generated = generateApiKey(tenantId, 'test');
      control.apiKeys.insert({ keyHash: generated.keyHash, keyPrefix: generated.prefix, tenantId, permissions, rateLimitTier: tier });
      return generated.key;
    };
    return {
      app,
      url,
      control,
      engine,
      dataDir,
      clock,
      keyFor,
      tenantWithKey(name, permissions = ['read', 'write'], opts = {}) {
        const tenant = control.tenants.create({ name, quotaBytes: opts.quotaBytes ?? null });
        return { tenant, key: keyFor(tenant.id, permissions, opts.tier) };
      },
      call(method, urlPath, opts = {}) {
        const headers: Record<string, string> = { ...opts.headers };
        if (opts.key) headers.authorization = `Bearer ${opts.key}`;
        if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
        return fetch(`${url}${urlPath}`, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' || opts.body instanceof Uint8Array ? (opts.body as string) : JSON.stringify(opts.body) });
      },
    };
  };
}

/** A JSON-RPC tools/call body. */
export function toolCall(name: string, args: Record<string, unknown>, id: number | string = 1, meta?: Record<string, unknown>): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } };
}

/** The structured result of a tools/call answer given as plain JSON. */
export async function toolResult(response: Response): Promise<{ isError?: boolean; structuredContent: Record<string, unknown> }> {
  const body = (await response.json()) as { result?: { isError?: boolean; structuredContent: Record<string, unknown> }; error?: unknown };
  if (!body.result) throw new Error(`expected a result, got ${JSON.stringify(body)}`);
  return body.result;
}
