import { invalidArgument } from '../errors.js';

/** Caps on one uploaded archive. Every cap is checked while the archive streams in. */
export interface ArchiveLimits {
  /**
   * Most bytes of the gzip body. The HTTP route caps the request body too; this guards
   * callers that are not HTTP.
   * @default 104857600 (100 MiB)
   */
  maxCompressedBytes: number;
  /**
   * Most bytes of file content written to disk, counted as they are written, not from
   * what the tar headers claim: a decompression bomb stops here.
   * @default 1073741824 (1 GiB)
   */
  maxExpandedBytes: number;
  /**
   * Most members (files and folders).
   * @default 50000
   */
  maxFiles: number;
  /**
   * Longest member path, in UTF-8 bytes.
   * @default 1024
   */
  maxPathLength: number;
  /**
   * Deepest member path, in segments (`a/b/c.ts` is 3).
   * @default 64
   */
  maxPathDepth: number;
}

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxCompressedBytes: 100 * 1024 * 1024,
  maxExpandedBytes: 1024 * 1024 * 1024,
  maxFiles: 50_000,
  maxPathLength: 1024,
  maxPathDepth: 64,
});

/**
 * Defaults applied, then each value checked (a positive safe integer); the first problem
 * throws INVALID_ARGUMENT naming `limits.<key>`. Unknown keys are refused, so a typo never
 * silently leaves a cap at its default. The result is frozen.
 */
export function resolveArchiveLimits(input: Partial<ArchiveLimits> | undefined = {}): Readonly<ArchiveLimits> {
  if (typeof input !== 'object' || input === null) throw invalidArgument('limits', 'must be an object');
  const merged: Record<string, unknown> = { ...DEFAULT_ARCHIVE_LIMITS };
  for (const [key, value] of Object.entries(input)) {
    if (!(key in DEFAULT_ARCHIVE_LIMITS)) throw invalidArgument(`limits.${key}`, 'is not a known limit');
    if (value !== undefined) merged[key] = value;
  }
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw invalidArgument(`limits.${key}`, 'must be a positive whole number');
    }
  }
  return Object.freeze(merged as unknown as ArchiveLimits);
}
