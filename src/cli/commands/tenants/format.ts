export { tenantJson } from '../../../admin/tenant-json.js';
import { formatBytes, parseBytes } from '../../../util/bytes.js';
import { invalidArgument } from '../../../errors.js';


export function quotaText(bytes: number | null): string {
  return bytes === null ? 'unlimited' : formatBytes(bytes);
}

/** `--quota 500MB`; with `allowNone`, `none`/`unlimited` clears the limit (null). */
export function parseQuota(value: string, allowNone: boolean): number | null {
  if (allowNone && /^(none|unlimited)$/i.test(value.trim())) return null;
  const bytes = parseBytes(value);
  if (bytes === null) throw invalidArgument('quota', `expected a size such as 500MB or 2GB${allowNone ? ', or "none"' : ''}, got "${value}"`);
  return bytes;
}
