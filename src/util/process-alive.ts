/**
 * Whether a process with this pid exists on this machine. Leftovers (temp files, staging
 * and trash folders, restore journals) carry the pid of the process that made them: a
 * live owner may still be at work, a dead one never comes back for them.
 *
 * EPERM means the process exists but belongs to another user: alive. A reused pid makes
 * a dead owner look alive, which only delays a cleanup, never removes live work.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
