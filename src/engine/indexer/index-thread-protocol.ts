import type { EmbedderConfig } from '../embed/create-embedder.js';
import type { TenantPaths } from '../../tenant/tenant-paths.js';
import type { ErrorDetails } from '../../errors.js';
import type { IndexFolderOptions, IndexProgress, IndexResult } from './index-run.js';

/** Messages between an engine and its index thread (index-thread.ts). Everything here is structured-cloneable. */

export interface IndexThreadData {
  /** Parse worker threads the index thread starts. */
  workers: number | undefined;
  /** The configuration the engine's embedder was built from; the thread builds its own. */
  embedding: EmbedderConfig;
  /** The engine's embedder, which the thread's must equal (vectors of two embedders do not mix). */
  embedderId: string;
  embedderDimension: number;
}

/** The part of IndexFolderOptions that crosses the thread boundary (no callbacks, no signal). */
export type IndexThreadRunOptions = Pick<IndexFolderOptions, 'root' | 'name' | 'maxFileBytes' | 'exclude' | 'include' | 'quotaBytes'>;

export type IndexThreadRequest =
  | { type: 'index'; id: number; paths: TenantPaths; options: IndexThreadRunOptions }
  | { type: 'complete-embeddings'; id: number; paths: TenantPaths }
  | { type: 'abort'; id: number };

export type IndexThreadReply =
  | { type: 'progress'; id: number; progress: IndexProgress }
  /** `embeddingsChanged`: the run changed vectors, so the HNSW file needs a sync. */
  | { type: 'indexed'; id: number; result: IndexResult; embeddingsChanged: boolean }
  | { type: 'embedded'; id: number; count: number }
  | { type: 'failed'; id: number; error: { code: string; message: string; details: ErrorDetails } };
