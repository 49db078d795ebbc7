import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const A = 'aaaaaaaa';
const B = 'bbbbbbbb';

/** Both tenants index a folder named `app` (same repo name), with different code. */
async function twoTenants(): Promise<{ engine: Engine; dataDir: string; idOfB: string }> {
  const dataDir = tempDir();
  const rootA = path.join(tempDir(), 'app');
  const rootB = path.join(tempDir(), 'app');
  writeTree(rootA, {
    'src/shared.ts': 'export function sharedName(): string { return "A"; }\n',
    'src/alpha.ts': "import { sharedName } from './shared';\n/** Alpha billing. */\nexport function alphaInvoice() { return sharedName(); }\n",
  });
  writeTree(rootB, {
    'src/shared.ts': 'export function sharedName(): string { return "B-secret"; }\n',
    'src/beta.ts': "import { sharedName } from './shared';\n/** Beta payroll. */\nexport function betaPayroll() { return sharedName(); }\n",
  });
  const engine = newEngine(dataDir);
  await engine.indexFolder(A, { path: rootA });
  await engine.indexFolder(B, { path: rootB });
  const idOfB = (await engine.searchSymbols(B, { query: 'betaPayroll' })).results[0]!.id;
  return { engine, dataDir, idOfB };
}

describe('tenant isolation', () => {
  it('keeps each tenant in its own folder with its own files', async () => {
    const { dataDir } = await twoTenants();
    expect(fs.readdirSync(path.join(dataDir, 'tenants')).sort()).toEqual([A, B]);
    for (const t of [A, B]) expect(fs.existsSync(path.join(dataDir, 'tenants', t, 'index.db'))).toBe(true);
  });

  it("never returns another tenant's symbols from keyword, semantic or hybrid search", async () => {
    const { engine } = await twoTenants();
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      const a = await engine.searchSymbols(A, { query: 'betaPayroll payroll', mode, limit: 20 });
      expect(a.results.map((h) => h.name)).not.toContain('betaPayroll');
      const b = await engine.searchSymbols(B, { query: 'alphaInvoice invoice', mode, limit: 20 });
      expect(b.results.map((h) => h.name)).not.toContain('alphaInvoice');
    }
  });

  it("resolves a symbol id only in its own tenant, even when A passes B's id", async () => {
    const { engine, idOfB } = await twoTenants();
    await expect(engine.getSymbolSource(A, { id: idOfB })).rejects.toMatchObject({ code: 'PCTX_ERR_SYMBOL_NOT_FOUND' });
    expect((await engine.getSymbolSource(B, { id: idOfB })).source).toContain('betaPayroll');
  });

  it('gives each tenant its own view of a repository name both of them use', async () => {
    const { engine } = await twoTenants();
    const sharedA = (await engine.searchSymbols(A, { query: 'sharedName' })).results[0]!;
    const sharedB = (await engine.searchSymbols(B, { query: 'sharedName' })).results[0]!;
    // Same repo name, path and symbol name: same public id, different data.
    expect(sharedA.id).toBe(sharedB.id);
    expect((await engine.getSymbolSource(A, { id: sharedA.id })).source).toContain('"A"');
    expect((await engine.getSymbolSource(B, { id: sharedB.id })).source).toContain('"B-secret"');
    expect((await engine.getFileContent(A, { repo: 'app', path: 'src/shared.ts' })).content).not.toContain('B-secret');
    await expect(engine.getFileOutline(A, { repo: 'app', path: 'src/beta.ts' })).rejects.toMatchObject({ code: 'PCTX_ERR_FILE_NOT_FOUND' });
    await expect(engine.getFileContent(A, { repo: 'app', path: 'src/beta.ts' })).rejects.toMatchObject({ code: 'PCTX_ERR_FILE_NOT_FOUND' });
    expect((await engine.findImporters(A, { repo: 'app', path: 'src/shared.ts' })).importers.map((i) => i.path)).toEqual(['src/alpha.ts']);
    expect((await engine.findImporters(B, { repo: 'app', path: 'src/shared.ts' })).importers.map((i) => i.path)).toEqual(['src/beta.ts']);
    await expect(engine.getDependencies(A, { repo: 'app', path: 'src/beta.ts' })).rejects.toMatchObject({ code: 'PCTX_ERR_FILE_NOT_FOUND' });
  });

  it("cannot list or delete another tenant's repositories", async () => {
    const { engine } = await twoTenants();
    const rootC = path.join(tempDir(), 'b-only');
    writeTree(rootC, { 'x.py': 'def b_only():\n    pass\n' });
    await engine.indexFolder(B, { path: rootC });
    expect((await engine.listRepos(A)).repos.map((r) => r.repo)).toEqual(['app']);
    await expect(engine.deleteRepo(A, { repo: 'b-only' })).rejects.toMatchObject({ code: 'PCTX_ERR_REPO_NOT_FOUND' });
    await expect(engine.searchSymbols(A, { query: 'x', repo: 'b-only' })).rejects.toMatchObject({ code: 'PCTX_ERR_REPO_NOT_FOUND' });
    expect((await engine.searchSymbols(B, { query: 'b_only' })).results).toHaveLength(1);
  });

  it('rejects malformed tenant ids before any file is touched', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    for (const bad of ['../x', '00000000/..', 'ABCDEF12', 'abcdef1', 'abcdef123', '', '０１２３４５６７', 'abcdefg0', '../../etc']) {
      await expect(engine.searchSymbols(bad, { query: 'x' })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
      await expect(engine.indexFolder(bad, { path: dataDir })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_TENANT_ID' });
    }
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('fails only the tenant whose database is corrupt, with a clear error', async () => {
    const { engine, dataDir } = await twoTenants();
    await engine.close();
    const file = path.join(dataDir, 'tenants', B, 'index.db');
    const bytes = fs.readFileSync(file);
    bytes.fill(0x42, 0, 100); // destroy the SQLite header
    fs.writeFileSync(file, bytes);
    const fresh = newEngine(dataDir);
    await expect(fresh.searchSymbols(B, { query: 'betaPayroll' })).rejects.toMatchObject({
      code: 'PCTX_ERR_TENANT_CORRUPT',
      message: expect.stringContaining('other tenants are unaffected'),
    });
    expect((await fresh.searchSymbols(A, { query: 'alphaInvoice' })).results).toHaveLength(1);
  });
});
