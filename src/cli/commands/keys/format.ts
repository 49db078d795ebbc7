import { InvalidArgumentError } from 'commander';
import { PERMISSIONS, RATE_LIMIT_TIER_PATTERN, type Permission } from '../../../control/index.js';

/** `2026-11-24T06:37:31.279Z` → `2026-11-24 06:37:31`, as the other tables print times. */
export function shortTime(iso: string | null): string | null {
  return iso === null ? null : iso.replace('T', ' ').slice(0, 19);
}

/** `--permissions read,write`: known names, no duplicates, returned in canonical order. */
export function parsePermissions(value: string): Permission[] {
  const items = value.split(',').map((p) => p.trim().toLowerCase());
  for (const item of items) {
    if (!(PERMISSIONS as readonly string[]).includes(item)) {
      throw new InvalidArgumentError(`"${item}" is not a permission; use a comma-separated list of ${PERMISSIONS.join(', ')}`);
    }
  }
  if (new Set(items).size !== items.length) throw new InvalidArgumentError('lists a permission twice');
  return PERMISSIONS.filter((p) => items.includes(p));
}

export function parseTier(value: string): string {
  if (!RATE_LIMIT_TIER_PATTERN.test(value)) throw new InvalidArgumentError('must be 1 to 32 characters of a-z, 0-9, "_" and "-" (e.g. free, standard, pro, enterprise)');
  return value;
}

const LABEL_MAX_LENGTH = 200;

export function parseLabel(value: string): string {
  if (value.length === 0 || value.length > LABEL_MAX_LENGTH) throw new InvalidArgumentError(`must be 1 to ${LABEL_MAX_LENGTH} characters`);
  // Labels are printed in tables; control characters would garble or spoof them.
  if (/\p{Cc}/u.test(value)) throw new InvalidArgumentError('must not contain control characters');
  return value;
}
