import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParsePool } from '../../src/engine/indexer/parse-pool.js';
import type { ParsedFile } from '../../src/engine/indexer/parse-protocol.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-parse-pool-');
const pools: ParsePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function names(files: ParsedFile[]): string[] {
  return files.flatMap((f) => (f.status === 'parsed' ? f.symbols.map((s) => s.name) : []));
}

describe('ParsePool batch ids', () => {
  it('gives each run its own files when two runs send a batch with the same id (two tenants indexing at once got each other\'s symbols, and one run hung)', async () => {
    const pool = new ParsePool({ workers: 1 });
    pools.push(pool);
    const roots = ['alpha', 'beta'].map((marker) => {
      const root = fs.realpathSync(tempDir());
      writeTree(root, { 'src/module0.ts': `export function ${marker}Parse(): void {}\n` });
      return root;
    });
    // Index runs number their batches from 0: both runs' first batch is in flight at once.
    const [a, b] = await Promise.all(
      roots.map((root) =>
        pool.run({ batchId: 0, rootReal: root, maxFileBytes: 1 << 20, files: [{ absPath: path.join(root, 'src/module0.ts'), relPath: 'src/module0.ts', language: 'typescript', knownHash: null }] }),
      ),
    );
    expect(names(a!.files)).toEqual(['alphaParse']);
    expect(names(b!.files)).toEqual(['betaParse']);
    expect([a!.batchId, b!.batchId]).toEqual([0, 0]);
  });
});
