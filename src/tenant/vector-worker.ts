import { parentPort, workerData } from 'node:worker_threads';
import { toPctxError } from '../errors.js';
import { lowerBackgroundThreadPriority } from '../util/thread-priority.js';
import { buildVectorFile, type VectorBuildOptions } from './vector-build.js';
import type { TenantPaths } from './tenant-paths.js';

/** Worker entry: one vector build per worker, result or error posted back once. */
lowerBackgroundThreadPriority();
const { paths, options } = workerData as { paths: TenantPaths; options: VectorBuildOptions };
try {
  parentPort!.postMessage({ ok: true, result: buildVectorFile(paths, options) });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: toPctxError(err).toJSON() });
}
