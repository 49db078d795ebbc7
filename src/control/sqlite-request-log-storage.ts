/**
 * RequestLogStorage on the SQLite control plane.
 */

import type { Database, Statement } from 'better-sqlite3';
import type { LoggedRequest, RequestLogStorage } from './request-log-storage.js';
import type { RequestStats, RequestStatus } from './request-log.js';

export interface SqliteRequestLogStorageOptions {
  /**
   * Rows deleted per transaction by `prune`. Each chunk holds the write lock only briefly,
   * so other processes' writes (key touches, log flushes) interleave with a large prune.
   */
  pruneChunkSize: number;
}

export class SqliteRequestLogStorage implements RequestLogStorage {
  readonly #insertBatch: (rows: readonly LoggedRequest[]) => void;
  readonly #pruneChunk: Statement<[{ before: string; limit: number }]>;
  readonly #countsForAll: Statement<[string], { tool: string; status: RequestStatus; n: number }>;
  readonly #countsForTenant: Statement<[string, string], { tool: string; status: RequestStatus; n: number }>;
  readonly #pruneChunkSize: number;

  constructor(db: Database, options: SqliteRequestLogStorageOptions) {
    this.#pruneChunkSize = options.pruneChunkSize;
    const insert = db.prepare<[LoggedRequest]>(
      `INSERT INTO request_log (timestamp, tenant_id, tool, duration_ms, status, error_code, error_message)
       VALUES (@timestamp, @tenantId, @tool, @durationMs, @status, @errorCode, @errorMessage)`,
    );
    this.#insertBatch = db.transaction((rows: readonly LoggedRequest[]) => {
      for (const row of rows) insert.run(row);
    }).immediate;
    // Oldest first through idx_request_log_timestamp, so each chunk is an index range scan.
    this.#pruneChunk = db.prepare(
      `DELETE FROM request_log WHERE id IN (
         SELECT id FROM request_log WHERE timestamp < @before ORDER BY timestamp LIMIT @limit)`,
    );
    this.#countsForAll = db.prepare(
      'SELECT tool, status, count(*) AS n FROM request_log WHERE timestamp >= ? GROUP BY tool, status',
    );
    this.#countsForTenant = db.prepare(
      'SELECT tool, status, count(*) AS n FROM request_log WHERE timestamp >= ? AND tenant_id = ? GROUP BY tool, status',
    );
  }

  insertBatch(rows: readonly LoggedRequest[]): void {
    if (rows.length > 0) this.#insertBatch(rows);
  }

  prune(olderThan: string): number {
    let total = 0;
    for (;;) {
      const { changes } = this.#pruneChunk.run({ before: olderThan, limit: this.#pruneChunkSize });
      total += changes;
      if (changes < this.#pruneChunkSize) return total;
    }
  }

  stats(since: string, tenantId: string | undefined): RequestStats {
    const groups = tenantId === undefined ? this.#countsForAll.all(since) : this.#countsForTenant.all(since, tenantId);
    // No prototype: tool names are caller data, and one could be "__proto__".
    const byTool = Object.create(null) as Record<string, number>;
    const stats: RequestStats = { requests: 0, errors: 0, rateLimited: 0, unauthorized: 0, byTool };
    for (const { tool, status, n } of groups) {
      stats.requests += n;
      if (status === 'error') stats.errors += n;
      if (status === 'rate_limited') stats.rateLimited += n;
      if (status === 'unauthorized') stats.unauthorized += n;
      byTool[tool] = (byTool[tool] ?? 0) + n;
    }
    return stats;
  }
}
