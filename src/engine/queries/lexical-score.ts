import { indexTerms, nameTerms, pathTerms } from '../search-terms.js';

/**
 * How well one symbol's text answers a query's terms, computed in JavaScript over the
 * symbol's own fields with the analysis the index used, so it is exact for every term of
 * the query (FTS5 ranks candidates with the selective terms only; see search-symbols.ts)
 * and can say where each term was found.
 *
 * A BM25F-style sum: each field's occurrences of a term are weighted and added, the sum
 * saturates (k1), and the term counts by its inverse document frequency. `coverage` is
 * that sum divided by its maximum, the score of a symbol whose name were the whole query
 * repeated, so it reads the same in every tenant: above 0.5, most of the query's
 * information was found.
 */

export const MATCH_FIELDS = ['name', 'qualifiedName', 'path', 'signature', 'doc', 'body'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

/** Weights of the fields, in the order of MATCH_FIELDS (FTS5's rank uses the same ratios). */
const FIELD_WEIGHT: Readonly<Record<MatchField, number>> = { name: 5, qualifiedName: 1.5, path: 1.5, signature: 1, doc: 1, body: 0.35 };
const K1 = 1.2;
/** Saturated score of a term found in the name: what `coverage` divides by. */
const NAME_ONLY = FIELD_WEIGHT.name / (K1 + FIELD_WEIGHT.name);
/** Doc words read per symbol, as many as the index holds (derived-text.ts). */
const DOC_TOKENS = 64;

export interface ScoredText {
  /** BM25F points summed over terms, weighted by idf. */
  points: number;
  /** points / the most a symbol can score for these terms, in [0, 1]. */
  coverage: number;
  fields: MatchField[];
  terms: string[];
}

export interface FieldSource {
  name: string;
  qualifiedName: string;
  filePath: string;
  signature: string;
  doc: string | null;
  bodyTerms: string;
}

export interface QueryTerm {
  term: string;
  /** Matches indexed words that start with it (a word typed in part). */
  prefix: boolean;
  /** Symbols holding it (for a prefix, up to 1000). */
  df: number;
  idf: number;
}

/**
 * Analysed words of names, enclosing names and paths, by text. Candidates of one query
 * share files and classes, and every query meets the same few thousand of them: the
 * analysis is pure, so a bounded memo is exact (cleared when full, like stem's).
 */
const MEMO_SIZE = 16_384;

function memoize(analyse: (text: string) => string[]): (text: string) => string[] {
  const memo = new Map<string, string[]>();
  return (text) => {
    let words = memo.get(text);
    if (words === undefined) {
      if (memo.size >= MEMO_SIZE) memo.clear();
      memo.set(text, (words = analyse(text)));
    }
    return words;
  };
}

const nameWords = memoize(nameTerms);
const enclosingWords = memoize((enclosing) => enclosing.split('.').flatMap(nameTerms));
const pathWords = memoize(pathTerms);

const NO_WORDS: readonly string[] = [];
const ASCII = /^[\x00-\x7f]*$/;

/**
 * What analysed text must contain, as a plain substring, to hold a term: the term without
 * a final `i`. A stem is a prefix of its word, or that prefix with a final `y` turned into
 * `i` (search-terms.ts stem), and a token is a lowercased slice of its text; so a term
 * (or a word it prefixes) found in text means this string is in the lowercased text.
 */
function needleOf(term: string): string {
  return term.endsWith('i') ? term.slice(0, -1) : term;
}

/**
 * The analysed words of a free-text field, or none when no query term can be among them:
 * most candidates hold few of a query's terms in their signature and doc, and tokenising
 * and stemming a doc comment costs more than the rest of the scoring. Exact: the substring
 * test only skips text that cannot match (non-ASCII text, whose lowercasing may change
 * lengths, is always analysed).
 */
function freeTextTerms(text: string, needles: readonly string[], limit?: number): readonly string[] {
  if (text.length === 0) return NO_WORDS;
  if (ASCII.test(text)) {
    const lowered = text.toLowerCase();
    if (!needles.some((n) => lowered.includes(n))) return NO_WORDS;
  }
  return indexTerms(text, limit);
}

function fieldTerms(row: FieldSource, needles: readonly string[]): Record<MatchField, readonly string[]> {
  const dot = row.qualifiedName.lastIndexOf('.');
  const enclosing = dot > 0 ? row.qualifiedName.slice(0, dot) : '';
  return {
    name: nameWords(row.name),
    qualifiedName: enclosing ? enclosingWords(enclosing) : NO_WORDS,
    path: pathWords(row.filePath),
    signature: freeTextTerms(row.signature, needles),
    doc: row.doc ? freeTextTerms(row.doc, needles, DOC_TOKENS) : NO_WORDS,
    // Already analysed at index time: a term or a word it prefixes is a substring.
    body: row.bodyTerms && needles.some((n) => row.bodyTerms.includes(n)) ? row.bodyTerms.split(' ') : NO_WORDS,
  };
}

function occurrences(words: readonly string[], term: QueryTerm): number {
  let n = 0;
  for (const w of words) if (term.prefix ? w.startsWith(term.term) : w === term.term) n++;
  return n;
}

export function scoreText(row: FieldSource, terms: readonly QueryTerm[]): ScoredText {
  const fields = fieldTerms(row, terms.map((t) => needleOf(t.term)));
  const found = new Set<MatchField>();
  const matchedTerms: string[] = [];
  let points = 0;
  let best = 0;
  for (const term of terms) {
    best += term.idf * NAME_ONLY;
    let tf = 0;
    for (const field of MATCH_FIELDS) {
      const words = fields[field];
      if (words.length === 0) continue;
      const n = occurrences(words, term);
      if (n === 0) continue;
      found.add(field);
      // Long docs and bodies mention many words; a mention there counts less.
      const norm = field === 'doc' || field === 'body' ? Math.min(1, Math.sqrt(12 / words.length)) : 1;
      tf += FIELD_WEIGHT[field] * Math.min(n, 3) * (field === 'doc' || field === 'body' ? Math.max(norm, 0.5) : 1);
    }
    if (tf === 0) continue;
    matchedTerms.push(term.term);
    points += term.idf * (tf / (K1 + tf));
  }
  return {
    points,
    coverage: best > 0 ? Math.min(1, points / best) : 0,
    fields: MATCH_FIELDS.filter((f) => found.has(f)),
    terms: matchedTerms,
  };
}
