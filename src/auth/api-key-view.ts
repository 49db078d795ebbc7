import type { ApiKeyRecord, Permission } from '../control/index.js';
import type { KeyEnvironment } from './api-key.js';

/**
 * An API key as shown to people and clients (CLI `--json`, admin API): never the key,
 * never its hash. The shape is a contract (docs/cli.md, "Key object").
 */
export interface ApiKeyView {
  prefix: string;
  tenantId: string;
  environment: KeyEnvironment;
  permissions: Permission[];
  tier: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function apiKeyView(k: ApiKeyRecord): ApiKeyView {
  return {
    prefix: k.keyPrefix,
    tenantId: k.tenantId,
    environment: k.keyPrefix.startsWith('cl_test_') ? 'test' : 'live',
    permissions: [...k.permissions],
    tier: k.rateLimitTier,
    label: k.label,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}
