import type Database from 'better-sqlite3';
import { PctxError } from '../errors.js';

/**
 * Schema of one tenant's `index.db`. Versions are counted in `PRAGMA user_version`;
 * each migration runs in one transaction, so a crash mid-migration leaves the previous
 * version intact. Never edit a released migration: append a new one.
 *
 * Every data table carries `tenant_id` as defence in depth: the physical file is the
 * isolation boundary, and every query still filters on the column.
 */
const MIGRATIONS: readonly string[] = [
  // 1: repos, files, symbols (+ contentless FTS5), import edges, embeddings, meta.
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE repos (
    id           INTEGER PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    name         TEXT NOT NULL,
    root_path    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    indexed_at   TEXT,
    file_count   INTEGER NOT NULL DEFAULT 0,
    symbol_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, root_path)
  );

  CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    repo_id      INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    path         TEXT NOT NULL,
    language     TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    size         INTEGER NOT NULL,
    mtime_ms     INTEGER NOT NULL,
    line_count   INTEGER NOT NULL,
    content      TEXT NOT NULL,
    indexed_at   TEXT NOT NULL,
    UNIQUE (repo_id, path)
  );

  -- AUTOINCREMENT: symbol ids are HNSW labels and must never be reused.
  CREATE TABLE symbols (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      TEXT NOT NULL,
    repo_id        INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    file_id        INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    uid            TEXT NOT NULL,
    name           TEXT NOT NULL,
    qualified_name TEXT NOT NULL,
    kind           TEXT NOT NULL,
    language       TEXT NOT NULL,
    start_line     INTEGER NOT NULL,
    end_line       INTEGER NOT NULL,
    start_byte     INTEGER NOT NULL,
    end_byte       INTEGER NOT NULL,
    signature      TEXT NOT NULL,
    doc            TEXT,
    parent_id      INTEGER
  );
  -- Not (tenant_id, uid): the column is constant within a file, and as a leading column
  -- it made the planner prefer this index for every tenant_id = ? query.
  CREATE UNIQUE INDEX symbols_uid ON symbols (uid);
  CREATE INDEX symbols_file ON symbols (file_id);
  CREATE INDEX symbols_name ON symbols (name COLLATE NOCASE);

  -- Contentless: the token text is derived from symbols, so it is not stored twice.
  -- Full detail: with detail=column, bm25() of a contentless table is 0 for every row.
  CREATE VIRTUAL TABLE symbols_fts USING fts5 (
    name, qualified, signature, doc,
    content = '',
    contentless_delete = 1,
    -- Prefix queries of 2-6 characters read one precomputed doclist instead of merging
    -- every matching term (test* on 70k symbols: 6.6 ms -> 0.5 ms).
    prefix = '2 3 4 5 6',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_$'"
  );
  -- Column weights of the rank column: name, qualified name, signature, doc.
  INSERT INTO symbols_fts (symbols_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 2.0, 1.0)');

  CREATE TABLE dep_edges (
    id           INTEGER PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    repo_id      INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    from_file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    specifier    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    line         INTEGER NOT NULL,
    names        TEXT NOT NULL DEFAULT '[]',
    -- Resolved repo-relative target, NULL when external or unresolved. A path, not a
    -- file id, so that re-indexing the target never leaves the edge dangling.
    to_path      TEXT
  );
  CREATE INDEX dep_edges_from ON dep_edges (from_file_id);
  CREATE INDEX dep_edges_to ON dep_edges (repo_id, to_path);

  -- One quantized vector per symbol; the HNSW file is derived from this table.
  CREATE TABLE embeddings (
    symbol_id INTEGER PRIMARY KEY REFERENCES symbols(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL,
    vector    BLOB NOT NULL
  );
  `,
  // 2: remember files tree-sitter could not parse cleanly; their outline may be partial.
  `
  ALTER TABLE files ADD COLUMN has_errors INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: symbols declared inside function bodies (closures, local classes) are marked so
  // that ranking and outlines can tell them apart; each repository remembers its
  // --include/--exclude patterns (JSON arrays) and the extractor version that parsed it,
  // so a newer extractor re-parses files whose content did not change.
  `
  ALTER TABLE symbols ADD COLUMN local INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE repos ADD COLUMN include_patterns TEXT;
  ALTER TABLE repos ADD COLUMN exclude_patterns TEXT;
  ALTER TABLE repos ADD COLUMN extractor_version INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: search by sentence. The FTS table gains the file path and the identifiers of each
  // body (analysed by engine/search-terms.ts); files count their importers and symbols
  // the import statements naming them (ranking signals). FTS text is derived by the
  // parser, and a contentless table cannot be rebuilt from SQL: the old rows go and every
  // file is marked for a re-parse by the next index run. Until then keyword search finds
  // symbols by name only.
  `
  DROP TABLE symbols_fts;
  CREATE VIRTUAL TABLE symbols_fts USING fts5 (
    name, qualified, path, signature, doc, body,
    content = '',
    contentless_delete = 1,
    prefix = '2 3 4 5 6',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_$'"
  );
  -- Column weights: name, enclosing names, path, signature, doc, body identifiers.
  INSERT INTO symbols_fts (symbols_fts, rank) VALUES ('rank', 'bm25(10.0, 3.0, 3.0, 2.0, 2.0, 0.5)');
  -- Document frequency of every term: query words are weighed and chosen by it.
  CREATE VIRTUAL TABLE symbols_vocab USING fts5vocab (symbols_fts, 'row');
  ALTER TABLE symbols ADD COLUMN body_terms TEXT NOT NULL DEFAULT '';
  ALTER TABLE symbols ADD COLUMN importers INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE files ADD COLUMN importers INTEGER NOT NULL DEFAULT 0;
  UPDATE files SET content_hash = '', mtime_ms = -1;
  `,
];

export const TENANT_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` up to the current schema. Idempotent. Throws SCHEMA_TOO_NEW for a file
 * written by a newer build rather than guessing at its layout.
 */
export function migrateTenantDb(db: Database.Database, tenantId: string, file: string, target: number = TENANT_SCHEMA_VERSION): void {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > TENANT_SCHEMA_VERSION) {
    throw new PctxError('SCHEMA_TOO_NEW', { file, found, supported: TENANT_SCHEMA_VERSION });
  }
  // `target` below the current version exists for tests that need an older layout.
  for (let version = found; version < target; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      if (version === 0) {
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('tenant_id', tenantId);
      }
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
