const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a size such as `500MB`, `1.5 GB`, `2048` (bytes) or `64KiB`. Units are binary
 * (1 KB = 1024 B), case-insensitive. Returns null for anything else, including zero,
 * negatives and sizes beyond Number.MAX_SAFE_INTEGER.
 */
export function parseBytes(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return null;
  const unit = match[2]!.toLowerCase() || 'b';
  const factor = UNITS[unit];
  if (factor === undefined) return null;
  const bytes = Math.round(Number(match[1]) * factor);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : null;
}

/** 1536 → "1.5 KB"; binary units, at most one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : 1).replace(/\.0$/, '')} ${units[i]}`;
}
