import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { ingestArchive } from '../../src/ingest/index.js';
import { QuotaGuard, tenantDiskUsage } from '../../src/tenant/quota.js';
import { openQuotaClaim } from '../../src/tenant/quota-claims.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { bodyOf, memberBlocks, tarGz } from './tar-builder.js';

vi.setConfig({ testTimeout: 180_000 });
const tempDir = useTempDir();
const newEngine = useEngines();
const TENANT = '0c0c0c0c';
const KiB = 1024;

/** Text that does not compress away, so the archive's bytes arrive roughly as they are written. */
function noise(bytes: number): string {
  return crypto.randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64').slice(0, bytes);
}

describe('quota across concurrent uploads of one tenant (regression: two uploads extracted side by side could together pass the quota)', () => {
  it('refuses the second of two concurrent uploads that fit the quota alone but not together', async () => {
    const engine = newEngine(tempDir(), { workers: 1 });
    // A tenant with an index already, so its data files have their size before the uploads start.
    await ingestArchive({ engine, tenantId: TENANT, repoName: 'seed', body: bodyOf(tarGz([{ path: 'seed.ts', body: 'export const seed = 1;\n' }])) });
    const paths = engine.pool.paths(TENANT);
    // Data files (*.dat) are stored but not indexed: the quota is spent on the uploads
    // themselves, plus some slack for the index runs' database pages.
    const limit = tenantDiskUsage(paths) + 180 * KiB;
    let peak = 0;

    // Upload "late" starts first and stalls after its first, small member is written: its
    // quota measurement is taken now, before "early" exists.
    const late = new PassThrough();
    let lateFirstMember!: () => void;
    const lateStarted = new Promise<void>((resolve) => (lateFirstMember = resolve));
    const lateDone = ingestArchive({
      engine,
      tenantId: TENANT,
      repoName: 'late',
      body: late,
      quotaBytes: limit,
      onProgress: (p) => {
        if (p.phase !== 'extracting') return;
        peak = Math.max(peak, tenantDiskUsage(paths));
        if (p.bytes >= 10 * KiB) lateFirstMember();
      },
    }).then(
      () => null,
      (err: unknown) => err,
    );
    // Concatenated gzip members: the first carries one whole tar member, the second the rest.
    late.write(zlib.gzipSync(memberBlocks({ path: 'small.dat', body: noise(10 * KiB) })));
    await lateStarted;

    // Meanwhile "early" arrives whole and goes live: 10 + 100 KiB fit.
    const early = await ingestArchive({ engine, tenantId: TENANT, repoName: 'early', body: bodyOf(tarGz([{ path: 'big.dat', body: noise(100 * KiB) }])), quotaBytes: limit });
    expect(early.repo).toBe('early');

    // "late" now sends its 100 KiB: with "early" live, that is over the quota. It is refused
    // while it streams in (the refusal names the member), and the tenant's folder never
    // held more than the quota meanwhile.
    late.end(zlib.gzipSync(Buffer.concat([memberBlocks({ path: 'big.dat', body: noise(100 * KiB) }), Buffer.alloc(1024)])));
    const error = await lateDone;
    expect(error).toMatchObject({ code: 'PCTX_ERR_QUOTA_EXCEEDED', details: { limit, member: 'big.dat' } });
    expect(peak).toBeLessThanOrEqual(limit);
    expect(tenantDiskUsage(paths)).toBeLessThanOrEqual(limit);
    expect((await engine.listRepos(TENANT)).repos.map((r) => r.repo)).toEqual(['early', 'seed']);
  });

  it('lets an index run count an upload being extracted beside it', () => {
    const dir = tempDir();
    const paths = { tenantId: 'cdcdcdcd', dir, db: `${dir}/index.db`, vectors: `${dir}/vectors.hnsw`, uploads: `${dir}/uploads`, trash: `${dir}/.trash` };
    const guard = new QuotaGuard(paths, 100);
    guard.check();
    const claim = openQuotaClaim('cdcdcdcd', `${dir}/uploads/.staging-x`);
    try {
      claim.bytes = 60;
      guard.check();
      claim.bytes = 101;
      expect(() => guard.check()).toThrow(expect.objectContaining({ code: 'PCTX_ERR_QUOTA_EXCEEDED' }));
      // Released (its files went live after the run's measurement): still counted.
      claim.release();
      expect(() => guard.check()).toThrow(expect.objectContaining({ code: 'PCTX_ERR_QUOTA_EXCEEDED' }));
      // A run that starts now measures the folder itself.
      expect(() => new QuotaGuard(paths, 100).check()).not.toThrow();
    } finally {
      claim.release();
    }
  });
});
