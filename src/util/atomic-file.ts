import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/** A sibling temp name in the same folder, so the final rename never crosses filesystems. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp(?:-journal|-wal|-shm)?$/;

/**
 * The pid in a name made by tempPathFor (`.<base>.<pid>.<hex>.tmp`, or one of SQLite's
 * companions of such a file), and the base name it stands for; null for any other name.
 * A temp file whose pid is dead is a crash's leftover.
 */
export function parseTempName(name: string): { base: string; pid: number } | null {
  const m = TEMP_NAME.exec(name);
  return m ? { base: m[1]!, pid: Number(m[2]) } : null;
}

/** fsync a file or folder by path. */
export function fsyncPath(target: string): void {
  const fd = fs.openSync(target, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes `tempFile` durable and moves it over `target` atomically: fsync the file,
 * rename, fsync the folder. Readers see the old file or the new one, never a torn one.
 */
export function commitTempFile(tempFile: string, target: string): void {
  fsyncPath(tempFile);
  fs.renameSync(tempFile, target);
  fsyncPath(path.dirname(target));
}

/** Writes `data` to `target` through a temp file (see commitTempFile). */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(target);
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    commitTempFile(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** SHA-256 of a file, streamed in chunks so large files do not sit in memory twice. */
export function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
