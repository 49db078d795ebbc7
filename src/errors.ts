/**
 * The one registry of every error PureContext can raise.
 *
 * Each entry has a stable code (`PCTX_ERR_*`), the one HTTP status it maps to, and a
 * message template whose `{placeholders}` are filled from the error's details. Engine
 * code throws `PctxError`; the HTTP layer turns it into `{ error: { code, message,
 * details } }` with `status`; MCP tools return it as an `isError` result carrying the
 * same code. `docs/errors.md` documents every code, and a test keeps the two in step.
 */

export const ERRORS = {
  INVALID_ARGUMENT: {
    code: 'PCTX_ERR_INVALID_ARGUMENT',
    status: 400,
    message: 'Invalid value for "{option}": {reason}',
  },
  INVALID_CONFIG: {
    code: 'PCTX_ERR_INVALID_CONFIG',
    status: 400,
    message: 'Invalid configuration "{option}": {reason}',
  },
  INVALID_TENANT_ID: {
    code: 'PCTX_ERR_INVALID_TENANT_ID',
    status: 400,
    message: 'Invalid tenant id "{tenantId}": expected 8 lowercase hex characters',
  },
  TENANT_NOT_FOUND: {
    code: 'PCTX_ERR_TENANT_NOT_FOUND',
    status: 404,
    message: 'Tenant "{tenant}" does not exist',
  },
  TENANT_EXISTS: {
    code: 'PCTX_ERR_TENANT_EXISTS',
    status: 409,
    message: 'Tenant "{tenant}" already exists',
  },
  TENANT_DELETING: {
    code: 'PCTX_ERR_TENANT_DELETING',
    status: 409,
    message: 'Tenant {tenantId} is being deleted',
  },
  TENANT_CORRUPT: {
    code: 'PCTX_ERR_TENANT_CORRUPT',
    status: 503,
    message: 'The data of tenant {tenantId} is unreadable ({reason}); other tenants are unaffected',
  },
  POOL_CLOSED: {
    code: 'PCTX_ERR_POOL_CLOSED',
    status: 503,
    message: 'The tenant pool is shut down',
  },
  ROOT_NOT_FOUND: {
    code: 'PCTX_ERR_ROOT_NOT_FOUND',
    status: 404,
    message: 'Folder {path} does not exist',
  },
  NOT_A_DIRECTORY: {
    code: 'PCTX_ERR_NOT_A_DIRECTORY',
    status: 400,
    message: '{path} is not a folder',
  },
  REPO_NOT_FOUND: {
    code: 'PCTX_ERR_REPO_NOT_FOUND',
    status: 404,
    message: 'Repository "{repo}" is not indexed',
  },
  FILE_NOT_FOUND: {
    code: 'PCTX_ERR_FILE_NOT_FOUND',
    status: 404,
    message: 'File "{path}" is not indexed in repository "{repo}"',
  },
  SYMBOL_NOT_FOUND: {
    code: 'PCTX_ERR_SYMBOL_NOT_FOUND',
    status: 404,
    message: 'Symbol "{symbolId}" does not exist',
  },
  QUOTA_EXCEEDED: {
    code: 'PCTX_ERR_QUOTA_EXCEEDED',
    status: 507,
    message: 'Storage quota exceeded for tenant {tenantId}: {used} bytes used of {limit}',
  },
  DISK_FULL: {
    code: 'PCTX_ERR_DISK_FULL',
    status: 507,
    message: 'The server is out of disk space ({reason}); nothing was changed, retry later',
  },
  TOO_MANY_OPEN_FILES: {
    code: 'PCTX_ERR_TOO_MANY_OPEN_FILES',
    status: 503,
    message: 'The server has too many files open ({reason}); nothing was changed, retry in a moment',
  },
  INDEX_FAILED: {
    code: 'PCTX_ERR_INDEX_FAILED',
    status: 500,
    message: 'Indexing {root} failed and was rolled back: {reason}',
  },
  EMBEDDING_FAILED: {
    code: 'PCTX_ERR_EMBEDDING_FAILED',
    status: 502,
    message: 'The embedding provider failed: {reason}',
  },
  VECTOR_DIMENSION_MISMATCH: {
    code: 'PCTX_ERR_VECTOR_DIMENSION_MISMATCH',
    status: 409,
    message: 'Stored vectors have dimension {stored} but the embedder produces {configured}; re-index the repositories to re-embed them',
  },
  BACKUP_INVALID: {
    code: 'PCTX_ERR_BACKUP_INVALID',
    status: 400,
    message: 'Backup {file} is not usable: {reason}',
  },
  ARCHIVE_INVALID: {
    code: 'PCTX_ERR_ARCHIVE_INVALID',
    status: 400,
    message: 'The archive was refused: {reason}',
  },
  ARCHIVE_TOO_LARGE: {
    code: 'PCTX_ERR_ARCHIVE_TOO_LARGE',
    status: 413,
    message: 'The archive is too large: {reason}',
  },
  PATH_NOT_ALLOWED: {
    code: 'PCTX_ERR_PATH_NOT_ALLOWED',
    status: 403,
    message: 'This server may not read {path}: {reason}',
  },
  REMOTE_UNAVAILABLE: {
    code: 'PCTX_ERR_REMOTE_UNAVAILABLE',
    status: 502,
    message: 'The server at {url} could not be used: {reason}',
  },
  BACKUP_OUTPUT_INVALID: {
    code: 'PCTX_ERR_BACKUP_OUTPUT_INVALID',
    status: 400,
    message: 'Cannot write the backup to {path}: {reason}',
  },
  BACKUP_OUTPUT_EXISTS: {
    code: 'PCTX_ERR_BACKUP_OUTPUT_EXISTS',
    status: 409,
    message: '{path} already exists; pass --force to replace it, or choose another file',
  },
  CONTROL_CORRUPT: {
    code: 'PCTX_ERR_CONTROL_CORRUPT',
    status: 503,
    message: 'The control database {file} is unreadable ({reason}); restore it from a backup, or move it aside so the next start rebuilds it from the tenant folders',
  },
  DATA_DIR_INVALID: {
    code: 'PCTX_ERR_DATA_DIR_INVALID',
    status: 400,
    message: 'The data folder {path} cannot be used: {reason}',
  },
  SCHEMA_TOO_NEW: {
    code: 'PCTX_ERR_SCHEMA_TOO_NEW',
    status: 409,
    message: 'Database {file} has schema version {found}; this build understands up to {supported}',
  },
  ROUTE_NOT_FOUND: {
    code: 'PCTX_ERR_ROUTE_NOT_FOUND',
    status: 404,
    message: 'No route {method} {url}',
  },
  METHOD_NOT_ALLOWED: {
    code: 'PCTX_ERR_METHOD_NOT_ALLOWED',
    status: 405,
    message: '{method} is not supported on {url}; allowed: {allow}',
  },
  NOT_ACCEPTABLE: {
    code: 'PCTX_ERR_NOT_ACCEPTABLE',
    status: 406,
    message: 'The client must accept {expected}',
  },
  PAYLOAD_TOO_LARGE: {
    code: 'PCTX_ERR_PAYLOAD_TOO_LARGE',
    status: 413,
    message: 'Request body exceeds the limit of {limit} bytes',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    code: 'PCTX_ERR_UNSUPPORTED_MEDIA_TYPE',
    status: 415,
    message: 'Content-Type {contentType} is not accepted here; send {expected}',
  },
  SESSION_NOT_FOUND: {
    code: 'PCTX_ERR_SESSION_NOT_FOUND',
    status: 404,
    message: 'MCP session {sessionId} does not exist or has expired; initialize a new one',
  },
  SHUTTING_DOWN: {
    code: 'PCTX_ERR_SHUTTING_DOWN',
    status: 503,
    message: 'The server is shutting down',
  },
  API_KEY_NOT_FOUND: {
    code: 'PCTX_ERR_API_KEY_NOT_FOUND',
    status: 404,
    message: 'No API key matches "{prefix}"',
  },
  UNAUTHORIZED: {
    code: 'PCTX_ERR_UNAUTHORIZED',
    status: 401,
    message: 'Not authenticated ({reason}): send a valid API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
  },
  FORBIDDEN: {
    code: 'PCTX_ERR_FORBIDDEN',
    status: 403,
    message: 'This API key lacks the "{needed}" permission (it has: {granted})',
  },
  RATE_LIMITED: {
    code: 'PCTX_ERR_RATE_LIMITED',
    status: 429,
    message: 'Rate limit exceeded ({limit} tokens); retry in {retryAfterSeconds} s',
  },
  NOTHING_INDEXED: {
    code: 'PCTX_ERR_NOTHING_INDEXED',
    status: 404,
    message: 'Nothing is indexed in {dataDir}: index a folder first (purecontext-mcp index <dir>), or point --data-dir or PCTX_DATA_DIR at your data folder',
  },
  MCP_CONFIG_INVALID: {
    code: 'PCTX_ERR_MCP_CONFIG_INVALID',
    status: 400,
    message: 'The MCP client configuration {file} cannot be updated: {reason}. Nothing was changed; fix or move the file and run again',
  },
  INTERNAL: {
    code: 'PCTX_ERR_INTERNAL',
    status: 500,
    message: 'Internal error: {reason}',
  },
} as const satisfies Record<string, { code: `PCTX_ERR_${string}`; status: number; message: string }>;

