import { indexTerms, nameTerms, pathTerms } from '../search-terms.js';
import type { FtsText } from './parse-protocol.js';

/** Doc words indexed per symbol; the rest of a long docstring is not searchable. */
const DOC_TOKENS = 64;

/**
 * The FTS5 row text of a symbol, by the analysis of search-terms.ts (the query side uses
 * the same): name whole and as sub-words, the enclosing names of its qualified name, the
 * file's path, signature and doc words, and the identifiers its body uses. The FTS table
 * is contentless, so this is the only place the indexed text is defined.
 */
export function ftsText(
  sym: { name: string; qualifiedName: string; signature: string; doc: string | null },
  filePath: string,
  bodyIdentifiers: readonly string[] = [],
): FtsText {
  // Every symbol of a file has the same path, and bodies reuse a few identifiers.
  if (filePath !== lastPath.filePath) lastPath = { filePath, terms: pathTerms(filePath).join(' ') };
  const dot = sym.qualifiedName.lastIndexOf('.');
  const body = new Set<string>();
  for (const id of bodyIdentifiers) for (const term of identifierTerms(id)) body.add(term);
  return {
    name: memo(names, sym.name, nameText),
    qualified: dot < 0 ? '' : memo(enclosings, sym.qualifiedName.slice(0, dot), enclosingText),
    path: lastPath.terms,
    signature: indexTerms(sym.signature).join(' '),
    doc: sym.doc ? indexTerms(sym.doc, DOC_TOKENS).join(' ') : '',
    body: [...body].join(' '),
  };
}

let lastPath = { filePath: '', terms: '' };

/**
 * Analysed text of the fields that repeat across symbols, remembered per worker: names
 * (`__init__`, `run`) and enclosing scopes (every method of a class shares one). The
 * analysis is a pure function of the string, so a remembered answer is the answer; each
 * map is emptied when full. (Signatures and docs are nearly all distinct: not cached.)
 */
const FIELD_CACHE = 65_536;
const names = new Map<string, string>();
const enclosings = new Map<string, string>();
const identifiers = new Map<string, string[]>();
const IDENTIFIER_CACHE = 65_536;

function memo(cache: Map<string, string>, key: string, make: (key: string) => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    if (cache.size >= FIELD_CACHE) cache.clear();
    cache.set(key, (text = make(key)));
  }
  return text;
}

const nameText = (name: string) => nameTerms(name).join(' ');
/** `a.B` (the qualified name without its last part) → the name terms of `a` and of `B`. */
const enclosingText = (scope: string) => scope.split('.').flatMap(nameTerms).join(' ');

function identifierTerms(id: string): string[] {
  let terms = identifiers.get(id);
  if (terms === undefined) {
    if (identifiers.size >= IDENTIFIER_CACHE) identifiers.clear();
    identifiers.set(id, (terms = indexTerms(id)));
  }
  return terms;
}

/** Lines of a file as editors count them: a final newline does not start another line. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text.endsWith('\n') ? lines - 1 : lines;
}
