/**
 * Turns the `embedding` section of the configuration into a provider. Options are checked
 * in a fixed order — defaults, types, values, combinations — and the first problem throws
 * `INVALID_CONFIG` naming the option. Nothing falls back: an option that does not apply
 * to the chosen provider is an error, not something to ignore, because it is usually a
 * sign the user configured something other than what runs.
 */

import { DEFAULT_HASH_DIMENSION, HashingEmbedder, MAX_HASH_DIMENSION, MIN_HASH_DIMENSION } from './hashing-embedder.js';
import { OpenAIEmbedder, OPENAI_LIMITS } from './openai-embedder.js';
import { checkBaseUrl, checkInteger, checkString, invalidConfig } from './option-checks.js';
import type { EmbeddingProvider } from './provider.js';

export interface EmbedderConfig {
  /** `hash` runs offline; `openai` calls an OpenAI-compatible server (OpenAI, Ollama, vLLM). @default "hash" */
  provider?: 'hash' | 'openai';
  /** Vector length. @default 256 for hash (16..4096); required for openai */
  dimension?: number | undefined;
  /** openai only, required: API root such as `http://127.0.0.1:11434/v1`. */
  baseUrl?: string | undefined;
  /** openai only, required: model name. */
  model?: string | undefined;
  /** openai only. @default none */
  apiKey?: string | undefined;
  /** openai only. @default 64 */
  batchSize?: number | undefined;
  /** openai only. @default 30000 */
  timeoutMs?: number | undefined;
  /** openai only. @default 2 */
  maxRetries?: number | undefined;
  /** openai only. @default 500 */
  retryBaseDelayMs?: number | undefined;
}

export type ResolvedEmbedderConfig =
  | Readonly<{ provider: 'hash'; dimension: number }>
  | Readonly<{
      provider: 'openai';
      dimension: number;
      baseUrl: string;
      model: string;
      apiKey: string | undefined;
      batchSize: number | undefined;
      timeoutMs: number | undefined;
      maxRetries: number | undefined;
      retryBaseDelayMs: number | undefined;
    }>;

const PROVIDERS = ['hash', 'openai'] as const;
const STRING_OPTIONS = ['baseUrl', 'model', 'apiKey'] as const;
const INTEGER_OPTIONS = ['dimension', 'batchSize', 'timeoutMs', 'maxRetries', 'retryBaseDelayMs'] as const;
const OPENAI_ONLY = ['baseUrl', 'model', 'apiKey', 'batchSize', 'timeoutMs', 'maxRetries', 'retryBaseDelayMs'] as const;
const OPENAI_REQUIRED = ['baseUrl', 'model', 'dimension'] as const;
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['provider', ...STRING_OPTIONS, ...INTEGER_OPTIONS]);

/**
 * Validates an embedding configuration and returns it frozen, with defaults applied. The
 * result is plain data: it crosses to worker threads as is. An option set to `undefined`
 * counts as absent (configuration loaders produce those).
 *
 * @throws PctxError `INVALID_CONFIG` naming the first bad option.
 */
export function resolveEmbedderConfig(config: EmbedderConfig): ResolvedEmbedderConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw invalidConfig('embedding', 'must be an object');
  const raw = config as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.has(key)) throw invalidConfig(key, `is not an embedding option (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }

  // Defaults.
  const provider = raw.provider ?? 'hash';

  // Types.
  if (typeof provider !== 'string' || !(PROVIDERS as readonly string[]).includes(provider)) {
    throw invalidConfig('provider', `must be one of ${PROVIDERS.map((name) => JSON.stringify(name)).join(', ')}`);
  }
  for (const key of STRING_OPTIONS) {
    if (raw[key] !== undefined && typeof raw[key] !== 'string') throw invalidConfig(key, 'must be a string');
  }
  for (const key of INTEGER_OPTIONS) {
    const value = raw[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value))) throw invalidConfig(key, 'must be an integer');
  }

  // Values.
  if (raw.dimension !== undefined) {
    if (provider === 'hash') checkInteger('dimension', raw.dimension, MIN_HASH_DIMENSION, MAX_HASH_DIMENSION);
    else checkInteger('dimension', raw.dimension, ...OPENAI_LIMITS.dimension);
  }
  if (raw.baseUrl !== undefined) checkBaseUrl('baseUrl', raw.baseUrl);
  if (raw.model !== undefined) checkString('model', raw.model);
  if (raw.apiKey !== undefined) checkString('apiKey', raw.apiKey);
  for (const key of ['batchSize', 'timeoutMs', 'maxRetries', 'retryBaseDelayMs'] as const) {
    const [min, max] = OPENAI_LIMITS[key];
    if (raw[key] !== undefined) checkInteger(key, raw[key], min, max);
  }

  // Combinations.
  if (provider === 'hash') {
    for (const key of OPENAI_ONLY) {
      if (raw[key] !== undefined) throw invalidConfig(key, 'only applies when provider is "openai"');
    }
    return Object.freeze({ provider: 'hash', dimension: (raw.dimension as number | undefined) ?? DEFAULT_HASH_DIMENSION });
  }
  for (const key of OPENAI_REQUIRED) {
    if (raw[key] === undefined) throw invalidConfig(key, 'is required when provider is "openai"');
  }
  return Object.freeze({
    provider: 'openai',
    dimension: raw.dimension as number,
    baseUrl: checkBaseUrl('baseUrl', raw.baseUrl),
    model: raw.model as string,
    apiKey: raw.apiKey as string | undefined,
    batchSize: raw.batchSize as number | undefined,
    timeoutMs: raw.timeoutMs as number | undefined,
    maxRetries: raw.maxRetries as number | undefined,
    retryBaseDelayMs: raw.retryBaseDelayMs as number | undefined,
  });
}

/**
 * Builds the provider an embedding configuration describes (see `resolveEmbedderConfig`).
 *
 * @throws PctxError `INVALID_CONFIG` naming the first bad option.
 */
export function createEmbedder(config: EmbedderConfig): EmbeddingProvider {
  const resolved = resolveEmbedderConfig(config);
  if (resolved.provider === 'hash') return new HashingEmbedder({ dimension: resolved.dimension });
  return new OpenAIEmbedder(resolved);
}
