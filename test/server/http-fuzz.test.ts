import { describe, expect, it } from 'vitest';
import { checkAlive, isAcceptable, runFuzz, sampleFuzzRequests, type FuzzRequest, type FuzzTarget } from '../../scripts/lib/http-fuzz.js';
import { tarGz } from '../ingest/tar-builder.js';
import { useTestServers, type TestServer } from './harness.js';

const startServer = useTestServers();

/** Generous buckets: the fuzzer should reach the handlers, not stop at 429 (which it also meets). */
const FUZZ_LIMITS = { maxTokens: 5000, refillRate: 5000, tiers: { standard: { maxTokens: 5000, refillRate: 5000 } } };

async function upload(server: TestServer, key: string, marker: string): Promise<void> {
  const body = tarGz([{ path: 'src/module0.ts', body: `export function ${marker}Parse(input: string): string {\n  return input;\n}\n` }]);
  const response = await server.call('POST', '/v1/repos/app/archive', { key, body, headers: { 'content-type': 'application/gzip' } });
  expect(response.status).toBe(200);
}

/** A fuzzed tenant, a victim for the admin routes, an admin, a revoked key, and a witness the fuzzer never sees. */
export async function fuzzSetup(server: TestServer): Promise<{ target: FuzzTarget; witnessKey: string }> {
  const fuzzed = server.tenantWithKey('fuzzed');
  const readKey = server.keyFor(fuzzed.tenant.id, ['read']);
  const revokedKey = server.keyFor(fuzzed.tenant.id, ['read', 'write']);
  server.control.apiKeys.revokeByPrefix(revokedKey.slice(0, revokedKey.lastIndexOf('_') - 16));
  const victim = server.tenantWithKey('victim');
  const admin = server.tenantWithKey('ops', ['admin']);
  const witness = server.tenantWithKey('witness', ['read', 'write']);
  await upload(server, fuzzed.key, 'fuzzedmark');
  await upload(server, witness.key, 'witnessmark');
  return {
    target: { url: server.url, writeKey: fuzzed.key, readKey, adminKey: admin.key, revokedKey, tenantId: fuzzed.tenant.id, victimTenantId: victim.tenant.id },
    witnessKey: witness.key,
  };
}

describe('the HTTP fuzzer (short run)', () => {
  it('answers a few hundred hostile requests with 2xx or 4xx only, never a 5xx or a reset, and stays alive', async () => {
    const server = await startServer({ rateLimit: FUZZ_LIMITS });
    const { target, witnessKey } = await fuzzSetup(server);
    const seed = Number(process.env.PCTX_FUZZ_SEED ?? 20261202);
    const report = await runFuzz(server.url, sampleFuzzRequests(target, 300, seed), { concurrency: 4 });
    expect(report.findings).toEqual([]);
    expect(report.sent).toBe(300);
    expect(await checkAlive(server.url, witnessKey, 'witnessmarkParse', 'witnessmarkParse')).toEqual([]);
    // The fuzzed tenant's own data survived its own hostile traffic.
    expect(await checkAlive(server.url, target.readKey, 'fuzzedmarkParse', 'fuzzedmarkParse')).toEqual([]);
  }, 120_000);
});

describe('findings of the HTTP fuzzer', () => {
  it('refuses an upload sent as JSON with 400, not a 500 (the drained-upload change took every body for a stream)', async () => {
    const server = await startServer();
    const { key } = server.tenantWithKey('acme');
    const response = await server.call('POST', '/v1/repos/app/archive', { key, body: { not: 'an archive' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PCTX_ERR_INVALID_ARGUMENT');
  });

  it('holds a body over the limit but within the drain cap to its 413: a reset or another status is a finding, a reset only past the cap is not (the fuzzer accepted EPIPE/ECONNRESET for every over-limit body)', () => {
    const huge = (times: number): FuzzRequest => ({ kind: 'huge', method: 'POST', path: '/mcp', headers: [], bodyParsed: true, body: { repeat: 'x', times, prefix: '{"name":"', suffix: '"}' } });
    const limit = 1024 * 1024;
    const cap = 32 * 1024 * 1024;
    expect(isAcceptable(huge(3_000_000), { status: 413, body: '' }, limit, cap)).toBe(true);
    expect(isAcceptable(huge(3_000_000), { status: null, error: 'ECONNRESET', body: '' }, limit, cap)).toBe(false);
    expect(isAcceptable(huge(3_000_000), { status: null, error: 'EPIPE', body: '' }, limit, cap)).toBe(false);
    expect(isAcceptable(huge(3_000_000), { status: 400, body: '' }, limit, cap)).toBe(false);
    expect(isAcceptable(huge(40_000_000), { status: null, error: 'ECONNRESET', body: '' }, limit, cap)).toBe(true);
    // Under the limit the body is parsed: any 2xx or 4xx will do.
    expect(isAcceptable(huge(900_000), { status: 400, body: '' }, limit, cap)).toBe(true);
  });
});
