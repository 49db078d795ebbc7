import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PctxError } from './errors.js';
import { parseBytes } from './util/bytes.js';
import { resolveEmbedderConfig, type EmbedderConfig, type ResolvedEmbedderConfig } from './engine/embed/create-embedder.js';
import { isPctxError } from './errors.js';
import { validateRateLimitConfig, type RateLimitConfig } from './ratelimit/rate-limiter.js';

/**
 * Process configuration, from an optional JSON file (`--config`, else `PCTX_CONFIG`),
 * then environment variables, then command-line flags: each layer wins over the one
 * before. Validated in a fixed order — defaults, types, interpretation, combinations —
 * and the first problem throws INVALID_CONFIG naming where the bad value came from (the
 * flag, the variable, or the file key); nothing silently falls back. Every key is
 * documented in docs/configuration.md.
 */
export interface PctxConfig {
  /** @default "./data" (file dataDir, env PCTX_DATA_DIR, flag --data-dir) */
  dataDir: string;
  /** Validated embedding settings (file embedding.*, env PCTX_EMBEDDING_*). */
  embedding: ResolvedEmbedderConfig;
  /** Parse worker threads. @default os.availableParallelism() (env PCTX_WORKERS) */
  workers: number | undefined;
  /** Files larger than this are not indexed. @default 1 MiB (env PCTX_MAX_FILE_SIZE) */
  maxFileBytes: number | undefined;
  /** Most open tenant database handles. @default from the fd limit (env PCTX_POOL_MAX_HANDLES) */
  poolMaxHandles: number | undefined;
  /** Most loaded HNSW indexes. @default 16 (env PCTX_POOL_MAX_VECTOR_INDEXES) */
  poolMaxVectorIndexes: number | undefined;
  /**
   * Most search hits kept for repeated keyword queries, reused while the tenant's database
   * is unchanged; 0 turns the cache off. @default 20000 (env PCTX_SEARCH_ANSWER_CACHE_HITS)
   */
  searchAnswerCacheHits: number | undefined;
  /** The HTTP service (`serve --http`). */
  server: Readonly<ServerConfig>;
  /** Token buckets of the HTTP service; stdio is never limited. */
  rateLimit: Readonly<RateLimitConfig>;
  requestLog: Readonly<RequestLogConfig>;
  hosting: Readonly<HostingConfig>;
  /**
   * Keep indexed folders fresh while serving (docs/watching.md): stdio watches the
   * tenant's repositories, HTTP those under `hosting.allowedRoots`.
   * @default { enabled: true } (file watch.enabled, env PCTX_WATCH, flag --no-watch)
   */
  watch: Readonly<{ enabled: boolean }>;
  /** The JSON file the configuration was read from, if any. */
  configFile: string | null;
}

export interface ServerConfig {
  /** @default "127.0.0.1" (env PCTX_HOST, flag --host) */
  host: string;
  /** 0 picks a free port. @default 3000 (env PCTX_PORT, flag --port) */
  port: number;
  /** Largest JSON request body. @default 1 MiB (env PCTX_BODY_LIMIT) */
  bodyLimit: number;
  /** How long shutdown waits for requests in flight before closing them. @default 10000 (env PCTX_SHUTDOWN_TIMEOUT_MS) */
  shutdownTimeoutMs: number;
  /**
   * Which reverse proxies' `X-Forwarded-For` names the client (fastify's `trustProxy`),
   * so that unauthenticated calls are rate-limited by the real client address: `false`
   * (trust no header: the client is the socket's peer), a list of proxy addresses or
   * CIDR ranges (`loopback`, `linklocal`, `uniquelocal` name the usual ones), a number
   * of proxy hops, or `true` (trust any sender: only when nothing but the proxy can
   * reach the port).
   * @default false (env PCTX_TRUST_PROXY)
   */
  trustProxy: TrustProxy;
  /**
   * Nice value (0–19) of the server's background threads: index runs with their parse
   * workers, and vector builds. They then yield the CPU to the thread serving requests
   * (util/thread-priority.ts); 0 runs them at the process's priority.
   * @default 10 (env PCTX_BACKGROUND_NICE)
   */
  backgroundNice: number;
}

