/**
 * The control-plane schema as an append-only list of forward migrations. Migration N
 * brings `PRAGMA user_version` from N-1 to N; never edit a shipped entry, add a new one.
 *
 * The CHECK constraints repeat the rules of `tenant-input.ts` and `api-key-input.ts` so
 * that rows written by hand (an operator's sqlite3 shell, a restore script) cannot create
 * a tenant id that is unsafe as a path or a status the code does not know.
 */

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const CONTROL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tenants, api_keys, request_log',
    sql: `
      CREATE TABLE tenants (
        id TEXT PRIMARY KEY NOT NULL
          CHECK (length(id) = 8 AND id NOT GLOB '*[^0-9a-f]*'),
        name TEXT NOT NULL UNIQUE
          CHECK (length(name) BETWEEN 1 AND 64 AND name GLOB '[A-Za-z0-9]*' AND name NOT GLOB '*[^A-Za-z0-9._-]*'),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}'
          CHECK (json_valid(settings) AND json_type(settings) = 'object'),
        storage_quota_bytes INTEGER
          CHECK (storage_quota_bytes IS NULL OR storage_quota_bytes > 0),
        status TEXT NOT NULL DEFAULT 'active'
          CHECK (status IN ('active', 'deleting')),
        deleting_since TEXT,
        CHECK ((status = 'deleting') = (deleting_since IS NOT NULL))
      ) STRICT;

      CREATE TABLE api_keys (
        key_hash TEXT PRIMARY KEY NOT NULL
          CHECK (length(key_hash) = 64 AND key_hash NOT GLOB '*[^0-9a-f]*'),
        key_prefix TEXT NOT NULL UNIQUE
          CHECK (length(key_prefix) BETWEEN 8 AND 64),
        tenant_id TEXT NOT NULL REFERENCES tenants(id),
        permissions TEXT NOT NULL
          CHECK (json_valid(permissions) AND json_type(permissions) = 'array' AND json_array_length(permissions) > 0),
        rate_limit_tier TEXT NOT NULL DEFAULT 'standard',
        label TEXT,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX idx_api_keys_tenant ON api_keys(tenant_id);

      -- No foreign key on tenant_id: the log outlives purged tenants, and anonymous or
      -- unauthenticated requests have no tenant.
      CREATE TABLE request_log (
        id INTEGER PRIMARY KEY,
        timestamp TEXT NOT NULL,
        tenant_id TEXT,
        tool TEXT NOT NULL,
        duration_ms INTEGER,
        status TEXT NOT NULL CHECK (status IN ('success', 'error', 'rate_limited')),
        error_code TEXT,
        error_message TEXT
      ) STRICT;
      CREATE INDEX idx_request_log_tenant ON request_log(tenant_id, timestamp);
      CREATE INDEX idx_request_log_timestamp ON request_log(timestamp);
    `,
  },
  {
    version: 2,
    description: "request_log.status accepts 'unauthorized'",
    // SQLite cannot change a CHECK in place: the table is rebuilt under the same name.
    sql: `
      CREATE TABLE request_log_v2 (
        id INTEGER PRIMARY KEY,
        timestamp TEXT NOT NULL,
        tenant_id TEXT,
        tool TEXT NOT NULL,
        duration_ms INTEGER,
        status TEXT NOT NULL CHECK (status IN ('success', 'error', 'rate_limited', 'unauthorized')),
        error_code TEXT,
        error_message TEXT
      ) STRICT;
      INSERT INTO request_log_v2 (id, timestamp, tenant_id, tool, duration_ms, status, error_code, error_message)
        SELECT id, timestamp, tenant_id, tool, duration_ms, status, error_code, error_message FROM request_log;
      DROP TABLE request_log;
      ALTER TABLE request_log_v2 RENAME TO request_log;
      CREATE INDEX idx_request_log_tenant ON request_log(tenant_id, timestamp);
      CREATE INDEX idx_request_log_timestamp ON request_log(timestamp);
    `,
  },
];

/** The highest schema version this build can read and write. */
export const CONTROL_SCHEMA_VERSION = CONTROL_MIGRATIONS.length;
