import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LOCAL_TENANT_ID } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;

async function indexedDemo() {
  const dataDir = tempDir();
  const root = path.join(tempDir(), 'demo');
  writeTree(root, DEMO_REPO);
  const engine = newEngine(dataDir);
  const result = await engine.indexFolder(T, { path: root });
  await engine.close();
  const vectors = path.join(dataDir, 'tenants', T, 'vectors.hnsw');
  return { dataDir, root, vectors, symbols: result.symbols };
}

function vectorState(dataDir: string): { generation: number; live: number; sha256: string } {
  const db = new Database(path.join(dataDir, 'tenants', T, 'index.db'), { readonly: true });
  try {
    return JSON.parse(db.prepare("SELECT value FROM meta WHERE key = 'vectors.file'").pluck().get() as string);
  } finally {
    db.close();
  }
}

async function semanticNames(dataDir: string, query: string): Promise<string[]> {
  const engine = newEngine(dataDir);
  const r = await engine.searchSymbols(T, { query, mode: 'semantic', limit: 3 });
  return r.results.map((h) => h.name);
}

describe('vector index files', () => {
  it('records the element count and SHA-256 of the file it wrote', async () => {
    const { dataDir, vectors, symbols } = await indexedDemo();
    const state = vectorState(dataDir);
    expect(state.live).toBe(symbols);
    expect(state.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.existsSync(vectors)).toBe(true);
    expect(fs.readdirSync(path.dirname(vectors)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('answers semantic queries by meaning-ish similarity of names, signatures and docs', async () => {
    const { dataDir } = await indexedDemo();
    expect(await semanticNames(dataDir, 'get user by id')).toContain('getUserById');
    const hybrid = await newEngine(dataDir).searchSymbols(T, { query: 'configuration parse', mode: 'hybrid', limit: 3 });
    expect(hybrid.results[0]!.name).toBe('parse_config');
  });

  it('rebuilds a missing vector file from the embeddings table', async () => {
    const { dataDir, vectors } = await indexedDemo();
    fs.rmSync(vectors);
    expect(await semanticNames(dataDir, 'get user by id')).toContain('getUserById');
    expect(fs.existsSync(vectors)).toBe(true);
  });

  it('rebuilds a corrupt vector file instead of crashing', async () => {
    const { dataDir, vectors } = await indexedDemo();
    const before = vectorState(dataDir).sha256;
    fs.writeFileSync(vectors, Buffer.alloc(fs.statSync(vectors).size, 0xab));
    expect(await semanticNames(dataDir, 'get user by id')).toContain('getUserById');
    expect(vectorState(dataDir).sha256).toBe(before);
  });

  it('rebuilds a truncated vector file', async () => {
    const { dataDir, vectors } = await indexedDemo();
    fs.truncateSync(vectors, 100);
    expect(await semanticNames(dataDir, 'parse configuration')).toContain('parse_config');
  });

  it('catches up when the file is older than the embeddings (written by another process)', async () => {
    const { dataDir, root } = await indexedDemo();
    const writer = newEngine(dataDir);
    fs.writeFileSync(path.join(root, 'late.py'), 'def compute_invoice_total(items):\n    """Sum the invoice."""\n');
    await writer.indexFolder(T, { path: root }, { vectors: 'skip' });
    const stale = vectorState(dataDir).generation;
    // Answered from the older file plus the symbol it lacks; the file catches up behind.
    const reader = newEngine(dataDir);
    const r = await reader.searchSymbols(T, { query: 'invoice total', mode: 'semantic', limit: 3 });
    expect(r.results.map((h) => h.name)).toContain('compute_invoice_total');
    await reader.backgroundIdle();
    expect(vectorState(dataDir).generation).toBe(stale + 1);
  });
});

/** A repository big enough for a graph with upper levels: 30 files of 12 functions each. */
function generatedRepo(): Record<string, string> {
  const verbs = ['load', 'parse', 'render', 'fetch', 'store', 'validate', 'merge', 'split', 'encode', 'decode', 'open', 'close'];
  const nouns = ['config', 'user', 'invoice', 'token', 'session', 'cache', 'image', 'report', 'order', 'stream', 'buffer', 'table', 'query', 'route', 'theme'];
  const files: Record<string, string> = {};
  for (let f = 0; f < 30; f++) {
    const lines: string[] = [];
    for (let i = 0; i < 12; i++) {
      const verb = verbs[(f * 5 + i) % verbs.length]!;
      const noun = nouns[(f * 3 + i * 7) % nouns.length]!;
      lines.push(`def ${verb}_${noun}_${f}_${i}(${noun}, options=None):`, `    """${verb} the ${noun} of module ${f}."""`, '    return None', '', '');
    }
    files[`pkg/mod_${f}.py`] = lines.join('\n');
  }
  return files;
}

describe('vector reads from the file', () => {
  it('give the same semantic and hybrid results as the graph loaded into memory, filters included', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'gen');
    writeTree(root, { ...generatedRepo(), ...DEMO_REPO });
    await newEngine(dataDir).indexFolder(T, { path: root }, { vectors: 'wait' });
    const memory = newEngine(dataDir, { pool: { vectorReads: 'memory' } });
    const file = newEngine(dataDir, { pool: { vectorReads: 'file' } });
    const queries = [
      { query: 'parse configuration', mode: 'semantic', limit: 10 },
      { query: 'load user session', mode: 'semantic', limit: 25 },
      { query: 'render invoice report', mode: 'hybrid', limit: 10 },
      { query: 'decode token', mode: 'semantic', limit: 10, language: 'python' },
      { query: 'get user by id', mode: 'semantic', limit: 5, kind: 'method' },
      { query: 'validate order', mode: 'semantic', limit: 10, pathPrefix: 'pkg/mod_1' },
    ];
    for (const q of queries) {
      const fromMemory = await memory.searchSymbols(T, q);
      expect(fromMemory.results.length).toBeGreaterThan(0);
      expect(await file.searchSymbols(T, q)).toEqual(fromMemory);
    }
  });

  it('rebuilds a file rewritten in place although its size is unchanged', async () => {
    const { dataDir, vectors } = await indexedDemo();
    const before = vectorState(dataDir).sha256;
    fs.writeFileSync(vectors, Buffer.alloc(fs.statSync(vectors).size, 0x01));
    const engine = newEngine(dataDir, { pool: { vectorReads: 'file' } });
    const r = await engine.searchSymbols(T, { query: 'get user by id', mode: 'semantic', limit: 3 });
    expect(r.results.map((h) => h.name)).toContain('getUserById');
    expect(vectorState(dataDir).sha256).toBe(before);
  });
});

describe('deferred vector builds', () => {
  it('an index run with vectors skipped leaves keyword search current, and the first semantic search builds the file for that run', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);
    const engine = newEngine(dataDir, { pool: { vectorReads: 'file' } });
    const result = await engine.indexFolder(T, { path: root }, { vectors: 'skip' });
    expect(result.vectors).toBeNull();
    const vectors = path.join(dataDir, 'tenants', T, 'vectors.hnsw');
    expect(fs.existsSync(vectors)).toBe(false);
    const keyword = await engine.searchSymbols(T, { query: 'getUserById', limit: 1 });
    expect(keyword.results[0]!.name).toBe('getUserById');

    const semantic = await engine.searchSymbols(T, { query: 'get user by id', mode: 'semantic', limit: 3 });
    expect(semantic.results.map((h) => h.name)).toContain('getUserById');
    const state = vectorState(dataDir);
    expect(state.live).toBe(result.symbols);
    const db = new Database(path.join(dataDir, 'tenants', T, 'index.db'), { readonly: true });
    try {
      expect(state.generation).toBe(Number(db.prepare("SELECT value FROM meta WHERE key = 'embeddings.generation'").pluck().get()));
    } finally {
      db.close();
    }
    // The same answers as a run that built its vectors before returning.
    const eager = tempDir();
    await newEngine(eager).indexFolder(T, { path: root }, { vectors: 'wait' });
    const fromEager = await newEngine(eager, { pool: { vectorReads: 'file' } }).searchSymbols(T, { query: 'get user by id', mode: 'semantic', limit: 3 });
    expect(fromEager.results.map((h) => [h.name, h.score])).toEqual(semantic.results.map((h) => [h.name, h.score]));
  });
});
