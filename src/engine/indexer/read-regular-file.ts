import fs from 'node:fs';

/**
 * Opening a FIFO for reading blocks until a writer appears, and reading a character
 * device may never end: one `mkfifo go.mod` in an indexed tree froze the whole process.
 * Every file the engine reads is therefore opened non-blocking (which makes `open` return
 * at once even for a FIFO without a writer, and changes nothing for regular files) and
 * checked on the descriptor, so a path swapped for a FIFO after it was stat'ed is still
 * refused.
 */
export const OPEN_READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/** What `errorCode` of a refused non-regular file is; not an errno, never thrown by the OS. */
export const NOT_REGULAR_CODE = 'ENOTREGULAR';

/** Thrown (or returned as detail) when a path names a FIFO, socket, device or folder. */
export class NotRegularFileError extends Error {
  readonly code = NOT_REGULAR_CODE;
  constructor() {
    super('not a regular file');
    this.name = 'NotRegularFileError';
  }
}

function readAllSync(fd: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let read = 0;
  while (read < size) {
    const n = fs.readSync(fd, bytes, read, size - read, read);
    if (n === 0) break;
    read += n;
  }
  return read === size ? bytes : bytes.subarray(0, read);
}

/**
 * The bytes of a regular file, read through one descriptor checked with fstat.
 * @throws NotRegularFileError for anything but a regular file; the fs error otherwise
 *   (ENOENT, EACCES…).
 */
export function readRegularFileSync(file: string): Buffer {
  const fd = fs.openSync(file, OPEN_READ_FLAGS);
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFileError();
    return readAllSync(fd, stats.size);
  } finally {
    fs.closeSync(fd);
  }
}

/** `readRegularFileSync` without blocking the event loop, decoded as UTF-8. */
export async function readRegularTextFile(file: string): Promise<string> {
  const handle = await fs.promises.open(file, OPEN_READ_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFileError();
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
