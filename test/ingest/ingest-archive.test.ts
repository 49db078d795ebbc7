import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestArchive } from '../../src/ingest/index.js';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { bodyOf, tarGz, type RawMember } from './tar-builder.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const TENANT = '0a0b0c0d';

function demoMembers(files: Record<string, string> = DEMO_REPO): RawMember[] {
  return Object.entries(files).map(([p, body]) => ({ path: `./${p}`, body }));
}

function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

describe('ingestArchive', () => {
  it('extracts a good archive into the tenant uploads folder and indexes it end to end with real SQLite and HNSW files', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    const phases = new Set<string>();
    const result = await ingestArchive({
      engine,
      tenantId: TENANT,
      repoName: 'demo',
      body: bodyOf(tarGz(demoMembers())),
      onProgress: (p) => phases.add(p.phase),
    });

    expect(result).toMatchObject({
      repo: 'demo',
      root: 'uploads/demo',
      files: { total: 8, indexed: 8, removed: 0, skipped: 0 },
      vectors: { mode: 'rebuilt' },
      archive: { files: Object.keys(DEMO_REPO).length, folders: 0, bytes: expect.any(Number), compressedBytes: expect.any(Number) },
    });
    expect(phases).toContain('extracting');
    expect(phases).toContain('parsing');

    const paths = tenantPaths(dataDir, TENANT);
    expect(fs.readFileSync(path.join(paths.uploads, 'demo', 'main.go'), 'utf8')).toBe(DEMO_REPO['main.go']);
    expect(listTree(paths.uploads).filter((p) => p.startsWith('.'))).toEqual([]);
    expect(fs.statSync(paths.vectors).size).toBeGreaterThan(0);

    const search = await engine.searchSymbols(TENANT, { query: 'getUserById' });
    expect(search.results[0]).toMatchObject({ name: 'getUserById', repo: 'demo', filePath: 'ts/src/services/user-service.ts' });
    const semantic = await engine.searchSymbols(TENANT, { query: 'parse configuration file', mode: 'semantic' });
    expect(semantic.results.length).toBeGreaterThan(0);
  });
});
