/**
 * Settings and permissions are stored as JSON text. Values that JSON.stringify would
 * silently drop or change (undefined, NaN, Dates, class instances, cycles) are refused up
 * front, so what a caller stores is exactly what it reads back.
 */

const MAX_DEPTH = 32;

/** Returns why `value` is not a plain JSON value, or null when it is one. */
export function whyNotJson(value: unknown, path = '$', depth = 0): string | null {
  if (depth > MAX_DEPTH) return `${path} is nested more than ${MAX_DEPTH} levels deep`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is not a finite number`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const reason = whyNotJson(value[i], `${path}[${i}]`, depth + 1);
      if (reason !== null) return reason;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const reason = whyNotJson(item, `${path}.${key}`, depth + 1);
      if (reason !== null) return reason;
    }
    return null;
  }
  return `${path} is not a JSON value (${describe(value)})`;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
