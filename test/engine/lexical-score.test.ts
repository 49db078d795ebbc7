import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MATCH_FIELDS, scoreText, type FieldSource, type MatchField, type QueryTerm } from '../../src/engine/queries/lexical-score.js';
import { indexTerms, nameTerms, pathTerms, stem } from '../../src/engine/search-terms.js';

/**
 * The scoring as first written: every field of the candidate analysed in full. scoreText
 * skips the analysis of fields that cannot hold a query term; it must never change a score.
 */
function referenceScore(row: FieldSource, terms: readonly QueryTerm[]) {
  const weight: Record<MatchField, number> = { name: 5, qualifiedName: 1.5, path: 1.5, signature: 1, doc: 1, body: 0.35 };
  const fields: Record<MatchField, string[]> = {
    name: nameTerms(row.name),
    qualifiedName: row.qualifiedName.split('.').slice(0, -1).flatMap(nameTerms),
    path: pathTerms(row.filePath),
    signature: indexTerms(row.signature),
    doc: row.doc ? indexTerms(row.doc, 64) : [],
    body: row.bodyTerms ? row.bodyTerms.split(' ') : [],
  };
  const found = new Set<MatchField>();
  const matched: string[] = [];
  let points = 0;
  let best = 0;
  for (const term of terms) {
    best += term.idf * (5 / 6.2);
    let tf = 0;
    for (const field of MATCH_FIELDS) {
      const words = fields[field];
      const n = words.filter((w) => (term.prefix ? w.startsWith(term.term) : w === term.term)).length;
      if (n === 0) continue;
      found.add(field);
      const free = field === 'doc' || field === 'body';
      const norm = free ? Math.min(1, Math.sqrt(12 / words.length)) : 1;
      tf += weight[field] * Math.min(n, 3) * (free ? Math.max(norm, 0.5) : 1);
    }
    if (tf === 0) continue;
    matched.push(term.term);
    points += term.idf * (tf / (1.2 + tf));
  }
  return { points, coverage: best > 0 ? Math.min(1, points / best) : 0, fields: MATCH_FIELDS.filter((f) => found.has(f)), terms: matched };
}

// Words whose stems end in `i` (entries, copy, copying), lose an `e` (parse, parsing), double
// a consonant (running) or hold stop words: the cases where a stem is not a plain prefix.
const WORDS = ['entries', 'entry', 'copy', 'copying', 'copied', 'parse', 'parsing', 'parsed', 'running', 'run', 'the', 'of', 'is', 'ids', 'id', 'key', 'keys', 'utf8', 'Σσ', 'İstanbul', 'straße', 'x'];
const word = fc.constantFrom(...WORDS);
const cased = fc.tuple(word, fc.constantFrom('lower', 'upper', 'title')).map(([w, c]) => (c === 'upper' ? w.toUpperCase() : c === 'title' ? w[0]!.toUpperCase() + w.slice(1) : w));
const separator = fc.constantFrom(' ', '_', '.', '-', '', '(', ', ', '\n');
const text = fc.array(fc.tuple(cased, separator), { maxLength: 12 }).map((parts) => parts.map(([w, s]) => w + s).join(''));
const ident = fc.array(cased, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(''));
const row: fc.Arbitrary<FieldSource> = fc.record({
  name: ident,
  qualifiedName: fc.array(ident, { minLength: 1, maxLength: 3 }).map((ws) => ws.join('.')),
  filePath: fc.array(text, { minLength: 1, maxLength: 3 }).map((ws) => `${ws.join('/')}.py`),
  signature: text,
  doc: fc.option(text, { nil: null }),
  bodyTerms: fc.array(word, { maxLength: 8 }).map((ws) => indexTerms(ws.join(' ')).join(' ')),
});
const term: fc.Arbitrary<QueryTerm> = fc
  .tuple(word, fc.boolean(), fc.integer({ min: 1, max: 5 }))
  .map(([w, prefix, cut]) => {
    const stemmed = stem(w.toLowerCase());
    return { term: prefix ? stemmed.slice(0, Math.max(1, stemmed.length - cut)) : stemmed, prefix, df: 1, idf: 1 + cut / 10 };
  });

describe('lexical scoring', () => {
  it('scores every candidate exactly as a full analysis of all its fields would', () => {
    fc.assert(
      fc.property(row, fc.array(term, { minLength: 1, maxLength: 4 }), (r, terms) => {
        expect(scoreText(r, terms)).toEqual(referenceScore(r, terms));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a term whose stem ends in i in a doc that spells the word with a y', () => {
    const r: FieldSource = { name: 'f', qualifiedName: 'f', filePath: 'a.py', signature: 'def f()', doc: 'Copy the entry.', bodyTerms: '' };
    const terms: QueryTerm[] = ['copi', 'entri'].map((t) => ({ term: t, prefix: false, df: 1, idf: 1 }));
    expect(scoreText(r, terms).terms).toEqual(['copi', 'entri']);
    expect(scoreText(r, terms).fields).toEqual(['doc']);
  });
});
