import type { TenantDb } from '../../tenant/tenant-db.js';
import type { VectorSearcher } from './newer-vectors.js';
import type { SearchSymbolsParams } from '../params.js';
import { queryTerms, queryWords, wholeName, type QueryWord } from '../search-terms.js';
import type { Freshness } from './freshness.js';
import { changeStamp } from './answer-cache.js';
import { scoreText, type MatchField, type QueryTerm, type ScoredText } from './lexical-score.js';
import { cached, requireRepo, summarize, symbolInfo, type SymbolInfo, type SymbolRow } from './lookup.js';
import { signalPoints } from './rank-signals.js';
import { collapseTwins } from './twins.js';

export interface SymbolHit extends SymbolInfo {
  /** First sentence of the doc comment, when there is one. */
  summary: string | null;
  /** Higher is better; comparable only within one response. */
  score: number;
  /** Why it matched: the fields holding query words and those words (analysed: `parsing` → `pars`). */
  matched: { fields: MatchField[]; terms: string[] };
  /** Cosine similarity to the query embedding (semantic and hybrid modes), else null. */
  similarity: number | null;
  /** Build copies of the same symbol (`dist/a.js`, `dist/a.d.ts` of `src/a.ts`), folded into this hit. */
  twins: { id: string; filePath: string }[];
}

export interface SearchResult {
  query: string;
  mode: SearchSymbolsParams['mode'];
  /**
   * True when no result matches the query well: none is named like the query and none
   * holds most of the query's words (weighted by rarity). The results are then the
   * nearest there is, not an answer.
   */
  weakMatch: boolean;
  results: SymbolHit[];
  /**
   * When the repositories of the results were indexed; with no results, those searched
   * (the `repo` filter, else every repository).
   */
  freshness: Freshness;
}

/** A symbol row with what ranking needs beyond the public fields. */
export interface SearchRow extends SymbolRow {
  bodyTerms: string;
  /** Import statements naming the symbol. */
  importers: number;
  /** Files importing the symbol's file. */
  fileImporters: number;
}

/** A scored candidate. */
export interface Ranked {
  row: SearchRow;
  score: number;
  text: ScoredText;
  /** Points for the name: exact 60, prefix 20-30, else 0. */
  nameTier: number;
  similarity: number | null;
  twins: SearchRow[];
}

/**
 * The symbol's own columns. Its file's path and importers and its repository's name come
 * from the handle's file cache (see fileFacts): a files row costs a page read of its own
 * (the table holds file contents), a third of what reading a candidate costs.
 */
const ROW_COLUMNS = `s.id AS rowId, s.uid AS id, s.name, s.qualified_name AS qualifiedName, s.kind, s.language, s.file_id AS fileId,
  s.start_line AS startLine, s.end_line AS endLine, s.signature, s.doc, s.local, s.body_terms AS bodyTerms, s.importers`;

/** A row as read, before its file's facts are added. */
type RawRow = Omit<SearchRow, 'repo' | 'filePath' | 'fileImporters'> & { fileId: number };

/** A name tier at or above this is an identifier match: the query names the symbol. */
const NAME_MATCH = 20;
/** Text coverage (see lexical-score.ts) at or above which a hit answers the query well. */
export const GOOD_COVERAGE = 0.35;
/**
 * FTS5's bm25 costs ~1 µs a matching row. An expression matching more rows than this is
 * not ranked as a whole; narrower ones (the name column, the rarer words) are.
 */
const RANK_LIMIT = 300;
/** Most rows the any-word expression may match: words are added rarest first up to it. */
const OR_BUDGET = 1500;
/** Most rows the any-word expression over names may match to be ranked. */
const NAMED_LIMIT = 600;
/** Rows of a broad single-word expression scored when nothing narrower exists. */
const BROAD_SAMPLE = 30;
/**
 * Symbols holding a term above which FTS5 must not rank an expression that names it:
 * bm25 counts every row of every phrase's doclist to weigh it (the count of `test`, in 64k
 * symbols of python-mid, costs 2–8 ms), however few rows the expression matches.
 */
