import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../src/util/atomic-file.js';
import { openTenantDb } from '../../src/tenant/tenant-db.js';
import { LOCAL_TENANT_ID, tenantPaths } from '../../src/tenant/tenant-paths.js';
import { buildVectorFile } from '../../src/tenant/vector-build.js';
import { readEmbeddingsMeta, readVectorFileState, writeVectorFileState } from '../../src/tenant/vector-state.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();

// Regression (docs/reliability.md, defect 18): a thread's builds reuse one hnswlib object
// instead of leaving one per build to the garbage collector.
describe('vector builds in one thread (one reused hnswlib object; defect 18)', () => {
  it('patches, rebuilds and survives a recorded file hnswlib cannot read, build after build', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir);
    await engine.indexFolder(LOCAL_TENANT_ID, { path: root });
    await engine.buildVectors(LOCAL_TENANT_ID);
    const paths = tenantPaths(dataDir, LOCAL_TENANT_ID);

    // In this thread, one after another: a rebuild, then an unchanged one.
    const rebuilt = buildVectorFile(paths, { force: true });
    expect(rebuilt.mode).toBe('rebuilt');
    const live = rebuilt.state!.live;
    expect(buildVectorFile(paths).mode).toBe('unchanged');

    // A recorded file of an older generation that passes every check but hnswlib's own read
    // (its level-0 data cut short and padded back to size). hnswlib frees the index the
    // object held before it reads: reusing that object afterwards would free it twice.
    const bytes = fs.readFileSync(paths.vectors);
    bytes.fill(0xff, 96, bytes.length);
    fs.writeFileSync(paths.vectors, bytes);
    const stat = fs.statSync(paths.vectors);
    const db = openTenantDb(paths, { create: false });
    try {
      const state = readVectorFileState(db)!;
      writeVectorFileState(db, { ...state, generation: readEmbeddingsMeta(db).generation - 1, size: stat.size, sha256: sha256File(paths.vectors), ino: stat.ino, mtimeMs: stat.mtimeMs });
    } finally {
      db.close();
    }
    const recovered = buildVectorFile(paths);
    expect(recovered.mode).toBe('rebuilt');
    expect(recovered.state!.live).toBe(live);
    // And the thread goes on building.
    expect(buildVectorFile(paths, { force: true }).mode).toBe('rebuilt');
    const found = await engine.searchSymbols(LOCAL_TENANT_ID, { query: 'get user by id', mode: 'semantic', limit: 5 });
    expect(found.results.map((h) => h.qualifiedName)).toContain('UserService.getUserById');
  });
});
