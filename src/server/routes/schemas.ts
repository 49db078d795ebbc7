/**
 * JSON Schemas shared by the REST routes. Fastify validates with them and the OpenAPI
 * document is generated from them, so the two cannot disagree.
 */

export const tenantIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'Tenant id (8 hex) or name' } },
} as const;

export const tenantName = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
export const quotaBytes = { type: ['integer', 'null'], minimum: 1, description: 'Storage quota in bytes; null: unlimited' } as const;
export const settings = { type: 'object', description: 'Tenant settings, a JSON object (at most 16 KiB)' } as const;

export const createTenantBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: tenantName, quotaBytes, settings },
} as const;

export const patchTenantBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: tenantName, quotaBytes, settings },
} as const;

export const createKeyBody = {
  type: 'object',
  required: ['permissions'],
  additionalProperties: false,
  properties: {
    permissions: { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { type: 'string', enum: ['read', 'write', 'admin'] } },
    tier: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$', description: 'Rate-limit tier (rateLimit.tiers); default standard' },
    label: { type: 'string', maxLength: 200 },
    test: { type: 'boolean', description: 'Create a cl_test_ key' },
  },
} as const;

export const keyPrefixParams = {
  type: 'object',
  required: ['prefix'],
  additionalProperties: false,
  properties: { prefix: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' } },
} as const;

export const repoNameParams = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const statsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { since: { type: 'string', format: 'date-time', description: 'Count requests since (default: 24 hours ago)' } },
} as const;

export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string', pattern: '^PCTX_ERR_' }, message: { type: 'string' }, details: { type: 'object' } },
    },
  },
} as const;
