/**
 * Public API of PureContext as a library. Everything not exported here is internal and
 * may change between releases.
 */

export { Engine } from './engine/engine.js';
export type { EngineOptions, IndexRunOptions } from './engine/engine.js';
export type { IndexFolderOptions, IndexProgress, IndexPhase, IndexResult, SkippedEntry, VectorSyncMode } from './engine/indexer/index-run.js';
export type { SearchResult, SymbolHit } from './engine/queries/search-symbols.js';
export type { SymbolSource, FileState } from './engine/queries/symbol-source.js';
export type { FileContent, FileOutline, OutlineNode } from './engine/queries/files.js';
export type { DeleteRepoResult, RepoSummary } from './engine/queries/repos.js';
export type { Dependency, Importer } from './engine/queries/dependencies.js';
export type { SymbolInfo } from './engine/queries/lookup.js';
export { SEARCH_MODES } from './engine/params.js';
export { resolveAllowedPath } from './engine/allowed-roots.js';
export type { LockedIndexFolder } from './engine/engine.js';

export { DEFAULT_ARCHIVE_LIMITS, ingestArchive } from './ingest/index.js';
export type { ArchiveLimits, ExtractResult, IngestArchiveOptions, IngestProgress, IngestResult } from './ingest/index.js';

export { createEmbedder, resolveEmbedderConfig } from './engine/embed/create-embedder.js';
export type { EmbedderConfig, ResolvedEmbedderConfig } from './engine/embed/create-embedder.js';
export type { EmbeddingProvider, SymbolFields } from './engine/embed/provider.js';

export { TenantDbPool, TenantLease, defaultMaxHandles } from './tenant/tenant-pool.js';
export type { PoolMetrics, TenantPoolOptions } from './tenant/tenant-pool.js';
export { tenantPaths } from './tenant/tenant-paths.js';
export type { TenantPaths } from './tenant/tenant-paths.js';
export { folderSize, quotaExceeded, tenantDiskUsage, uploadsDiskUsage } from './tenant/quota.js';
export { LOCAL_TENANT_ID, LOCAL_TENANT_NAME, isTenantId } from './tenant-id.js';

export { openControlDb } from './control/index.js';
export type { ApiKeyRecord, ControlPlane, Permission, RequestLog, Tenant, TenantStore } from './control/index.js';

export { ApiKeyAuthenticator, extractApiKey, generateApiKey, hashApiKey, parseApiKey, requirePermission } from './auth/index.js';
export type { AuthResult, KeyEnvironment, ParsedApiKey, Principal, UnauthorizedReason } from './auth/index.js';
export { DEFAULT_RATE_LIMIT, RateLimiter, TokenBucketLimiter, rateLimitHeaders, rateLimitedError, validateRateLimitConfig } from './ratelimit/index.js';
export type { ConsumeResult, RateLimitConfig, RateLimitDecision, TokenBucketOptions } from './ratelimit/index.js';

export { backupTenant } from './admin/backup-tenant.js';
export type { BackupOptions, BackupResult } from './admin/backup-tenant.js';
export { restoreTenant } from './admin/restore-tenant.js';
export type { RestoreOptions, RestoreResult } from './admin/restore-tenant.js';
export { deleteTenant, resumePendingDeletes, settleTenantRemovals } from './admin/delete-tenant.js';
export type { AdminContext } from './admin/admin-context.js';
export { reconcileDataDir } from './admin/reconcile.js';
export { tenantGuard } from './admin/tenant-guard.js';
export type { ReconcileOptions, ReconcileReport } from './admin/reconcile.js';
export type { BackupManifest } from './admin/backup-manifest.js';

export { createMcpServer, PctxMcpServer } from './mcp/mcp-server.js';
export { MAX_STDIO_MESSAGE_BYTES, StdioTransport } from './mcp/stdio-transport.js';
export type { StdioTransportOptions } from './mcp/stdio-transport.js';
export type { McpServerOptions } from './mcp/mcp-server.js';
export { TOOLS } from './mcp/tools.js';

export { loadConfig } from './config.js';
export type { PctxConfig } from './config.js';
export { ERRORS, PctxError, isPctxError } from './errors.js';
export type { ErrorCode, ErrorName } from './errors.js';
export { LANGUAGES, SYMBOL_KINDS } from './parse/types.js';
export type { LanguageId, SymbolKind } from './parse/types.js';
