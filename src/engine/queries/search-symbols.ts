import type { TenantDb } from '../../tenant/tenant-db.js';
import type { VectorIndex } from '../../tenant/vector-index.js';
import { splitIdentifier } from '../tokens.js';
import type { SearchSymbolsParams } from '../params.js';
import { SYMBOL_COLUMNS, requireRepo, summarize, type SymbolRow } from './lookup.js';

export interface SymbolHit {
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
  /** First sentence of the doc comment, when there is one. */
  summary: string | null;
  /** Higher is better; comparable only within one response. */
  score: number;
}

export interface SearchResult {
  query: string;
  mode: SearchSymbolsParams['mode'];
  results: SymbolHit[];
}

/** Reciprocal rank fusion constant (Cormack et al.). */
const RRF_K = 60;

function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/** Prefix-match only terms long enough that the expansion stays small. */
function termFor(token: string): string {
  return token.length >= 3 ? `${quote(token)}*` : quote(token);
}

export interface ParsedQuery {
  /** Words of the query, lowercased, as written (`getuserbyid`, `user_service`). */
  words: string[];
  /** All words must match. */
  all: string;
  /** Any word may match (recall fallback for descriptive queries). */
  any: string;
}

/**
 * Turns a free-form query into FTS5 expressions. Each word matches either as a whole
 * token (`getUserById` → the name token `getuserbyid*`) or through its sub-words
 * (`get AND user AND by AND id*`), so `userById`, `get_user` and `GetUser` all find
 * `getUserById`. Returns null when the query has no searchable characters.
 */
export function parseQuery(query: string): ParsedQuery | null {
  const raw = query.split(/[^\p{L}\p{N}_$]+/u).filter((w) => w.length > 0);
  if (raw.length === 0) return null;
  const words: string[] = [];
  const clauses: string[] = [];
  for (const word of raw.slice(0, 16)) {
    const full = word.toLowerCase();
    words.push(full);
    const subs = splitIdentifier(word);
    const alternatives = [termFor(full)];
    if (subs.length > 1 || (subs.length === 1 && subs[0] !== full)) {
      alternatives.push(`(${subs.map((s, i) => (i === subs.length - 1 ? termFor(s) : quote(s))).join(' AND ')})`);
    }
    clauses.push(alternatives.length > 1 ? `(${alternatives.join(' OR ')})` : alternatives[0]!);
  }
  return { words, all: clauses.join(' AND '), any: clauses.join(' OR ') };
}

interface Filters {
  sql: string;
  args: Record<string, unknown>;
  any: boolean;
}

function filtersFor(db: TenantDb, tenantId: string, params: SearchSymbolsParams): Filters {
  const clauses: string[] = [];
  const args: Record<string, unknown> = {};
  if (params.kind) {
    clauses.push('s.kind = @kind');
    args.kind = params.kind;
  }
  if (params.language) {
    clauses.push('s.language = @language');
    args.language = params.language;
  }
  if (params.repo) {
    clauses.push('s.repo_id = @repoId');
    args.repoId = requireRepo(db, tenantId, params.repo).id;
  }
  if (params.pathPrefix) {
    const prefix = params.pathPrefix.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    clauses.push('substr(f.path, 1, @prefixLen) = @prefix');
    args.prefix = prefix;
    args.prefixLen = prefix.length;
  }
  return { sql: clauses.map((c) => ` AND ${c}`).join(''), args, any: clauses.length > 0 };
}

type RankedRow = SymbolRow & { rank: number };

function ftsCandidates(db: TenantDb, tenantId: string, match: string, filters: Filters, n: number): RankedRow[] {
  if (!filters.any) {
    // Let FTS5 pick the top n by rank first, then join only those rows.
    return db
      .prepare(
        `WITH hits AS (SELECT rowid, rank FROM symbols_fts WHERE symbols_fts MATCH @match ORDER BY rank LIMIT @n)
         SELECT ${SYMBOL_COLUMNS}, hits.rank AS rank
         FROM hits JOIN symbols s ON s.id = hits.rowid JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
         WHERE s.tenant_id = @tenantId ORDER BY hits.rank`,
      )
      .all({ match, n, tenantId }) as RankedRow[];
  }
  return db
    .prepare(
      `SELECT ${SYMBOL_COLUMNS}, symbols_fts.rank AS rank
       FROM symbols_fts JOIN symbols s ON s.id = symbols_fts.rowid JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
       WHERE symbols_fts MATCH @match AND s.tenant_id = @tenantId${filters.sql}
       ORDER BY symbols_fts.rank LIMIT @n`,
    )
    .all({ match, n, tenantId, ...filters.args }) as RankedRow[];
}

