import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { PctxError } from '../errors.js';
import { TENANT_FILES } from '../tenant/tenant-paths.js';
import { readSchemaVersion } from '../tenant/tenant-schema.js';
import { readVectorFileState } from '../tenant/vector-state.js';
import { commitTempFile, parseTempName, sha256File, tempPathFor } from '../util/atomic-file.js';
import { crashPoint } from '../util/crash-point.js';
import { isProcessAlive } from '../util/process-alive.js';
import type { AdminContext } from './admin-context.js';
import { isRepoName } from '../repo-name.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, MANIFEST_NAME, UPLOADS_MEMBER, type BackupManifest } from './backup-manifest.js';

export interface BackupOptions {
  /** Replace an existing file at the output path. @default false */
  force?: boolean;
}

export interface BackupResult {
  file: string;
  manifest: BackupManifest;
  /** Size of the archive. */
  bytes: number;
  durationMs: number;
}

/**
 * Writes one tar.gz archive of a tenant: a consistent SQLite snapshot, the HNSW file
 * when it matches that snapshot, the uploaded repositories' files (`uploads.tar.gz`,
 * the tenant's own data: without them a restored upload could not be re-indexed), and a
 * manifest with SHA-256 of each file.
 *
 * The snapshot is `VACUUM INTO` on the tenant's handle: a single read transaction, so it
 * is consistent while other connections keep writing and, unlike the page-copying backup
 * API (which restarts whenever another connection writes), it finishes in time
 * proportional to the database size however busy the tenant is. The HNSW file is
 * included only if its SHA-256 is the one recorded in the snapshot; otherwise restore
 * rebuilds it from the embeddings table. The archive is written to a temp file and
 * renamed into place.
 */
