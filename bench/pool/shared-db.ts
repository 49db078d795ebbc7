import Database from 'better-sqlite3';
import type { SearchSymbolsParams } from '../../src/engine/params.js';
import { SYMBOL_COLUMNS, cached } from '../../src/engine/queries/lookup.js';
import { rankCandidates, type Ranked, type SearchRow } from '../../src/engine/queries/search-symbols.js';
import { RowCopier } from './row-copier.js';
import type { Template } from './templates.js';

/**
 * The classic multi-tenant layout, as the baseline: ONE SQLite file holding every tenant,
 * the same tables as the per-tenant schema (src/tenant/tenant-schema.ts), with tenant_id
 * leading the indexes that queries and deletes go through, and one FTS5 table whose extra
 * `tenant` column holds the tenant id as a token, so a query restricts itself with
 * `tenant : "<id>" AND (…)` inside FTS5 instead of filtering another tenant's matches
 * afterwards. Same tokenizer, prefix indexes and column weights (the tenant column weighs 0).
 */
const SHARED_SCHEMA = `
  CREATE TABLE repos (
    id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, root_path TEXT NOT NULL,
    created_at TEXT NOT NULL, indexed_at TEXT, file_count INTEGER NOT NULL DEFAULT 0, symbol_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, name), UNIQUE (tenant_id, root_path)
  );
  CREATE TABLE files (
    id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    path TEXT NOT NULL, language TEXT NOT NULL, content_hash TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,
    line_count INTEGER NOT NULL, content TEXT NOT NULL, indexed_at TEXT NOT NULL, importers INTEGER NOT NULL DEFAULT 0, UNIQUE (repo_id, path)
  );
  CREATE INDEX files_tenant ON files (tenant_id);
  CREATE TABLE symbols (
    id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE, uid TEXT NOT NULL, name TEXT NOT NULL, qualified_name TEXT NOT NULL,
    kind TEXT NOT NULL, language TEXT NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL, start_byte INTEGER NOT NULL,
    end_byte INTEGER NOT NULL, signature TEXT NOT NULL, doc TEXT, parent_id INTEGER, local INTEGER NOT NULL DEFAULT 0,
    body_terms TEXT NOT NULL DEFAULT '', importers INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX symbols_uid ON symbols (tenant_id, uid);
  CREATE INDEX symbols_file ON symbols (file_id);
  CREATE INDEX symbols_tenant_name ON symbols (tenant_id, name COLLATE NOCASE);
  CREATE VIRTUAL TABLE symbols_fts USING fts5 (
    name, qualified, path, signature, doc, body, tenant,
    content = '', contentless_delete = 1, prefix = '2 3 4 5 6',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_$'"
  );
  INSERT INTO symbols_fts (symbols_fts, rank) VALUES ('rank', 'bm25(10.0, 3.0, 3.0, 2.0, 2.0, 0.5, 0.0)');
  CREATE VIRTUAL TABLE symbols_vocab USING fts5vocab (symbols_fts, 'row');
  CREATE TABLE dep_edges (
    id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    from_file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE, specifier TEXT NOT NULL, kind TEXT NOT NULL,
    line INTEGER NOT NULL, names TEXT NOT NULL DEFAULT '[]', to_path TEXT
  );
  CREATE INDEX dep_edges_tenant ON dep_edges (tenant_id);
  CREATE INDEX dep_edges_from ON dep_edges (from_file_id);
  CREATE INDEX dep_edges_to ON dep_edges (repo_id, to_path);
  CREATE TABLE embeddings (
    symbol_id INTEGER PRIMARY KEY REFERENCES symbols(id) ON DELETE CASCADE, tenant_id TEXT NOT NULL, vector BLOB NOT NULL
  );
  CREATE INDEX embeddings_tenant ON embeddings (tenant_id);
`;

/**
 * Opens the shared database with the pragmas of a tenant handle (src/tenant/tenant-db.ts)
 * and a page cache equal to the per-tenant pool's whole budget (handles × cache per handle),
 * so neither design gets more memory than the other.
 */
