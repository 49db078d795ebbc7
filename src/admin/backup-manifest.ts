import { z } from 'zod';
import { PctxError } from '../errors.js';
import { TENANT_ID_PATTERN } from '../tenant-id.js';
import { TENANT_FILES } from '../tenant/tenant-paths.js';

export const BACKUP_FORMAT = 'purecontext-tenant-backup';
/** 2 added `uploads.tar.gz` (the uploaded repositories' files); 1 is still restored. */
export const BACKUP_FORMAT_VERSION = 2;
export const MANIFEST_NAME = 'manifest.json';
/** The uploaded repositories (`uploads/<name>/…`), a gzip tar inside the backup. */
export const UPLOADS_MEMBER = 'uploads.tar.gz';

/** Members a backup may contain; anything else makes the archive invalid. */
export const BACKUP_MEMBERS: ReadonlySet<string> = new Set([MANIFEST_NAME, TENANT_FILES.db, TENANT_FILES.vectors, UPLOADS_MEMBER]);

const fileEntry = z.strictObject({
  name: z.enum([TENANT_FILES.db, TENANT_FILES.vectors, UPLOADS_MEMBER]),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(BACKUP_FORMAT_VERSION)]),
  tenant: z.strictObject({
    id: z.string().regex(TENANT_ID_PATTERN),
    name: z.string().min(1).max(64),
    settings: z.record(z.string(), z.unknown()),
    quotaBytes: z.number().int().positive().nullable(),
  }),
  schemaVersion: z.number().int().min(1),
  createdAt: z.string(),
  files: z.array(fileEntry).min(1),
  /** What `uploads.tar.gz` holds: restore extracts it with these as its caps. */
  uploads: z
    .strictObject({
      repos: z.array(z.string()),
      files: z.number().int().min(0),
      folders: z.number().int().min(0),
      bytes: z.number().int().min(0),
    })
    .optional(),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export function parseManifest(file: string, text: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PctxError('BACKUP_INVALID', { file, reason: 'manifest.json is not JSON' });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PctxError('BACKUP_INVALID', { file, reason: `manifest.json: ${issue.path.join('.') || '(root)'}: ${issue.message}` });
  }
  if (!parsed.data.files.some((f) => f.name === TENANT_FILES.db)) {
    throw new PctxError('BACKUP_INVALID', { file, reason: `manifest.json lists no ${TENANT_FILES.db}` });
  }
  const hasUploads = parsed.data.files.some((f) => f.name === UPLOADS_MEMBER);
  if (hasUploads !== (parsed.data.uploads !== undefined) || (hasUploads && parsed.data.formatVersion < 2)) {
    throw new PctxError('BACKUP_INVALID', { file, reason: `manifest.json: ${UPLOADS_MEMBER} and "uploads" go together, from format version 2` });
  }
  return parsed.data;
}