function exactNameRows(db: TenantDb, tenantId: string, name: string, filters: Filters): SymbolRow[] {
  return db
    .prepare(
      `SELECT ${SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
       WHERE s.name = @name COLLATE NOCASE AND s.tenant_id = @tenantId${filters.sql} LIMIT 25`,
    )
    .all({ name, tenantId, ...filters.args }) as SymbolRow[];
}

function toHit(row: SymbolRow, score: number): SymbolHit {
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
    summary: summarize(row.doc),
    score: Math.round(score * 1e4) / 1e4,
  };
}

/**
 * Keyword search: FTS5 BM25 (names weigh most, then qualified names, signatures, docs),
 * then boosts for an exact name (×4) or a name starting with the query (×2). Symbols
 * whose name equals the query are always considered, whatever their BM25 rank. When
 * requiring every word finds too little, any word may match.
 */
export function keywordSearch(db: TenantDb, tenantId: string, params: SearchSymbolsParams, limit = params.limit): { row: SymbolRow; score: number }[] {
  const parsed = parseQuery(params.query);
  if (!parsed) return [];
  const filters = filtersFor(db, tenantId, params);
  const pool = Math.max(40, limit * 4);
  let rows = ftsCandidates(db, tenantId, parsed.all, filters, pool);
  if (rows.length < limit && parsed.words.length > 1) {
    const seen = new Set(rows.map((r) => r.rowId));
    for (const row of ftsCandidates(db, tenantId, parsed.any, filters, pool)) {
      // Partial matches rank below every full match.
      if (!seen.has(row.rowId)) rows.push({ ...row, rank: row.rank / 4 });
    }
  }
  const joined = parsed.words.join('');
  const joinedWithDots = parsed.words.join('.');
  const scored = new Map<number, { row: SymbolRow; score: number }>();
  let best = 0;
  for (const row of rows) {
    const base = -row.rank;
    best = Math.max(best, base);
    scored.set(row.rowId, { row, score: base });
  }
  if (parsed.words.length === 1) {
    for (const row of exactNameRows(db, tenantId, parsed.words[0]!, filters)) {
      if (!scored.has(row.rowId)) scored.set(row.rowId, { row, score: best || 1 });
    }
  }
  for (const entry of scored.values()) {
    const name = entry.row.name.toLowerCase();
    const qualified = entry.row.qualifiedName.toLowerCase();
    if (name === joined || qualified === joinedWithDots) entry.score *= 4;
    else if (name.startsWith(joined)) entry.score *= 2;
  }
  return [...scored.values()].sort((a, b) => b.score - a.score || a.row.rowId - b.row.rowId).slice(0, limit);
}

function rowsByIds(db: TenantDb, tenantId: string, ids: number[], filters: Filters): Map<number, SymbolRow> {
  const out = new Map<number, SymbolRow>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db
      .prepare(
        `SELECT ${SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
         WHERE s.id IN (${chunk.map(() => '?').join(',')}) AND s.tenant_id = @tenantId${filters.sql}`,
      )
      .all(...chunk, { tenantId, ...filters.args }) as SymbolRow[];
    for (const row of rows) out.set(row.rowId, row);
  }
  return out;
}

/**
 * Semantic search: nearest neighbours of the query embedding. With filters, the graph
 * walk over-fetches and rows failing a filter are dropped afterwards.
 */
export function semanticSearch(
  db: TenantDb,
  tenantId: string,
  params: SearchSymbolsParams,
  vectors: VectorIndex,
  queryVector: ArrayLike<number>,
  limit = params.limit,
): { row: SymbolRow; score: number }[] {
  const filters = filtersFor(db, tenantId, params);
  const fetch = filters.any ? Math.min(vectors.size, Math.max(limit * 20, 200)) : limit;
  const hits = vectors.search(queryVector, fetch);
  const rows = rowsByIds(db, tenantId, hits.map((h) => h.symbolId), filters);
  const out: { row: SymbolRow; score: number }[] = [];
  for (const hit of hits) {
    const row = rows.get(hit.symbolId);
    if (row) out.push({ row, score: hit.similarity });
    if (out.length >= limit) break;
  }
  return out;
}

/** Reciprocal rank fusion of keyword and semantic rankings. */
export function fuseRankings(lists: { row: SymbolRow; score: number }[][], limit: number): { row: SymbolRow; score: number }[] {
  const fused = new Map<number, { row: SymbolRow; score: number }>();
  for (const list of lists) {
    list.forEach(({ row }, rank) => {
      const entry = fused.get(row.rowId) ?? { row, score: 0 };
      entry.score += 1 / (RRF_K + rank + 1);
      fused.set(row.rowId, entry);
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.row.rowId - b.row.rowId).slice(0, limit);
}

export function toHits(ranked: { row: SymbolRow; score: number }[]): SymbolHit[] {
  return ranked.map(({ row, score }) => toHit(row, score));
}