/** `server.trustProxy`, validated: see ServerConfig.trustProxy. */
export type TrustProxy = boolean | number | readonly string[];

export interface RequestLogConfig {
  /** Rows older than this are pruned (every hour, and at start). @default 30 (env PCTX_REQUEST_LOG_RETENTION_DAYS) */
  retentionDays: number;
}

export interface HostingConfig {
  /**
   * Folders under which `index_folder` may read on a server, resolved to absolute paths.
   * None by default: a hosted server reads no server path unless told.
   * @default [] (env PCTX_ALLOWED_ROOTS, separated by the platform's path delimiter)
   */
  allowedRoots: readonly string[];
  /** Largest upload body (`POST /v1/repos/:name/archive`), compressed. @default 100 MiB (env PCTX_MAX_ARCHIVE_SIZE) */
  maxArchiveBytes: number;
  /** Most bytes an upload may expand to on disk. @default 1 GiB (env PCTX_MAX_ARCHIVE_EXPANDED_SIZE) */
  maxArchiveExpandedBytes: number;
  /** Most files and folders in one upload. @default 50000 (env PCTX_MAX_ARCHIVE_FILES) */
  maxArchiveFiles: number;
  /** Largest backup archive `POST /admin/tenants/:id/restore` accepts. @default 1 GiB (env PCTX_MAX_RESTORE_SIZE) */
  maxRestoreBytes: number;
}

export interface ConfigOverrides {
  dataDir?: string | undefined;
  /** --config */
  configFile?: string | undefined;
  /** --host */
  host?: string | undefined;
  /** --port */
  port?: number | string | undefined;
  /** --no-watch gives false */
  watch?: boolean | undefined;
}

const FILE_KEYS: Record<string, readonly string[] | null> = {
  dataDir: null,
  workers: null,
  maxFileSize: null,
  pool: ['maxHandles', 'maxVectorIndexes'],
  search: ['answerCacheHits'],
  embedding: null,
  server: ['host', 'port', 'bodyLimit', 'shutdownTimeoutMs', 'trustProxy', 'backgroundNice'],
  rateLimit: null,
  requestLog: ['retentionDays'],
  hosting: ['allowedRoots', 'maxArchiveSize', 'maxArchiveExpandedSize', 'maxArchiveFiles', 'maxRestoreSize'],
  watch: ['enabled'],
};

function invalid(option: string, reason: string): PctxError {
  return new PctxError('INVALID_CONFIG', { option, reason });
}