export type ErrorName = keyof typeof ERRORS;
export type ErrorCode = (typeof ERRORS)[ErrorName]['code'];
export type ErrorDetails = Record<string, unknown>;

function fill(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (!(key in details)) return whole;
    const value = details[key];
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  });
}

/** An error with a stable code from the registry. */
export class PctxError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(name: ErrorName, details: ErrorDetails = {}, options?: { cause?: unknown; message?: string }) {
    const entry = ERRORS[name];
    super(options?.message ?? fill(entry.message, details), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PctxError';
    this.code = entry.code;
    this.status = entry.status;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isPctxError(err: unknown, name?: ErrorName): err is PctxError {
  return err instanceof PctxError && (name === undefined || err.code === ERRORS[name].code);
}

/** Wraps anything thrown into a PctxError; unknown failures become INTERNAL. */
/**
 * OS and SQLite codes that mean the disk (or the process's file-size limit) is full.
 * They are the server's state, not a bug: callers get DISK_FULL (507), not INTERNAL.
 */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL']);

/** Whether `err`, or an error it wraps, is a full disk. */
export function isDiskFull(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && DISK_FULL_CODES.has(code)) || isDiskFull(err.cause, depth + 1);
}

/**
 * The process (EMFILE) or the system (ENFILE) ran out of file descriptors. Also matched in
 * messages: a worker thread that cannot load its modules reports it only there.
 */
export function isOutOfFileDescriptors(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EMFILE' || code === 'ENFILE' || /\bE[MN]FILE\b/.test(err.message) || isOutOfFileDescriptors(err.cause, depth + 1);
}

export function toPctxError(err: unknown): PctxError {
  if (err instanceof PctxError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (isDiskFull(err)) return new PctxError('DISK_FULL', { reason }, { cause: err });
  if (isOutOfFileDescriptors(err)) return new PctxError('TOO_MANY_OPEN_FILES', { reason }, { cause: err });
  return new PctxError('INTERNAL', { reason }, { cause: err });
}

/** Shorthand for the most common validation failure. */
export function invalidArgument(option: string, reason: string): PctxError {
  return new PctxError('INVALID_ARGUMENT', { option, reason });
}

const NAME_BY_CODE: ReadonlyMap<string, ErrorName> = new Map(
  (Object.keys(ERRORS) as ErrorName[]).map((name) => [ERRORS[name].code, name]),
);

function mapStrings(value: unknown, fn: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return fn(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn, depth + 1)]));
}

/**
 * The same error (code, status, cause) with `fn` applied to its message and to every
 * string in its details: how server paths are kept from remote callers.
 */
export function redactPctxError(err: PctxError, fn: (text: string) => string): PctxError {
  const name = NAME_BY_CODE.get(err.code) ?? 'INTERNAL';
  const redacted = new PctxError(name, mapStrings(err.details, fn) as ErrorDetails, { message: fn(err.message), cause: err.cause ?? err });
  return redacted;
}

/** Rebuilds an error that crossed a thread or process boundary as `PctxError#toJSON()`. */
export function errorFromJSON(json: { code: string; message: string; details?: ErrorDetails }): PctxError {
  const name = NAME_BY_CODE.get(json.code) ?? 'INTERNAL';
  return new PctxError(name, json.details ?? {}, { message: json.message });
}
