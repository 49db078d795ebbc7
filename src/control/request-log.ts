/**
 * The contract for the request log: one row per tool call, kept for usage stats and
 * debugging, pruned by age. Stats are computed from the rows, never kept as counters.
 */

/** `unauthorized`: refused with 401 before reaching a tenant (missing, bad or revoked key). */
export const REQUEST_STATUSES = ['success', 'error', 'rate_limited', 'unauthorized'] as const;

export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface RequestLogEntry {
  /** null for requests that never reached a tenant (bad key, anonymous). */
  tenantId: string | null;
  tool: string;
  /** Rounded to whole milliseconds when stored. */
  durationMs: number;
  status: RequestStatus;
  /** A `PCTX_ERR_*` code for failed requests. @default null */
  errorCode?: string | null;
  /** Truncated to `ERROR_MESSAGE_MAX_LENGTH` characters. @default null */
  errorMessage?: string | null;
  /** @default now */
  timestamp?: Date;
}

export interface RequestStatsQuery {
  /** @default all tenants, and requests without one */
  tenantId?: string;
  /** Inclusive lower bound. */
  since: Date;
}

export interface RequestStats {
  requests: number;
  errors: number;
  rateLimited: number;
  /** Requests refused with 401 (no tenant unless the stats are for all). */
  unauthorized: number;
  /** Requests per tool, whatever their status. */
  byTool: Record<string, number>;
}

/**
 * Appending is on every request's path, so it only validates and buffers; rows reach
 * storage in batches. Everything that reads (`stats`, `prune`) flushes first, so it sees
 * every entry appended before the call.
 */
export interface RequestLog {
  /**
   * Buffers one entry. Invalid entry → INVALID_ARGUMENT (INVALID_TENANT_ID for a malformed
   * tenant id), thrown at once so the caller's bug shows. Never throws for a storage
   * failure: background flush errors go to the `onFlushError` option. After close → throws.
   */
  append(entry: RequestLogEntry): void;

  /** Writes buffered entries in one transaction. Nothing buffered → does nothing. */
  flush(): void;

  /**
   * Deletes entries older than `olderThan` in bounded chunks, so other writers get the
   * lock between chunks, and returns how many were deleted. Nothing old → 0; called twice
   * → the second call returns 0.
   */
  prune(olderThan: Date): number;

  /** Counts entries since `query.since`, optionally for one tenant. */
  stats(query: RequestStatsQuery): RequestStats;
}
