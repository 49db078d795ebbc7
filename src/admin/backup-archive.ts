import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { PctxError, isPctxError } from '../errors.js';
import { BACKUP_MEMBERS, MANIFEST_NAME, parseManifest, type BackupManifest } from './backup-manifest.js';

/** A manifest is a few hundred bytes; anything near this is not one. */
const MAX_MANIFEST_BYTES = 64 * 1024;

function invalid(file: string, reason: string): PctxError {
  return new PctxError('BACKUP_INVALID', { file, reason });
}

/**
 * Reads an archive's table of contents and its manifest without writing a byte: only
 * `manifest.json`, `index.db` and `vectors.hnsw`, each at most once, all regular files;
 * the manifest small and valid; and every other member exactly the size the manifest
 * gives it. So extraction can be capped at the manifest's sizes before it starts.
 */
export async function readArchiveManifest(file: string): Promise<BackupManifest> {
  const sizes = new Map<string, number>();
  const problems: string[] = [];
  const manifestChunks: Buffer[] = [];
  try {
    await tar.list({
      file,
      onReadEntry: (entry) => {
        if (!BACKUP_MEMBERS.has(entry.path) || entry.type !== 'File') problems.push(`unexpected member ${entry.path} (${entry.type})`);
        else if (sizes.has(entry.path)) problems.push(`${entry.path} appears twice`);
        else sizes.set(entry.path, entry.size ?? 0);
        if (entry.path === MANIFEST_NAME && entry.type === 'File' && (entry.size ?? 0) <= MAX_MANIFEST_BYTES) {
          entry.on('data', (chunk: Buffer) => manifestChunks.push(chunk));
        }
      },
    });
  } catch (err) {
    throw invalid(file, (err as Error).message);
  }
  if (problems.length > 0) throw invalid(file, problems[0]!);
  const manifestSize = sizes.get(MANIFEST_NAME);
  if (manifestSize === undefined) throw invalid(file, 'no manifest.json');
  if (manifestSize > MAX_MANIFEST_BYTES) throw invalid(file, `manifest.json is ${manifestSize} bytes, more than a manifest can be`);
  const manifest = parseManifest(file, Buffer.concat(manifestChunks).toString('utf8'));
  for (const entry of manifest.files) {
    const size = sizes.get(entry.name);
    if (size === undefined) throw invalid(file, `${entry.name} is missing`);
    if (size !== entry.size) throw invalid(file, `${entry.name} is ${size} bytes in the archive, the manifest says ${entry.size}`);
  }
  for (const name of sizes.keys()) {
    if (name !== MANIFEST_NAME && !manifest.files.some((f) => f.name === name)) throw invalid(file, `${name} is not listed in manifest.json`);
  }
  return manifest;
}

/**
 * Extracts the manifest's files into `dir` (which must exist), refusing before a byte
 * is written any member whose header size is not the manifest's: a member cannot write
 * more than the manifest announced, whatever the archive's compression ratio. Files
 * are left 0600, like the tenant's own.
 */
export async function extractArchive(file: string, dir: string, manifest: BackupManifest): Promise<void> {
  const expected = new Map(manifest.files.map((f) => [f.name as string, f.size]));
  const problems: string[] = [];
  try {
    await tar.extract({
      file,
      cwd: dir,
      strict: true,
      noChmod: true,
      filter: (p, entry) => {
        if (p === MANIFEST_NAME) return false;
        const size = 'size' in entry ? entry.size : undefined;
        if (!expected.has(p) || size !== expected.get(p) || 'type' in entry && entry.type !== 'File') {
          problems.push(`${p} changed since it was listed`);
          return false;
        }
        return true;
      },
    });
  } catch (err) {
    if (isPctxError(err)) throw err;
    throw invalid(file, (err as Error).message);
  }
  if (problems.length > 0) throw invalid(file, problems[0]!);
  for (const name of expected.keys()) {
    const member = path.join(dir, name);
    if (!fs.existsSync(member)) throw invalid(file, `${name} is missing`);
    fs.chmodSync(member, 0o600);
  }
}
