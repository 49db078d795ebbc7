import fs from 'node:fs';
import path from 'node:path';
import { Transform, finished, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { PctxError, isDiskFull, isPctxError, toPctxError } from '../errors.js';
import type { QuotaClaim } from '../tenant/quota-claims.js';
import type { ArchiveLimits } from './archive-limits.js';
import { memberPath, memberRefused, shownMemberName } from './member-path.js';

export interface ExtractProgress {
  phase: 'extracting';
  /** Members (files and folders) extracted so far. */
  done: number;
  /** Unknown while the archive streams in: always 0. */
  total: 0;
  /** File content bytes written so far. */
  bytes: number;
}

export interface ExtractQuota {
  tenantId: string;
  /** What the tenant uses without this upload, when the extraction starts. */
  used: number;
  limit: number;
  /**
   * Rechecks `used` before each write (the tenant's data files grow while an index run
   * commits beside the upload). @default () => used
   */
  usedNow?: () => number;
  /**
   * This upload's claim (tenant/quota-claims.ts): raised before each write, and the
   * tenant's other uploads in flight counted against the same limit.
   */
  claim?: QuotaClaim;
}

export interface ExtractOptions {
  limits: Readonly<ArchiveLimits>;
  /**
   * Storage the extracted files may take before the tenant is over its quota: `limit`
   * and what the tenant uses without this upload (`used`). Going past it is
   * QUOTA_EXCEEDED rather than ARCHIVE_TOO_LARGE. Null: no quota.
   * @default null
   */
  quota?: ExtractQuota | null;
  signal?: AbortSignal;
  onProgress?: (progress: ExtractProgress) => void;
}

export interface ExtractResult {
  /** Regular files written. */
  files: number;
  /** Folders created from folder members. */
  folders: number;
  /** File content bytes written. */
  bytes: number;
  /** Bytes of the gzip body read. */
  compressedBytes: number;
}

/** Member types whose content becomes a regular file. */
const FILE_TYPES: ReadonlySet<string> = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * Header blocks, padding and PAX records a member may add to the tar stream beyond its
 * content: header 512 + padding < 512 + PAX header 512 + a PAX body that holds a path
 * within maxPathLength. Bytes of the stream beyond content + this allowance are data
 * that is decompressed but never written — the shape of a bomb that hides from the
 * written-bytes count — and are refused.
 */
const OVERHEAD_PER_MEMBER = 4096;
const OVERHEAD_SLACK = 1024 * 1024;

const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW;

/** fs errors that mean a member's path collides with what earlier members created. */
const COLLISION_CODES: ReadonlySet<string> = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ELOOP']);

function tooLarge(what: 'compressed' | 'expanded' | 'members', limit: number, reason: string, member?: string): PctxError {
  return new PctxError('ARCHIVE_TOO_LARGE', { what, limit, reason, ...(member !== undefined ? { member: shownMemberName(member) } : {}) });
}

function invalid(reason: string): PctxError {
  return new PctxError('ARCHIVE_INVALID', { reason });
}

/**
 * Extracts a tar.gz stream into `dest`, an empty folder the caller created (and removes,
 * whatever happens). Only regular files and folders are created; everything is checked
 * while the archive streams in and the first problem stops it:
 *
 * - member names go through memberPath (no absolute paths, no `..`, no backslashes,
 *   length and depth caps), so nothing is ever written outside `dest`;
 * - symbolic links, hard links, devices, FIFOs and every other member type are refused,
 *   whatever they point at: nothing in `dest` is ever a link, so no later member can be
 *   written through one (files are also opened with O_NOFOLLOW);
 * - a member that collides with another (a file twice, a file where a folder is) is refused;
 * - compressed bytes, written content bytes (counted before each write, never taken from
 *   headers), member count and decompressed bytes that are not content are capped.
 *
 * Files are written 0600 and folders 0700 (the tenant folder is private); modes, owners and
 * times in the archive are ignored.
 *
 * On a refusal the body is unpiped, not destroyed: the rest is left unread for the caller.
 *
 * @throws PctxError ARCHIVE_INVALID (400) or ARCHIVE_TOO_LARGE (413) naming the member,
 *   QUOTA_EXCEEDED (507) when the content would put the tenant over `quota`.
 */
export async function extractArchive(body: Readable, dest: string, options: ExtractOptions): Promise<ExtractResult> {
  const { limits } = options;
  const quota = options.quota ?? null;
  /** What the tenant uses besides this upload, now: its files and its other uploads in flight. */
  const usedBesides = (): number => (quota === null ? 0 : (quota.usedNow?.() ?? quota.used) + (quota.claim?.othersBytes() ?? 0));
  const progress = options.onProgress ?? (() => {});

  let compressedBytes = 0;
  let tarBytes = 0;
  let contentBytes = 0;
  let members = 0;
  let files = 0;
  let folders = 0;
  let failure: PctxError | null = null;
  let openFd: number | null = null;
  /** What each extracted path is, to refuse collisions before touching the disk. */
  const kinds = new Map<string, 'file' | 'folder'>();

  const fail = (err: unknown) => {
    if (failure === null) failure = isPctxError(err) ? err : toArchiveError(err);
  };

  const closeOpenFile = () => {
    if (openFd === null) return;
    const fd = openFd;
    openFd = null;
    fs.closeSync(fd);
  };

  /** Records `rel` (and its parents, implicitly folders) or refuses a collision. */
  const claim = (name: string, rel: string, kind: 'file' | 'folder') => {
    const segments = rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      const seen = kinds.get(parent);
      if (seen === 'file') throw memberRefused(name, `needs "${parent}" to be a folder, but an earlier member is a file there`);
      if (seen === undefined) kinds.set(parent, 'folder');
    }
    const seen = kinds.get(rel);
    if (seen === 'file') throw memberRefused(name, 'appears twice in the archive');
    if (seen === 'folder' && kind === 'file') throw memberRefused(name, 'is a file where an earlier member made a folder');
    kinds.set(rel, kind);
  };

  const onEntry = (entry: ReadEntry) => {
    if (failure !== null) {
      entry.resume();
      return;
    }
    try {
      members++;
      if (members > limits.maxFiles) {
        throw tooLarge('members', limits.maxFiles, `it has more than ${limits.maxFiles} members`, entry.path);
      }
      if (entry.type !== 'Directory' && !FILE_TYPES.has(entry.type)) throw refusedType(entry);
      const rel = memberPath(entry.path, limits);
      if (entry.type === 'Directory') {
        // tar reads a folder's size as 0 whatever the header says; its blocks count as overhead.
        if (rel !== null) {
          claim(entry.path, rel, 'folder');
          mkdirIn(dest, rel, entry.path);
          folders++;
        }
        entry.resume();
        progress({ phase: 'extracting', done: members, total: 0, bytes: contentBytes });
        return;
      }
      if (rel === null) throw memberRefused(entry.path, 'is a file without a name');
      claim(entry.path, rel, 'file');
      const target = path.join(dest, ...rel.split('/'));
      if (rel.includes('/')) mkdirIn(dest, path.posix.dirname(rel), entry.path);
      try {
        openFd = fs.openSync(target, WRITE_FLAGS, 0o600);
      } catch (err) {
        throw fsRefusal(err, entry.path);
      }
      const name = entry.path;
      entry.on('end', () => {
        if (failure !== null) return;
        try {
          closeOpenFile();
          files++;
          progress({ phase: 'extracting', done: members, total: 0, bytes: contentBytes });
        } catch (err) {
          fail(err);
        }
      });
      entry.on('data', (chunk: Buffer) => {
        if (failure !== null) return;
        try {
          const used = usedBesides();
          const room = quota === null ? Infinity : Math.max(0, quota.limit - used);
          if (contentBytes + chunk.length > room && room < limits.maxExpandedBytes) {
            throw new PctxError('QUOTA_EXCEEDED', {
              tenantId: quota!.tenantId,
              used,
              limit: quota!.limit,
              attempted: contentBytes + chunk.length,
              member: shownMemberName(name),
            });
          }
          if (contentBytes + chunk.length > limits.maxExpandedBytes) {
            throw tooLarge('expanded', limits.maxExpandedBytes, `its files expand to more than ${limits.maxExpandedBytes} bytes`, name);
          }
          contentBytes += chunk.length;
          // Claimed before the write, in the same synchronous step as the check above.
          if (quota?.claim) quota.claim.bytes = contentBytes;
          writeAll(openFd!, chunk);
        } catch (err) {
          fail(isPctxError(err) ? err : fsRefusal(err, name));
        }
      });
    } catch (err) {
      fail(err);
      entry.resume();
    }
  };

  const parser = new Parser({ strict: true, zstd: false });
  parser.on('entry', onEntry);
  // Entries tar does not hand out (unknown types, oversized metadata): refused like the rest.
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    fail(entry.meta ? memberRefused(entry.path, `has a ${entry.type} header larger than 1 MiB`) : refusedType(entry));
  });
  parser.on('error', (err: unknown) => fail(err));
  const parsed = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('close', resolve);
  });

  const countCompressed = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      compressedBytes += chunk.length;
      if (compressedBytes > limits.maxCompressedBytes) {
        fail(tooLarge('compressed', limits.maxCompressedBytes, `the upload is larger than ${limits.maxCompressedBytes} bytes`));
        callback(failure);
      } else {
        callback(null, chunk);
      }
    },
  });

  /** The first bytes of the tar stream, held until there are enough to recognise gzip. */
  let head: Buffer | null = Buffer.alloc(0);
  const checkHead = () => {
    // tar would decompress a gzip stream inside ours a second time, outside our counts
    // (zstd sniffing is off in the parser); decided on 2 bytes however the client chunks them.
    if (head !== null && head[0] === 0x1f && head[1] === 0x8b) fail(invalid('it is compressed twice; send one gzip layer over a tar archive'));
  };

  const feedParser = async (source: AsyncIterable<Buffer>) => {
    for await (const piece of source) {
      let chunk = piece;
      if (head !== null) {
        head = Buffer.concat([head, piece]);
        if (head.length < 2) continue;
        checkHead();
        chunk = head;
        head = null;
      }
      if (failure !== null) throw failure;
      tarBytes += chunk.length;
      if (!parser.write(chunk) && failure === null) {
        await new Promise<void>((resolve) => {
          parser.once('drain', resolve);
          parser.once('error', resolve);
        });
      }
      if (failure !== null) throw failure;
      if (tarBytes - contentBytes > (members + 2) * OVERHEAD_PER_MEMBER + OVERHEAD_SLACK) {
        // Recorded before throwing: the pipeline then aborts the other streams, and their
        // AbortError must not be what the caller sees.
        fail(invalid(`it holds more than ${OVERHEAD_SLACK} bytes that are neither file content nor tar headers`));
        throw failure;
      }
    }
    if (head !== null && head.length > 0) {
      tarBytes += head.length;
      parser.write(head);
    }
    parser.end();
    await Promise.race([parsed, new Promise<void>((resolve) => parser.once('error', () => resolve()))]);
    if (failure !== null) throw failure;
  };

  // The body is piped rather than part of the pipeline, so a refusal does not destroy it:
  // an HTTP caller can still answer 413 on the connection, and decides what to do with
  // the rest of the request.
  const stopWatchingBody = finished(body, (err) => {
    if (err) countCompressed.destroy(err);
  });
  body.pipe(countCompressed);
  try {
    await pipeline(countCompressed, zlib.createGunzip(), feedParser, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    fail(err);
  } finally {
    body.unpipe(countCompressed);
    stopWatchingBody();
    try {
      closeOpenFile();
    } catch {
      // The extraction failed already or is about to; the folder is removed by the caller.
    }
  }
  if (failure !== null) throw failure;
  return { files, folders, bytes: contentBytes, compressedBytes };
}

