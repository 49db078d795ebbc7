import { createEmbedder } from '../../src/engine/embed/create-embedder.js';
import { Engine } from '../../src/engine/engine.js';

/** The embedding every benchmark uses: the offline hashing embedder at its default width. */
export const BENCH_EMBEDDING = { provider: 'hash', dimension: 256 } as const;

export function benchEngine(dataDir: string, workers?: number): Engine {
  return new Engine({ dataDir, embedder: createEmbedder(BENCH_EMBEDDING), ...(workers !== undefined ? { workers } : {}) });
}