/** One configured value and the name of where it came from, for error messages. */
interface Setting {
  value: unknown;
  label: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readConfigFile(file: string, label: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(label, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(label, `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw invalid(label, `${file} must hold a JSON object`);
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in FILE_KEYS)) throw invalid(key, `unknown key in ${file}; known keys: ${Object.keys(FILE_KEYS).join(', ')}`);
    const nested = FILE_KEYS[key];
    if (nested === null || nested === undefined) continue;
    if (!isPlainObject(value)) throw invalid(key, `expected an object in ${file}`);
    for (const inner of Object.keys(value)) {
      if (!nested.includes(inner)) throw invalid(`${key}.${inner}`, `unknown key in ${file}; known: ${nested.join(', ')}`);
    }
  }
  return parsed;
}

class Layers {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly file: Record<string, unknown>,
    readonly fileName: string | null,
  ) {}

  /** Env wins over the file; an empty variable counts as unset. */
  get(fileKey: string, envName: string | null): Setting | undefined {
    if (envName !== null) {
      const raw = this.env[envName];
      if (raw !== undefined && raw !== '') return { value: raw, label: envName };
    }
    const value = fileValue(this.file, fileKey);
    return value === undefined ? undefined : { value, label: fileKey };
  }
}

function fileValue(file: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = file;
  for (const part of dotted.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

function wholeNumber(setting: Setting | undefined, min: number, max: number): number | undefined {
  if (setting === undefined) return undefined;
  const { value, label } = setting;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) n = Number(value.trim());
  else throw invalid(label, `expected a whole number, got ${JSON.stringify(value)}`);
  if (!Number.isInteger(n)) throw invalid(label, `expected a whole number, got ${n}`);
  if (n < min || n > max) throw invalid(label, `must be between ${min} and ${max}`);
  return n;
}

function size(setting: Setting | undefined): number | undefined {
  if (setting === undefined) return undefined;
  const { value, label } = setting;
  const parsed = typeof value === 'number' ? (Number.isSafeInteger(value) && value > 0 ? value : null) : typeof value === 'string' ? parseBytes(value) : null;
  if (parsed === null) throw invalid(label, `expected a size such as 1MB, got ${JSON.stringify(value)}`);
  return parsed;
}

function text(setting: Setting | undefined): string | undefined {
  if (setting === undefined) return undefined;
  if (typeof setting.value !== 'string') throw invalid(setting.label, `expected a string, got ${JSON.stringify(setting.value)}`);
  return setting.value;
}

function bool(setting: Setting | undefined): boolean | undefined {
  if (setting === undefined) return undefined;
  const { value, label } = setting;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(label, `expected true or false, got ${JSON.stringify(value)}`);
}

const EMBEDDING_ENV: Record<string, string> = {
  provider: 'PCTX_EMBEDDING_PROVIDER',
  dimension: 'PCTX_EMBEDDING_DIMENSION',
  baseUrl: 'PCTX_EMBEDDING_BASE_URL',
  model: 'PCTX_EMBEDDING_MODEL',
  apiKey: 'PCTX_EMBEDDING_API_KEY',
};

/** Embedding settings are validated by the embedder's own rules; errors name the variable or file key. */
function resolveEmbedding(layers: Layers, file: Record<string, unknown>): ResolvedEmbedderConfig {
  const fromFile = file.embedding;
  if (fromFile !== undefined && !isPlainObject(fromFile)) throw invalid('embedding', 'expected an object');
  const merged: Record<string, unknown> = { ...(fromFile ?? {}) };
  const labels: Record<string, string> = {};
  for (const [option, envName] of Object.entries(EMBEDDING_ENV)) {
    const setting = layers.get(`embedding.${option}`, envName);
    labels[option] = setting?.label ?? `embedding.${option}`;
    if (setting === undefined) continue;
    if (option === 'dimension') merged[option] = wholeNumber(setting, 1, 1_000_000);
    else merged[option] = typeof setting.value === 'string' && option !== 'apiKey' ? setting.value.trim() || undefined : setting.value;
  }
  merged.provider ??= 'hash';
  try {
    return resolveEmbedderConfig(merged as EmbedderConfig);
  } catch (err) {
    if (isPctxError(err, 'INVALID_CONFIG')) {
      const option = String(err.details.option);
      throw invalid(labels[option] ?? `embedding.${option}`, String(err.details.reason));
    }
    throw err;
  }
}

function resolveRateLimit(layers: Layers, file: Record<string, unknown>): RateLimitConfig {
  const fromFile = file.rateLimit;
  if (fromFile !== undefined && !isPlainObject(fromFile)) throw invalid('rateLimit', 'expected an object');
  const merged: Record<string, unknown> = { ...(fromFile ?? {}) };
  // Types are checked here so the message names the variable; ranges by the limiter's own rules.
  const enabled = bool(layers.get('rateLimit.enabled', 'PCTX_RATE_LIMIT_ENABLED'));
  const maxTokens = wholeNumber(layers.get('rateLimit.maxTokens', 'PCTX_RATE_LIMIT_MAX_TOKENS'), 0, Number.MAX_SAFE_INTEGER);
  const refill = layers.get('rateLimit.refillRate', 'PCTX_RATE_LIMIT_REFILL_RATE');
  if (enabled !== undefined) merged.enabled = enabled;
  if (maxTokens !== undefined) merged.maxTokens = maxTokens;
  if (refill !== undefined) {
    const n = typeof refill.value === 'string' ? Number(refill.value.trim()) : refill.value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(refill.label, `expected a number, got ${JSON.stringify(refill.value)}`);
    merged.refillRate = n;
  }
  return validateRateLimitConfig(merged, 'rateLimit');
}

const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IPv4/IPv6 address, optionally `/prefix` (or an IPv4 netmask), or one of proxy-addr's range names. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = net.isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (family === 4 && net.isIPv4(prefix)) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `server.trustProxy`: booleans and hop counts as they are, addresses as a list (a
 * string is split at commas); each address is checked here so that a typo fails at
 * start rather than silently trusting nothing, or everything.
 */
function resolveTrustProxy(setting: Setting | undefined): TrustProxy {
  if (setting === undefined) return false;
  const { value, label } = setting;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    return wholeNumber(setting, 1, 100)!;
  }
  if (value === 'true' || value === 'false') return value === 'true';
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((entry) => typeof entry !== 'string')) {
    throw invalid(label, 'expected false, true, a number of proxy hops, or a list of proxy addresses or CIDR ranges');
  }
  const entries = (list as string[]).map((entry) => entry.trim());
  const bad = entries.find((entry) => !isProxyAddress(entry));
  if (bad !== undefined) {
    throw invalid(label, `${JSON.stringify(bad)} is not an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`);
  }
  return Object.freeze(entries);
}

function resolveAllowedRoots(layers: Layers, baseDir: string): string[] {
  const setting = layers.get('hosting.allowedRoots', 'PCTX_ALLOWED_ROOTS');
  if (setting === undefined) return [];
  const { value, label } = setting;
  const list = typeof value === 'string' ? value.split(path.delimiter).filter((p) => p.trim() !== '') : value;
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw invalid(label, 'expected a list of folder paths');
  }
  // File entries are relative to the file's folder; variables to the working directory.
  const base = label === 'PCTX_ALLOWED_ROOTS' ? process.cwd() : baseDir;
  return (list as string[]).map((p) => {
    const resolved = path.resolve(base, p.trim());
    let real: string;
    try {
      real = fs.realpathSync(resolved);
    } catch {
      throw invalid(label, `folder ${resolved} does not exist`);
    }
    if (!fs.statSync(real).isDirectory()) throw invalid(label, `${resolved} is not a folder`);
    return real;
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Readonly<PctxConfig> {
  // The variable is checked even when --data-dir overrides it: an invalid setting is
  // refused whether or not this command would use it (docs/cli.md).
  if (env.PCTX_DATA_DIR !== undefined && env.PCTX_DATA_DIR.trim() === '') throw invalid('PCTX_DATA_DIR', 'must not be empty');
  if (overrides.dataDir !== undefined && overrides.dataDir.trim() === '') throw invalid('--data-dir', 'must not be empty');
  // Defaults, then the file, then variables, then flags.
  const configFlag = overrides.configFile;
  const configFile = configFlag ?? (env.PCTX_CONFIG !== undefined && env.PCTX_CONFIG !== '' ? env.PCTX_CONFIG : undefined);
  const fileLabel = configFlag !== undefined ? '--config' : 'PCTX_CONFIG';
  const resolvedFile = configFile === undefined ? null : path.resolve(configFile);
  const file = resolvedFile === null ? {} : readConfigFile(resolvedFile, fileLabel);
  const layers = new Layers(env, file, resolvedFile);
  const fileDir = resolvedFile === null ? process.cwd() : path.dirname(resolvedFile);

  const dataDirSetting: Setting | undefined =
    overrides.dataDir !== undefined
      ? { value: overrides.dataDir, label: '--data-dir' }
      : env.PCTX_DATA_DIR !== undefined
        ? { value: env.PCTX_DATA_DIR, label: 'PCTX_DATA_DIR' }
        : layers.get('dataDir', null);
  const dataDir = text(dataDirSetting) ?? './data';
  if (dataDir.trim() === '') throw invalid(dataDirSetting?.label ?? 'PCTX_DATA_DIR', 'must not be empty');

  const embedding = resolveEmbedding(layers, file);
  const maxFileBytes = size(layers.get('maxFileSize', 'PCTX_MAX_FILE_SIZE'));
  const workers = wholeNumber(layers.get('workers', 'PCTX_WORKERS'), 1, 64);
  const poolMaxHandles = wholeNumber(layers.get('pool.maxHandles', 'PCTX_POOL_MAX_HANDLES'), 1, 100_000);
  const poolMaxVectorIndexes = wholeNumber(layers.get('pool.maxVectorIndexes', 'PCTX_POOL_MAX_VECTOR_INDEXES'), 1, 10_000);
  const searchAnswerCacheHits = wholeNumber(layers.get('search.answerCacheHits', 'PCTX_SEARCH_ANSWER_CACHE_HITS'), 0, 10_000_000);

  const hostSetting = overrides.host !== undefined ? { value: overrides.host, label: '--host' } : layers.get('server.host', 'PCTX_HOST');
  const host = text(hostSetting) ?? '127.0.0.1';
  if (host.trim() === '') throw invalid(hostSetting?.label ?? 'server.host', 'must not be empty');
  const portSetting = overrides.port !== undefined ? { value: overrides.port, label: '--port' } : layers.get('server.port', 'PCTX_PORT');
  const server: ServerConfig = Object.freeze({
    host: host.trim(),
    port: wholeNumber(portSetting, 0, 65_535) ?? 3000,
    bodyLimit: size(layers.get('server.bodyLimit', 'PCTX_BODY_LIMIT')) ?? 1024 * 1024,
    shutdownTimeoutMs: wholeNumber(layers.get('server.shutdownTimeoutMs', 'PCTX_SHUTDOWN_TIMEOUT_MS'), 0, 600_000) ?? 10_000,
    trustProxy: resolveTrustProxy(layers.get('server.trustProxy', 'PCTX_TRUST_PROXY')),
    backgroundNice: wholeNumber(layers.get('server.backgroundNice', 'PCTX_BACKGROUND_NICE'), 0, 19) ?? 10,
  });

  const rateLimit = resolveRateLimit(layers, file);
  const requestLog: RequestLogConfig = Object.freeze({
    retentionDays: wholeNumber(layers.get('requestLog.retentionDays', 'PCTX_REQUEST_LOG_RETENTION_DAYS'), 1, 3650) ?? 30,
  });
  const hosting: HostingConfig = Object.freeze({
    allowedRoots: Object.freeze(resolveAllowedRoots(layers, fileDir)),
    maxArchiveBytes: size(layers.get('hosting.maxArchiveSize', 'PCTX_MAX_ARCHIVE_SIZE')) ?? 100 * 1024 * 1024,
    maxArchiveExpandedBytes: size(layers.get('hosting.maxArchiveExpandedSize', 'PCTX_MAX_ARCHIVE_EXPANDED_SIZE')) ?? 1024 * 1024 * 1024,
    maxArchiveFiles: wholeNumber(layers.get('hosting.maxArchiveFiles', 'PCTX_MAX_ARCHIVE_FILES'), 1, 10_000_000) ?? 50_000,
    maxRestoreBytes: size(layers.get('hosting.maxRestoreSize', 'PCTX_MAX_RESTORE_SIZE')) ?? 1024 * 1024 * 1024,
  });

  return Object.freeze({
    dataDir: path.resolve(dataDirSetting?.label === 'dataDir' ? fileDir : process.cwd(), dataDir),
    embedding,
    workers,
    maxFileBytes,
    poolMaxHandles,
    poolMaxVectorIndexes,
    searchAnswerCacheHits,
    server,
    rateLimit,
    requestLog,
    hosting,
    watch: Object.freeze({
      enabled: overrides.watch === false ? false : (bool(layers.get('watch.enabled', 'PCTX_WATCH')) ?? true),
    }),
    configFile: resolvedFile,
  });
}
