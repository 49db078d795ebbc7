import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuotaGuard, tenantDiskUsage, uploadsDiskUsage } from '../../src/tenant/quota.js';
import { tenantPaths, uploadDir } from '../../src/tenant/tenant-paths.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-quota-');

describe('quota and uploads', () => {
  it('counts uploads in the tenant usage, and a guard over the limit because of them fails its first check', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    writeTree(paths.dir, { 'index.db': 'x'.repeat(100) });
    writeTree(uploadDir(paths, 'demo'), { 'a.ts': 'y'.repeat(300), 'deep/b.ts': 'z'.repeat(200) });
    expect(uploadsDiskUsage(paths)).toBe(500);
    expect(tenantDiskUsage(paths)).toBe(600);
    const guard = new QuotaGuard(paths, 550);
    expect(guard.usedBefore).toBe(600);
    expect(() => guard.check()).toThrow(expect.objectContaining({ code: 'PCTX_ERR_QUOTA_EXCEEDED' }));
  });

  it('walks the uploads folder once per guard, not at every check of an index run (it can hold tens of thousands of files)', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    writeTree(paths.dir, { 'index.db': 'x'.repeat(100) });
    writeTree(uploadDir(paths, 'demo'), { 'a.ts': 'y'.repeat(300) });
    const guard = new QuotaGuard(paths, 1000);
    guard.check();
    // Files of the tenant folder itself are measured at each check…
    fs.writeFileSync(path.join(paths.dir, 'index.db-wal'), 'w'.repeat(700));
    expect(() => guard.check()).toThrow(expect.objectContaining({ code: 'PCTX_ERR_QUOTA_EXCEEDED' }));
    fs.rmSync(path.join(paths.dir, 'index.db-wal'));
    // …the uploads as they were when the guard was made.
    writeTree(uploadDir(paths, 'other'), { 'b.ts': 'q'.repeat(700) });
    expect(() => guard.check()).not.toThrow();
    expect(() => new QuotaGuard(paths, 1000).check()).toThrow(expect.objectContaining({ code: 'PCTX_ERR_QUOTA_EXCEEDED' }));
  });
});