export function openShared(file: string, cacheKiB: number): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${cacheKiB}`);
  db.pragma('temp_store = MEMORY');
  db.pragma('journal_size_limit = 16777216');
  return db;
}

/** Creates the shared database and loads every tenant into it, tenant after tenant. */
export function buildShared(
  file: string,
  templates: Template[],
  tenants: { ids: string[]; templateOf: number[] },
  onProgress: (done: number) => void,
): { ms: number } {
  const started = performance.now();
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // Bulk load of generated data: no fsync, a big cache; the measured connection is opened later.
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.exec(SHARED_SCHEMA);
    const copier = new RowCopier(db, true);
    const BATCH = 250;
    for (let at = 0; at < tenants.ids.length; at += BATCH) {
      db.transaction(() => {
        for (let i = at; i < Math.min(tenants.ids.length, at + BATCH); i++) {
          const t = templates[tenants.templateOf[i]!]!;
          const repoId = copier.addRepo(tenants.ids[i]!, t, t.repo.name, t.files.length, t.symbols.length);
          copier.copyRows(tenants.ids[i]!, t, repoId);
        }
      })();
      onProgress(Math.min(tenants.ids.length, at + BATCH));
    }
    db.pragma('optimize');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return { ms: performance.now() - started };
}

/** Adds `copies` copies of a template as one more tenant (the one whose delete is timed). */
export function addBigTenant(file: string, tenantId: string, t: Template, copies: number): number {
  const db = new Database(file);
  try {
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const copier = new RowCopier(db, true);
    let symbols = 0;
    db.transaction(() => {
      const repoId = copier.addRepo(tenantId, t, 'big', t.files.length * copies, t.symbols.length * copies);
      for (let k = 0; k < copies; k++) symbols += copier.copyRows(tenantId, t, repoId, `copy-${k}/`, `@copy${k}`);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return symbols;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------
// keywordSearch for the shared layout: the algorithm of src/engine/queries/search-symbols.ts
// step for step — rankCandidates itself, fed by this layout's statements (and the same
// statement cache) — with the tenant restriction moved into the indexes: the name B-tree
// leads with tenant_id and every FTS5 expression is ANDed with the tenant's token.
// ---------------------------------------------------------------------------------------

const COLUMNS = `${SYMBOL_COLUMNS}, s.body_terms AS bodyTerms, s.importers, f.importers AS fileImporters`;

function scoped(tenantId: string, match: string): string {
  return `tenant : "${tenantId}" AND (${match})`;
}

function probe(db: Database.Database, tenantId: string, match: string, cap: number): number[] {
  return cached(db, 'SELECT rowid FROM symbols_fts WHERE symbols_fts MATCH @match LIMIT @cap').pluck().all({ match: scoped(tenantId, match), cap }) as number[];
}

function rankedIds(db: Database.Database, tenantId: string, match: string, n: number): number[] {
  return cached(db, 'SELECT rowid FROM symbols_fts WHERE symbols_fts MATCH @match ORDER BY rank LIMIT @n').pluck().all({ match: scoped(tenantId, match), n }) as number[];
}

function rowsByIds(db: Database.Database, tenantId: string, ids: number[]): SearchRow[] {
  const sql = `SELECT ${COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
    WHERE s.id IN (SELECT value FROM json_each(@ids)) AND s.tenant_id = @tenantId`;
  return cached(db, sql).all({ ids: JSON.stringify(ids), tenantId }) as SearchRow[];
}

function nameRows(db: Database.Database, tenantId: string, word: string, n: number): SearchRow[] {
  const sql = `SELECT ${COLUMNS} FROM symbols s INDEXED BY symbols_tenant_name JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
    WHERE s.tenant_id = @tenantId AND s.name >= @word COLLATE NOCASE AND s.name < @upper COLLATE NOCASE ORDER BY s.name COLLATE NOCASE LIMIT @n`;
  return cached(db, sql).all({ word, upper: `${word}\u{10FFFF}`, n, tenantId }) as SearchRow[];
}

export function sharedKeywordSearch(db: Database.Database, tenantId: string, params: SearchSymbolsParams, limit = params.limit): Ranked[] {
  return rankCandidates(
    {
      nameRows: (word, n) => nameRows(db, tenantId, word, n),
      probe: (match, cap) => probe(db, tenantId, match, cap),
      rankedIds: (match, n) => rankedIds(db, tenantId, match, n),
      rowsByIds: (ids) => rowsByIds(db, tenantId, ids),
      // Document frequencies over every tenant of the file: the shared layout has no other.
      docFreq: (term) => (cached(db, 'SELECT doc FROM symbols_vocab WHERE term = ?').pluck().get(term) as number | undefined) ?? 0,
      totalDocs: () => cached(db, 'SELECT count(*) FROM symbols WHERE tenant_id = ?').pluck().get(tenantId) as number,
    },
    params.query,
    limit,
  );
}

/**
 * Deletes one tenant from the shared database the way the classic design must: every
 * row of every table (FTS rows first, by the tenant's symbol ids) in one transaction.
 * Children go before parents, so foreign-key enforcement (which would scan symbols for
 * each repo: symbols.repo_id has no index, in either layout) is off for it.
 */
export function sharedDelete(db: Database.Database, tenantId: string): { deleteMs: number; checkpointMs: number; rows: number; freelistBytes: number } {
  db.pragma('foreign_keys = OFF');
  const started = performance.now();
  let rows = 0;
  db.transaction(() => {
    rows += db.prepare('DELETE FROM symbols_fts WHERE rowid IN (SELECT id FROM symbols WHERE tenant_id = ?)').run(tenantId).changes;
    for (const table of ['embeddings', 'dep_edges', 'symbols', 'files', 'repos']) rows += db.prepare(`DELETE FROM ${table} WHERE tenant_id = ?`).run(tenantId).changes;
  }).immediate();
  const deleted = performance.now();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const checkpointed = performance.now();
  db.pragma('foreign_keys = ON');
  const freelist = db.pragma('freelist_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  return { deleteMs: deleted - started, checkpointMs: checkpointed - deleted, rows, freelistBytes: freelist * pageSize };
}
