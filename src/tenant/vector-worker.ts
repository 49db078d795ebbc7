import { parentPort, workerData } from 'node:worker_threads';
import { toPctxError } from '../errors.js';
import { lowerBackgroundThreadPriority } from '../util/thread-priority.js';
import { buildVectorFile, type VectorBuildOptions } from './vector-build.js';
import type { TenantPaths } from './tenant-paths.js';

/**
 * Worker entry: builds vector files one after the other, as the process's build queue
 * sends them (vector-index.ts), answering each with its result or error. Long-lived: a
 * worker per build cost a thread start and module load per build (a 5-minute soak served
 * 53 % more requests with long-lived workers, for ~300 MB more memory at its peak).
 */
const { background } = workerData as { background: boolean };
// The builds nobody waits for yield the CPU; those a search waits for run at the process's priority.
if (background) lowerBackgroundThreadPriority();
parentPort!.on('message', ({ id, paths, options }: { id: number; paths: TenantPaths; options: VectorBuildOptions }) => {
  try {
    parentPort!.postMessage({ id, ok: true, result: buildVectorFile(paths, options) });
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: toPctxError(err).toJSON() });
  }
});
