import fs from 'node:fs';
import path from 'node:path';
import { PctxError, isDiskFull, isPctxError, toPctxError } from '../../errors.js';
import { languageForPath } from '../../parse/languages.js';
import { resolveImport } from '../../parse/resolve-import.js';
import { EXTRACTOR_VERSION, type ImportKind, type LanguageId } from '../../parse/types.js';
import { openTenantDb, type TenantDb } from '../../tenant/tenant-db.js';
import type { TenantLease } from '../../tenant/tenant-pool.js';
import type { TenantPaths } from '../../tenant/tenant-paths.js';
import { QuotaGuard } from '../../tenant/quota.js';
import { encodeVector, encodeVectorInto } from '../../tenant/vector-codec.js';
import { runVectorBuild } from '../../tenant/vector-index.js';
import type { VectorBuildMode } from '../../tenant/vector-build.js';
import { bumpEmbeddingsGeneration, clearEmbeddingsPending, markEmbeddingsPending, readEmbeddingsMeta } from '../../tenant/vector-state.js';
import { discoverFiles, describeSkips } from '../discovery.js';
import type { EmbeddingProvider } from '../embed/provider.js';
import { completeEmbeddings, defersEmbeddings } from './deferred-embeddings.js';
import { IndexWriter, repoSlug, type RepoRow, type StoredFile } from './index-writer.js';
import { dominantLanguagesFirst } from './parse-order.js';
import { readRepoSettings, writeRepoSettings } from './repo-settings.js';
import type { ParsePool } from './parse-pool.js';
import { readRegularFileSync } from './read-regular-file.js';
import { beginWrite } from './write-lock.js';
import type { ParseBatch, ParsedFile, ParseFileTask } from './parse-protocol.js';

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export type IndexPhase = 'discovering' | 'waiting' | 'embedding' | 'parsing' | 'resolving' | 'committing' | 'vectors';

export interface IndexProgress {
  phase: IndexPhase;
  /** Files handled so far in the `parsing` phase; 0 otherwise. */
  done: number;
  total: number;
}

export interface IndexFolderOptions {
  /** Folder to index. */
  root: string;
  /**
   * Repository name for a folder indexed for the first time; defaults to the folder's name.
   * Made unique within the tenant (`-2`, `-3`…). A folder already indexed keeps its name:
   * renaming would change every symbol id agents hold.
   */
  name?: string;
  /**
   * Files larger than this are skipped.
   * @default 1048576
   */
  maxFileBytes?: number;
  /**
   * Extra gitignore-style patterns to exclude. Remembered by the repository: when absent,
   * the patterns of its previous run apply; `[]` clears them.
   */
  exclude?: string[];
  /**
   * Gitignore-style patterns of folders or files to index although a built-in exclude
   * (`dist/`, `vendor/`, `node_modules/`…) or a .gitignore skips them. Remembered like
   * `exclude`, which still takes precedence over them.
   */
  include?: string[];
  /**
   * Tenant storage quota in bytes, checked before the run and after every batch; null
   * means unlimited.
   * @default null
   */
  quotaBytes?: number | null;
  /**
   * When to bring the HNSW file up to date after the commit: `wait` before returning,
   * `background` after returning (a semantic query arriving first waits for it), `skip`
   * to leave it to the first semantic query.
   * @default 'wait'
   */
  vectors?: VectorSyncMode;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  /**
   * Called after each batch is written, inside the run's transaction. Throwing aborts
   * the run, which then rolls back as a whole (used to prove atomicity).
   */
  afterBatch?: (stats: { batches: number; filesWritten: number }) => void;
}

export interface SkippedEntry {
  path: string;
  reason: string;
  detail?: string;
}

export type VectorSyncMode = 'wait' | 'background' | 'skip';

export interface IndexResult {
  repo: string;
  root: string;
  files: { total: number; indexed: number; unchanged: number; removed: number; skipped: number };
  symbols: number;
  symbolsIndexed: number;
  imports: number;
  bytesParsed: number;
  /** Up to 100 skipped files and folders with the reason (secret, build_output, gitignored…). */
  skipped: SkippedEntry[];
  /** How many files and folders were skipped, by reason. */
  skippedByReason: Record<string, number>;
  /** The include and exclude patterns this run used (given, or remembered by the repository). */
  filters: { include: string[]; exclude: string[] };
  /** Things the user should know, e.g. that all the source sits in an excluded folder. */
  notes: string[];
  durationMs: number;
  phasesMs: { discover: number; parse: number; commit: number; vectors: number };
  /** The vector sync, when it ran before returning; null with `background` or `skip`. */
  vectors: { mode: VectorBuildMode; count: number } | null;
}

