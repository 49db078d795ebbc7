/**
 * The contract for storing API keys. Only the SHA-256 hash of a key is ever stored; the
 * raw key exists in the creating response and in the client. Generating keys and hashing
 * them is `auth/`'s job; this store keeps what `auth/` hands it.
 */

import type { TenantStatus } from './tenant-store.js';

export const PERMISSIONS = ['read', 'write', 'admin'] as const;

export type Permission = (typeof PERMISSIONS)[number];

export interface ApiKeyRecord {
  /** SHA-256 of the full key, 64 lowercase hex characters. */
  keyHash: string;
  /** The first characters of the key, shown in listings and used to revoke it. Unique. */
  keyPrefix: string;
  tenantId: string;
  /** Non-empty, no duplicates, in the order of `PERMISSIONS`. */
  permissions: Permission[];
  /** @default 'standard' */
  rateLimitTier: string;
  label: string | null;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** ISO-8601 UTC; null until the first `touch`. */
  lastUsedAt: string | null;
  /** ISO-8601 UTC; null while the key is valid. */
  revokedAt: string | null;
}

export interface NewApiKey {
  keyHash: string;
  keyPrefix: string;
  tenantId: string;
  permissions: Permission[];
  /** @default 'standard' */
  rateLimitTier?: string;
  /** @default null */
  label?: string | null;
}

/**
 * API key records. Bad input throws INVALID_ARGUMENT naming the option (INVALID_TENANT_ID
 * for a malformed tenant id) before anything is read or written.
 */
export interface ApiKeyStore {
  /**
   * Stores a new key for an active tenant. Tenant missing → TENANT_NOT_FOUND; tenant being
   * deleted → TENANT_DELETING; hash or prefix already stored → INVALID_ARGUMENT naming
   * `keyHash` or `keyPrefix` (so called twice with the same record, the second call throws).
   */
  insert(record: NewApiKey): ApiKeyRecord;

  /**
   * The record for `keyHash`, revoked or not: callers check `revokedAt` (and the tenant's
   * status). Not found → null.
   */
  findByHash(keyHash: string): ApiKeyRecord | null;

  /**
   * What authenticating a request needs, in one read: the key's record and its tenant's
   * status (null when the tenant row is gone). Not found → null.
   */
  findForAuth(keyHash: string): { key: ApiKeyRecord; tenantStatus: TenantStatus | null } | null;

  /**
   * Optional: a number that stays the same for as long as no commit (by this or any
   * other process) has touched the store's database, so an answer of `findForAuth` read
   * after a call that returned v still holds while the store returns v. Absent: every
   * answer must be read again.
   */
  changeVersion?(): number;

  /** All keys of a tenant, revoked included, oldest first. Unknown tenant → []. */
  listByTenant(tenantId: string): ApiKeyRecord[];

  /** How many of the tenant's keys are not revoked. Unknown tenant → 0. */
  countByTenant(tenantId: string): number;

  /**
   * Revokes the key whose stored prefix equals `keyPrefix` exactly and returns it. With
   * `tenantId`, only that tenant's key matches, so one tenant cannot probe for another's
   * prefixes. Not found → API_KEY_NOT_FOUND. Called twice: the second call returns the
   * key with its first `revokedAt`, without error.
   */
  revokeByPrefix(keyPrefix: string, tenantId?: string): ApiKeyRecord;

  /**
   * Records that the key was used at `at` (default: now). One indexed UPDATE; callers on
   * a hot path may throttle it. Never moves `lastUsedAt` backwards, so out-of-order calls
   * are harmless. Unknown hash → does nothing.
   */
  touch(keyHash: string, at?: Date): void;
}
