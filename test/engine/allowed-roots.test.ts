import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAllowedPath, resolveTenantIndexRoot } from '../../src/engine/allowed-roots.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-roots-');
const newEngine = useEngines();

/** An allowed root with code in it, a secret folder beside it, and links from one to the other. */
function world() {
  const base = fs.realpathSync(tempDir());
  const root = path.join(base, 'allowed');
  const outside = path.join(base, 'outside');
  writeTree(root, { 'app/main.ts': 'export function main() {}\n' });
  writeTree(outside, { 'secret.ts': 'export const secret = 1;\n' });
  fs.symlinkSync(outside, path.join(root, 'escape'));
  fs.symlinkSync(path.join(root, 'app'), path.join(base, 'link-to-app'));
  return { base, root, outside };
}

function refusedWith(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('the path was allowed');
}

describe('resolveAllowedPath', () => {
  it('returns the real path of a folder inside a root, and of the root itself', () => {
    const { root } = world();
    expect(resolveAllowedPath(path.join(root, 'app'), [root])).toBe(path.join(root, 'app'));
    expect(resolveAllowedPath(root, [root])).toBe(root);
    expect(resolveAllowedPath(`${root}/app/./`, [`${root}/`])).toBe(path.join(root, 'app'));
  });

  it('refuses a folder outside every root with PATH_NOT_ALLOWED (403)', () => {
    const { root, outside } = world();
    const err = refusedWith(() => resolveAllowedPath(outside, [root]));
    expect(err).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED', status: 403, details: { path: outside } });
    expect(String(err.message)).toMatch(/outside every folder in hosting\.allowedRoots/);
  });

  it('refuses a sibling folder whose name merely starts like the root', () => {
    const { root } = world();
    fs.mkdirSync(`${root}-evil`);
    expect(refusedWith(() => resolveAllowedPath(`${root}-evil`, [root]))).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
  });

  it('refuses a symbolic link inside a root that leads outside it, without saying where it leads', () => {
    const { root, outside } = world();
    const err = refusedWith(() => resolveAllowedPath(path.join(root, 'escape'), [root]));
    expect(err).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    expect(String(err.message)).toMatch(/symbolic link/);
    expect(JSON.stringify(err)).not.toContain(outside);
  });

  it('refuses ".." that climbs out of a root, before touching the disk', () => {
    const { root } = world();
    expect(refusedWith(() => resolveAllowedPath(`${root}/../outside`, [root]))).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    // Outside paths are refused the same whether they exist or not: no probing the server's disk.
    const missing = refusedWith(() => resolveAllowedPath(`${root}/../no-such-folder`, [root]));
    expect(missing).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    expect(resolveAllowedPath(`${root}/app/../app`, [root])).toBe(path.join(root, 'app'));
  });

  it('refuses a path outside the roots even when it is a link that leads into one', () => {
    const { base, root } = world();
    // The requested path itself is outside every root, so it is refused even though its target is inside.
    expect(refusedWith(() => resolveAllowedPath(path.join(base, 'link-to-app'), [root]))).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
  });

  it('accepts roots given through a symbolic link, comparing real paths on both sides', () => {
    const { base, root } = world();
    fs.symlinkSync(root, path.join(base, 'root-alias'));
    const alias = path.join(base, 'root-alias');
    expect(resolveAllowedPath(path.join(alias, 'app'), [alias])).toBe(path.join(root, 'app'));
    expect(resolveAllowedPath(path.join(root, 'app'), [alias])).toBe(path.join(root, 'app'));
  });

  it('says so when no root is configured, and reports a missing folder inside a root as ROOT_NOT_FOUND', () => {
    const { root } = world();
    expect(String(refusedWith(() => resolveAllowedPath(root, [])).message)).toMatch(/hosting\.allowedRoots is empty/);
    expect(refusedWith(() => resolveAllowedPath(path.join(root, 'nope'), [root]))).toMatchObject({ code: 'PCTX_ERR_ROOT_NOT_FOUND' });
  });

  it('never lets a root that holds the data folder reach the tenants', () => {
    const { base } = world();
    const tenants = path.join(base, 'data', 'tenants');
    fs.mkdirSync(path.join(tenants, '0a0a0a0a', 'uploads', 'mine'), { recursive: true });
    fs.mkdirSync(path.join(tenants, '0b0b0b0b', 'uploads', 'theirs'), { recursive: true });
    const policy = { allowedRoots: [base], uploads: path.join(tenants, '0a0a0a0a', 'uploads'), tenantsRoot: tenants };
    expect(resolveTenantIndexRoot(path.join(tenants, '0a0a0a0a', 'uploads', 'mine'), policy)).toBe(path.join(tenants, '0a0a0a0a', 'uploads', 'mine'));
    expect(refusedWith(() => resolveTenantIndexRoot(path.join(tenants, '0b0b0b0b', 'uploads', 'theirs'), policy))).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    expect(refusedWith(() => resolveTenantIndexRoot(base, policy))).toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    expect(resolveTenantIndexRoot('relative/dir', { ...policy, allowedRoots: null })).toBe(path.resolve('relative/dir'));
  });
});

describe('Engine allowedRoots', { timeout: 120_000 }, () => {
  it('checks index_folder against the roots before reading anything, and stays unrestricted by default', async () => {
    const { root, outside } = world();
    const hosted = newEngine(tempDir(), { allowedRoots: [root] });
    await expect(hosted.indexFolder('0c0c0c0c', { path: path.join(root, 'app') })).resolves.toMatchObject({ repo: 'app', files: { total: 1 } });
    await expect(hosted.indexFolder('0c0c0c0c', { path: outside })).rejects.toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    await expect(hosted.indexFolder('0c0c0c0c', { path: path.join(root, 'escape') })).rejects.toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    await expect(hosted.indexFolder('0c0c0c0c', { path: `${root}/../outside` })).rejects.toMatchObject({ code: 'PCTX_ERR_PATH_NOT_ALLOWED' });
    expect((await hosted.listRepos('0c0c0c0c')).repos.map((r) => r.repo)).toEqual(['app']);

    const local = newEngine(tempDir());
    await expect(local.indexFolder('0c0c0c0c', { path: outside })).resolves.toMatchObject({ files: { total: 1 } });
    expect(() => newEngine(tempDir(), { allowedRoots: ['relative/path'] })).toThrow(/hosting\.allowedRoots\[0\]/);
  });
});
