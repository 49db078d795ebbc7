/**
 * The `rateLimit` configuration: validated in a fixed order (defaults, types,
 * combinations), every message naming the key, the result frozen.
 */

import { PctxError } from '../errors.js';

export interface TierLimits {
  /** Bucket capacity: the largest burst. */
  maxTokens: number;
  /** Tokens per second: the sustained rate. */
  refillRate: number;
}

export interface RateLimitConfig {
  /** @default true (the HTTP server; stdio never limits) */
  enabled: boolean;
  /** Capacity of the default bucket (anonymous callers by IP, keys of an unknown tier). @default 100 */
  maxTokens: number;
  /** Refill of the default bucket, tokens per second. @default 10 */
  refillRate: number;
  /** Token cost per operation; operations not listed cost 1. @default { index_folder: 10, upload_archive: 10 } */
  perToolLimits: Record<string, number>;
  /** Buckets per key tier. @default free, standard, pro, enterprise (see DEFAULT_RATE_LIMIT) */
  tiers: Record<string, TierLimits>;
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimitConfig> = deepFreeze({
  enabled: true,
  maxTokens: 100,
  refillRate: 10,
  perToolLimits: { index_folder: 10, upload_archive: 10 },
  tiers: {
    free: { maxTokens: 30, refillRate: 1 },
    standard: { maxTokens: 100, refillRate: 10 },
    pro: { maxTokens: 500, refillRate: 50 },
    enterprise: { maxTokens: 2000, refillRate: 200 },
  },
});

/** Operation names and tier names: what a tool name or a key's tier can be. */
const NAME = /^[a-z0-9_-]{1,64}$/;
const TOP_LEVEL_KEYS = ['enabled', 'maxTokens', 'refillRate', 'perToolLimits', 'tiers'] as const;
const TIER_KEYS = ['maxTokens', 'refillRate'] as const;
/** Beyond these, a bucket is a typo rather than a policy (and floats lose whole tokens). */
const MAX_TOKENS_LIMIT = 1_000_000_000;
const MAX_REFILL_RATE = 1_000_000_000;

function invalid(option: string, reason: string): PctxError {
  return new PctxError('INVALID_CONFIG', { option, reason });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  // Null prototypes are what this function itself returns, so a validated config validates.
  return proto === Object.prototype || proto === null;
}

function checkKeys(value: Record<string, unknown>, known: readonly string[], option: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw invalid(`${option}.${key}`, `unknown option; expected one of ${known.join(', ')}`);
  }
}

function capacity(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TOKENS_LIMIT) {
    throw invalid(option, `expected a whole number of tokens from 1 to ${MAX_TOKENS_LIMIT}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function rate(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_REFILL_RATE) {
    throw invalid(option, `expected a positive number of tokens per second (fractions allowed), got ${JSON.stringify(value)}`);
  }
  return value;
}

function cost(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TOKENS_LIMIT) {
    throw invalid(option, `expected a whole number of tokens ≥ 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validates `input` (an object, possibly partial, or undefined for all defaults) as the
 * rate-limit configuration found at `optionPrefix` (e.g. `rateLimit`), and returns it
 * complete and frozen. `perToolLimits` is merged over the default costs; `tiers` is merged
 * by name, and a tier that shares a default tier's name may give only the field it
 * changes. Throws INVALID_CONFIG naming the key, e.g. `rateLimit.tiers.pro.maxTokens`.
 */
export function validateRateLimitConfig(input: unknown, optionPrefix: string): RateLimitConfig {
  const at = (key: string) => (optionPrefix === '' ? key : `${optionPrefix}.${key}`);
  if (input === undefined) input = {};
  if (!isPlainObject(input)) throw invalid(optionPrefix || 'rateLimit', 'expected an object');
  checkKeys(input, TOP_LEVEL_KEYS, optionPrefix || 'rateLimit');

  const enabled = input.enabled ?? DEFAULT_RATE_LIMIT.enabled;
  if (typeof enabled !== 'boolean') throw invalid(at('enabled'), `expected true or false, got ${JSON.stringify(enabled)}`);
  const maxTokens = capacity(input.maxTokens ?? DEFAULT_RATE_LIMIT.maxTokens, at('maxTokens'));
  const refillRate = rate(input.refillRate ?? DEFAULT_RATE_LIMIT.refillRate, at('refillRate'));

  // Null prototypes: names come from config files, and `__proto__` must stay a plain key.
  const perToolLimits: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, DEFAULT_RATE_LIMIT.perToolLimits);
  if (input.perToolLimits !== undefined) {
    if (!isPlainObject(input.perToolLimits)) throw invalid(at('perToolLimits'), 'expected an object of operation name → token cost');
    for (const [name, value] of Object.entries(input.perToolLimits)) {
      if (!NAME.test(name)) throw invalid(at(`perToolLimits.${name}`), 'operation names are 1 to 64 characters of a-z, 0-9, "_" and "-"');
      perToolLimits[name] = cost(value, at(`perToolLimits.${name}`));
    }
  }

  const tiers: Record<string, TierLimits> = Object.create(null) as Record<string, TierLimits>;
  for (const [name, limits] of Object.entries(DEFAULT_RATE_LIMIT.tiers)) tiers[name] = { ...limits };
  if (input.tiers !== undefined) {
    if (!isPlainObject(input.tiers)) throw invalid(at('tiers'), 'expected an object of tier name → { maxTokens, refillRate }');
    for (const [name, value] of Object.entries(input.tiers)) {
      const option = at(`tiers.${name}`);
      if (!/^[a-z0-9_-]{1,32}$/.test(name)) throw invalid(option, 'tier names are 1 to 32 characters of a-z, 0-9, "_" and "-"');
      if (!isPlainObject(value)) throw invalid(option, 'expected { maxTokens, refillRate }');
      checkKeys(value, TIER_KEYS, option);
      const base = Object.hasOwn(DEFAULT_RATE_LIMIT.tiers, name) ? DEFAULT_RATE_LIMIT.tiers[name] : undefined;
      if (base === undefined) {
        for (const key of TIER_KEYS) if (value[key] === undefined) throw invalid(`${option}.${key}`, 'required for a tier that is not built in');
      }
      tiers[name] = {
        maxTokens: capacity(value.maxTokens ?? base?.maxTokens, `${option}.maxTokens`),
        refillRate: rate(value.refillRate ?? base?.refillRate, `${option}.refillRate`),
      };
    }
  }

  // An operation that costs more than a bucket holds could never run for that bucket.
  const buckets: [string, number][] = [[at('maxTokens'), maxTokens], ...Object.entries(tiers).map(([n, t]): [string, number] => [at(`tiers.${n}.maxTokens`), t.maxTokens])];
  for (const [tool, tokens] of Object.entries(perToolLimits)) {
    for (const [bucket, size] of buckets) {
      if (tokens > size) throw invalid(at(`perToolLimits.${tool}`), `costs ${tokens} tokens but ${bucket} is only ${size}, so it could never run`);
    }
  }

  return deepFreeze({ enabled, maxTokens, refillRate, perToolLimits, tiers });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