const COMMON_DF = 5000;
/**
 * Column groups of FTS5 in the order of their ranking weight (name first): the order in
 * which matches are taken when an expression with a common term cannot be ranked.
 */
const WEIGHT_TIERS = ['name', '{qualified path}', '{signature doc}', '{body}'] as const;
/** Longest prefix the FTS5 prefix index holds (schema: prefix = '2 3 4 5 6'). */
const PREFIX_INDEXED = 6;

function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/**
 * The statements keyword search reads candidates with, for one tenant of one storage
 * layout. The product's are below; bench/pool/shared-db.ts supplies the shared-table
 * layout's, so both designs run this same algorithm.
 */
export interface CandidateSource {
  /** Up to `n` symbols whose name is the word or starts with it, exact matches first. */
  nameRows(word: string, n: number): SearchRow[];
  /** Up to `cap` ids of rows matching the FTS5 expression, unordered. */
  probe(match: string, cap: number): number[];
  /** Ids of the best `n` matches of the expression by FTS5's bm25, best first. */
  rankedIds(match: string, n: number): number[];
  rowsByIds(ids: number[]): Iterable<SearchRow>;
  /** Symbols whose indexed text holds the term. */
  docFreq(term: string): number;
  /** Symbols of the tenant. */
  totalDocs(): number;
}

interface Filters {
  sql: string;
  args: Record<string, unknown>;
  any: boolean;
  /** The SQL names the file (`f`): statements reading rows must join it. */
  file: boolean;
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
  return { sql: clauses.map((c) => ` AND ${c}`).join(''), args, any: clauses.length > 0, file: params.pathPrefix !== undefined && params.pathPrefix !== '' };
}

const JOINS = 'JOIN symbols s ON s.id = symbols_fts.rowid JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id';

/**
 * Symbol count, term frequencies and files of a handle, valid while its change stamp is
 * (answer-cache.ts: data_version for other connections' commits, total_changes for this
 * one's): any write starts them afresh.
 */
interface Statistics {
  version: string;
  count: number;
  docFreq: Map<string, number>;
  files: Map<number, FileFacts>;
}

/** What ranking and hits need of a symbol's file and repository. */
interface FileFacts {
  path: string;
  importers: number;
  repo: string;
}
const statistics = new WeakMap<TenantDb, Statistics>();
/** Terms remembered per handle: the words of recent queries. */
const DOC_FREQ_CACHE = 4096;
/** Files remembered per handle (~100 bytes each): those of recent candidates. */
const FILE_CACHE = 8192;

function statisticsOf(db: TenantDb, tenantId: string): Statistics {
  const version = changeStamp(db);
  let known = statistics.get(db);
  if (!known || known.version !== version) {
    const count = cached(db, 'SELECT count(*) FROM symbols WHERE tenant_id = ?').pluck().get(tenantId) as number;
    statistics.set(db, (known = { version, count, docFreq: new Map(), files: new Map() }));
  }
  return known;
}

function docFreq(db: TenantDb, stats: Statistics, term: string): number {
  let df = stats.docFreq.get(term);
  if (df === undefined) {
    df = (cached(db, 'SELECT doc FROM symbols_vocab WHERE term = ?').pluck().get(term) as number | undefined) ?? 0;
    if (stats.docFreq.size >= DOC_FREQ_CACHE) stats.docFreq.clear();
    stats.docFreq.set(term, df);
  }
  return df;
}

