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

function fieldTerms(row: FieldSource): Record<MatchField, string[]> {
  return {
    name: nameTerms(row.name),
    qualifiedName: row.qualifiedName.split('.').slice(0, -1).flatMap(nameTerms),
    path: pathTerms(row.filePath),
    signature: indexTerms(row.signature),
    doc: row.doc ? indexTerms(row.doc, DOC_TOKENS) : [],
    body: row.bodyTerms ? row.bodyTerms.split(' ') : [],
  };
}

function occurrences(words: string[], term: QueryTerm): number {
  let n = 0;
  for (const w of words) if (term.prefix ? w.startsWith(term.term) : w === term.term) n++;
  return n;
}

export function scoreText(row: FieldSource, terms: readonly QueryTerm[]): ScoredText {
  const fields = fieldTerms(row);
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
