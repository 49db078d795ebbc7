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
    expect(await semanticNames(dataDir, 'invoice total')).toContain('compute_invoice_total');
    expect(vectorState(dataDir).generation).toBe(stale + 1);
  });
});