export async function backupTenant(ctx: AdminContext, idOrName: string, outFile: string, options: BackupOptions = {}): Promise<BackupResult> {
  const started = performance.now();
  const tenant = ctx.control.tenants.require(idOrName);
  const target = checkOutput(ctx.pool.dataDir, outFile, options.force ?? false);
  removeDeadTempSiblings(target);
  const work = newBackupWorkDir();
  try {
    const snapshot = path.join(work, TENANT_FILES.db);
    const vectorsCopy = path.join(work, TENANT_FILES.vectors);
    const uploadsCopy = path.join(work, UPLOADS_MEMBER);
    let includeVectors = false;
    let uploads: UploadsPacked | null = null;
    const locked = ctx.writeLock ?? ((_id: string, fn: () => Promise<void>) => fn());
    await locked(tenant.id, () =>
      ctx.pool.withTenant(tenant.id, async (lease) => {
        lease.db.prepare('VACUUM INTO ?').run(snapshot);
        if (fs.existsSync(lease.paths.vectors)) fs.copyFileSync(lease.paths.vectors, vectorsCopy);
        // Under the same lock as the snapshot: no upload can replace a folder in between.
        uploads = await packUploads(lease.paths.uploads, uploadsCopy);
      }),
    );
    crashPoint('backup.snapshot-written');

    const snap = new Database(snapshot, { readonly: true });
    let schemaVersion: number;
    try {
      const integrity = snap.pragma('quick_check', { simple: true });
      if (integrity !== 'ok') throw new PctxError('TENANT_CORRUPT', { tenantId: tenant.id, reason: `snapshot check: ${String(integrity)}` });
      schemaVersion = readSchemaVersion(snap);
      const state = readVectorFileState(snap);
      includeVectors = state !== null && fs.existsSync(vectorsCopy) && sha256File(vectorsCopy) === state.sha256;
    } finally {
      snap.close();
    }
    if (!includeVectors) fs.rmSync(vectorsCopy, { force: true });

    const packed = uploads as UploadsPacked | null;
    const members = [TENANT_FILES.db, ...(includeVectors ? [TENANT_FILES.vectors] : []), ...(packed ? [UPLOADS_MEMBER] : [])];
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      tenant: { id: tenant.id, name: tenant.name, settings: tenant.settings, quotaBytes: tenant.quotaBytes },
      schemaVersion,
      createdAt: (ctx.now ?? (() => new Date()))().toISOString(),
      files: members.map((name) => {
        const file = path.join(work, name);
        return { name: name as BackupManifest['files'][number]['name'], size: fs.statSync(file).size, sha256: sha256File(file) };
      }),
      ...(packed ? { uploads: packed } : {}),
    };
    fs.writeFileSync(path.join(work, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);

    const tmp = tempPathFor(target);
    try {
      // 0600 from the first byte: the archive holds the tenant's code, like its 0700 folder.
      await pipeline(tar.create({ gzip: true, cwd: work, portable: true }, [MANIFEST_NAME, ...members]), fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      fs.chmodSync(tmp, 0o600);
      crashPoint('backup.archive-written');
      commitTempFile(tmp, target);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return { file: target, manifest, bytes: fs.statSync(target).size, durationMs: performance.now() - started };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface UploadsPacked {
  repos: string[];
  files: number;
  folders: number;
  bytes: number;
}

/**
 * Writes the live uploaded repositories (`uploads/<name>/`, not the `.staging-*` and
 * `.old-*` folders of uploads in progress) to `out` as a gzip tar; null when there are
 * none. They hold only regular files and folders (the extractor writes nothing else);
 * anything else found is left out rather than followed.
 */
async function packUploads(uploadsDir: string, out: string): Promise<UploadsPacked | null> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(uploadsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const repos = entries.filter((e) => e.isDirectory() && isRepoName(e.name)).map((e) => e.name).sort();
  if (repos.length === 0) return null;
  const packed: UploadsPacked = { repos, files: 0, folders: 0, bytes: 0 };
  await pipeline(
    tar.create(
      {
        gzip: true,
        cwd: uploadsDir,
        portable: true,
        filter: (_p, entry) => {
          // Creating from the disk, tar hands over fs.Stats.
          const stat = entry as fs.Stats;
          if (stat.isDirectory()) packed.folders++;
          else if (stat.isFile()) {
            packed.files++;
            packed.bytes += stat.size;
          } else return false;
          return true;
        },
      },
      repos,
    ),
    fs.createWriteStream(out, { flags: 'wx', mode: 0o600 }),
  );
  return packed;
}

/** Work folders in the OS temp dir: `pctx-backup-<pid>-XXXXXX`. */
const BACKUP_WORK_PREFIX = 'pctx-backup-';

/**
 * A fresh work folder in the OS temp dir named after this process, so that the start-up
 * after a crash removes it (removeDeadBackupWork) once the process is gone. Anything a
 * backup stages outside the data folder goes in one: a folder without the pid in its
 * name would stay for ever after a kill.
 */
export function newBackupWorkDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${BACKUP_WORK_PREFIX}${process.pid}-`));
}
/** Work folders of older builds carry no pid: younger than this, they may still be in use. */
const LEGACY_WORK_MIN_AGE_MS = 10 * 60 * 1000;

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Where the archive may go: a file (new, or existing with `force`) in an existing
 * folder outside the data dir, whose live files (tenant databases, control.db) an
 * archive must never replace. Returns the absolute path.
 */
export function checkOutput(dataDir: string, outFile: string, force: boolean): string {
  const target = path.resolve(outFile);
  const invalid = (reason: string) => new PctxError('BACKUP_OUTPUT_INVALID', { path: target, reason });
  const dir = path.dirname(target);
  const dirStat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!dirStat) throw invalid(`its folder ${dir} does not exist (create it first)`);
  if (!dirStat.isDirectory()) throw invalid(`${dir} is not a folder`);
  const realTarget = path.join(fs.realpathSync(dir), path.basename(target));
  const realData = fs.existsSync(dataDir) ? fs.realpathSync(dataDir) : path.resolve(dataDir);
  if (isInside(realTarget, realData)) throw invalid(`it is inside the data folder ${realData}; write backups outside it`);
  const existing = fs.lstatSync(target, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw invalid('it is a folder; give a file name such as backup.tar.gz');
  if (existing && !force) throw new PctxError('BACKUP_OUTPUT_EXISTS', { path: target });
  return target;
}

/** Temp archives that a crashed backup left next to this output (`.<name>.<pid>.<hex>.tmp`). */
function removeDeadTempSiblings(target: string): void {
  const dir = path.dirname(target);
  const base = path.basename(target);
  for (const name of fs.readdirSync(dir)) {
    const temp = parseTempName(name);
    if (temp !== null && temp.base === base && !isProcessAlive(temp.pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * Removes `pctx-backup-*` work folders in the OS temp dir whose backup process is no
 * longer running (older builds' folders, without a pid, once 10 minutes old). Start-up
 * calls it; a crashed backup's snapshot can be as large as the tenant. Returns the names
 * removed.
 */
export function removeDeadBackupWork(tmpDir: string = os.tmpdir(), now: number = Date.now()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(tmpDir).filter((n) => n.startsWith(BACKUP_WORK_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = path.join(tmpDir, name);
    const pid = /^pctx-backup-(\d+)-[A-Za-z0-9]+$/.exec(name)?.[1];
    try {
      const abandoned = pid !== undefined ? !isProcessAlive(Number(pid)) : now - fs.statSync(dir).mtimeMs >= LEGACY_WORK_MIN_AGE_MS;
      if (!abandoned) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Another user's folder, or removed meanwhile.
    }
  }
  return removed;
}