export interface IndexRunContext {
  /** The tenant: a pool lease, or (in the index thread) the same three things opened there. */
  lease: Pick<TenantLease, 'paths' | 'tenantId' | 'db'>;
  parsePool: ParsePool;
  embedder: EmbeddingProvider;
  now: () => Date;
  /** Called once the vector file was rewritten, so cached indexes are dropped. */
  onVectorsChanged?: () => void;
  /** Starts a vector sync that outlives the run (the caller holds the tenant meanwhile). */
  startBackgroundVectorSync?: () => void;
}

/**
 * Page cache of the run's own connection. A run writes file content next to several
 * randomly-ordered indexes in one transaction; with a small cache the index pages are
 * evicted by content pages and rewritten into the WAL again and again (measured: twice
 * the run time at 8 MiB on the Python standard library). Lives only for the run.
 */
const WRITER_CACHE_KIB = 64 * 1024;
const BATCH_MAX_FILES = 16;
const BATCH_MAX_BYTES = 256 * 1024;
const SKIPPED_REPORT_LIMIT = 100;

/**
 * Re-embeds every symbol of the tenant with `embedder`, from the fields stored in the
 * symbols table, in chunks (each an await, so a remote provider's requests and other
 * work interleave). Runs inside the caller's transaction. Returns the symbols embedded.
 */
async function reembedTenant(db: TenantDb, tenantId: string, embedder: EmbeddingProvider, signal: AbortSignal | undefined): Promise<number> {
  const select = db.prepare(
    'SELECT id, name, qualified_name AS qualifiedName, kind, signature, doc FROM symbols WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT 512',
  );
  const upsert = db.prepare(
    'INSERT INTO embeddings (symbol_id, tenant_id, vector) VALUES (?, ?, ?) ON CONFLICT (symbol_id) DO UPDATE SET vector = excluded.vector',
  );
  let last = 0;
  let total = 0;
  for (;;) {
    const rows = select.all(tenantId, last) as { id: number; name: string; qualifiedName: string; kind: string; signature: string; doc: string | null }[];
    if (rows.length === 0) return total;
    const vectors = await embedder.embedSymbols(rows, signal);
    rows.forEach((row, i) => upsert.run(row.id, tenantId, encodeVector(vectors[i]!)));
    last = rows[rows.length - 1]!.id;
    total += rows.length;
  }
}

/** Every worker for a folder new to the tenant, one for a known folder, none for a missing one. */
function workersToPrestart(db: TenantDb, tenantId: string, root: string, poolSize: number): number {
  let real: string;
  try {
    real = fs.realpathSync(root);
  } catch {
    return 0; // discovery reports the missing folder
  }
  const known = db.prepare('SELECT 1 FROM repos WHERE tenant_id = ? AND root_path = ?').pluck().get(tenantId, real) !== undefined;
  return known ? 1 : poolSize;
}

