import path from 'node:path';
import { PctxError } from './errors.js';
import { parseBytes } from './util/bytes.js';
import { resolveEmbedderConfig, type ResolvedEmbedderConfig } from './engine/embed/create-embedder.js';
import { isPctxError } from './errors.js';

/**
 * Process configuration, from environment variables overridden by command-line flags.
 * Validated in a fixed order — defaults, types, interpretation, combinations — and the
 * first problem throws INVALID_CONFIG naming the variable; nothing silently falls back.
 * Every variable is documented in docs/configuration.md.
 */
export interface PctxConfig {
  /** @default "./data" (env PCTX_DATA_DIR) */
  dataDir: string;
  /** Validated embedding settings (env PCTX_EMBEDDING_*). */
  embedding: ResolvedEmbedderConfig;
  /** Parse worker threads. @default os.availableParallelism() (env PCTX_WORKERS) */
  workers: number | undefined;
  /** Files larger than this are not indexed. @default 1 MiB (env PCTX_MAX_FILE_SIZE) */
  maxFileBytes: number | undefined;
  /** Most open tenant database handles. @default from the fd limit (env PCTX_POOL_MAX_HANDLES) */
  poolMaxHandles: number | undefined;
  /** Most loaded HNSW indexes. @default 16 (env PCTX_POOL_MAX_VECTOR_INDEXES) */
  poolMaxVectorIndexes: number | undefined;
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

const EMBEDDING_ENV: Record<string, string> = {
  provider: 'PCTX_EMBEDDING_PROVIDER',
  dimension: 'PCTX_EMBEDDING_DIMENSION',
  baseUrl: 'PCTX_EMBEDDING_BASE_URL',
  model: 'PCTX_EMBEDDING_MODEL',
  apiKey: 'PCTX_EMBEDDING_API_KEY',
};

/** Embedding settings are validated by the embedder's own rules; errors name the variable. */
function resolveEmbedding(env: NodeJS.ProcessEnv): ResolvedEmbedderConfig {
  const provider = env.PCTX_EMBEDDING_PROVIDER?.trim() || 'hash';
  try {
    return resolveEmbedderConfig({
      provider: provider as 'hash' | 'openai',
      dimension: positiveInt(env, 'PCTX_EMBEDDING_DIMENSION', 1_000_000),
      baseUrl: env.PCTX_EMBEDDING_BASE_URL?.trim() || undefined,
      model: env.PCTX_EMBEDDING_MODEL?.trim() || undefined,
      apiKey: env.PCTX_EMBEDDING_API_KEY || undefined,
    });
  } catch (err) {
    if (isPctxError(err, 'INVALID_CONFIG')) {
      const option = String(err.details.option);
      throw invalid(EMBEDDING_ENV[option] ?? option, String(err.details.reason));
    }
    throw err;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Readonly<PctxConfig> {
  // The variable is checked even when --data-dir overrides it: an invalid setting is
  // refused whether or not this command would use it (docs/cli.md).
  if (env.PCTX_DATA_DIR !== undefined && env.PCTX_DATA_DIR.trim() === '') throw invalid('PCTX_DATA_DIR', 'must not be empty');
  if (overrides.dataDir !== undefined && overrides.dataDir.trim() === '') throw invalid('--data-dir', 'must not be empty');
  const dataDir = overrides.dataDir ?? env.PCTX_DATA_DIR ?? './data';

  const embedding = resolveEmbedding(env);

  let maxFileBytes: number | undefined;
  if (env.PCTX_MAX_FILE_SIZE !== undefined && env.PCTX_MAX_FILE_SIZE !== '') {
    const parsed = parseBytes(env.PCTX_MAX_FILE_SIZE);
    if (parsed === null) throw invalid('PCTX_MAX_FILE_SIZE', `expected a size such as 1MB, got "${env.PCTX_MAX_FILE_SIZE}"`);
    maxFileBytes = parsed;
  }

  return Object.freeze({
    dataDir: path.resolve(dataDir),
    embedding,
    workers: positiveInt(env, 'PCTX_WORKERS', 64),
    maxFileBytes,
    poolMaxHandles: positiveInt(env, 'PCTX_POOL_MAX_HANDLES', 100_000),
    poolMaxVectorIndexes: positiveInt(env, 'PCTX_POOL_MAX_VECTOR_INDEXES', 10_000),
  });
}
