/**
 * Validation of API key records, shared by every ApiKeyStore implementation.
 */

import { invalidArgument } from '../errors.js';
import { PERMISSIONS, type NewApiKey, type Permission } from './api-key-store.js';
import { isPlainObject } from './json-value.js';
import { checkTenantId } from './tenant-input.js';

export const KEY_HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * A prefix must be long enough to reach into the random part of a key: with the
 * `cl_live_<tenantId>_` format the first 17 characters are the same for all keys of a
 * tenant, and prefixes are unique.
 */
export const KEY_PREFIX_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export const RATE_LIMIT_TIER_PATTERN = /^[a-z0-9_-]{1,32}$/;
export const DEFAULT_RATE_LIMIT_TIER = 'standard';
export const LABEL_MAX_LENGTH = 200;

/** A NewApiKey after validation: defaults applied, permissions normalised. */
export type ValidNewApiKey = Required<NewApiKey>;

export function checkKeyHash(value: unknown, option = 'keyHash'): string {
  if (typeof value !== 'string' || !KEY_HASH_PATTERN.test(value)) {
    throw invalidArgument(option, 'expected a SHA-256 digest as 64 lowercase hex characters');
  }
  return value;
}

export function checkKeyPrefix(value: unknown, option = 'keyPrefix'): string {
  if (typeof value !== 'string' || !KEY_PREFIX_PATTERN.test(value)) {
    throw invalidArgument(option, 'expected 8 to 64 characters of letters, digits, "_" and "-"');
  }
  return value;
}

/** Returns the permissions in canonical order so equal sets compare and display equally. */
export function checkPermissions(value: unknown, option = 'permissions'): Permission[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidArgument(option, `expected a non-empty array of ${PERMISSIONS.join(', ')}`);
  }
  for (const item of value) {
    if (!(PERMISSIONS as readonly unknown[]).includes(item)) {
      throw invalidArgument(option, `${JSON.stringify(item)} is not one of ${PERMISSIONS.join(', ')}`);
    }
  }
  if (new Set(value).size !== value.length) throw invalidArgument(option, 'contains duplicates');
  return PERMISSIONS.filter((permission) => value.includes(permission));
}

export function checkRateLimitTier(value: unknown, option = 'rateLimitTier'): string {
  if (typeof value !== 'string' || !RATE_LIMIT_TIER_PATTERN.test(value)) {
    throw invalidArgument(option, 'expected 1 to 32 characters of lowercase letters, digits, "_" and "-"');
  }
  return value;
}

export function checkLabel(value: unknown, option = 'label'): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > LABEL_MAX_LENGTH) {
    throw invalidArgument(option, `expected null or 1 to ${LABEL_MAX_LENGTH} characters`);
  }
  // Labels are printed in CLI tables; control characters would garble or spoof them.
  if (/\p{Cc}/u.test(value)) throw invalidArgument(option, 'must not contain control characters');
  return value;
}

const KNOWN_KEYS: readonly (keyof NewApiKey)[] = ['keyHash', 'keyPrefix', 'tenantId', 'permissions', 'rateLimitTier', 'label'];

export function checkNewApiKey(input: unknown): ValidNewApiKey {
  if (!isPlainObject(input)) throw invalidArgument('record', 'expected an object');
  for (const key of Object.keys(input)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      throw invalidArgument(key, `unknown option; expected one of ${KNOWN_KEYS.join(', ')}`);
    }
  }
  return {
    keyHash: checkKeyHash(input.keyHash),
    keyPrefix: checkKeyPrefix(input.keyPrefix),
    tenantId: checkTenantId(input.tenantId),
    permissions: checkPermissions(input.permissions),
    rateLimitTier: input.rateLimitTier === undefined ? DEFAULT_RATE_LIMIT_TIER : checkRateLimitTier(input.rateLimitTier),
    label: input.label === undefined ? null : checkLabel(input.label),
  };
}
