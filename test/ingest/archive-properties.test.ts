import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPctxError } from '../../src/errors.js';
import { extractArchive, memberPath, resolveArchiveLimits } from '../../src/ingest/index.js';
import { tenantPaths, uploadDir } from '../../src/tenant/tenant-paths.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { bodyOf, tarGz, type RawMember } from './tar-builder.js';

const tempDir = useTempDir('pctx-props-');
const limits = resolveArchiveLimits({ maxPathDepth: 8, maxPathLength: 200 });

/** Characters that matter to paths, plus ordinary ones, so short strings hit the edge cases often. */
const pathChar = fc.constantFrom('/', '/', '.', '.', '\\', ':', 'C', 'a', 'b', '-', '\0', ' ', 'é', '~');
const memberName = fc.oneof(
  fc.string({ unit: pathChar, maxLength: 24 }),
  fc.array(fc.constantFrom('..', '.', '', 'a', 'b', '...', '.a', 'a..'), { maxLength: 6 }).map((segs) => segs.join('/')),
  fc.string({ maxLength: 40 }),
);

function walk(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => path.join(dir, p));
}

describe('archive extraction properties', () => {
  it('memberPath never yields a path that leaves the extraction folder', () => {
    const staging = path.resolve('/srv/data/tenants/0a0b0c0d/uploads/.staging-x');
    fc.assert(
      fc.property(memberName, (name) => {
        let rel: string | null;
        try {
          rel = memberPath(name, limits);
        } catch (err) {
          expect(isPctxError(err, 'ARCHIVE_INVALID')).toBe(true);
          return;
        }
        if (rel === null) return;
        const target = path.resolve(staging, ...rel.split('/'));
        expect(target.startsWith(staging + path.sep)).toBe(true);
        expect(rel.split('/')).not.toContain('..');
        expect(rel.split('/')).not.toContain('');
        expect(rel.split('/').length).toBeLessThanOrEqual(limits.maxPathDepth);
      }),
      { numRuns: 2000 },
    );
  });

  it('an archive of arbitrary members never produces a file or link outside the staging folder, and fails only with registry errors', async () => {
    const member = fc.record({
      path: memberName.filter((p) => p.length > 0 && !p.includes('\0')),
      type: fc.constantFrom('File', 'File', 'Directory', 'SymbolicLink', 'Link'),
      body: fc.string({ maxLength: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(member, { minLength: 1, maxLength: 6 }), async (members) => {
        const outer = tempDir();
        const dest = path.join(outer, 'uploads', '.staging-x');
        fs.mkdirSync(dest, { recursive: true });
        const raw: RawMember[] = members.map((m) =>
          m.type === 'SymbolicLink' || m.type === 'Link'
            ? { path: m.path, type: m.type, linkpath: '../../../etc/passwd' }
            : m.type === 'Directory'
              ? { path: m.path, type: 'Directory' }
              : { path: m.path, type: 'File', body: m.body },
        );
        let archive: Buffer;
        try {
          archive = tarGz(raw);
        } catch {
          return; // tar cannot even encode this name; nothing to send
        }
        try {
          await extractArchive(bodyOf(archive), dest, { limits });
        } catch (err) {
          expect(isPctxError(err, 'ARCHIVE_INVALID') || isPctxError(err, 'ARCHIVE_TOO_LARGE')).toBe(true);
        }
        for (const p of walk(outer)) {
          expect(p === path.join(outer, 'uploads') || p === dest || p.startsWith(dest + path.sep)).toBe(true);
          expect(fs.lstatSync(p).isSymbolicLink()).toBe(false);
        }
        expect(fs.existsSync(path.join(outer, 'etc'))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('uploadDir accepts exactly the repository name format and always names a direct child of the uploads folder', () => {
    const paths = tenantPaths('/srv/data', '0a0b0c0d');
    fc.assert(
      fc.property(fc.oneof(memberName, fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,63}$/)), (name) => {
        let dir: string;
        try {
          dir = uploadDir(paths, name);
        } catch (err) {
          expect(isPctxError(err, 'INVALID_ARGUMENT')).toBe(true);
          expect(/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)).toBe(false);
          return;
        }
        expect(/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)).toBe(true);
        expect(path.dirname(dir)).toBe(paths.uploads);
      }),
      { numRuns: 2000 },
    );
  });
});
