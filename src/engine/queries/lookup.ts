import type { Statement } from 'better-sqlite3';
import { PctxError } from '../../errors.js';
import type { TenantDb } from '../../tenant/tenant-db.js';

const statements = new WeakMap<TenantDb, Map<string, Statement>>();

/**
 * A prepared statement of this connection, prepared once. Preparing costs ~20 µs a
 * statement, a tenth of a keyword search; the cache lives and dies with the handle.
 */
export function cached(db: TenantDb, sql: string): Statement {
  let byText = statements.get(db);
  if (!byText) statements.set(db, (byText = new Map()));
  let statement = byText.get(sql);
  if (!statement) byText.set(sql, (statement = db.prepare(sql)));
  return statement;
}

export interface RepoRecord {
  id: number;
  name: string;
  rootPath: string;
  /** When its last index run committed; every answer carries it (freshness.ts). */
  indexedAt: string | null;
}

export interface FileRow {
  id: number;
  path: string;
  language: string;
  contentHash: string;
  size: number;
  mtimeMs: number;
  lineCount: number;
  hasErrors: number;
}

/** Repo by public name within the tenant; REPO_NOT_FOUND otherwise. */
export function requireRepo(db: TenantDb, tenantId: string, name: string): RepoRecord {
  const row = cached(db, 'SELECT id, name, root_path AS rootPath, indexed_at AS indexedAt FROM repos WHERE tenant_id = ? AND name = ?').get(tenantId, name) as
    | RepoRecord
    | undefined;
  if (!row) throw new PctxError('REPO_NOT_FOUND', { repo: name });
  return row;
}

/** Normalises a user-given repo path: `\\` → `/`, no leading `./` or `/`. */
export function normalizeRepoPath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

function trimLeading(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/**
 * The indexed file at `rawPath`. The path as given is tried first: on Linux and macOS a
 * backslash is an ordinary character of a file name (`back\slash.py`), and reading it as a
 * separator made such files unreachable. Only when no file has that exact path is `\`
 * taken as a Windows separator.
 */
export function requireFile(db: TenantDb, tenantId: string, repo: RepoRecord, rawPath: string): FileRow {
  const byPath = cached(
    db,
    `SELECT id, path, language, content_hash AS contentHash, size, mtime_ms AS mtimeMs, line_count AS lineCount, has_errors AS hasErrors
     FROM files WHERE tenant_id = ? AND repo_id = ? AND path = ?`,
  );
  const exact = trimLeading(rawPath);
  const path = normalizeRepoPath(rawPath);
  const row = (byPath.get(tenantId, repo.id, exact) ?? (path === exact ? undefined : byPath.get(tenantId, repo.id, path))) as FileRow | undefined;
  if (!row) throw new PctxError('FILE_NOT_FOUND', { repo: repo.name, path });
  return row;
}

/** Column list shared by every query that returns symbols; needs `s`, `f`, `r` aliases. */
export const SYMBOL_COLUMNS = `s.id AS rowId, s.uid AS id, s.name, s.qualified_name AS qualifiedName, s.kind, s.language,
  r.name AS repo, f.path AS filePath, s.start_line AS startLine, s.end_line AS endLine, s.signature, s.doc, s.local`;

/** What every query says about a symbol. */
export interface SymbolInfo {
  /** Public, stable id (see symbolUid). */
  id: string;
  name: string;
  qualifiedName: string;
  kind: string;
  language: string;
  repo: string;
  filePath: string;
  startLine: number;
  endLine: number;
  signature: string;
  /** Declared inside a function body (a closure, a local class or its member). */
  local: boolean;
}

export interface SymbolRow extends Omit<SymbolInfo, 'local'> {
  rowId: number;
  doc: string | null;
  /** 1 when declared inside a function body (SQLite has no booleans). */
  local: number;
}

/** The public fields of a row (drops the internal rowId and the doc). */
export function symbolInfo(row: SymbolRow): SymbolInfo {
  return {
    id: row.id,
    name: row.name,
    qualifiedName: row.qualifiedName,
    kind: row.kind,
    language: row.language,
    repo: row.repo,
    filePath: row.filePath,
    startLine: row.startLine,
    endLine: row.endLine,
    signature: row.signature,
    local: row.local === 1,
  };
}

/** First sentence of a doc comment, at most 160 characters: enough to choose, cheap to read. */
export function summarize(doc: string | null): string | null {
  if (!doc) return null;
  const firstParagraph = doc.trim().split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ');
  const sentence = /^(.+?[.!?])(\s|$)/.exec(firstParagraph)?.[1] ?? firstParagraph;
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}
