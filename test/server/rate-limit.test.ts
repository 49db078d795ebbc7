import { describe, expect, it } from 'vitest';
import { toolCall, useTestServers } from './harness.js';

const startServer = useTestServers();

describe('rate limits over HTTP', () => {
  it('lets 100 rapid calls through and answers the 101st with 429', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await server.call('GET', '/v1/repos', { key })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const refused = await server.call('GET', '/v1/repos', { key });
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { code: string; details: Record<string, unknown> } };
    expect(body.error.code).toBe('PCTX_ERR_RATE_LIMITED');
    expect(body.error.details).toMatchObject({ limit: 100 });
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-limit')).toBe('100');
    expect(refused.headers.get('ratelimit-policy')).toMatch(/q=100;w=10/);
  });

  it('sends a Retry-After of whole seconds that is exactly when the bucket holds the cost again', async () => {
    const server = await startServer();
    // free: 30 tokens, 1 per second.
    const { key } = server.tenantWithKey('acme', ['read', 'write'], { tier: 'free' });
    for (let i = 0; i < 30; i++) expect((await server.call('GET', '/v1/repos', { key })).status).toBe(200);

    const search = await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query: 'x' }) });
    expect(search.status).toBe(429);
    expect(search.headers.get('retry-after')).toBe('1');

    // An index run costs 10 tokens: 10 seconds at 1 token per second.
    const index = await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: '/nonexistent' }) });
    expect(index.status).toBe(429);
    expect(index.headers.get('retry-after')).toBe('10');

    server.clock.now += 9_000;
    expect((await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: '/nonexistent' }) })).status).toBe(429);
    server.clock.now += 1_000;
    expect((await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: '/nonexistent' }) })).status).toBe(200);
  });

  it('charges an index run more tokens than a search', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const search = await server.call('POST', '/mcp', { key, body: toolCall('search_symbols', { query: 'x' }) });
    expect(search.headers.get('x-ratelimit-remaining')).toBe('99');
    const index = await server.call('POST', '/mcp', { key, body: toolCall('index_folder', { path: '/nonexistent' }) });
    expect(index.headers.get('x-ratelimit-remaining')).toBe('89');
    const list = await server.call('POST', '/mcp', { key, body: { jsonrpc: '2.0', id: 3, method: 'tools/list' } });
    expect(list.headers.get('x-ratelimit-remaining')).toBe('88');
  });

  it('restores capacity as the injected clock advances, never beyond the bucket size', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    for (let i = 0; i < 100; i++) await server.call('GET', '/v1/repos', { key });
    expect((await server.call('GET', '/v1/repos', { key })).status).toBe(429);

    server.clock.now += 1_000; // 10 tokens per second
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await server.call('GET', '/v1/repos', { key })).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);

    server.clock.now += 3_600_000;
    const full = await server.call('GET', '/v1/repos', { key });
    expect(full.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('keeps one bucket per tenant: a tenant out of tokens does not slow another', async () => {
    const server = await startServer();
    const a = server.tenantWithKey('acme');
    const b = server.tenantWithKey('globex');
    for (let i = 0; i < 100; i++) await server.call('GET', '/v1/repos', { key: a.key });
    expect((await server.call('GET', '/v1/repos', { key: a.key })).status).toBe(429);
    expect((await server.call('GET', '/v1/repos', { key: b.key })).status).toBe(200);
    // Two keys of one tenant share its bucket.
    const second = server.keyFor(a.tenant.id);
    expect((await server.call('GET', '/v1/repos', { key: second })).status).toBe(429);
  });

  it('throttles unauthenticated and failed-auth calls by client IP', async () => {
    const server = await startServer({ rateLimit: { maxTokens: 10, refillRate: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await server.call('GET', '/v1/repos', { key: 'cl_live_guess' })).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const stats = server.control.requestLog.stats({ since: new Date(0) });
    expect(stats).toMatchObject({ unauthorized: 10, rateLimited: 1 });
    // A valid key is not charged to the IP's empty bucket.
    const { key } = server.tenantWithKey('acme');
    expect((await server.call('GET', '/v1/repos', { key })).status).toBe(200);
  });

  it('puts the rate-limit headers on successful answers too', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const ok = await server.call('GET', '/v1/repos', { key });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit')).toMatch(/r=99/);
    expect(ok.headers.get('x-ratelimit-reset')).toBe('1');
    expect(ok.headers.get('retry-after')).toBeNull();
  });
});
