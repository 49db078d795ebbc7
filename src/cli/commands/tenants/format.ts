import type { Tenant } from '../../../control/index.js';
import { formatBytes, parseBytes } from '../../../util/bytes.js';
import { invalidArgument } from '../../../errors.js';

/** The `--json` shape of a tenant (docs/cli.md). */
export function tenantJson(t: Tenant, usedBytes?: number): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    status: t.status,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    quotaBytes: t.quotaBytes,
    settings: t.settings,
    ...(usedBytes !== undefined ? { usedBytes } : {}),
  };
}

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
