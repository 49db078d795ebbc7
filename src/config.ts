import path from 'node:path';
import { PctxError } from './errors.js';
import { parseBytes } from './util/bytes.js';

/**
 * Process configuration, from environment variables overridden by command-line flags.
 * Validated in a fixed order — defaults, types, interpretation, combinations — and the
 * first problem throws INVALID_CONFIG naming the variable; nothing silently falls back.
 * Every variable is documented in docs/configuration.md.
 */
export interface PctxConfig {
  /** @default "./data" (env PCTX_DATA_DIR) */
  dataDir: string;
  embedding: EmbeddingConfig;
  /** Parse worker threads. @default os.availableParallelism() (env PCTX_WORKERS) */
  workers: number | undefined;
  /** Files larger than this are not indexed. @default 1 MiB (env PCTX_MAX_FILE_SIZE) */
  maxFileBytes: number | undefined;
  /** Most open tenant database handles. @default from the fd limit (env PCTX_POOL_MAX_HANDLES) */
  poolMaxHandles: number | undefined;
  /** Most loaded HNSW indexes. @default 16 (env PCTX_POOL_MAX_VECTOR_INDEXES) */
  poolMaxVectorIndexes: number | undefined;
}

export interface EmbeddingConfig {
  /** @default "hash" (env PCTX_EMBEDDING_PROVIDER) */
  provider: 'hash' | 'openai';
  /** @default 256 for hash; required for openai (env PCTX_EMBEDDING_DIMENSION) */
  dimension: number | undefined;
  /** OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (env PCTX_EMBEDDING_BASE_URL) */
  baseUrl: string | undefined;
  /** (env PCTX_EMBEDDING_MODEL) */
  model: string | undefined;
  /** (env PCTX_EMBEDDING_API_KEY) */
  apiKey: string | undefined;
}

export interface ConfigOverrides {
  dataDir?: string | undefined;
}

function invalid(option: string, reason: string): PctxError {
  return new PctxError('INVALID_CONFIG', { option, reason });
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) throw invalid(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < 1 || value > max) throw invalid(name, `must be between 1 and ${max}`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Readonly<PctxConfig> {
  const dataDir = overrides.dataDir ?? env.PCTX_DATA_DIR ?? './data';
  if (dataDir.trim() === '') throw invalid('PCTX_DATA_DIR', 'must not be empty');

  const provider = (env.PCTX_EMBEDDING_PROVIDER ?? 'hash').trim();
  if (provider !== 'hash' && provider !== 'openai') {
    throw invalid('PCTX_EMBEDDING_PROVIDER', `expected "hash" or "openai", got "${provider}"`);
  }
  const dimension = positiveInt(env, 'PCTX_EMBEDDING_DIMENSION', 4096);
  const baseUrl = env.PCTX_EMBEDDING_BASE_URL?.trim() || undefined;
  const model = env.PCTX_EMBEDDING_MODEL?.trim() || undefined;
  const apiKey = env.PCTX_EMBEDDING_API_KEY || undefined;
  if (baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw invalid('PCTX_EMBEDDING_BASE_URL', `not a URL: "${baseUrl}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('PCTX_EMBEDDING_BASE_URL', 'must be http or https');
  }
  if (provider === 'openai') {
    if (baseUrl === undefined) throw invalid('PCTX_EMBEDDING_BASE_URL', 'is required when PCTX_EMBEDDING_PROVIDER=openai');
    if (model === undefined) throw invalid('PCTX_EMBEDDING_MODEL', 'is required when PCTX_EMBEDDING_PROVIDER=openai');
    if (dimension === undefined) throw invalid('PCTX_EMBEDDING_DIMENSION', 'is required when PCTX_EMBEDDING_PROVIDER=openai');
  }

  let maxFileBytes: number | undefined;
  if (env.PCTX_MAX_FILE_SIZE !== undefined && env.PCTX_MAX_FILE_SIZE !== '') {
    const parsed = parseBytes(env.PCTX_MAX_FILE_SIZE);
    if (parsed === null) throw invalid('PCTX_MAX_FILE_SIZE', `expected a size such as 1MB, got "${env.PCTX_MAX_FILE_SIZE}"`);
    maxFileBytes = parsed;
  }

  return Object.freeze({
    dataDir: path.resolve(dataDir),
    embedding: Object.freeze({ provider, dimension, baseUrl, model, apiKey }),
    workers: positiveInt(env, 'PCTX_WORKERS', 64),
    maxFileBytes,
    poolMaxHandles: positiveInt(env, 'PCTX_POOL_MAX_HANDLES', 100_000),
    poolMaxVectorIndexes: positiveInt(env, 'PCTX_POOL_MAX_VECTOR_INDEXES', 10_000),
  });
}
