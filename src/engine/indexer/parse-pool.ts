import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { PctxError, isOutOfFileDescriptors } from '../../errors.js';
import { spawnWorker } from '../../util/spawn-worker.js';
import type { LanguageId } from '../../parse/types.js';
import type { ParseBatch, ParseBatchResult, PreloadRequest } from './parse-protocol.js';

export interface ParsePoolOptions {
  /**
   * Parse worker threads.
   * @default os.availableParallelism()
   */
  workers?: number;
  /**
   * Terminate workers idle this long (ms). Idle workers are unref'd and never keep the
   * process alive.
   * @default 30000
   */
  idleMs?: number;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, { root: string; resolve: (r: ParseBatchResult) => void; reject: (e: Error) => void }>;
  idleTimer: NodeJS.Timeout | undefined;
}

/** Batches a worker may hold at once: one being parsed, one waiting in its port. */
const PIPELINE_DEPTH = 2;

/**
 * Worker threads that read, parse and embed files, so that tree-sitter and hashing never
 * run on the event loop that serves queries. Batches are queued and handed to the
 * least-busy worker; a worker that dies fails its in-flight batches (the index run then
 * rolls back) and is replaced on the next batch.
 */
export class ParsePool {
  readonly size: number;
  private readonly idleMs: number;
  private readonly slots: (Slot | null)[];
  private readonly queue: { batch: ParseBatch; resolve: (r: ParseBatchResult) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  /**
   * The id a batch travels under. Index runs number their batches from 0, and runs of
   * several tenants share this pool: keyed by the run's own id, two runs' batch 0 would
   * collide — one run would receive the other's files and the other wait for ever.
   */
  private nextWireId = 0;

  constructor(options: ParsePoolOptions) {
    const workers = options.workers ?? os.availableParallelism();
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new PctxError('INVALID_CONFIG', { option: 'workers', reason: 'must be an integer from 1 to 64' });
    }
    this.size = workers;
    this.idleMs = options.idleMs ?? 30_000;
    this.slots = new Array<Slot | null>(workers).fill(null);
  }

  /**
   * Parses one batch. Aborting `signal` drops the batch if it is still queued (a batch a
   * worker already holds runs to completion; its result is then simply not used).
   */
  run(batch: ParseBatch, signal?: AbortSignal): Promise<ParseBatchResult> {
    if (this.closed) return Promise.reject(new PctxError('POOL_CLOSED'));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.queue.indexOf(job);
        if (at >= 0) {
          this.queue.splice(at, 1);
          reject(new PctxError('INDEX_FAILED', { root: batch.rootReal, reason: 'aborted' }));
        }
      };
      // The listener goes away with the job, so a long run does not pile them up.
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        signal?.removeEventListener('abort', onAbort);
        fn(value);
      };
      const job = { batch, resolve: settle(resolve), reject: settle(reject) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /**
   * Starts the first `workers` workers if they are not running and has them load the
   * grammars of `languages`, so that neither a worker start nor a grammar load waits for
   * the first batch. Cheap when they are already up with those grammars. Failures are not
   * reported here: a batch that needs the grammar loads it again and reports the error.
   */
  warm(languages: readonly LanguageId[] = [], workers: number = this.size): void {
    if (this.closed) return;
    for (let i = 0; i < Math.min(workers, this.slots.length); i++) {
      let slot = this.slots[i];
      if (!slot) {
        slot = this.start(i);
        this.idle(i, slot);
      }
      if (languages.length > 0) slot.worker.postMessage({ preload: [...languages] } satisfies PreloadRequest);
    }
  }

  /**
   * Rejects queued batches and tells every worker to stop. Does not wait for the threads to
   * end: a worker's V8 may be finishing an optimising compile of a grammar, which cannot be
   * interrupted and can take seconds (see cli/supervisor.ts).
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new PctxError('POOL_CLOSED'));
    for (let i = 0; i < this.slots.length; i++) void this.stop(i);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best = -1;
      let bestLoad = PIPELINE_DEPTH;
      for (let i = 0; i < this.slots.length; i++) {
        const load = this.slots[i]?.inFlight.size ?? 0;
        if (load < bestLoad) {
          best = i;
          bestLoad = load;
        }
      }
      if (best < 0) return;
      const slot = this.slots[best] ?? this.start(best);
      const job = this.queue.shift()!;
      const wireId = this.nextWireId++;
      const runBatchId = job.batch.batchId;
      // The caller gets its result back under its own batch id.
      slot.inFlight.set(wireId, { root: job.batch.rootReal, resolve: (r) => job.resolve({ ...r, batchId: runBatchId }), reject: job.reject });
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      slot.worker.ref();
      slot.worker.postMessage({ ...job.batch, batchId: wireId });
    }
  }

  private start(i: number): Slot {
    const worker = spawnWorker(import.meta.url, './parse-worker');
    const slot: Slot = { worker, inFlight: new Map(), idleTimer: undefined };
    this.slots[i] = slot;
    worker.on('message', (result: ParseBatchResult) => {
      const pending = slot.inFlight.get(result.batchId);
      slot.inFlight.delete(result.batchId);
      pending?.resolve(result);
      if (slot.inFlight.size === 0) this.idle(i, slot);
      this.dispatch();
    });
    const fail = (reason: string, cause?: Error) => {
      if (this.slots[i] === slot) this.slots[i] = null;
      // A worker that could not load its modules for lack of descriptors is the server's state, not the run's fault.
      const error = (root: string) =>
        cause !== undefined && isOutOfFileDescriptors(cause)
          ? new PctxError('TOO_MANY_OPEN_FILES', { reason: `parse worker: ${cause.message}` }, { cause })
          : new PctxError('INDEX_FAILED', { root, reason: `parse worker ${reason}` });
      for (const pending of slot.inFlight.values()) pending.reject(error(pending.root));
      slot.inFlight.clear();
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      this.dispatch();
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`, err));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return slot;
  }

  private idle(i: number, slot: Slot): void {
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => void this.stop(i), this.idleMs);
    slot.idleTimer.unref();
  }

  private async stop(i: number): Promise<void> {
    const slot = this.slots[i];
    if (!slot) return;
    this.slots[i] = null;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.worker.removeAllListeners('exit');
    for (const pending of slot.inFlight.values()) pending.reject(new PctxError('POOL_CLOSED'));
    slot.inFlight.clear();
    await slot.worker.terminate();
  }
}
