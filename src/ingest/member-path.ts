import { PctxError } from '../errors.js';
import type { ArchiveLimits } from './archive-limits.js';

/** Longest file name most file systems accept (NAME_MAX). */
const MAX_SEGMENT_BYTES = 255;

/** How much of a hostile member name an error message shows. */
const SHOWN_NAME_CHARS = 256;

/** The member name as it may appear in an error: bounded, never the whole of a huge name. */
export function shownMemberName(name: string): string {
  return name.length > SHOWN_NAME_CHARS ? `${name.slice(0, SHOWN_NAME_CHARS)}…` : name;
}

export function memberRefused(name: string, problem: string): PctxError {
  const member = shownMemberName(name);
  return new PctxError('ARCHIVE_INVALID', { member, reason: `member ${JSON.stringify(member)} ${problem}` });
}

/**
 * Turns a tar member name into a safe path relative to the extraction folder: its
 * segments joined with `/`, or null for the folder itself (`.`, `./`). The result has no
 * empty, `.` or `..` segment and no separator other than `/`, so joining it onto the
 * folder can never leave it. Refuses, with ARCHIVE_INVALID naming the member:
 * NUL bytes, absolute paths (`/x`, `C:x`, `\\x`), backslashes (a separator on Windows),
 * `..` segments (even ones that would stay inside, like `a/../b`: no archive we write has
 * them), segments over 255 bytes, and names longer or deeper than the limits.
 */
export function memberPath(name: string, limits: Pick<ArchiveLimits, 'maxPathLength' | 'maxPathDepth'>): string | null {
  if (name.length === 0) throw memberRefused(name, 'has an empty name');
  if (name.includes('\0')) throw memberRefused(name, 'has a NUL byte in its name');
  if (Buffer.byteLength(name, 'utf8') > limits.maxPathLength) {
    throw memberRefused(name, `has a name longer than ${limits.maxPathLength} bytes`);
  }
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw memberRefused(name, 'is an absolute path');
  if (name.includes('\\')) throw memberRefused(name, 'has a backslash in its name');
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw memberRefused(name, 'has a ".." segment');
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw memberRefused(name, `has a path segment longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    segments.push(segment);
  }
  if (segments.length > limits.maxPathDepth) throw memberRefused(name, `is nested deeper than ${limits.maxPathDepth} levels`);
  return segments.length === 0 ? null : segments.join('/');
}
