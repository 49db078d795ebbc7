import fs from 'node:fs';
import hnswlib from 'hnswlib-node';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../src/util/atomic-file.js';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { SMALL_INDEX_BYTES } from '../../src/tenant/vector-build.js';
import { openVectorFile } from '../../src/tenant/vector-index.js';
import type { VectorFileState } from '../../src/tenant/vector-state.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const DIM = 256;

/** Writes a tenant's vectors.hnsw of `count` deterministic vectors (labels 1..count) and the state describing it. */
function writeVectors(count: number): { paths: ReturnType<typeof tenantPaths>; state: VectorFileState; query: number[]; expected: number[] } {
  const paths = tenantPaths(tempDir(), 'a0000001');
  fs.mkdirSync(paths.dir, { recursive: true });
  let seed = count;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const index = new hnswlib.HierarchicalNSW('cosine', DIM);
  index.initIndex({ maxElements: count, m: 16, efConstruction: 64, randomSeed: 100 });
  for (let i = 1; i <= count; i++) index.addPoint(Array.from({ length: DIM }, next), i);
  index.writeIndexSync(paths.vectors);
  const query = Array.from({ length: DIM }, next);
  index.setEf(100);
  const expected = index.searchKnn(query, 10).neighbors;
  const stat = fs.statSync(paths.vectors);
  const state: VectorFileState = { generation: 1, count, live: count, dimension: DIM, size: stat.size, sha256: sha256File(paths.vectors), ino: stat.ino, mtimeMs: stat.mtimeMs };
  return { paths, state, query, expected };
}

// Regression (docs/reliability.md, defect 18): every hnswlib index holds 2.5 MiB of native
// memory V8 does not see; a server loading one per small tenant per re-index grew past 1.7 GB.
describe('opening a tenant\'s vector file for a server (memory mode; defect 18)', () => {
  it('searches a small file from one buffer, without an hnswlib index and its 2.5 MiB of native memory', async () => {
    const { paths, state, query, expected } = writeVectors(300);
    expect(state.size).toBeLessThanOrEqual(SMALL_INDEX_BYTES);
    const index = await openVectorFile(paths, state, 'hash', 'memory');
    expect(index?.searcher).toBe('reader');
    expect(index?.mode).toBe('memory');
    expect(index?.maxLabel()).toBe(300);
    expect(index?.search(query, 10).map((h) => h.symbolId)).toEqual(expected);
    index?.close();
    expect(() => index?.search(query, 10)).toThrow(/closed/);
  });

  it('loads a file above SMALL_INDEX_BYTES into hnswlib, with the same results', async () => {
    const count = Math.ceil(SMALL_INDEX_BYTES / (4 + 32 * 4 + DIM * 4 + 8)) + 50;
    const { paths, state, query, expected } = writeVectors(count);
    expect(state.size).toBeGreaterThan(SMALL_INDEX_BYTES);
    const index = await openVectorFile(paths, state, 'hash', 'memory');
    expect(index?.searcher).toBe('hnswlib');
    expect(index?.mode).toBe('memory');
    expect(index?.maxLabel()).toBe(count);
    expect(index?.search(query, 10).map((h) => h.symbolId)).toEqual(expected);
    index?.close();
  });
});
