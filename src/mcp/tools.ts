import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { IndexProgress } from '../engine/indexer/index-run.js';
import type { RepoWatchState } from '../engine/queries/index-status.js';
import { withLiveFreshness } from './live-freshness.js';
import {
  fileContentShape,
  fileOutlineShape,
  fileRefShape,
  indexFolderShape,
  indexStatusShape,
  repoShape,
  searchSymbolsShape,
  symbolSourceShape,
} from '../engine/params.js';

export interface ToolContext {
  tenantId: string;
  /** The tenant's storage quota now (null: unlimited); index runs stop at it. */
  quotaBytes: number | null;
  signal: AbortSignal;
  /** Reports progress of long tools; a no-op unless the client sent a progressToken. */
  progress: (done: number, total: number | undefined, message: string) => void;
  /** The live watcher's state of a repository, when the server watches the tenant's folders. */
  watchState?: (repo: string) => RepoWatchState | null;
}

export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  shape: z.ZodRawShape;
  annotations: ToolAnnotations;
  /** Permission a hosted caller needs. */
  permission: 'read' | 'write';
  run: (engine: Engine, args: unknown, ctx: ToolContext) => Promise<unknown>;
}

/** Appended to the description of every tool that answers from the index. */
const FRESHNESS = ' The answer\'s `freshness` says, per repository it answered from, when it was indexed and whether the server watches it for changes.';

const readOnly: ToolAnnotations = { readOnlyHint: true, idempotentHint: true, openWorldHint: false };

function describeProgress(p: IndexProgress): string {
  switch (p.phase) {
    case 'discovering':
      return 'Finding files';
    case 'waiting':
      return 'Waiting for another index run of this tenant (another process) to finish';
    case 'embedding':
      return 'Re-embedding symbols for the new embedder';
    case 'parsing':
      return `Parsing ${p.done}/${p.total} files`;
    case 'resolving':
      return 'Resolving imports';
    case 'committing':
      return 'Committing';
    case 'vectors':
      return 'Building the vector index';
  }
}

/**
 * MCP progress must only increase: files parsed count 1 each, and every phase after
 * parsing adds one step on top of the file count.
 */
const PHASE_STEP: Record<IndexProgress['phase'], number> = { discovering: 0, waiting: 0, embedding: 0, parsing: 0, resolving: 1, committing: 2, vectors: 3 };

/** One per index call: maps phases and file counts onto a single increasing number. */
function progressCounter(): (p: IndexProgress) => number {
  let files = 0;
  return (p) => {
    if (p.phase === 'parsing') {
      files = p.total;
      return p.done;
    }
    return p.phase === 'discovering' || p.phase === 'waiting' || p.phase === 'embedding' ? 0 : files + PHASE_STEP[p.phase];
  };
}

/**
 * Every MCP tool: name, schema (the engine's own), and a one-line call into the engine.
 * Shared by the stdio server and the HTTP endpoint.
 */
export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'index_folder',
    title: 'Index a folder',
    description:
      'Index (or incrementally re-index) a source folder: symbols, imports and embeddings for 14 languages. ' +
      'Honours .gitignore; skips binaries, secrets, huge files, dependencies and build output (unless `include` names them; ' +
      'include/exclude are remembered per repository). The result lists what was skipped and why, with notes when all the ' +
      'source sits in a skipped folder. Atomic: on failure the previous index stays.',
    shape: indexFolderShape,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    permission: 'write',
    run: (engine, args, ctx) => {
      const counter = progressCounter();
      return engine.indexFolder(ctx.tenantId, args, {
        signal: ctx.signal,
        quotaBytes: ctx.quotaBytes,
        // Keyword search is ready at commit; the HNSW file follows without holding the agent.
        vectors: 'background',
        onProgress: (p) => ctx.progress(counter(p), undefined, describeProgress(p)),
      });
    },
  },
  {
    name: 'search_symbols',
    title: 'Search symbols',
    description:
      'Find functions, classes, methods, types… by name, part of a name (camelCase/snake_case sub-words) or description. ' +
      'Returns ids for get_symbol_source. mode=hybrid or semantic helps for descriptive queries.' + FRESHNESS,
    shape: searchSymbolsShape,
    annotations: readOnly,
    permission: 'read',
    run: async (engine, args, ctx) => withLiveFreshness(await engine.searchSymbols(ctx.tenantId, args), ctx.watchState),
  },
  {
    name: 'get_symbol_source',
    title: 'Get symbol source',
    description: 'Source code of one symbol by id, optionally with context lines; fileState tells whether the file changed on disk since indexing.' + FRESHNESS,
    shape: symbolSourceShape,
    annotations: readOnly,
    permission: 'read',
    run: async (engine, args, ctx) => withLiveFreshness(await engine.getSymbolSource(ctx.tenantId, args), ctx.watchState),
  },
  {
    name: 'get_file_outline',
    title: 'Get file outline',
    description: 'The symbols of one file as a tree (methods under their class) with signatures and line ranges — much cheaper than reading the file.' + FRESHNESS,
    shape: fileOutlineShape,
    annotations: readOnly,
    permission: 'read',
    run: async (engine, args, ctx) => withLiveFreshness(await engine.getFileOutline(ctx.tenantId, args), ctx.watchState),
  },
  {
    name: 'get_file_content',
    title: 'Get file content',
    description: 'Indexed content of a file, whole or a line range.' + FRESHNESS,
    shape: fileContentShape,
    annotations: readOnly,
    permission: 'read',
    run: async (engine, args, ctx) => withLiveFreshness(await engine.getFileContent(ctx.tenantId, args), ctx.watchState),
  },
  {
    name: 'list_repos',
    title: 'List repositories',
    description: 'Indexed repositories with their root folder, file and symbol counts and last index time.',
    shape: {},
    annotations: readOnly,
    permission: 'read',
    run: (engine, args, ctx) => engine.listRepos(ctx.tenantId, args),
  },
  {
    name: 'get_index_status',
    title: 'Get index status',
    description:
      'How fresh the index is, per repository: last index run, files changed on disk since (pending), whether the server watches the folder, and the last error. ' +
      'Use it when results look stale.',
    shape: indexStatusShape,
    annotations: readOnly,
    permission: 'read',
    run: (engine, args, ctx) => engine.getIndexStatus(ctx.tenantId, args, ctx.watchState),
  },
  {
    name: 'find_importers',
    title: 'Find importers',
    description: 'Files of the repository that import the given file (resolved relative imports; Go package imports).' + FRESHNESS,
    shape: fileRefShape,
    annotations: readOnly,
    permission: 'read',
    run: async (engine, args, ctx) => withLiveFreshness(await engine.findImporters(ctx.tenantId, args), ctx.watchState),
  },
  {
    name: 'get_dependencies',
    title: 'Get dependencies',
    description: 'What a file imports: each specifier with its line and, when it is a file of the repository, the resolved path.' + FRESHNESS,
    shape: fileRefShape,
    annotations: readOnly,
    permission: 'read',
    run: async (engine, args, ctx) => withLiveFreshness(await engine.getDependencies(ctx.tenantId, args), ctx.watchState),
  },
  {
    name: 'delete_repo',
    title: 'Delete a repository',
    description: 'Remove a repository and everything indexed from it. Files on disk are not touched.',
    shape: repoShape,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    permission: 'write',
    run: (engine, args, ctx) => engine.deleteRepo(ctx.tenantId, args),
  },
];
