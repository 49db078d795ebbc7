import type { TenantDb } from '../../tenant/tenant-db.js';
import type { VectorIndex } from '../../tenant/vector-index.js';
import { splitIdentifier } from '../tokens.js';
import type { SearchSymbolsParams } from '../params.js';
import { SYMBOL_COLUMNS, cached, requireRepo, summarize, symbolInfo, type SymbolInfo, type SymbolRow } from './lookup.js';

export interface SymbolHit extends SymbolInfo {
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

/** Longest prefix the FTS5 prefix index holds (schema: prefix = '2 3 4 5 6'). */
const PREFIX_INDEXED = 6;

/**
 * Terms match as prefixes, which reads one precomputed doclist of the prefix index. A
 * longer word is cut to its first 6 characters, which keeps that cost and acts as a
 * crude stemmer (decode → decoder, serialize → serializer); an expansion over every
 * term starting with a long word cost most of the p99. 1-2 character terms match as
 * written: as prefixes they would match nearly everything.
 */
function termFor(token: string): string {
  if (token.length < 3) return quote(token);
  return `${quote(token.slice(0, PREFIX_INDEXED))}*`;
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

export type RankedRow = SymbolRow & { rank: number };

/**
 * BM25 ranks every match, at 1-2 µs a row with its join: fine for a few hundred, not
 * for the 15k symbols that contain `test`. Expressions matching more than this are not ranked by
 * BM25; their candidates come from the name B-tree and a bounded sample instead.
 */
const RANK_LIMIT = 300;
/** Most points BM25 adds to a candidate: it orders hits within a name tier, never across. */
const BM25_POINTS = 5;
/** Name score of the exact and prefix tiers (a prefix match scores 50-60, minus test code). */
const STRONG_NAME = 50;
/** Rows of a broad expression scored by name alone. */
const BROAD_SAMPLE = 100;

const JOINS = 'JOIN symbols s ON s.id = symbols_fts.rowid JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id';

/**
 * The ids of up to `cap` matching rows, unordered: an unordered LIMIT stops early, so this
 * costs at most `cap` rows however common the words are. Its length decides whether the
 * expression is narrow enough to rank; for a broad one, its first rows are the sample.
 * Without filters it reads only the FTS index (the rows it returns still go through the
 * tenant-filtered queries below before anything reaches a caller).
 */
function probe(db: TenantDb, tenantId: string, match: string, filters: Filters, cap: number): number[] {
  const sql = filters.any
    ? `SELECT s.id FROM symbols_fts ${JOINS} WHERE symbols_fts MATCH @match AND s.tenant_id = @tenantId${filters.sql} LIMIT @cap`
    : 'SELECT rowid FROM symbols_fts WHERE symbols_fts MATCH @match LIMIT @cap';
  return cached(db, sql).pluck().all({ match, cap, tenantId, ...filters.args }) as number[];
}

function rankedRows(db: TenantDb, tenantId: string, match: string, filters: Filters, n: number): RankedRow[] {
  const sql = `SELECT ${SYMBOL_COLUMNS}, symbols_fts.rank AS rank FROM symbols_fts ${JOINS}
    WHERE symbols_fts MATCH @match AND s.tenant_id = @tenantId${filters.sql} ORDER BY symbols_fts.rank LIMIT @n`;
  return cached(db, sql).all({ match, n, tenantId, ...filters.args }) as RankedRow[];
}

/**
 * Up to `n` symbols whose name is the word or starts with it, straight from the NOCASE
 * name index: one range scan in name order, so exact matches (the smallest keys of the
 * range) come first and prefix matches fill the rest. One statement rather than an exact
 * and a prefix one: a tenant's first query on a fresh handle pays ~45 µs to prepare each
 * statement it uses. When `n` exact matches exist no prefix match is read, and none is
 * needed: `n` ≥ the result limit, and every exact match outscores every prefix match.
 */
function nameRows(db: TenantDb, tenantId: string, word: string, filters: Filters, n: number): SymbolRow[] {
  const sql = `SELECT ${SYMBOL_COLUMNS} FROM symbols s INDEXED BY symbols_name JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
    WHERE s.name >= @word COLLATE NOCASE AND s.name < @upper COLLATE NOCASE AND s.tenant_id = @tenantId${filters.sql}
    ORDER BY s.name COLLATE NOCASE LIMIT @n`;
  return cached(db, sql).all({ word, upper: `${word}\u{10FFFF}`, n, tenantId, ...filters.args }) as SymbolRow[];
}

/** What being declared inside a function body costs: less than a name tier (40). */
const LOCAL_PENALTY = 8;

/** Test code: files under test folders or named like tests. Real implementations rank above it. */
const TEST_PATH = /(^|\/)(tests?|__tests__|spec|testing)\/|(^|\/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$/i;

/**
 * How well a symbol answers the query, independent of BM25: exact name or qualified name
 * 100; name starting with the query 60 (shorter names first); every query word inside
 * the name 30 (as a sub-word or, for names like `urlparse`, a substring); some 10. Test
 * code loses 10 and a documented symbol gains 3, so among equal names the documented
 * implementation comes before test helpers whatever BM25 says (it adds at most 5).
 */
function nameScore(row: SymbolRow, joined: string, dotted: string, words: string[]): number {
  const name = row.name.toLowerCase();
  let score: number;
  if (name === joined || row.qualifiedName.toLowerCase() === dotted) score = 100;
  else if (name.startsWith(joined)) score = 60 - Math.min(20, name.length - joined.length) / 2;
  else {
    const subs = new Set(splitIdentifier(row.name));
    const wordSubs = words.flatMap((w) => splitIdentifier(w));
    const hits = wordSubs.filter((w) => subs.has(w) || (w.length >= 3 && name.includes(w))).length;
    score = hits > 0 && hits === wordSubs.length ? 30 : hits > 0 ? 10 : 0;
  }
  if (TEST_PATH.test(row.filePath)) score -= 10;
  // A closure or local class answers below a top-level definition of the same name.
  if (row.local === 1) score -= LOCAL_PENALTY;
  if (row.doc) score += 3;
  return score;
}

/**
 * Keyword search. Candidates come from three places: symbols whose name equals or
 * starts with the query (NOCASE B-tree, microseconds), FTS5 matches of the query's words
 * and sub-words ranked by BM25 (names weigh most, then qualified names, signatures,
 * docs) when few enough match, and a bounded sample when the words are too common to
 * rank. Each candidate scores name quality (exact > prefix > all sub-words) plus up to
 * 5 points of BM25 relative to the best hit (a tie-breaker within a name tier), so identifier queries put the declaration first and
 * descriptive queries fall back on BM25. When requiring every word finds too little,
 * any word may match.
 */
export function keywordSearch(db: TenantDb, tenantId: string, params: SearchSymbolsParams, limit = params.limit): { row: SymbolRow; score: number }[] {
  const parsed = parseQuery(params.query);
  if (!parsed) return [];
  const filters = filtersFor(db, tenantId, params);
  return rankCandidates(
    {
      nameRows: (word, n) => nameRows(db, tenantId, word, filters, n),
      probe: (match, cap) => probe(db, tenantId, match, filters, cap),
      rankedRows: (match, n) => rankedRows(db, tenantId, match, filters, n),
      rowsByIds: (ids) => rowsByIds(db, tenantId, ids, filters).values(),
    },
    parsed,
    limit,
  );
}

/**
 * The statements keyword search reads candidates with, for one tenant of one storage
 * layout. The product's are above; bench/pool/shared-db.ts supplies the shared-table
 * layout's, so both designs run this same algorithm.
 */
export interface CandidateSource {
  /** Up to `n` symbols whose name is the word or starts with it, exact matches first. */
  nameRows(word: string, n: number): SymbolRow[];
  /** Up to `cap` ids of rows matching the FTS5 expression, unordered. */
  probe(match: string, cap: number): number[];
  /** The best `n` matches of the expression by BM25, best first. */
  rankedRows(match: string, n: number): RankedRow[];
  rowsByIds(ids: number[]): Iterable<SymbolRow>;
}

/** The ranking of keywordSearch over any candidate source (see keywordSearch). */
export function rankCandidates(source: CandidateSource, parsed: ParsedQuery, limit: number): { row: SymbolRow; score: number }[] {
  const pool = Math.max(40, limit * 4);
  const candidates = new Map<number, { row: SymbolRow; bm25: number }>();
  const add = (row: SymbolRow, bm25: number) => {
    const seen = candidates.get(row.rowId);
    if (!seen || seen.bm25 < bm25) candidates.set(row.rowId, { row, bm25 });
  };

  const joined = parsed.words.join('');
  const dotted = parsed.words.join('.');
  if (parsed.words.length === 1) {
    const named = source.nameRows(parsed.words[0]!, pool);
    for (const row of named) add(row, 0);
    // A page of names that are or start with the word is the answer to an identifier
    // query; FTS would only add weaker sub-word and doc matches below them.
    const strong = named.filter((row) => nameScore(row, joined, dotted, parsed.words) >= STRONG_NAME).length;
    if (strong >= limit) return finish(candidates, joined, dotted, parsed.words, limit);
  }

  const expressions = parsed.words.length > 1 ? [parsed.all, parsed.any] : [parsed.all];
  for (let i = 0; i < expressions.length; i++) {
    const match = expressions[i]!;
    // Matches of "any word" rank below every match of all words.
    const weight = i === 0 ? 1 : 0.25;
    const ids = source.probe(match, RANK_LIMIT + 1);
    if (ids.length === 0) continue;
    if (ids.length <= RANK_LIMIT) {
      const rows = source.rankedRows(match, pool);
      const best = rows.length > 0 ? -rows[0]!.rank || 1 : 1;
      for (const row of rows) add(row, (weight * -row.rank) / best);
    } else {
      for (const row of source.rowsByIds(ids.slice(0, BROAD_SAMPLE))) add(row, 0);
    }
    if (candidates.size >= limit) break;
  }
  return finish(candidates, joined, dotted, parsed.words, limit);
}

/** Scores every candidate and returns the best `limit`, best first. */
function finish(candidates: Map<number, { row: SymbolRow; bm25: number }>, joined: string, dotted: string, words: string[], limit: number): { row: SymbolRow; score: number }[] {
  return [...candidates.values()]
    .map(({ row, bm25 }) => ({ row, score: nameScore(row, joined, dotted, words) + BM25_POINTS * bm25 }))
    .sort((a, b) => b.score - a.score || a.row.name.length - b.row.name.length || a.row.rowId - b.row.rowId)
    .slice(0, limit);
}

function toHit(row: SymbolRow, score: number): SymbolHit {
  return { ...symbolInfo(row), summary: summarize(row.doc), score: Math.round(score * 1e4) / 1e4 };
}

function rowsByIds(db: TenantDb, tenantId: string, ids: number[], filters: Filters): Map<number, SymbolRow> {
  // One statement for any number of ids (an IN list of ? would be one per length).
  const sql = `SELECT ${SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
    WHERE s.id IN (SELECT value FROM json_each(@ids)) AND s.tenant_id = @tenantId${filters.sql}`;
  const out = new Map<number, SymbolRow>();
  for (const row of cached(db, sql).all({ ids: JSON.stringify(ids), tenantId, ...filters.args }) as SymbolRow[]) out.set(row.rowId, row);
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
