import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Engine } from '../engine/engine.js';
import type { IndexProgress, IndexResult, VectorSyncMode } from '../engine/indexer/index-run.js';
import { PctxError, invalidArgument } from '../errors.js';
import { REPO_NAME_RULE, isRepoName } from '../repo-name.js';
import { dataFilesUsage, folderSize } from '../tenant/quota.js';
import { claimsView, openQuotaClaim, type QuotaClaim } from '../tenant/quota-claims.js';
import { TENANT_FILES, newUploadStaging, uploadDir } from '../tenant/tenant-paths.js';
import { indexedRepoFiles, recoverUploads, restoreUpload, retireUpload } from '../tenant/uploads.js';
import { fsyncPath } from '../util/atomic-file.js';
import { extractArchive, type ExtractProgress, type ExtractResult } from './archive-extract.js';
import { resolveArchiveLimits, type ArchiveLimits } from './archive-limits.js';

export type IngestProgress = ExtractProgress | IndexProgress;

export interface IngestArchiveOptions {
  engine: Engine;
  tenantId: string;
  /** The repository's name; also its folder name under the tenant's `uploads/`. */
  repoName: string;
  /** The tar.gz bytes, e.g. an HTTP request body. Read until the end or the first refusal. */
  body: Readable;
  /** Caps on the archive; missing keys take their defaults (DEFAULT_ARCHIVE_LIMITS). */
  limits?: Partial<ArchiveLimits>;
  /**
   * The tenant's storage quota in bytes (null: unlimited). The extracted files count
   * toward it as they are written; the index run checks it as usual.
   * @default null
   */
  quotaBytes?: number | null;
  /**
   * When the HNSW file is brought up to date (see IndexFolderOptions.vectors).
   * @default 'wait'
   */
  vectors?: VectorSyncMode;
  signal?: AbortSignal;
  /** `extracting` while the archive streams in (members and bytes so far), then the index run's phases. */
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestResult extends IndexResult {
  /** What the archive held. */
  archive: ExtractResult;
}

/** Staging folders this process is extracting into: recovery never removes them. */
const activeStaging = new Set<string>();

/**
 * Receives an uploaded repository and indexes it: the tar.gz `body` is extracted safely
 * (see extractArchive) into a fresh staging folder inside the tenant's uploads folder,
 * which then replaces `uploads/<repoName>` by rename and is indexed as `repoName`.
 *
 * Either the whole upload goes live or nothing changes: a refused archive, a quota
 * overrun, an abort or a failed index run leaves the previous upload's files and index
 * exactly as they were and no staging folder behind. The replacement and the index run
 * hold the tenant's write lock, so no other run or delete of the tenant interleaves;
 * extraction happens before, without it. Leftovers of a crash (`.old-*`, `.staging-*`)
 * are settled by the next start (reconcileDataDir) or the next upload of the tenant
 * (recoverUploads).
 *
 * The returned summary's `root` is the upload's path inside the tenant folder
 * (`uploads/<name>`), never a server path.
 *
 * @throws PctxError ARCHIVE_INVALID, ARCHIVE_TOO_LARGE, QUOTA_EXCEEDED, INVALID_ARGUMENT
 *   (a bad name, limits or quota; a name already used by a repository that was not uploaded),
 *   INVALID_TENANT_ID, and whatever the index run throws.
 */
export async function ingestArchive(options: IngestArchiveOptions): Promise<IngestResult> {
  const { engine, tenantId, repoName, body } = options;
  if (!isRepoName(repoName)) throw invalidArgument('name', `must be ${REPO_NAME_RULE}`);
  const limits = resolveArchiveLimits(options.limits);
  const quotaBytes = options.quotaBytes ?? null;
  if (quotaBytes !== null && (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0)) {
    throw invalidArgument('quotaBytes', 'must be a non-negative whole number or null');
  }
  if (typeof body?.pipe !== 'function') throw invalidArgument('body', 'must be a readable stream');
  const live = uploadDir(engine.pool.paths(tenantId), repoName);
  if (options.signal?.aborted) throw new PctxError('ARCHIVE_INVALID', { reason: 'the upload was cancelled before it started' });

  // A lease for the whole upload: a tenant delete waits for it rather than racing it
  // (which could recreate the folder of a deleted tenant), and one already under way
  // refuses the upload with TENANT_DELETING before anything is written.
  const lease = engine.pool.acquire(tenantId);
  const paths = lease.paths;
  let staging: string | null = null;
  let claim: QuotaClaim | null = null;
  let wentLive = false;
  try {
    // The name belongs to a repository indexed from elsewhere (a server folder): an index
    // run would give the upload another name (`-2`), so refuse it before reading the body.
    const owner = lease.db.prepare('SELECT root_path FROM repos WHERE tenant_id = ? AND name = ?').pluck().get(tenantId, repoName) as string | undefined;
    if (owner !== undefined && path.resolve(owner) !== path.resolve(live) && path.resolve(owner) !== safeRealpath(live)) {
      throw invalidArgument('name', `"${repoName}" is already the name of a repository that was not uploaded; choose another name`);
    }
    staging = newUploadStaging(paths);
    activeStaging.add(staging);
    // Concurrent uploads of the tenant count each other's bytes as they are written
    // (quota-claims.ts): their staging folders are left out of this measurement, their
    // claims counted at every write instead.
    claim = openQuotaClaim(tenantId, staging);
    // The upload being replaced stays until the new one is indexed; it does not count against its successor.
    const uploadsBytes = folderSize(paths.uploads, claimsView(tenantId).folders) - folderSize(live);
    const archive = await extractArchive(body, staging, {
      limits,
      quota:
        quotaBytes === null
          ? null
          : { tenantId, used: dataFilesUsage(paths) + uploadsBytes, usedNow: () => dataFilesUsage(paths) + uploadsBytes, limit: quotaBytes, claim },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });

    return await engine.withWriteLock(tenantId, async (indexFolder) => {
      recoverUploads(paths, { active: activeStaging, indexedFiles: (repo) => indexedRepoFiles(lease.db, tenantId, repo) });
      const old = retireUpload(paths, repoName);
      let result: IndexResult;
      try {
        fs.renameSync(staging!, live);
        fsyncPath(paths.uploads);
        // Its bytes are in the live folder now, where the run's own quota measurement sees them.
        wentLive = true;
        claim!.release();
        result = await indexFolder(
          { path: live, name: repoName },
          {
            quotaBytes: quotaBytes === null ? null : quotaBytes + (old === null ? 0 : folderSize(old)),
            ...(options.vectors ? { vectors: options.vectors } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          },
        );
      } catch (err) {
        try {
          restoreUpload(paths, repoName, old);
          fsyncPath(paths.uploads);
        } catch (restoreErr) {
          // The run's own failure is what the caller must see; the next upload's recovery retries the move.
          process.emitWarning(`restoring the previous upload of ${repoName} for tenant ${tenantId} failed: ${(restoreErr as Error).message}`);
        }
        throw err;
      }
      if (old !== null) fs.rmSync(old, { recursive: true, force: true });
      return { ...result, root: path.posix.join(TENANT_FILES.uploads, repoName), archive };
    });
  } finally {
    if (staging !== null) {
      activeStaging.delete(staging);
      fs.rmSync(staging, { recursive: true, force: true });
    }
    if (claim !== null && !wentLive) {
      // Never went live: its files are gone, nothing to count.
      claim.bytes = 0;
      claim.release();
    }
    lease.release();
  }
}

/** The real path of `p`, or `p` itself when it does not exist (yet). */
function safeRealpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
