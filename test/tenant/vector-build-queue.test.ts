import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { runVectorBuild } from '../../src/tenant/vector-index.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();

describe('the process\'s vector build queue', () => {
  it('shares a tenant\'s waiting build among its requests and runs a build somebody waits for before background ones', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir);
    const tenants = ['a0000001', 'b0000002', 'c0000003'];
    for (const t of tenants) await engine.indexFolder(t, { path: root });
    const [a, b, c] = tenants.map((t) => tenantPaths(dataDir, t));

    const force = { force: true };
    const first = runVectorBuild(a!, force, undefined, true); // starts at once
    const background = runVectorBuild(b!, force, undefined, true); // waits
    expect(runVectorBuild(b!, force, undefined, true)).toBe(background); // shared while waiting
    const waitedFor = runVectorBuild(c!, force); // a search waits for it: goes first
    const [builtA, builtB, builtC] = await Promise.all([first, background, waitedFor]);
    for (const built of [builtA, builtB, builtC]) expect(built.mode).toBe('rebuilt');
    const mtime = (p: typeof a) => fs.statSync(p!.vectors).mtimeMs;
    expect(mtime(a)).toBeLessThanOrEqual(mtime(c));
    expect(mtime(c)).toBeLessThanOrEqual(mtime(b));
    // Once started, a build is not shared: a later request gets a build of its own.
    const again = runVectorBuild(b!, force, undefined, true);
    expect(again).not.toBe(background);
    expect((await again).mode).toBe('rebuilt');
  });
});
