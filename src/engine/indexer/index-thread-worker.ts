import { parentPort, workerData } from 'node:worker_threads';
import { PctxError, toPctxError } from '../../errors.js';
import { lowerBackgroundThreadPriority } from '../../util/thread-priority.js';
import { openTenantDb } from '../../tenant/tenant-db.js';
import type { TenantPaths } from '../../tenant/tenant-paths.js';
import { createEmbedder } from '../embed/create-embedder.js';
import { completeEmbeddings } from './deferred-embeddings.js';
import { indexFolder } from './index-run.js';
import type { IndexThreadData, IndexThreadReply, IndexThreadRequest, IndexThreadRunOptions } from './index-thread-protocol.js';
import { ParsePool } from './parse-pool.js';

/**
 * Worker entry of an engine's index thread: runs index runs and fills deferred embeddings,
 * so that none of their synchronous SQLite work (batch writes, import resolution, the
 * commit, the WAL checkpoint, embedding slices, busy waits) runs on the thread that serves
 * queries. Owns the parse workers. Runs of different tenants interleave here as they
 * would on any event loop; the engine serializes runs of one tenant.
 */
lowerBackgroundThreadPriority();
const data = workerData as IndexThreadData;
const port = parentPort!;
const embedder = createEmbedder(data.embedding);
const parsePool = new ParsePool({ ...(data.workers !== undefined ? { workers: data.workers } : {}) });
const running = new Map<number, AbortController>();

function reply(message: IndexThreadReply): void {
  port.postMessage(message);
}

function fail(id: number, err: unknown): void {
  reply({ type: 'failed', id, error: toPctxError(err).toJSON() });
}

async function index(id: number, paths: TenantPaths, options: IndexThreadRunOptions): Promise<void> {
  const abort = new AbortController();
  running.set(id, abort);
  // The engine holds a lease on the tenant for the run; this is the run's own probe connection.
  const db = openTenantDb(paths, { create: false });
  try {
    let embeddingsChanged = false;
    const result = await indexFolder(
      {
        lease: { paths, tenantId: paths.tenantId, db },
        parsePool,
        embedder,
        now: () => new Date(),
        // The engine brings the vector file up to date; the run only reports that it must.
        startBackgroundVectorSync: () => {
          embeddingsChanged = true;
        },
      },
      { ...options, vectors: 'background', signal: abort.signal, onProgress: (progress) => reply({ type: 'progress', id, progress }) },
    );
    reply({ type: 'indexed', id, result, embeddingsChanged });
  } finally {
    db.close();
    running.delete(id);
  }
}

async function embed(id: number, paths: TenantPaths): Promise<void> {
  const db = openTenantDb(paths, { create: false });
  try {
    reply({ type: 'embedded', id, count: await completeEmbeddings(paths, db, embedder) });
  } finally {
    db.close();
  }
}

port.on('message', (msg: IndexThreadRequest) => {
  if (msg.type === 'abort') {
    running.get(msg.id)?.abort();
    return;
  }
  const job =
    embedder.id !== data.embedderId || embedder.dimension !== data.embedderDimension
      ? Promise.reject(new PctxError('INVALID_CONFIG', { option: 'embedding', reason: 'the index thread built a different embedder than the engine uses' }))
      : msg.type === 'index'
        ? index(msg.id, msg.paths, msg.options)
        : embed(msg.id, msg.paths);
  job.catch((err: unknown) => fail(msg.id, err));
});
