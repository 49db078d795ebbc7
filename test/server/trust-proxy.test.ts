import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { useTestServers } from './harness.js';

const startServer = useTestServers();

/** Failed-auth calls "from" `client` through a proxy on the loopback, until the first 429. */
async function refusedAfter(server: Awaited<ReturnType<typeof startServer>>, client: string): Promise<number> {
  for (let i = 1; i <= 30; i++) {
    const response = await server.call('GET', '/v1/repos', { key: 'cl_live_guess', headers: { 'x-forwarded-for': client } });
    if (response.status === 429) return i;
    expect(response.status).toBe(401);
  }
  return Infinity;
}

describe('server.trustProxy (regression: behind a reverse proxy every client shared the proxy address bucket)', () => {
  it('keys unauthenticated rate limits by the forwarded client address when the proxy is trusted', async () => {
    const server = await startServer({ rateLimit: { maxTokens: 10, refillRate: 0.001, perToolLimits: { index_folder: 1, upload_archive: 1 } }, trustProxy: ['loopback'] });
    expect(await refusedAfter(server, '203.0.113.7')).toBe(11);
    // Another client behind the same proxy still has its own tokens.
    expect(await refusedAfter(server, '198.51.100.2')).toBe(11);
  });

  it('ignores X-Forwarded-For by default, so a client cannot choose its own bucket', async () => {
    const server = await startServer({ rateLimit: { maxTokens: 10, refillRate: 0.001, perToolLimits: { index_folder: 1, upload_archive: 1 } } });
    expect(await refusedAfter(server, '203.0.113.7')).toBe(11);
    expect(await refusedAfter(server, '198.51.100.2')).toBe(1);
  });

  it('ignores X-Forwarded-For from a sender that is not a trusted proxy', async () => {
    const server = await startServer({ rateLimit: { maxTokens: 10, refillRate: 0.001, perToolLimits: { index_folder: 1, upload_archive: 1 } }, trustProxy: ['10.0.0.0/8'] });
    expect(await refusedAfter(server, '203.0.113.7')).toBe(11);
    expect(await refusedAfter(server, '198.51.100.2')).toBe(1);
  });

  it('trusts a number of proxy hops', async () => {
    const server = await startServer({ rateLimit: { maxTokens: 10, refillRate: 0.001, perToolLimits: { index_folder: 1, upload_archive: 1 } }, trustProxy: 1 });
    expect(await refusedAfter(server, '203.0.113.7')).toBe(11);
    expect(await refusedAfter(server, '198.51.100.2')).toBe(11);
  });
});

describe('server.trustProxy configuration', () => {
  const trust = (value: string) => loadConfig({ PCTX_TRUST_PROXY: value }).server.trustProxy;

  it('is off by default and reads booleans, hop counts and address lists', () => {
    expect(loadConfig({}).server.trustProxy).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
  });

  it('refuses a value that is not an address, a range or a hop count, naming the setting', () => {
    for (const bad of ['10.0.0.300', '10.0.0.0/33', 'proxy.example.com', '0', 'yes', '10.0.0.1,']) {
      expect(() => trust(bad), bad).toThrow(expect.objectContaining({ code: 'PCTX_ERR_INVALID_CONFIG', details: expect.objectContaining({ option: 'PCTX_TRUST_PROXY' }) }));
    }
  });
});
