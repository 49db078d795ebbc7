import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tenantPaths, uploadDir } from '../../src/tenant/tenant-paths.js';
import { recoverUploads, removeUpload, restoreUpload, retireUpload } from '../../src/tenant/uploads.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-uploads-');
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

describe('upload folders', () => {
  it('retire, restore and remove move whole folders and tolerate a missing one', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    expect(retireUpload(paths, 'demo')).toBeNull();
    expect(removeUpload(paths, 'demo')).toBe(false);
    writeTree(uploadDir(paths, 'demo'), { 'a.ts': 'old' });
    const old = retireUpload(paths, 'demo')!;
    expect(path.basename(old)).toMatch(new RegExp(`^\\.old-${process.pid}-[0-9a-f]{8}-demo$`));
    writeTree(uploadDir(paths, 'demo'), { 'a.ts': 'new' });
    restoreUpload(paths, 'demo', old);
    expect(fs.readFileSync(path.join(uploadDir(paths, 'demo'), 'a.ts'), 'utf8')).toBe('old');
    expect(fs.readdirSync(paths.uploads)).toEqual(['demo']);
    expect(removeUpload(paths, 'demo')).toBe(true);
    expect(fs.readdirSync(paths.uploads)).toEqual([]);
  });

  it('after a crash between the two renames of a replacement, recovery puts the previous upload back', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    writeTree(path.join(paths.uploads, '.old-0123abcd-demo'), { 'a.ts': 'previous' });
    recoverUploads(paths, { active: new Set() });
    expect(fs.readdirSync(paths.uploads)).toEqual(['demo']);
    expect(fs.readFileSync(path.join(uploadDir(paths, 'demo'), 'a.ts'), 'utf8')).toBe('previous');
  });

  it('after a crash once the replacement went live, recovery removes the previous copy', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    writeTree(path.join(paths.uploads, '.old-0123abcd-demo'), { 'a.ts': 'previous' });
    writeTree(uploadDir(paths, 'demo'), { 'a.ts': 'current' });
    writeTree(path.join(paths.uploads, '.old-zzzz-not-ours'), { 'x': 'junk' });
    recoverUploads(paths, { active: new Set() });
    expect(fs.readdirSync(paths.uploads)).toEqual(['demo']);
    expect(fs.readFileSync(path.join(uploadDir(paths, 'demo'), 'a.ts'), 'utf8')).toBe('current');
  });

  it('removes stale staging folders but never an active or recent one', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    const stale = path.join(paths.uploads, '.staging-stale1');
    const active = path.join(paths.uploads, '.staging-active');
    const recent = path.join(paths.uploads, '.staging-recent');
    for (const dir of [stale, active, recent]) writeTree(dir, { 'f.ts': 'x' });
    const old = new Date(T0 - 11 * 60 * 1000);
    fs.utimesSync(stale, old, old);
    fs.utimesSync(active, old, old);
    fs.utimesSync(recent, new Date(T0 - 60 * 1000), new Date(T0 - 60 * 1000));
    recoverUploads(paths, { active: new Set([active]), now: () => T0 });
    expect(fs.readdirSync(paths.uploads).sort()).toEqual(['.staging-active', '.staging-recent']);
  });

  it('does nothing for a tenant without uploads', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    expect(() => recoverUploads(paths, { active: new Set() })).not.toThrow();
  });

  it('an upload killed during its index run: the next start puts the previous files back, because the index still holds them (found by the server crash test)', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    const dead = deadPid();
    writeTree(path.join(paths.uploads, `.old-${dead}-0123abcd-demo`), { 'a.ts': 'previous', 'b.ts': 'kept' });
    writeTree(uploadDir(paths, 'demo'), { 'a.ts': 'replacement', 'c.ts': 'added' });
    writeTree(path.join(paths.uploads, `.staging-${dead}-AbC123`), { 'a.ts': 'half' });
    const indexed = new Map([['a.ts', sha256('previous')], ['b.ts', sha256('kept')]]);
    const settled = recoverUploads(paths, { mode: 'startup', indexedFiles: () => indexed });
    expect(fs.readdirSync(paths.uploads)).toEqual(['demo']);
    expect(fs.readdirSync(uploadDir(paths, 'demo')).sort()).toEqual(['a.ts', 'b.ts']);
    expect(fs.readFileSync(path.join(uploadDir(paths, 'demo'), 'a.ts'), 'utf8')).toBe('previous');
    expect(settled).toContain("put back the previous upload of demo (its replacement's index run never committed)");
  });

  it('an upload killed after its index run committed keeps the new files', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    writeTree(path.join(paths.uploads, `.old-${deadPid()}-0123abcd-demo`), { 'a.ts': 'previous' });
    writeTree(uploadDir(paths, 'demo'), { 'a.ts': 'replacement' });
    recoverUploads(paths, { mode: 'startup', indexedFiles: () => new Map([['a.ts', sha256('replacement')]]) });
    expect(fs.readdirSync(paths.uploads)).toEqual(['demo']);
    expect(fs.readFileSync(path.join(uploadDir(paths, 'demo'), 'a.ts'), 'utf8')).toBe('replacement');
  });

  it('at start-up, leaves the leftovers of a live process and of older builds to the next upload', () => {
    const paths = tenantPaths(tempDir(), '0a0b0c0d');
    const live = process.ppid;
    const names = [`.old-${live}-0123abcd-demo`, `.staging-${live}-AbC123`, '.old-0123abcd-other', '.staging-legacy'];
    for (const name of names) writeTree(path.join(paths.uploads, name), { 'a.ts': 'x' });
    const old = new Date(T0 - 11 * 60 * 1000);
    fs.utimesSync(path.join(paths.uploads, '.staging-legacy'), old, old);
    expect(recoverUploads(paths, { mode: 'startup', now: () => T0 })).toEqual([]);
    expect(fs.readdirSync(paths.uploads).sort()).toEqual([...names].sort());
  });
});
