import fs from 'node:fs';

/**
 * The soft limit on open file descriptors of this process, read from /proc on Linux.
 * Falls back to 1024 (the common default) where /proc is not available.
 */
export function openFileLimit(): number {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (match) return match[1] === 'unlimited' ? 1_048_576 : Number(match[1]);
  } catch {
    // Not Linux: use the conservative default below.
  }
  return 1024;
}

/**
 * How many more file descriptors this process may open: the soft limit minus those open
 * now (counted in /proc/self/fd). 0 when even that count cannot be taken for lack of a
 * descriptor; Infinity where /proc is not available (nothing is known).
 */
export function fileDescriptorHeadroom(): number {
  let open: number;
  try {
    open = fs.readdirSync('/proc/self/fd').length;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? 0 : Infinity;
  }
  return openFileLimit() - open;
}