/** The product's candidate source: one tenant database, the request's filters applied. */
export function tenantSource(db: TenantDb, tenantId: string, filters: Filters): CandidateSource {
  const args = { tenantId, ...filters.args };
  // A source serves one query: the data version is checked once.
  let stats: Statistics | null = null;
  const currentStats = () => (stats ??= statisticsOf(db, tenantId));
  return {
    nameRows: (word, n) => {
      // One range scan of the NOCASE name index: exact matches are its smallest keys.
      const sql = `SELECT ${ROW_COLUMNS} FROM symbols s INDEXED BY symbols_name${filters.file ? ' JOIN files f ON f.id = s.file_id' : ''}
        WHERE s.name >= @word COLLATE NOCASE AND s.name < @upper COLLATE NOCASE AND s.tenant_id = @tenantId${filters.sql}
        ORDER BY s.name COLLATE NOCASE LIMIT @n`;
      return withFiles(db, currentStats(), cached(db, sql).all({ word, upper: `${word}\u{10FFFF}`, n, ...args }) as RawRow[]);
    },
    probe: (match, cap) => {
      // Unfiltered, it reads only the FTS index; the ids still pass the tenant-filtered rowsByIds.
      const sql = filters.any
        ? `SELECT s.id FROM symbols_fts ${JOINS} WHERE symbols_fts MATCH @match AND s.tenant_id = @tenantId${filters.sql} LIMIT @cap`
        : 'SELECT rowid FROM symbols_fts WHERE symbols_fts MATCH @match LIMIT @cap';
      return cached(db, sql).pluck().all(filters.any ? { match, cap, ...args } : { match, cap }) as number[];
    },
    rankedIds: (match, n) => {
      const sql = filters.any
        ? `SELECT s.id FROM symbols_fts ${JOINS} WHERE symbols_fts MATCH @match AND s.tenant_id = @tenantId${filters.sql} ORDER BY symbols_fts.rank LIMIT @n`
        : 'SELECT rowid FROM symbols_fts WHERE symbols_fts MATCH @match ORDER BY rank LIMIT @n';
      return cached(db, sql).pluck().all(filters.any ? { match, n, ...args } : { match, n }) as number[];
    },
    rowsByIds: (ids) => rowsByIds(db, tenantId, ids, filters, currentStats()).values(),
    docFreq: (term) => docFreq(db, currentStats(), term),
    totalDocs: () => currentStats().count,
  };
}

function rowsByIds(db: TenantDb, tenantId: string, ids: number[], filters: Filters, stats: Statistics): Map<number, SearchRow> {
  // One statement for any number of ids (an IN list of ? would be one per length).
  const sql = `SELECT ${ROW_COLUMNS} FROM symbols s${filters.file ? ' JOIN files f ON f.id = s.file_id' : ''}
    WHERE s.id IN (SELECT value FROM json_each(@ids)) AND s.tenant_id = @tenantId${filters.sql}`;
  const out = new Map<number, SearchRow>();
  const rows = withFiles(db, stats, cached(db, sql).all({ ids: JSON.stringify(ids), tenantId, ...filters.args }) as RawRow[]);
  for (const row of rows) out.set(row.rowId, row);
  return out;
}

/**
 * Adds each row's file path, file importers and repository name, from the handle's cache
 * of files (valid while its data version is; filled here, one statement for the files not
 * yet known). A row whose file is gone (a write between the two reads) is dropped.
 */
function withFiles(db: TenantDb, stats: Statistics, rows: RawRow[]): SearchRow[] {
  const known = stats.files;
  let missing = [...new Set(rows.filter((row) => !known.has(row.fileId)).map((row) => row.fileId))];
  if (missing.length > 0) {
    if (known.size + missing.length > FILE_CACHE) {
      known.clear();
      missing = [...new Set(rows.map((row) => row.fileId))];
    }
    const sql = `SELECT f.id, f.path, f.importers, r.name AS repo FROM files f JOIN repos r ON r.id = f.repo_id
      WHERE f.id IN (SELECT value FROM json_each(?))`;
    for (const f of cached(db, sql).all(JSON.stringify(missing)) as (FileFacts & { id: number })[]) known.set(f.id, { path: f.path, importers: f.importers, repo: f.repo });
  }
  const out: SearchRow[] = [];
  for (const row of rows) {
    const file = known.get(row.fileId);
    if (!file) continue;
    const full = row as RawRow & Partial<SearchRow>;
    full.filePath = file.path;
    full.fileImporters = file.importers;
    full.repo = file.repo;
    out.push(full as SearchRow);
  }
  return out;
}

/** A query analysed for ranking: its words, their terms with weights, the name forms. */
export interface AnalysedQuery {
  words: QueryWord[];
  terms: QueryTerm[];
  /** The words run together (`read all bytes` → `readallbytes`), for the name tier. */
  joined: string;
  /** The words joined by dots, matched against qualified names. */
  dotted: string;
}

