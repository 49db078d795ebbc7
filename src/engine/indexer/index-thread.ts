import type { Worker } from 'node:worker_threads';
import { PctxError, errorFromJSON, isOutOfFileDescriptors } from '../../errors.js';
import { spawnWorker } from '../../util/spawn-worker.js';
import type { TenantPaths } from '../../tenant/tenant-paths.js';
import type { IndexProgress, IndexResult } from './index-run.js';
import type { IndexThreadData, IndexThreadReply, IndexThreadRequest, IndexThreadRunOptions } from './index-thread-protocol.js';

export interface IndexThreadRun {
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
}

interface Pending {
  /** The folder of an index run, null for an embeddings fill: what a failure names. */
  root: string | null;
  resolve: (reply: IndexThreadReply) => void;
  reject: (err: Error) => void;
  onProgress: ((progress: IndexProgress) => void) | undefined;
}

/**
 * An engine's index thread, seen from the engine: index runs and deferred embeddings are
 * sent to one long-lived worker thread (index-thread-worker.ts), which owns the parse
 * workers, so the thread that serves queries only posts a message and later reads the
 * result. Without it a tenant's index run blocked every other tenant's queries for the
 * length of each batch write, the commit and the WAL checkpoint (100–260 ms blocks and
 * more, measured by bench:http's noisy-neighbour run and the soak).
 *
 * The worker starts with the first job and is restarted after it dies (its jobs fail
 * with `INDEX_FAILED`; each run's transaction dies with its connection, uncommitted).
 * While it has no job it does not keep the process alive.
 */
export class IndexThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly data: IndexThreadData) {}

  /** Runs `indexFolder` in the thread; `embeddingsChanged` says the vector file needs a sync. */
  async index(paths: TenantPaths, options: IndexThreadRunOptions, run: IndexThreadRun = {}): Promise<{ result: IndexResult; embeddingsChanged: boolean }> {
    const reply = await this.send((id) => ({ type: 'index', id, paths, options }), options.root, run);
    if (reply.type !== 'indexed') throw new PctxError('INTERNAL', { reason: `index thread answered ${reply.type} to an index run` });
    return { result: reply.result, embeddingsChanged: reply.embeddingsChanged };
  }

  /** `completeEmbeddings` in the thread; resolves to the symbols embedded. */
  async completeEmbeddings(paths: TenantPaths): Promise<number> {
    const reply = await this.send((id) => ({ type: 'complete-embeddings', id, paths }), null, {});
    if (reply.type !== 'embedded') throw new PctxError('INTERNAL', { reason: `index thread answered ${reply.type} to an embeddings fill` });
    return reply.count;
  }

  /**
   * Stops the thread. Jobs still running fail with `POOL_CLOSED` (the engine closes its
   * tenant pool first, which waits for the leases index runs hold, so normally none are).
   */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(() => new PctxError('POOL_CLOSED'));
    if (worker) {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  }

  private send(make: (id: number) => IndexThreadRequest, root: string | null, run: IndexThreadRun): Promise<IndexThreadReply> {
    if (this.closed) return Promise.reject(new PctxError('POOL_CLOSED'));
    if (run.signal?.aborted) return Promise.reject(new PctxError('INDEX_FAILED', { root: root ?? '', reason: 'aborted' }));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<IndexThreadReply>((resolve, reject) => {
      const onAbort = () => worker.postMessage({ type: 'abort', id } satisfies IndexThreadRequest);
      run.signal?.addEventListener('abort', onAbort, { once: true });
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          run.signal?.removeEventListener('abort', onAbort);
          this.pending.delete(id);
          if (this.pending.size === 0) this.worker?.unref();
          fn(value);
        };
      this.pending.set(id, { root, resolve: settle(resolve), reject: settle(reject), onProgress: run.onProgress });
      worker.ref();
      worker.postMessage(make(id));
    });
  }

  private start(): Worker {
    const worker = spawnWorker(import.meta.url, './index-thread-worker', { workerData: this.data });
    this.worker = worker;
    worker.unref();
    worker.on('message', (msg: IndexThreadReply) => {
      const pending = this.pending.get(msg.id);
      if (!pending) return;
      if (msg.type === 'progress') pending.onProgress?.(msg.progress);
      else if (msg.type === 'failed') pending.reject(errorFromJSON(msg.error));
      else pending.resolve(msg);
    });
    const died = (reason: string, cause?: Error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll((root) =>
        cause !== undefined && isOutOfFileDescriptors(cause)
          ? new PctxError('TOO_MANY_OPEN_FILES', { reason: `index thread: ${cause.message}` }, { cause })
          : root === null
            ? new PctxError('INTERNAL', { reason: `index thread ${reason}` }, cause ? { cause } : {})
            : new PctxError('INDEX_FAILED', { root, reason: `index thread ${reason}` }, cause ? { cause } : {}),
      );
    };
    worker.on('error', (err) => died(`failed: ${err.message}`, err));
    worker.on('exit', (code) => died(`exited with code ${code}`));
    return worker;
  }

  private failAll(error: (root: string | null) => Error): void {
    for (const pending of [...this.pending.values()]) pending.reject(error(pending.root));
  }
}