function refusedType(entry: ReadEntry): PctxError {
  switch (entry.type) {
    case 'SymbolicLink':
      return memberRefused(entry.path, 'is a symbolic link; uploads accept only files and folders');
    case 'Link':
      return memberRefused(entry.path, 'is a hard link; uploads accept only files and folders');
    case 'CharacterDevice':
    case 'BlockDevice':
      return memberRefused(entry.path, 'is a device; uploads accept only files and folders');
    case 'FIFO':
      return memberRefused(entry.path, 'is a FIFO; uploads accept only files and folders');
    default:
      return memberRefused(entry.path, `has the unsupported type ${JSON.stringify(String(entry.type))}; uploads accept only files and folders`);
  }
}

function mkdirIn(dest: string, rel: string, name: string): void {
  try {
    fs.mkdirSync(path.join(dest, ...rel.split('/')), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fsRefusal(err, name);
  }
}

function writeAll(fd: number, chunk: Buffer): void {
  for (let at = 0; at < chunk.length; ) at += fs.writeSync(fd, chunk, at);
}

function fsRefusal(err: unknown, name: string): PctxError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && COLLISION_CODES.has(code)) return memberRefused(name, `collides with another member (${code})`);
  if (code === 'ENAMETOOLONG') return memberRefused(name, 'has a name the file system cannot store');
  if (isDiskFull(err)) return toPctxError(err);
  return new PctxError(
    'INTERNAL',
    { reason: `writing member ${JSON.stringify(shownMemberName(name))} failed: ${(err as Error)?.message ?? String(err)}` },
    { cause: err },
  );
}

/** Errors of the streams and of tar, as the registry errors a caller can act on. */
function toArchiveError(err: unknown): PctxError {
  const e = err as (Error & { code?: string; tarCode?: string }) | null;
  if (e?.name === 'AbortError') return invalid('the upload was cancelled before the archive was complete');
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return invalid(`it is not a valid gzip stream (${e.message})`);
  if (e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.code === 'ECONNRESET' || e?.code === 'ECONNABORTED') {
    return invalid('the upload ended before the archive was complete');
  }
  if (typeof e?.tarCode === 'string') {
    const message = e.message.replace(/^TAR_[A-Z_]+: /, '');
    return invalid(`it is not a valid tar archive (${message})`);
  }
  if (isDiskFull(err)) return toPctxError(err);
  return new PctxError('INTERNAL', { reason: `extracting the archive failed: ${e?.message ?? String(err)}` }, { cause: err });
}