export function analyseQuery(query: string, source: Pick<CandidateSource, 'docFreq' | 'totalDocs' | 'probe'>): AnalysedQuery | null {
  const words = queryWords(query);
  if (words.length === 0) return null;
  const n = Math.max(1, source.totalDocs());
  const terms = queryTerms(words).map((term) => {
    let df = source.docFreq(term);
    // Not a word of the index: typed in part, it matches as a prefix.
    const prefix = df === 0 && term.length >= 2;
    if (prefix) df = source.probe(prefixTerm(term), 1000).length;
    return { term, prefix, df, idf: Math.log(1 + (n - df + 0.5) / (df + 0.5)) };
  });
  return {
    words,
    terms,
    joined: words.map((w) => w.whole).join(''),
    dotted: words.map((w) => w.whole).join('.'),
  };
}

function prefixTerm(term: string): string {
  return `${quote(term.slice(0, PREFIX_INDEXED))}*`;
}

/**
 * The FTS5 clause of one query word: its whole form as a name prefix (for a word such as
 * `getUser`), or all of its terms.
 */
function wordClause(word: QueryWord, terms: Map<string, QueryTerm>): string {
  const parts = word.terms.map((t) => (terms.get(t)?.prefix ? prefixTerm(t) : quote(t)));
  const all = parts.length > 1 ? `(${parts.join(' AND ')})` : parts[0]!;
  if (word.terms.length > 1 && word.whole.length >= 3) return `(${quote(wholeName(word.whole))}* OR ${all})`;
  return all;
}

/**
 * Points for the name: 60 when the name (or qualified name) is the query, 20-30 when it
 * starts with it (shorter names first), else 0. Identifier queries are decided here.
 */
function nameTier(row: SymbolRow, q: AnalysedQuery): number {
  const name = row.name.toLowerCase();
  if (name === q.joined || row.qualifiedName.toLowerCase() === q.dotted) return 60;
  // The words of the name, however written: `to directed` is `to_directed` or `toDirected`.
  if (q.words.length > 1 && name.replace(/[_$-]/g, '') === q.joined) return 55;
  if (q.joined.length >= 2 && name.startsWith(q.joined)) return 30 - Math.min(20, name.length - q.joined.length) / 2;
  return 0;
}

export function rankRow(row: SearchRow, q: AnalysedQuery, similarity: number | null = null): Ranked {
  const text = scoreText(row, q.terms);
  const tier = nameTier(row, q);
  return { row, score: 100 * text.coverage + tier + signalPoints(row), text, nameTier: tier, similarity, twins: [] };
}

function byScore(a: Ranked, b: Ranked): number {
  return b.score - a.score || a.row.name.length - b.row.name.length || a.row.rowId - b.row.rowId;
}

/** Best first, twins folded into their best copy (with the twins they held), at most `limit`. */
export function finishRanking(ranked: Ranked[], limit: number): Ranked[] {
  const items = ranked.sort(byScore).map((r) => ({ r, repo: r.row.repo, name: r.row.name, qualifiedName: r.row.qualifiedName, language: r.row.language, filePath: r.row.filePath }));
  return collapseTwins(items)
    .slice(0, limit)
    .map(({ item, twins }) => {
      const all = [...item.r.twins, ...twins.flatMap((t) => [t.r.row, ...t.r.twins])].filter((t) => t.rowId !== item.r.row.rowId);
      // The group ranks where its best copy did.
      const score = Math.max(item.r.score, ...twins.map((t) => t.r.score));
      return { ...item.r, score, twins: [...new Map(all.map((t) => [t.rowId, t])).values()] };
    });
}

/**
 * Keyword search over any candidate source. Candidates come from the name B-tree (names
 * that are or start with the query), from FTS5 matches of all the query's words, and for
 * several words from matches of any word, the rarest first (a word in half the symbols
 * adds nothing to ranking and would make FTS5 rank half the table). Every candidate is then
 * scored in full: text coverage over all the query's terms and fields, the name tier, and
 * the ranking signals.
 */
