/**
 * Where buffered request-log entries go: the narrow interface a PostgreSQL control plane
 * would implement next to the SQLite one. The buffering policy stays in
 * `buffered-request-log.ts`, shared by both.
 */

import type { RequestStats, RequestStatus } from './request-log.js';

/** A validated entry, ready to store. Timestamps are ISO-8601 UTC strings. */
export interface LoggedRequest {
  timestamp: string;
  tenantId: string | null;
  tool: string;
  durationMs: number;
  status: RequestStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface RequestLogStorage {
  /**
   * Stores all rows or none. Rows have no natural key: called twice with the same rows,
   * it stores them twice, so callers hand each batch over once.
   */
  insertBatch(rows: readonly LoggedRequest[]): void;

  /** Deletes rows with `timestamp < olderThan`; returns the number deleted (0 if none). */
  prune(olderThan: string): number;

  /** Aggregates rows with `timestamp >= since`, for one tenant or all. */
  stats(since: string, tenantId: string | undefined): RequestStats;
}
