import { parentPort, workerData } from 'node:worker_threads';
import { toPctxError } from '../errors.js';
import { lowerBackgroundThreadPriority } from '../util/thread-priority.js';
import { buildVectorFile, type VectorBuildOptions } from './vector-build.js';
import type { TenantPaths } from './tenant-paths.js';

/** Worker entry: one vector build per worker, result or error posted back once. */
const { paths, options, background } = workerData as { paths: TenantPaths; options: VectorBuildOptions; background: boolean };
// A build a search waits for runs at the process's priority; only one nobody waits for yields.
if (background) lowerBackgroundThreadPriority();
try {
  parentPort!.postMessage({ ok: true, result: buildVectorFile(paths, options) });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: toPctxError(err).toJSON() });
}