function readGoModule(rootReal: string): string | null {
  try {
    // go.mod is read outside discovery's checks: it may be a FIFO (`mkfifo go.mod`).
    const text = readRegularFileSync(path.join(rootReal, 'go.mod')).toString('utf8');
    return /^\s*module\s+(\S+)/m.exec(text)?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * The one file an edge records. Go imports name a package (a folder): several targets
 * collapse to `folder/`, which `find_importers` matches for Go files. Python lists the
 * imported submodule before the package's `__init__.py`; collapsing those made
 * `from . import x` point at a folder no importer query matched, so it takes the first.
 */
function edgeTarget(language: string, targets: string[]): string | null {
  if (targets.length === 0) return null;
  if (targets.length === 1 || language === 'python') return targets[0]!;
  return `${path.posix.dirname(targets[0]!)}/`;
}

function makeBatches(tasks: ParseFileTask[], sizes: Map<string, number>, rootReal: string, maxFileBytes: number): ParseBatch[] {
  const batches: ParseBatch[] = [];
  let current: ParseFileTask[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    batches.push({ batchId: batches.length, rootReal, maxFileBytes, files: current });
    current = [];
    bytes = 0;
  };
  for (const task of tasks) {
    current.push(task);
    bytes += sizes.get(task.relPath) ?? 0;
    if (current.length >= BATCH_MAX_FILES || bytes >= BATCH_MAX_BYTES) flush();
  }
  flush();
  return batches;
}

function countReasons(skipped: SkippedEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return counts;
}

/** The real path of a folder as the repository row stores it; the path itself if it cannot be resolved (discovery then says why). */
function realRoot(root: string): string {
  try {
    return fs.realpathSync.native(path.resolve(root));
  } catch {
    return path.resolve(root);
  }
}

/**
 * The `wait` mode's vector step after a run's commit: the vectors the run deferred made
 * (`complete`), then the HNSW file brought up to date. Shared by runs on the caller's
 * thread and runs in the index thread, whose engine completes the vectors in that thread.
 * `changed`: the file was rewritten, so loaded indexes are stale.
 */
export async function syncVectorsNow(
  paths: TenantPaths,
  complete: () => Promise<unknown>,
  progress: (progress: IndexProgress) => void,
): Promise<{ vectors: NonNullable<IndexResult['vectors']>; ms: number; changed: boolean }> {
  progress({ phase: 'vectors', done: 0, total: 0 });
  const started = performance.now();
  await complete();
  const built = await runVectorBuild(paths);
  return { vectors: { mode: built.mode, count: built.state?.live ?? 0 }, ms: performance.now() - started, changed: built.mode !== 'unchanged' };
}

/**
 * Indexes one folder into the leased tenant as a single SQLite transaction: a failure
 * anywhere (parse worker, embedding provider, quota, abort, crash) leaves the previous
 * index exactly as it was. Incremental: files whose size and mtime match the stored
 * row are not read; files whose content hash matches are not parsed; files gone from
 * disk are removed. Parsing and embedding run in worker threads; this function only
 * writes. Runs of the same tenant must be serialized by the caller.
 */
export async function indexFolder(ctx: IndexRunContext, options: IndexFolderOptions): Promise<IndexResult> {
  const started = performance.now();
  const { lease, parsePool, embedder } = ctx;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const progress = options.onProgress ?? (() => {});
  const quota = new QuotaGuard(lease.paths, options.quotaBytes ?? null);
  quota.check();
  // Workers start (a V8 isolate and the tree-sitter runtime each) while the folder is walked:
  // all of them for a folder indexed for the first time, else one (a re-index may parse
  // nothing; the others start once the work is known).
  parsePool.warm([], workersToPrestart(lease.db, lease.tenantId, options.root, parsePool.size));

  progress({ phase: 'discovering', done: 0, total: 0 });
  const settings = readRepoSettings(lease.db, lease.tenantId, realRoot(options.root));
  const filters = { include: options.include ?? settings?.include ?? [], exclude: options.exclude ?? settings?.exclude ?? [] };
  // Files parsed by another extractor version are parsed again even when unchanged.
  const reparse = settings !== null && settings.extractorVersion !== EXTRACTOR_VERSION;
  const discovery = await discoverFiles(options.root, {
    languageOf: languageForPath,
    maxFileBytes,
    exclude: filters.exclude,
    include: filters.include,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const discoveredAt = performance.now();
  const rootReal = discovery.root;
  const skipped: SkippedEntry[] = discovery.skipped.map((s) => ({ path: s.relPath, reason: s.reason, ...(s.detail ? { detail: s.detail } : {}) }));

  const db = openTenantDb(lease.paths, { cacheKiB: WRITER_CACHE_KIB, create: false });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pageCount = db.prepare('PRAGMA page_count').pluck();
  const checkQuota = () => quota.check((pageCount.get() as number) * pageSize);
  let embeddingsChanged = false;
  // A local embedder's vectors are made when first needed (deferred-embeddings.ts).
  const deferEmbeddings = defersEmbeddings(embedder);
  let embeddingsDeferred = false;
  let result: Omit<IndexResult, 'durationMs' | 'phasesMs' | 'vectors'>;
  let parsedAt = 0;
  let committedAt = 0;
  try {
    const writer = new IndexWriter(db, lease.tenantId, ctx.now);
    // Another process indexing into this tenant holds the write lock for its whole run.
    await beginWrite(db, rootReal, {
      ...(options.signal ? { signal: options.signal } : {}),
      onWait: () => progress({ phase: 'waiting', done: 0, total: 0 }),
    });
    try {
      const repo: RepoRow = writer.upsertRepo(rootReal, options.name ?? repoSlug(path.basename(rootReal)));
      const stored = writer.storedFiles(repo.id);
      writeRepoSettings(db, lease.tenantId, repo.id, { ...filters, extractorVersion: EXTRACTOR_VERSION });
      const meta = readEmbeddingsMeta(db);
      // Vectors of different embedders are not comparable: every repository of the tenant
      // is re-embedded from its stored symbol fields (no re-parse needed), in this run.
      if (meta.provider !== null && (meta.provider !== embedder.id || meta.dimension !== embedder.dimension)) {
        if (deferEmbeddings) {
          if (db.prepare('DELETE FROM embeddings WHERE tenant_id = ?').run(lease.tenantId).changes > 0) embeddingsChanged = true;
          embeddingsDeferred = true;
        } else {
          progress({ phase: 'embedding', done: 0, total: 0 });
          if ((await reembedTenant(db, lease.tenantId, embedder, options.signal)) > 0) embeddingsChanged = true;
          // Every symbol has its vector now, including any a local embedder had left pending.
          clearEmbeddingsPending(db);
        }
      }

      const tasks: ParseFileTask[] = [];
      const sizes = new Map<string, number>();
      const seen = new Set<string>();
      let unchanged = 0;
      for (const f of discovery.files) {
        seen.add(f.relPath);
        const old = stored.get(f.relPath);
        const sameStat = !reparse && old !== undefined && old.size === f.size && old.mtimeMs === Math.floor(f.mtimeMs) && old.language === f.language;
        if (sameStat) {
          unchanged++;
          continue;
        }
        sizes.set(f.relPath, f.size);
        tasks.push({
          absPath: f.absPath,
          relPath: f.relPath,
          language: f.language as LanguageId,
          knownHash: reparse || old === undefined || old.language !== f.language ? null : old.hash,
        });
      }

      // Only the grammars of languages present, loaded while stale rows are removed.
      if (tasks.length > 0) parsePool.warm([...new Set(tasks.map((t) => t.language))], Math.ceil(tasks.length / BATCH_MAX_FILES));

      let removed = 0;
      for (const [relPath, old] of stored) {
        if (seen.has(relPath)) continue;
        if (writer.removeFile(old.id) > 0) embeddingsChanged = true;
        removed++;
      }

      progress({ phase: 'parsing', done: 0, total: tasks.length });
      const changedFileIds = new Set<number>();
      let indexed = 0;
      let symbolsIndexed = 0;
      let bytesParsed = 0;
      let added = 0;
      const recordBytes = 4 + embedder.dimension;
      // Imports are resolved as they are written, against the files discovery found: that is
      // the repository's file set at the end unless a file is skipped while it is read (then
      // every edge is resolved again below). Resolving here runs beside the parse workers
      // instead of after the last batch, when nothing else runs.
      const expectedFiles: ReadonlySet<string> = seen;
      const goModule = readGoModule(rootReal);
      const resolveTargets = (f: Extract<ParsedFile, { status: 'parsed' }>) =>
        f.imports.map((imp) =>
          edgeTarget(f.language, resolveImport({ language: f.language, fromPath: f.relPath, specifier: imp.specifier, kind: imp.kind, names: imp.names }, { files: expectedFiles, goModule })),
        );

      const writeParsed = async (files: ParsedFile[]) => {
        const needAsync = deferEmbeddings
          ? []
          : files.filter((f): f is Extract<ParsedFile, { status: 'parsed' }> => f.status === 'parsed' && f.vectors === null && f.symbols.length > 0);
        if (needAsync.length > 0) {
          const vectors = await embedder.embedSymbols(needAsync.flatMap((f) => f.symbols), options.signal);
          let at = 0;
          for (const f of needAsync) {
            const out = new Uint8Array(f.symbols.length * recordBytes);
            for (let i = 0; i < f.symbols.length; i++) encodeVectorInto(vectors[at++]!, out, i * recordBytes);
            f.vectors = out;
          }
        }
        for (const f of files) {
          const old: StoredFile | undefined = stored.get(f.relPath);
          if (f.status === 'skipped') {
            skipped.push({ path: f.relPath, reason: f.reason, detail: f.detail });
            // A transient read failure keeps what was indexed; anything else drops it.
            if (old && f.reason !== 'unreadable') {
              if (writer.removeFile(old.id) > 0) embeddingsChanged = true;
              removed++;
            }
            continue;
          }
          if (f.status === 'unchanged') {
            writer.touchFile(old!.id, f.size, f.mtimeMs);
            unchanged++;
            continue;
          }
          if (old) {
            if (writer.clearFile(old.id) > 0) embeddingsChanged = true;
          } else {
            added++;
          }
          const fileId = writer.writeFile(repo.id, old?.id, f);
          writer.writeSymbols(repo, fileId, f.relPath, f.language, f.symbols, f.fts, f.vectors, recordBytes);
          writer.writeImports(repo.id, fileId, f.imports, resolveTargets(f));
          if (f.symbols.length > 0) {
            embeddingsChanged = true;
            if (f.vectors === null) embeddingsDeferred = true;
          }
          changedFileIds.add(fileId);
          indexed++;
          symbolsIndexed += f.symbols.length;
          bytesParsed += f.size;
        }
      };

      const batches = makeBatches(dominantLanguagesFirst(tasks, sizes), sizes, rootReal, maxFileBytes);
      const window = Math.max(2, parsePool.size * 3);
      const cancel = new AbortController();
      const inFlight: Promise<ParsedFile[]>[] = [];
      let next = 0;
      const submit = () => {
        while (next < batches.length && inFlight.length < window) {
          const p = parsePool.run(batches[next++]!, cancel.signal).then((r) => r.files);
          p.catch(() => {});
          inFlight.push(p);
        }
      };
      let handled = 0;
      try {
        submit();
        for (let b = 0; inFlight.length > 0; b++) {
          const files = await inFlight.shift()!;
          submit();
          if (options.signal?.aborted) throw new PctxError('INDEX_FAILED', { root: rootReal, reason: 'aborted' });
          await writeParsed(files);
          handled += files.length;
          progress({ phase: 'parsing', done: handled, total: tasks.length });
          checkQuota();
          options.afterBatch?.({ batches: b + 1, filesWritten: indexed });
        }
      } finally {
        cancel.abort();
      }

      parsedAt = performance.now();
      progress({ phase: 'resolving', done: 0, total: 0 });
      const fileSet = new Set(writer.repoPaths(repo.id));
      const fileSetChanged = added > 0 || removed > 0;
      // The set only loses files to skips, so equal sizes mean the expected set was right and
      // only edges of files not written by this run can point at files added or removed.
      const resolvedAsWritten = fileSet.size === expectedFiles.size;
      const stale = resolvedAsWritten
        ? fileSetChanged
          ? writer.edges(repo.id, null).filter((edge) => !changedFileIds.has(edge.fromFileId))
          : []
        : writer.edges(repo.id, fileSetChanged ? null : changedFileIds);
      for (const edge of stale) {
        const targets = resolveImport(
          {
            language: edge.language as LanguageId,
            fromPath: edge.path,
            specifier: edge.specifier,
            kind: edge.kind as ImportKind,
            names: JSON.parse(edge.names) as string[],
          },
          { files: fileSet, goModule },
        );
        writer.setEdgeTarget(edge.id, edgeTarget(edge.language, targets));
      }

      writer.countImporters(repo.id, stored.size === 0);
      progress({ phase: 'committing', done: 0, total: 0 });
      const counts = writer.finishRepo(repo.id);
      if (embeddingsChanged) bumpEmbeddingsGeneration(db, embedder.id, embedder.dimension);
      if (embeddingsDeferred) markEmbeddingsPending(db);
      checkQuota();
      db.exec('COMMIT');
      committedAt = performance.now();
      result = {
        repo: repo.name,
        root: rootReal,
        files: { total: counts.files, indexed, unchanged, removed, skipped: skipped.length },
        symbols: counts.symbols,
        symbolsIndexed,
        imports: counts.imports,
        bytesParsed,
        skipped: skipped.slice(0, SKIPPED_REPORT_LIMIT),
        skippedByReason: countReasons(skipped),
        filters,
        notes: discovery.files.length === 0 ? describeSkips(discovery) : [],
      };
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (!isPctxError(err) && isDiskFull(err)) throw toPctxError(err);
      throw isPctxError(err) ? err : new PctxError('INDEX_FAILED', { root: rootReal, reason: err instanceof Error ? err.message : String(err) }, { cause: err });
    } finally {
      // Give back the WAL space of a large run (or of a rolled-back one) right away, and
      // refresh planner statistics where the run changed the data's shape. Without
      // waiting: TRUNCATE waits for every reader through busy_timeout, and a vector build
      // reading the tenant kept this synchronous call — and so the whole server's event
      // loop — blocked for up to 5 s after each run (found by the soak).
      try {
        db.pragma('busy_timeout = 0');
        db.pragma('optimize');
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // Readers still on an old snapshot: the next checkpoint finishes the job.
      }
    }
  } finally {
    db.close();
  }

  let vectors: IndexResult['vectors'] = null;
  let vectorsMs = 0;
  const vectorMode = options.vectors ?? 'wait';
  if (vectorMode === 'wait') {
    const synced = await syncVectorsNow(lease.paths, () => completeEmbeddings(lease.paths, lease.db, embedder), progress);
    vectors = synced.vectors;
    vectorsMs = synced.ms;
    if (synced.changed) ctx.onVectorsChanged?.();
  } else if (vectorMode === 'background' && embeddingsChanged) {
    ctx.startBackgroundVectorSync?.();
  }

  return {
    ...result,
    durationMs: performance.now() - started,
    phasesMs: { discover: discoveredAt - started, parse: parsedAt - discoveredAt, commit: committedAt - parsedAt, vectors: vectorsMs },
    vectors,
  };
}
