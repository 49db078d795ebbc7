import fs from 'node:fs';
import path from 'node:path';
import type { SkipReason } from './parse-protocol.js';
import { OPEN_READ_FLAGS } from './read-regular-file.js';

export type ReadResult =
  | { ok: true; bytes: Buffer; size: number; mtimeMs: number }
  | { ok: false; reason: SkipReason; detail: string };

const PROC_FD = fs.existsSync('/proc/self/fd');

function isInside(rootReal: string, real: string): boolean {
  return real.startsWith(rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep);
}

/**
 * Reads a file that discovery found, re-checking containment on the opened descriptor:
 * between discovery and this read a path component may have been swapped for a symlink
 * that points out of the root. On Linux the check uses the descriptor's own path
 * (/proc/self/fd), so there is no window between check and read.
 */
export function readInsideRoot(absPath: string, rootReal: string, maxBytes: number): ReadResult {
  let fd: number;
  try {
    if (!PROC_FD && !isInside(rootReal, fs.realpathSync(absPath))) {
      return { ok: false, reason: 'symlink_escape', detail: 'resolves outside the repository root' };
    }
    // Non-blocking: a file swapped for a FIFO since discovery must not hang the worker.
    fd = fs.openSync(absPath, OPEN_READ_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: 'vanished', detail: 'deleted during indexing' };
    return { ok: false, reason: 'unreadable', detail: code ?? String(err) };
  }
  try {
    if (PROC_FD && !isInside(rootReal, fs.readlinkSync(`/proc/self/fd/${fd}`))) {
      return { ok: false, reason: 'symlink_escape', detail: 'resolves outside the repository root' };
    }
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'unreadable', detail: 'not a regular file' };
    if (stat.size > maxBytes) return { ok: false, reason: 'too_large', detail: `${stat.size} bytes > ${maxBytes}` };
    const bytes = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = fs.readSync(fd, bytes, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { ok: true, bytes: read === stat.size ? bytes : bytes.subarray(0, read), size: read, mtimeMs: Math.floor(stat.mtimeMs) };
  } catch (err) {
    return { ok: false, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    fs.closeSync(fd);
  }
}