export function rankCandidates(source: CandidateSource, query: string, limit: number): Ranked[] {
  const q = analyseQuery(query, source);
  if (!q) return [];
  const pool = Math.max(30, limit * 3);
  const rows = new Map<number, SearchRow>();
  const ids = new Set<number>();
  const content = q.words.filter((w) => w.terms.length > 0);
  const termInfo = new Map(q.terms.map((t) => [t.term, t]));
  const common = (words: QueryWord[]) => words.some((w) => w.terms.some((t) => termInfo.get(t)!.df > COMMON_DF));
  /**
   * The best `n` matches of `match` (over `words`): FTS5's bm25 order, or when a word is
   * common (COMMON_DF), matches in the name first, then in enclosing names and paths, then
   * in signatures and docs, then in bodies, each in index order. Candidates are scored in
   * full afterwards: this only chooses which to read.
   */
  const best = (match: string, words: QueryWord[], n: number): number[] => {
    if (!common(words)) return source.rankedIds(match, n);
    const out = new Set<number>();
    for (const columns of WEIGHT_TIERS) {
      if (out.size >= n) break;
      for (const id of source.probe(`${columns} : (${match})`, n)) out.add(id);
    }
    return [...out].slice(0, n);
  };

  const nameWord = q.words.length === 1 ? q.words[0]!.whole : q.joined;
  if (nameWord.length >= 2) for (const row of source.nameRows(nameWord, pool)) rows.set(row.rowId, row);
  if (q.words.length === 1) {
    // A page of names that are or start with the word answers an identifier query; FTS
    // would only add weaker sub-word and doc matches below them.
    const strong = [...rows.values()].filter((row) => nameTier(row, q) >= NAME_MATCH).length;
    if (strong >= limit) return finishRanking([...rows.values()].map((row) => rankRow(row, q)), limit);
  }

  if (q.words.length > 1) {
    // The words as one name, snake_case or run together: a few exact tokens of the name column.
    const forms = [...new Set([q.words.map((w) => w.whole).join('_'), q.joined])].map(quote).join(' OR ');
    for (const id of source.probe(`name : (${forms})`, pool)) ids.add(id);
  }
  if (content.length > 0) {
    const all = content.map((w) => wordClause(w, termInfo)).join(' AND ');
    const matching = source.probe(all, RANK_LIMIT + 1);
    if (matching.length > 0 && matching.length <= pool) {
      // Few enough to score them all: no need for FTS5 to rank them first.
      for (const id of matching) ids.add(id);
    } else if (matching.length > 0 && matching.length <= RANK_LIMIT) {
      for (const id of best(all, content, pool)) ids.add(id);
    } else if (matching.length > RANK_LIMIT) {
      // Too common to rank: the rows holding every word in their name, else a sample.
      const inName = `name : (${all})`;
      const named = source.probe(inName, RANK_LIMIT + 1);
      if (named.length > 0 && named.length <= RANK_LIMIT) for (const id of common(content) ? named.slice(0, pool) : source.rankedIds(inName, pool)) ids.add(id);
      else if (content.length === 1) for (const id of (named.length > 0 ? named : matching).slice(0, BROAD_SAMPLE)) ids.add(id);
    }
    if (content.length > 1 && ids.size < limit) {
      const expression = anyWordExpression(content, termInfo);
      // Ranked by bm25 even with a common word (pairs of the rarest three): taking these by
      // column lost answers of sentence search over code without comments (bench:quality).
      for (const id of source.rankedIds(expression, pool)) ids.add(id);
      // Symbols named with any of the words (name, enclosing names, file): for code without
      // comments the words meet nothing else, and the rarest words may be in no name at all.
      const named = `{name qualified path} : (${content.map((w) => wordClause(w, termInfo)).join(' OR ')})`;
      // Ranked by bm25 even with a common word: these few rows decide sentence search over
      // code without comments (bench:quality, docs removed), and taking them by column
      // instead lost some of those answers.
      if (source.probe(named, NAMED_LIMIT + 1).length <= NAMED_LIMIT) for (const id of source.rankedIds(named, pool)) ids.add(id);
    }
  }
  const missing = [...ids].filter((id) => !rows.has(id));
  if (missing.length > 0) for (const row of source.rowsByIds(missing)) rows.set(row.rowId, row);
  return finishRanking([...rows.values()].map((row) => rankRow(row, q)), limit);
}

