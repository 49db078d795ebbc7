import type { ApiKeyRecord, ApiKeyStore, Permission } from '../control/index.js';
import { isPctxError } from '../errors.js';
import { generateApiKey, type KeyEnvironment } from './api-key.js';

export interface IssueApiKeyInput {
  tenantId: string;
  permissions: Permission[];
  /** @default 'standard' */
  tier?: string;
  /** @default null */
  label?: string | null;
  /** @default 'live' */
  environment?: KeyEnvironment;
}

export interface IssuedApiKey {
  /** The full key: return it to the caller once; it is not stored and cannot be shown again. */
  key: string;
  record: ApiKeyRecord;
}

/** Prefixes are unique; a clash of 8 random base62 characters is rare but not impossible. */
const ATTEMPTS = 3;

/**
 * Generates a key and stores its hash: what `keys create` and the admin API both do.
 * Errors are the store's (TENANT_NOT_FOUND, TENANT_DELETING, INVALID_ARGUMENT naming
 * `permissions`, `rateLimitTier` or `label`).
 */
export function issueApiKey(apiKeys: ApiKeyStore, input: IssueApiKeyInput): IssuedApiKey {
  for (let attempt = 1; ; attempt++) {
    const generated = generateApiKey(input.tenantId, input.environment ?? 'live');
    try {
      const record = apiKeys.insert({
        keyHash: generated.keyHash,
        keyPrefix: generated.prefix,
        tenantId: input.tenantId,
        permissions: input.permissions,
        ...(input.tier !== undefined ? { rateLimitTier: input.tier } : {}),
        label: input.label ?? null,
      });
      return { key: generated.key, record };
    } catch (err) {
      if (attempt < ATTEMPTS && isPctxError(err, 'INVALID_ARGUMENT') && err.details.option === 'keyPrefix') continue;
      throw err;
    }
  }
}
