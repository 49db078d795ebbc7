import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Background threads yield the CPU to the thread that serves requests.
 *
 * On a server, index runs (the index thread and its parse workers) and HNSW builds are
 * CPU-bound for seconds to minutes, and on a small machine they outnumber the cores: one
 * tenant's run left another tenant's searches waiting for CPU behind three busy threads
 * (bench:http's noisy-neighbour p99 8× idle under load). Linux keeps a nice value per
 * thread, so each background thread lowers its own priority when it starts; the serving
 * thread keeps the process's.
 *
 * The value travels in the environment because every worker thread starts with a copy of
 * its parent's, including the parse workers the index thread starts.
 */
const ENV = 'PCTX_BACKGROUND_NICE';

/** Makes background threads started from now on run at `nice` (0: the process's priority). */
export function setBackgroundNice(nice: number): void {
  process.env[ENV] = String(nice);
}

/**
 * Called first by a background worker thread: lowers this thread's priority to the nice
 * value the process set (see setBackgroundNice), if any. Best effort: where threads have
 * no nice value of their own (not Linux) or it cannot be changed, the thread runs at the
 * process's priority.
 */
export function lowerBackgroundThreadPriority(): void {
  const nice = Number(process.env[ENV] ?? 0);
  if (!Number.isInteger(nice) || nice <= 0 || nice > 19) return;
  try {
    const tid = threadId();
    if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
  } catch {
    // Not Linux, or not permitted.
  }
}

/** This thread's nice value, or null where it cannot be read (tests and diagnostics). */
export function threadNice(): number | null {
  try {
    return os.getPriority(threadId());
  } catch {
    return null;
  }
}

/** This thread's kernel id: `/proc/thread-self` links to `<pid>/task/<tid>`. Throws where there is none. */
function threadId(): number {
  const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
  if (!Number.isInteger(tid) || tid <= 0) throw new Error('no thread id');
  return tid;
}