/**
 * The FTS5 expression whose matches are ranked when not every word matches: the rarest
 * words, as many as fit OR_BUDGET rows together. When even the rarest word is too common,
 * symbols holding two of the rarest three words: their doclists intersect to few rows, and
 * what FTS5 ranks (at ~1 µs a row) stays small. Common words still count: every candidate
 * is scored on all terms afterwards.
 */
function anyWordExpression(content: QueryWord[], termInfo: Map<string, QueryTerm>): string {
  const cost = (w: QueryWord) => Math.min(...w.terms.map((t) => termInfo.get(t)!.df));
  const sorted = [...content].sort((a, b) => cost(a) - cost(b));
  if (cost(sorted[0]!) > OR_BUDGET && sorted.length > 1) {
    const rare = sorted.slice(0, 3).map((w) => wordClause(w, termInfo));
    const pairs: string[] = [];
    for (let i = 0; i < rare.length; i++) for (let j = i + 1; j < rare.length; j++) pairs.push(`(${rare[i]} AND ${rare[j]})`);
    return pairs.join(' OR ');
  }
  const chosen: string[] = [];
  let budget = 0;
  for (const w of sorted) {
    if (chosen.length > 0 && budget + cost(w) > OR_BUDGET) break;
    chosen.push(wordClause(w, termInfo));
    budget += cost(w);
  }
  return chosen.join(' OR ');
}

/** Keyword search of one tenant (see rankCandidates). */
export function keywordSearch(db: TenantDb, tenantId: string, params: SearchSymbolsParams, limit = params.limit): Ranked[] {
  return rankCandidates(tenantSource(db, tenantId, filtersFor(db, tenantId, params)), params.query, limit);
}

/**
 * Semantic search: nearest neighbours of the query embedding, each also scored on its text
 * (`score` is the keyword score, for `matched` and for fusion; `similarity` the embedding's). With filters, the graph walk over-fetches and rows
 * failing a filter are dropped afterwards.
 */
export function semanticSearch(
  db: TenantDb,
  tenantId: string,
  params: SearchSymbolsParams,
  vectors: VectorSearcher,
  queryVector: ArrayLike<number>,
  limit = params.limit,
): Ranked[] {
  const filters = filtersFor(db, tenantId, params);
  const source = tenantSource(db, tenantId, filters);
  const q = analyseQuery(params.query, source);
  const fetch = filters.any ? Math.min(vectors.size, Math.max(limit * 20, 200)) : limit;
  const hits = vectors.search(queryVector, fetch);
  const rows = rowsByIds(db, tenantId, hits.map((h) => h.symbolId), filters, statisticsOf(db, tenantId));
  const out: Ranked[] = [];
  for (const hit of hits) {
    const row = rows.get(hit.symbolId);
    if (!row) continue;
    out.push(q ? rankRow(row, q, hit.similarity) : { row, score: 0, text: { points: 0, coverage: 0, fields: [], terms: [] }, nameTier: 0, similarity: hit.similarity, twins: [] });
    if (out.length >= limit) break;
  }
  return out;
}

/** Semantic results as returned: by similarity, twins folded. */
export function bySimilarity(ranked: Ranked[], limit: number): Ranked[] {
  return finishRanking(
    ranked.map((r) => ({ ...r, score: r.similarity ?? 0 })),
    limit,
  );
}

/** True when a ranked hit answers its query well (see SearchResult.weakMatch). */
export function isGoodMatch(hit: Ranked): boolean {
  return hit.nameTier >= NAME_MATCH || hit.text.coverage >= GOOD_COVERAGE;
}

export function toHits(ranked: Ranked[]): SymbolHit[] {
  return ranked.map(({ row, score, text, similarity, twins }) => ({
    ...symbolInfo(row),
    summary: summarize(row.doc),
    score: Math.round(score * 1e4) / 1e4,
    matched: { fields: text.fields, terms: text.terms },
    similarity: similarity === null ? null : Math.round(similarity * 1e4) / 1e4,
    twins: twins.map((t) => ({ id: t.id, filePath: t.filePath })),
  }));
}
