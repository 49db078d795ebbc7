import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { isPctxError, type PctxError } from '../../src/errors.js';
import { extractArchive, resolveArchiveLimits, type ArchiveLimits } from '../../src/ingest/index.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { bodyOf, rawTar, tarGz, type RawMember } from './tar-builder.js';

const tempDir = useTempDir('pctx-extract-');

/** A world with an empty extraction folder inside it, so anything written beside it shows. */
function world(): { outer: string; dest: string } {
  const outer = tempDir();
  const dest = path.join(outer, 'uploads', 'staging');
  fs.mkdirSync(dest, { recursive: true });
  return { outer, dest };
}

/** Bytes deflate cannot shrink (a linear congruential sequence), reproducible across runs. */
function noise(length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 12345;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

async function refusal(body: Readable, dest: string, limits: Partial<ArchiveLimits> = {}): Promise<PctxError> {
  try {
    await extractArchive(body, dest, { limits: resolveArchiveLimits(limits) });
  } catch (err) {
    if (isPctxError(err)) return err;
    throw err;
  }
  throw new Error('the archive was accepted');
}

describe('extractArchive', () => {
  it('writes regular files and folders with private modes and reports what it wrote', async () => {
    const { outer, dest } = world();
    const result = await extractArchive(
      bodyOf(
        tarGz([
          { path: 'src/', type: 'Directory' },
          { path: './src/a.ts', body: 'export const a = 1;\n' },
          { path: 'docs//notes.md', body: '# notes\n' },
          { path: 'empty.py', body: '' },
        ]),
      ),
      dest,
      { limits: resolveArchiveLimits() },
    );
    expect(result).toEqual({ files: 3, folders: 1, bytes: 28, compressedBytes: expect.any(Number) });
    expect(tree(dest)).toEqual(['docs', 'docs/notes.md', 'empty.py', 'src', 'src/a.ts']);
    expect(fs.readFileSync(path.join(dest, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(fs.statSync(path.join(dest, 'src/a.ts')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dest, 'src')).mode & 0o777).toBe(0o700);
    expect(tree(outer)).toEqual(['uploads', 'uploads/staging', ...tree(dest).map((p) => `uploads/staging/${p}`)]);
  });

  const hostile: Array<{ name: string; members: RawMember[]; code: string; member: string; says: RegExp }> = [
    { name: 'a path traversal (../x)', members: [{ path: 'ok.ts', body: '1' }, { path: '../x', body: 'pwned' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: '../x', says: /".." segment/ },
    { name: 'a traversal hidden mid-path (a/../../x)', members: [{ path: 'a/../../x', body: 'pwned' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'a/../../x', says: /".." segment/ },
    { name: 'an absolute path', members: [{ path: '/tmp/pctx-absolute-escape', body: 'pwned' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: '/tmp/pctx-absolute-escape', says: /absolute path/ },
    { name: 'a Windows drive path', members: [{ path: 'C:/Windows/x', body: 'pwned' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'C:/Windows/x', says: /absolute path/ },
    { name: 'a backslash path', members: [{ path: '..\\..\\x', body: 'pwned' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: '..\\..\\x', says: /backslash/ },
    { name: 'a symbolic link out of the folder', members: [{ path: 'escape', type: 'SymbolicLink', linkpath: '/etc' }, { path: 'escape/passwd', body: 'pwned' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'escape', says: /symbolic link/ },
    { name: 'a symbolic link inside the folder', members: [{ path: 'a.ts', body: '1' }, { path: 'b.ts', type: 'SymbolicLink', linkpath: 'a.ts' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'b.ts', says: /symbolic link/ },
    { name: 'a hard link out of the folder', members: [{ path: 'shadow', type: 'Link', linkpath: '../../../../etc/shadow' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'shadow', says: /hard link/ },
    { name: 'a character device', members: [{ path: 'null', type: 'CharacterDevice' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'null', says: /device/ },
    { name: 'a FIFO', members: [{ path: 'pipe', type: 'FIFO' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'pipe', says: /FIFO/ },
    { name: 'a sparse file (an unsupported type)', members: [{ path: 'sparse', type: 'SparseFile', body: 'x' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'sparse', says: /unsupported type "SparseFile"/ },
    { name: 'the same file twice', members: [{ path: 'a.ts', body: '1' }, { path: './a.ts', body: '2' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: './a.ts', says: /appears twice/ },
    { name: 'a file under a file', members: [{ path: 'a', body: '1' }, { path: 'a/b.ts', body: '2' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'a/b.ts', says: /earlier member is a file/ },
    { name: 'a path longer than the limit', members: [{ path: `${'d'.repeat(200)}/`.repeat(6) + 'f.ts', body: '1' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: `${'d'.repeat(200)}/`.repeat(6) + 'f.ts', says: /longer than 1024 bytes/ },
    { name: 'a path deeper than the limit', members: [{ path: 'd/'.repeat(65) + 'f.ts', body: '1' }], code: 'PCTX_ERR_ARCHIVE_INVALID', member: 'd/'.repeat(65) + 'f.ts', says: /deeper than 64 levels/ },
  ];

  for (const c of hostile) {
    it(`refuses ${c.name}, naming the member, and writes nothing outside the folder`, async () => {
      const { outer, dest } = world();
      const err = await refusal(bodyOf(tarGz(c.members)), dest);
      expect(err.code).toBe(c.code);
      expect(err.status).toBe(400);
      expect(err.details.member).toBe(c.member.length > 256 ? `${c.member.slice(0, 256)}…` : c.member);
      expect(err.message).toMatch(c.says);
      expect(err.message).toContain(JSON.stringify(String(err.details.member)));
      for (const p of tree(outer)) expect(`${outer}/${p}`.startsWith(`${dest}`) || p === 'uploads' || p === 'uploads/staging').toBe(true);
      expect(fs.existsSync('/tmp/pctx-absolute-escape')).toBe(false);
    });
  }

  it('refuses more members than maxFiles with ARCHIVE_TOO_LARGE', async () => {
    const { dest } = world();
    const members = Array.from({ length: 11 }, (_, i) => ({ path: `f${i}.ts`, body: `${i}` }));
    const err = await refusal(bodyOf(tarGz(members)), dest, { maxFiles: 10 });
    expect(err.code).toBe('PCTX_ERR_ARCHIVE_TOO_LARGE');
    expect(err.status).toBe(413);
    expect(err.details).toMatchObject({ what: 'members', limit: 10, member: 'f10.ts' });
    expect(tree(dest)).toHaveLength(10);
  });

  it('stops a decompression bomb at the expanded cap without writing or even reading the rest', async () => {
    const { dest } = world();
    const MiB = 1024 * 1024;
    const claimed = 4096 * MiB;
    // Gzip members concatenate into one stream: ~1 KiB each, 1 MiB of zeros each once expanded,
    // so ~4 MiB of upload claims 4 GiB of content.
    const zeros = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
    const header = new Header({ path: 'bomb.bin', type: 'File', size: claimed, mode: 0o644, mtime: new Date(0) });
    header.encode();
    let pulled = 0;
    const body = Readable.from(
      (function* () {
        yield zlib.gzipSync(header.block!);
        for (let i = 0; i < claimed / MiB; i++) {
          pulled++;
          yield zeros;
        }
      })(),
    );
    const err = await refusal(body, dest, { maxExpandedBytes: 8 * MiB });
    expect(err.code).toBe('PCTX_ERR_ARCHIVE_TOO_LARGE');
    expect(err.details).toMatchObject({ what: 'expanded', limit: 8 * MiB, member: 'bomb.bin' });
    expect(fs.statSync(path.join(dest, 'bomb.bin')).size).toBeLessThanOrEqual(8 * MiB);
    // A few chunks beyond the cap may be in flight in the stream buffers; never the whole bomb.
    expect(pulled).toBeLessThan(64);
  });

  it('refuses bytes piled up after the end of the archive instead of buffering them', async () => {
    const { dest } = world();
    const MiB = 1024 * 1024;
    const zeros = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
    let pulled = 0;
    const body = Readable.from(
      (function* () {
        yield zlib.gzipSync(rawTar([{ path: 'a.ts', body: 'export {};\n' }]));
        for (let i = 0; i < 1024; i++) {
          pulled++;
          yield zeros;
        }
      })(),
    );
    const err = await refusal(body, dest);
    expect(err.code).toBe('PCTX_ERR_ARCHIVE_INVALID');
    expect(err.message).toMatch(/neither file content nor tar headers/);
    expect(pulled).toBeLessThan(64);
  });

  it('refuses an upload over the compressed cap with ARCHIVE_TOO_LARGE', async () => {
    const { dest } = world();
    const random = noise(64 * 1024);
    const err = await refusal(bodyOf(tarGz([{ path: 'blob.bin', body: random }])), dest, { maxCompressedBytes: 1024 });
    expect(err.code).toBe('PCTX_ERR_ARCHIVE_TOO_LARGE');
    expect(err.details).toMatchObject({ what: 'compressed', limit: 1024 });
  });

  it('refuses input that is not gzip, a gzip that is not a tar, a truncated archive and a doubly compressed one', async () => {
    const { dest } = world();
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('PK\u0003\u0004 this is a zip file'), /not a valid gzip stream/],
      [zlib.gzipSync(Buffer.from('plain text, no tar headers here\n'.repeat(40))), /not a valid tar archive/],
      [tarGz([{ path: 'big.bin', body: noise(100_000) }]).subarray(0, 5000), /not a valid gzip stream/],
      [zlib.gzipSync(rawTar([{ path: 'big.ts', body: 'x'.repeat(100_000) }]).subarray(0, 5000)), /not a valid tar archive \(Truncated input/],
      [zlib.gzipSync(tarGz([{ path: 'a.ts', body: '1' }])), /compressed twice/],
    ];
    for (const [bytes, says] of cases) {
      const err = await refusal(bodyOf(bytes), dest);
      expect(err.code).toBe('PCTX_ERR_ARCHIVE_INVALID');
      expect(err.message).toMatch(says);
    }
  });

  it('refuses a doubly compressed archive even when the inner gzip header arrives one byte at a time', async () => {
    const { dest } = world();
    const inner = tarGz([{ path: 'a.ts', body: '1' }]);
    // A stored (level 0) outer deflate fed in 1-byte pieces yields 1-byte decompressed chunks.
    const outer = zlib.gzipSync(inner, { level: 0 });
    const body = Readable.from(Array.from(outer, (byte) => Buffer.from([byte])));
    const err = await refusal(body, dest);
    expect(err.message).toMatch(/compressed twice/);
  });

  it('reports a body that fails mid-stream as an upload that ended early', async () => {
    const { dest } = world();
    const gz = tarGz([{ path: 'a.ts', body: 'y'.repeat(50_000) }]);
    const body = new Readable({ read() {} });
    body.push(gz.subarray(0, 100));
    queueMicrotask(() => body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    const err = await refusal(body, dest);
    expect(err.code).toBe('PCTX_ERR_ARCHIVE_INVALID');
    expect(err.message).toMatch(/ended before the archive was complete/);
  });

  it('validates limits by name', () => {
    expect(() => resolveArchiveLimits({ maxFiles: 0 })).toThrow(/limits\.maxFiles/);
    expect(() => resolveArchiveLimits({ maxFile: 3 } as never)).toThrow(/limits\.maxFile".*not a known limit|limits\.maxFile/);
    expect(resolveArchiveLimits({ maxFiles: 5 })).toMatchObject({ maxFiles: 5, maxExpandedBytes: 1024 * 1024 * 1024 });
  });
});
