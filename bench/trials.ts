/**
 * The table of trials: every benchmark this folder has, one file per operation, each run
 * in a fresh process by `npm run bench -- [name…]` (all when none is named).
 */
export interface Trial {
  name: string;
  /** Benchmark file, relative to bench/. */
  file: string;
  args: string[];
  about: string;
}

export const TRIALS: readonly Trial[] = [
  { name: 'index', file: 'index-corpus.ts', args: ['--corpus', 'stdlib,npm'], about: 'index throughput vs the tree-sitter parse ceiling; vector build; no-op re-index' },
  { name: 'index-stages', file: 'index-stages.ts', args: ['--corpus', 'stdlib,npm'], about: 'CPU time of each index stage on one thread (read, hash, parse, FTS text, embed, write)' },
  { name: 'search', file: 'search.ts', args: [], about: 'keyword / semantic / hybrid latency on ≥100k symbols vs a naive LIKE scan' },
  { name: 'search-stages', file: 'search-stages.ts', args: [], about: 'keyword search time by SQL statement, and the slowest queries' },
  { name: 'floor-index', file: 'floor/index-floor.ts', args: [], about: 'the least a fresh indexing process must do (2 workers parse/extract, nothing written) vs the single-thread parse, beside `index` (needs `npm run build`)' },
  { name: 'http', file: 'http.ts', args: [], about: 'MCP search over HTTP (auth, rate limit, log) at 100 connections vs a fastify hello-world and the issue\'s least per-request work (floor); p99 while another tenant indexes' },
  { name: 'quality', file: 'quality.ts', args: [], about: 'search quality (MRR@10, Recall@1/10) of sentence, docs-removed and identifier queries per mode, on the tuning corpora' },
  { name: 'recall', file: 'recall.ts', args: [], about: 'symbol recall against universal-ctags per language, misses grouped by pattern, vs main' },
  { name: 'watch', file: 'watch.ts', args: [], about: 'watcher: edit-to-searchable latency, a 5,000-file checkout swap vs a fresh index, idle cost of watching 10,000 files' },
  { name: 'pool', file: 'pool.ts', args: [], about: '10,000 tenants behind 256 handles vs one shared database: acquire, miss, throughput, memory, delete' },
];
