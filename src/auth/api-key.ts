/**
 * The API key format: `cl_live_<tenant id>_<secret>_<checksum>` (`cl_test_` for test keys).
 *
 * - tenant id: the 8 lowercase hex characters of the owning tenant, so a key says where it
 *   belongs without a lookup (the stored record must agree);
 * - secret: 24 random base62 characters (about 143 bits);
 * - checksum: 4 base62 characters derived from the CRC-32 of everything before the last
 *   `_`, so a typo or a made-up key is refused without touching the database.
 *
 * Only the SHA-256 of the whole key is stored. Nothing here does I/O.
 */

import { hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { assertTenantId } from '../tenant-id.js';
import { invalidArgument } from '../errors.js';
import { encodeBase62, randomBase62 } from './base62.js';

export type KeyEnvironment = 'live' | 'test';

export const KEY_ENVIRONMENTS: readonly KeyEnvironment[] = ['live', 'test'];

export interface ParsedApiKey {
  environment: KeyEnvironment;
  tenantId: string;
  secret: string;
  checksum: string;
  /** What is stored as `key_prefix`: shown in listings and used to revoke the key. */
  prefix: string;
}

export type KeyParseFailure = 'malformed' | 'bad_checksum';

export type ParseApiKeyResult = { ok: true; key: ParsedApiKey } | { ok: false; reason: KeyParseFailure };

export const SECRET_LENGTH = 24;
export const CHECKSUM_LENGTH = 4;
/** Random characters included in the prefix: enough to make prefixes unique per tenant. */
export const PREFIX_SECRET_CHARS = 8;
/** `cl_live_` + 8 + `_` + 24 + `_` + 4. */
export const API_KEY_LENGTH = 8 + 8 + 1 + SECRET_LENGTH + 1 + CHECKSUM_LENGTH;

const KEY_PATTERN = /^cl_(live|test)_([0-9a-f]{8})_([0-9A-Za-z]{24})_([0-9A-Za-z]{4})$/;

/**
 * The low 23 bits of CRC-32 fit in 4 base62 digits (62^4 ≈ 2^23.8). CRC-32 is linear, so
 * whether a single-character change goes unnoticed depends only on the change, not on
 * the key; for the 41 characters a checksum covers, no change of one byte leaves these
 * 23 bits equal (test/auth/api-key.test.ts checks every position and every byte delta).
 * Reducing the full CRC modulo 62^4 instead would lose that guarantee.
 */
const CHECKSUM_MASK = 0x7f_ffff;

export function computeChecksum(body: string): string {
  return encodeBase62(crc32(body) & CHECKSUM_MASK, CHECKSUM_LENGTH);
}

/**
 * Parses a key without any I/O. Never throws: anything that is not a well-formed key is
 * `malformed`, a well-formed key whose checksum does not match is `bad_checksum`.
 */
export function parseApiKey(raw: string): ParseApiKeyResult {
  if (typeof raw !== 'string' || raw.length !== API_KEY_LENGTH) return { ok: false, reason: 'malformed' };
  const match = KEY_PATTERN.exec(raw);
  if (match === null) return { ok: false, reason: 'malformed' };
  const [, environment, tenantId, secret, checksum] = match as unknown as [string, KeyEnvironment, string, string, string];
  const body = raw.slice(0, raw.length - CHECKSUM_LENGTH - 1);
  if (computeChecksum(body) !== checksum) return { ok: false, reason: 'bad_checksum' };
  return {
    ok: true,
    key: { environment, tenantId, secret, checksum, prefix: prefixOf(environment, tenantId, secret) },
  };
}

function prefixOf(environment: KeyEnvironment, tenantId: string, secret: string): string {
  return `cl_${environment}_${tenantId}_${secret.slice(0, PREFIX_SECRET_CHARS)}`;
}

export interface GeneratedApiKey {
  /** The full key: shown once, never stored. */
  key: string;
  prefix: string;
  /** SHA-256 hex of `key`: the only form that is stored. */
  keyHash: string;
}

/** A new random key for `tenantId` (INVALID_TENANT_ID unless 8 lowercase hex characters). */
export function generateApiKey(tenantId: string, environment: KeyEnvironment = 'live'): GeneratedApiKey {
  assertTenantId(tenantId);
  if (!KEY_ENVIRONMENTS.includes(environment)) throw invalidArgument('environment', `expected one of ${KEY_ENVIRONMENTS.join(', ')}`);
  const secret = randomBase62(SECRET_LENGTH);
  const body = `cl_${environment}_${tenantId}_${secret}`;
  const key = `${body}_${computeChecksum(body)}`;
  return { key, prefix: prefixOf(environment, tenantId, secret), keyHash: hashApiKey(key) };
}

/** SHA-256 of the key as 64 lowercase hex characters. */
export function hashApiKey(key: string): string {
  // One call, no Hash object: this runs on every authenticated request.
  return hash('sha256', key, 'hex');
}
