import { timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { PctxError } from '../errors.js';
import type { ApiKeyStore, Permission } from '../control/index.js';
import { hashApiKey, parseApiKey, type KeyEnvironment } from './api-key.js';

export { extractApiKey, type RequestHeaders } from './extract-api-key.js';
export { requirePermission } from './require-permission.js';

/** Who a request acts as, once its key is accepted. */
export interface Principal {
  tenantId: string;
  keyPrefix: string;
  permissions: readonly Permission[];
  /** The key's rate-limit tier (`rateLimitTier` of its record). */
  tier: string;
  environment: KeyEnvironment;
}

export type UnauthorizedReason = 'missing' | 'malformed' | 'bad_checksum' | 'unknown' | 'revoked' | 'tenant_inactive';

export const UNAUTHORIZED_REASONS: readonly UnauthorizedReason[] = ['missing', 'malformed', 'bad_checksum', 'unknown', 'revoked', 'tenant_inactive'];

export type AuthResult = { ok: true; principal: Principal } | { ok: false; error: PctxError };

export interface ApiKeyAuthenticatorOptions {
  apiKeys: ApiKeyStore;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /**
   * A key's `lastUsedAt` is written at most once per this many milliseconds (per
   * process), so a busy key costs one write a minute, not one per request.
   * @default 60_000
   */
  touchIntervalMs?: number;
  /**
   * Called when recording `lastUsedAt` fails (for example, the control database is locked
   * for longer than its busy timeout). The request is still authenticated: a missed
   * timestamp is retried after `touchIntervalMs` and is no reason to refuse a request.
   * @default process.emitWarning
   */
  onTouchError?: (err: unknown) => void;
}

export const DEFAULT_TOUCH_INTERVAL_MS = 60_000;

/** Keys whose last touch time is remembered; a forgotten key is simply touched again. */
const TOUCH_CACHE_KEYS = 10_000;

function unauthorized(reason: UnauthorizedReason): { ok: false; error: PctxError } {
  return { ok: false, error: new PctxError('UNAUTHORIZED', { reason }) };
}

/** Keys whose verified principal is remembered (see `authenticate`). */
const VERIFIED_CACHE_KEYS = 10_000;

/**
 * Turns a raw API key into a Principal. The order of checks is the point:
 * format and checksum first (no I/O, so forged or mistyped keys cost nothing and reveal
 * nothing), then the key's SHA-256 looked up (key and tenant status in one read).
 *
 * A key verified once is not looked up again while the store's `changeVersion` stays the
 * same: for the SQLite control plane that number moves with every commit to control.db by
 * any process (a WAL-index read, see WalChangeProbe), so a key revoked, or a tenant
 * suspended or deleted, by the CLI, another server or this one fails on the very next
 * request, as with a lookup per request. Only successes are remembered; a store without
 * `changeVersion` is asked every time.
 */
export class ApiKeyAuthenticator {
  readonly #apiKeys: ApiKeyStore;
  readonly #now: () => number;
  readonly #touchIntervalMs: number;
  readonly #onTouchError: (err: unknown) => void;
  readonly #lastTouch = new LRUCache<string, number>({ max: TOUCH_CACHE_KEYS });
  /** Principals by key hash, with the store's change version read before their lookup. */
  readonly #verified = new LRUCache<string, { version: number; principal: Principal }>({ max: VERIFIED_CACHE_KEYS });
  /** Store lookups made so far (key and tenant reads); tests use it to prove none happened or a verified key was reused. */
  lookups = 0;

  constructor(options: ApiKeyAuthenticatorOptions) {
    this.#apiKeys = options.apiKeys;
    this.#now = options.now ?? Date.now;
    const interval = options.touchIntervalMs ?? DEFAULT_TOUCH_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < 0) {
      throw new PctxError('INVALID_CONFIG', { option: 'touchIntervalMs', reason: 'expected a finite number of milliseconds ≥ 0' });
    }
    this.#touchIntervalMs = interval;
    this.#onTouchError = options.onTouchError ?? ((err) => process.emitWarning(`could not record an API key's last use: ${String(err)}`));
  }

  /**
   * Failures that are the client's (no key, bad key, revoked key, inactive tenant) come
   * back as `{ ok: false, error }` with UNAUTHORIZED; a failing store throws.
   */
  authenticate(rawKey: string | null): AuthResult {
    if (rawKey === null || rawKey === '') return unauthorized('missing');
    const parsed = parseApiKey(rawKey);
    if (!parsed.ok) return unauthorized(parsed.reason);

    const hash = hashApiKey(rawKey);
    // Read before the lookup: a commit after this read moves the version, so an answer
    // stored under it is never reused past a change it did not see.
    const version = this.#apiKeys.changeVersion?.();
    if (version !== undefined) {
      const verified = this.#verified.get(hash);
      if (verified !== undefined && verified.version === version) {
        this.#touch(hash);
        return { ok: true, principal: verified.principal };
      }
    }
    this.lookups++;
    const found = this.#apiKeys.findForAuth(hash);
    const record = found?.key ?? null;
    // The store finds the record by its hash, so a match is equal already. Comparing again,
    // in constant time, keeps that true without a timing signal for any store that might
    // match on less (a prefix index, a case-insensitive collation).
    if (record === null || !sameHash(record.keyHash, hash) || record.tenantId !== parsed.key.tenantId) {
      return unauthorized('unknown');
    }
    if (record.revokedAt !== null) return unauthorized('revoked');
    if (found!.tenantStatus !== 'active') return unauthorized('tenant_inactive');

    const principal: Principal = Object.freeze({
      tenantId: record.tenantId,
      keyPrefix: record.keyPrefix,
      permissions: Object.freeze([...record.permissions]),
      tier: record.rateLimitTier,
      environment: parsed.key.environment,
    });
    if (version !== undefined) this.#verified.set(hash, { version, principal });
    this.#touch(hash);
    return { ok: true, principal };
  }

  #touch(hash: string): void {
    const now = this.#now();
    const last = this.#lastTouch.get(hash);
    if (last !== undefined && now - last < this.#touchIntervalMs && now >= last) return;
    // Remembered before the write: a failing write is retried after the interval, not
    // on every request (each attempt may wait out the database's busy timeout).
    this.#lastTouch.set(hash, now);
    try {
      this.#apiKeys.touch(hash, new Date(now));
    } catch (err) {
      this.#onTouchError(err);
    }
  }
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
