import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IndexResult } from '../../src/engine/indexer/index-run.js';
import { TENANT_SCHEMA_VERSION } from '../../src/tenant/tenant-schema.js';
import { PACKAGE_VERSION } from '../../src/version.js';
import type { Corpus } from './corpora.js';
import { BENCH_EMBEDDING, benchEngine } from './engine.js';
import { tempDir } from './temp.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_ROOT = path.join(os.tmpdir(), 'pctx-bench-cache');

/** Sources whose changes alter what an index contains: a new digest means a new cache entry. */
const INDEX_SOURCES = ['src/parse', 'src/engine/indexer', 'src/engine/embed', 'src/engine/tokens.ts', 'src/engine/search-terms.ts', 'src/engine/discovery.ts', 'src/tenant/tenant-schema.ts'];

function sourceDigest(): string {
  const hash = crypto.createHash('sha256');
  const visit = (rel: string) => {
    const abs = path.join(REPO_ROOT, rel);
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) visit(path.join(rel, name));
    } else {
      hash.update(rel).update('\0').update(fs.readFileSync(abs)).update('\0');
    }
  };
  for (const rel of INDEX_SOURCES) visit(rel);
  return hash.digest('hex');
}

export interface BuiltIndex {
  dataDir: string;
  tenantId: string;
  /** True when this run built it; false when reused from the cache. */
  built: boolean;
  build: { indexMs: number; vectorsMs: number; files: number; symbols: number; bytes: number } | null;
  cacheKey: string | null;
  /** Removes the index unless it is the cache entry. */
  dispose: () => void;
}

/**
 * A tenant holding the corpus, with its vector file built. Cached under
 * /tmp/pctx-bench-cache/<name>-<key>, where the key covers the schema version, the
 * package version, the embedding, the corpus and the indexing sources: any change there
 * builds a fresh index, and older entries of the same name are removed.
 */
export async function corpusIndex(name: string, corpus: Corpus, options: { cache: boolean; log: (line: string) => void }): Promise<BuiltIndex> {
  const tenantId = 'c0000001';
  const key = crypto
    .createHash('sha256')
    .update(JSON.stringify({ schema: TENANT_SCHEMA_VERSION, version: PACKAGE_VERSION, embedding: BENCH_EMBEDDING, root: corpus.root, exclude: corpus.exclude, sources: sourceDigest() }))
    .digest('hex')
    .slice(0, 16);
  let dir: string;
  let dispose = () => {};
  if (options.cache) {
    dir = path.join(CACHE_ROOT, `${name}-${key}`);
    fs.mkdirSync(CACHE_ROOT, { recursive: true });
    for (const entry of fs.readdirSync(CACHE_ROOT)) {
      if (entry.startsWith(`${name}-`) && entry !== path.basename(dir)) {
        options.log(`removing stale cache ${entry}`);
        fs.rmSync(path.join(CACHE_ROOT, entry), { recursive: true, force: true });
      }
    }
    const marker = path.join(dir, 'ready.json');
    if (fs.existsSync(marker)) {
      options.log(`reusing cached index ${dir}`);
      return { dataDir: path.join(dir, 'data'), tenantId, built: false, build: JSON.parse(fs.readFileSync(marker, 'utf8')).build, cacheKey: key, dispose };
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  } else {
    const tmp = tempDir(name);
    dir = tmp.path;
    dispose = tmp.remove;
  }
  options.log(`indexing ${corpus.root} into ${dir} (once; cached for later runs)`);
  const dataDir = path.join(dir, 'data');
  const engine = benchEngine(dataDir);
  let result: IndexResult;
  try {
    result = await engine.indexFolder(tenantId, { path: corpus.root, exclude: corpus.exclude }, { vectors: 'wait' });
  } finally {
    await engine.close();
  }
  const build = {
    indexMs: Math.round(result.durationMs - result.phasesMs.vectors),
    vectorsMs: Math.round(result.phasesMs.vectors),
    files: result.files.indexed,
    symbols: result.symbols,
    bytes: result.bytesParsed,
  };
  if (options.cache) fs.writeFileSync(path.join(dir, 'ready.json'), JSON.stringify({ key, corpus, build }, null, 2));
  return { dataDir, tenantId, built: true, build, cacheKey: options.cache ? key : null, dispose };
}
