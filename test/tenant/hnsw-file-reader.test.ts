import fs from 'node:fs';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { describe, expect, it } from 'vitest';
import { HnswFileReader, normalizeLikeHnswlib } from '../../src/tenant/hnsw-file-reader.js';
import { PctxError } from '../../src/errors.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();

/** A deterministic generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Few distinct coordinate values: many vectors at exactly equal distances, as with int8 quantisation. */
function coarseVector(next: () => number, dim: number): number[] {
  return Array.from({ length: dim }, () => Math.round((next() - 0.5) * 6));
}

function writeGraph(dim: number, count: number, deleted: number, seed: number): { file: string; index: hnswlib.HierarchicalNSW } {
  const next = lcg(seed);
  const index = new hnswlib.HierarchicalNSW('cosine', dim);
  index.initIndex({ maxElements: Math.ceil(count * 1.25), m: 16, efConstruction: 64, randomSeed: 100, allowReplaceDeleted: true });
  for (let i = 0; i < count; i++) index.addPoint(coarseVector(next, dim), 1000 + i);
  for (let i = 0; i < deleted; i++) index.markDelete(1000 + i * 3);
  const file = path.join(tempDir(), 'vectors.hnsw');
  index.writeIndexSync(file);
  return { file, index };
}

describe('HnswFileReader', () => {
  // dim 64: hnswlib's 16-wide kernel; 50 and 20: its kernel plus a scalar tail; 12: the
  // 4-wide kernel; 7: the scalar loop alone.
  it.each([
    [64, 800, 0],
    [50, 700, 60],
    [20, 800, 0],
    [12, 600, 40],
    [7, 400, 0],
  ])('returns exactly what hnswlib returns, distances and tie order included, from the file and from memory (dim %i, %i vectors, %i deleted)', async (dim, count, deleted) => {
    const { file, index } = writeGraph(dim, count, deleted, dim * 7919);
    for (const reader of [HnswFileReader.open(file, dim, '00000000'), await HnswFileReader.load(file, dim, '00000000')]) {
      try {
        expectSameAsHnswlib(reader, index, dim, count, deleted);
      } finally {
        reader.close();
      }
    }
  });

  function expectSameAsHnswlib(reader: HnswFileReader, index: hnswlib.HierarchicalNSW, dim: number, count: number, deleted: number): void {
    expect(reader.count).toBe(count);
    // Deleted elements keep their labels, as in hnswlib's getIdsList.
    expect(reader.maxLabel()).toBe(Math.max(...index.getIdsList()));
    const next = lcg(dim);
    for (let q = 0; q < 60; q++) {
      const query = coarseVector(next, dim);
      const k = 1 + Math.floor(next() * 25);
      const accept = q % 3 === 0 ? (label: number) => label % 2 === 0 : undefined;
      const ef = Math.max(100, 2 * k);
      index.setEf(ef);
      const expected = index.searchKnn(query, k, accept);
      const actual = reader.search(normalizeLikeHnswlib(query), k, ef, deleted > 0, accept);
      expect(actual.map((h) => h.label)).toEqual(expected.neighbors);
      expect(actual.map((h) => h.distance)).toEqual(expected.distances);
    }
  }

  it('reads only the header and upper levels when opened, and then only the nodes a query visits', () => {
    const { file } = writeGraph(64, 3000, 0, 11);
    const size = fs.statSync(file).size;
    const reads: number[] = [];
    const original = fs.readSync;
    const spy = ((...args: Parameters<typeof fs.readSync>) => {
      const n = original(...args);
      reads.push(n);
      return n;
    }) as typeof fs.readSync;
    fs.readSync = spy;
    try {
      const reader = HnswFileReader.open(file, 64, '00000000');
      const atOpen = reads.reduce((a, b) => a + b, 0);
      reader.search(normalizeLikeHnswlib(coarseVector(lcg(3), 64)), 10, 100, false);
      const total = reads.reduce((a, b) => a + b, 0);
      reader.close();
      expect(atOpen).toBeLessThan(size * 0.05);
      expect(total).toBeLessThan(size);
    } finally {
      fs.readSync = original;
    }
  });

  it('refuses a file whose layout does not match the dimension, with TENANT_CORRUPT', async () => {
    const { file } = writeGraph(64, 50, 0, 5);
    expect(() => HnswFileReader.open(file, 32, '00000000')).toThrow(PctxError);
    await expect(HnswFileReader.load(file, 32, '00000000')).rejects.toThrow(PctxError);
    fs.truncateSync(file, 90);
    expect(() => HnswFileReader.open(file, 64, '00000000')).toThrow(/TENANT_CORRUPT|header/);
    await expect(HnswFileReader.load(file, 64, '00000000')).rejects.toThrow(/TENANT_CORRUPT|header/);
  });

  it('loaded into memory, holds no file open and keeps searching after the file is gone', async () => {
    const { file, index } = writeGraph(16, 300, 0, 13);
    const reader = await HnswFileReader.load(file, 16, '00000000');
    expect(reader.inMemory).toBe(true);
    fs.rmSync(file);
    const query = coarseVector(lcg(4), 16);
    index.setEf(100);
    expect(reader.search(normalizeLikeHnswlib(query), 5, 100, false).map((h) => h.label)).toEqual(index.searchKnn(query, 5).neighbors);
    reader.close();
  });

  it('reports a neighbour id outside the file as corruption instead of reading past it', () => {
    const { file } = writeGraph(16, 200, 0, 9);
    // The first record's first neighbour (after the 96-byte header and the u32 count).
    const fd = fs.openSync(file, 'r+');
    const bad = Buffer.alloc(4);
    bad.writeUInt32LE(1_000_000);
    for (let id = 0; id < 200; id++) fs.writeSync(fd, bad, 0, 4, 96 + id * (4 + 32 * 4 + 16 * 4 + 8) + 4);
    fs.closeSync(fd);
    const reader = HnswFileReader.open(file, 16, '00000000');
    try {
      expect(() => reader.search(normalizeLikeHnswlib(coarseVector(lcg(1), 16)), 5, 100, false)).toThrow(/out of range/);
    } finally {
      reader.close();
    }
  });
});
