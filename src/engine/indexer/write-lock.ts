import type { TenantDb } from '../../tenant/tenant-db.js';
import { PctxError } from '../../errors.js';

/** How often a run waiting for another process's run tries the lock again. */
const POLL_MS = 250;

export interface BeginWriteOptions {
  signal?: AbortSignal;
  /** Called once, when the lock is found taken and the run starts waiting. */
  onWait?: () => void;
  /** @default 250 */
  pollMs?: number;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * `BEGIN IMMEDIATE` for an index run, waiting as long as it takes for a run of another
 * process on the same tenant to finish. Runs of one process are serialized by the
 * engine's lock; across processes the database's write lock is the only arbiter, and it
 * is held for a whole run. Waiting through SQLite's busy_timeout would block the event
 * loop (better-sqlite3 is synchronous) and give up after 5 s with "database is locked",
 * so the lock is tried without waiting and retried on a timer, reporting the wait.
 *
 * @throws PctxError `INDEX_FAILED` (reason `aborted`) when `signal` aborts while waiting.
 */
export async function beginWrite(db: TenantDb, root: string, options: BeginWriteOptions = {}): Promise<void> {
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    for (let waited = false; ; ) {
      try {
        db.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if (!isBusy(err)) throw err;
      }
      if (!waited) {
        waited = true;
        options.onWait?.();
      }
      await pause(options.pollMs ?? POLL_MS, options.signal);
      if (options.signal?.aborted) throw new PctxError('INDEX_FAILED', { root, reason: 'aborted while waiting for another index run of this tenant' });
    }
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/**
 * SQLite's "database is locked" after busy_timeout, as it reaches this thread from a
 * worker (the vector build worker reports it as INTERNAL with SQLite's message).
 */
export function isLockTimeout(err: unknown): boolean {
  if (isBusy(err)) return true;
  const reason = (err as { details?: { reason?: unknown } } | null)?.details?.reason;
  return typeof reason === 'string' && /database is locked|SQLITE_BUSY/.test(reason);
}

export interface RetryWhileLockedOptions {
  /** @default 250 */
  pollMs?: number;
  /** Called before each retry, after a lock timeout. */
  onRetry?: (attempt: number) => void;
}

/**
 * Runs `work` again for as long as it fails only because another connection held the
 * write lock past busy_timeout: an index run of another process holds it for its whole
 * run, which may take minutes. Any other failure is thrown.
 */
export async function retryWhileLocked<T>(work: () => Promise<T>, options: RetryWhileLockedOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isLockTimeout(err)) throw err;
    }
    options.onRetry?.(attempt);
    await pause(options.pollMs ?? POLL_MS, undefined);
  }
}
