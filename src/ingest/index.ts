/**
 * Uploaded repositories: safe extraction of a tar.gz into the tenant's own folder and
 * indexing it. The HTTP route `POST /v1/repos/:name/archive` and `purecontext-mcp push`
 * (its client) are thin layers over `ingestArchive`.
 */
export { ingestArchive, type IngestArchiveOptions, type IngestProgress, type IngestResult } from './ingest-archive.js';
export { extractArchive, type ExtractOptions, type ExtractProgress, type ExtractResult } from './archive-extract.js';
export { DEFAULT_ARCHIVE_LIMITS, resolveArchiveLimits, type ArchiveLimits } from './archive-limits.js';
export { memberPath } from './member-path.js';
