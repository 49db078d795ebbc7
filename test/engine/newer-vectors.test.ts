import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import Database from 'better-sqlite3';
import { completeEmbeddings } from '../../src/engine/indexer/deferred-embeddings.js';
import { LOCAL_TENANT_ID, tenantPaths } from '../../src/tenant/tenant-paths.js';
import { runVectorBuild } from '../../src/tenant/vector-index.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

async function found(engine: Engine, query: string, mode: 'semantic' | 'hybrid'): Promise<{ name: string; score: number }[]> {
  const r = await engine.searchSymbols(T, { query, mode, limit: 8 });
  return r.results.map((h) => ({ name: h.qualifiedName, score: h.score }));
}

describe('semantic search over an older vector index plus the symbols it lacks', () => {
  it('answers after a re-index exactly as the rebuilt index does: new symbols found, deleted ones gone', async () => {
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });
    // Loads the index of this generation into the engine.
    expect((await found(engine, 'get user by id', 'semantic')).map((h) => h.name)).toContain('UserService.getUserById');

    // A new file, a removed one and a changed one; vectors left to the first query.
    writeTree(root, {
      'ts/src/session/session-store.ts': '/** Stores user sessions by id. */\nexport function storeUserSession(id: string): void {}\n',
      'py/pkg/parser.py': 'def parse_settings(path):\n    """Parse a settings file."""\n    return {}\n',
    });
    fs.rmSync(path.join(root, 'ts/src/services/user-service.ts'));
    const run = await engine.indexFolder(T, { path: root }, { vectors: 'skip' });
    expect(run.files).toMatchObject({ indexed: 2, removed: 1 });

    // Served from the older index plus the newer symbols (the build it starts runs meanwhile).
    const queries = ['get user by id', 'store user session', 'parse settings file', 'configuration error'];
    const before: Record<string, { name: string; score: number }[]> = {};
    for (const q of queries) before[q] = await found(engine, q, 'semantic');
    expect(before['store user session']!.map((h) => h.name)).toContain('storeUserSession');
    expect(before['parse settings file']!.map((h) => h.name)).toContain('parse_settings');
    const everything = Object.values(before).flat().map((h) => h.name);
    expect(everything).not.toContain('UserService.getUserById');
    expect(everything).not.toContain('parse_config');

    // The same answers, scores included, from the index rebuilt for this generation.
    await engine.buildVectors(T);
    for (const q of queries) {
      const after = await found(engine, q, 'semantic');
      expect(after.map((h) => h.name)).toEqual(before[q]!.map((h) => h.name));
      after.forEach((h, i) => expect(h.score).toBeCloseTo(before[q]![i]!.score, 4));
    }
    expect((await found(engine, 'store user session', 'hybrid'))[0]!.name).toBe('storeUserSession');
  });

  it('a build whose state went unrecorded (an index run held the write lock) still serves after its index was evicted, without building again', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir);
    await engine.indexFolder(T, { path: root }, { vectors: 'skip' });
    const paths = tenantPaths(dataDir, T);
    await engine.pool.withTenant(T, async (lease) => {
      await completeEmbeddings(paths, lease.db, engine.embedder);
      // Another process's index run holds the write lock while the build ends.
      const other = new Database(paths.db);
      other.exec('BEGIN IMMEDIATE');
      const built = await runVectorBuild(paths);
      other.exec('ROLLBACK');
      other.close();
      expect(built.recorded).toBe(false);
      expect(await lease.anyVectors()).toBeNull();

      engine.pool.vectorsBuilt(T, built.state);
      engine.pool.invalidateVectors(T);
      const inode = fs.statSync(paths.vectors).ino;
      const index = await lease.anyVectors();
      expect(index).toMatchObject({ generation: built.state!.generation, size: built.state!.live });
      expect(fs.statSync(paths.vectors).ino).toBe(inode);
    });
  });
});
