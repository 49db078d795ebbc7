import { splitIdentifier } from './tokens.js';

/**
 * The text analysis of keyword search, the one definition both sides use: the indexer
 * writes `indexTerms` of every field into FTS5, and a query is cut into `queryTerms`. A
 * query word and an indexed word meet exactly when their analysed forms are equal, so
 * every rule here (sub-words, case, stop words, stemming) applies to both sides at once.
 *
 * The embedders keep their own tokenisation (`textTokens`): their vectors are stored, and
 * changing how they cut text would silently change a stored index's meaning.
 */

/**
 * Words that carry no meaning in a search: English glue words and keywords found in nearly
 * every signature. A query drops them (a sentence such as "return the value of the key"
 * must not require "the"); the index drops them from free text. Words a code base uses as
 * names (`all`, `get`, `set`, `new`, `not`) are not here: `read all bytes` must find
 * `readAllBytes`.
 */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'being', 'but', 'by', 'can', 'could',
  'do', 'does', 'done', 'each', 'either', 'for', 'from', 'given', 'had', 'has', 'have',
  'here', 'how', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'just', 'may', 'might', 'must',
  'of', 'on', 'onto', 'or', 'our', 'per', 'should', 'so', 'some', 'such', 'than', 'that',
  'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those', 'thus', 'to',
  'upon', 'us', 'very', 'via', 'was', 'we', 'were', 'what', 'when', 'where', 'whether',
  'which', 'while', 'who', 'whose', 'will', 'with', 'within', 'would', 'you', 'your',
  // Code words present in most signatures and doc comments.
  'const', 'def', 'fn', 'func', 'function', 'let', 'pub', 'return', 'returns', 'returned',
  'self', 'var', 'void', 'param', 'cls', 'args', 'kwargs',
]);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

const VOWEL = /[aeiouy]/;
/** Consonants that stay doubled at the end of a stem: `call`, `pass`, `buzz`. */
const KEEP_DOUBLE = new Set(['l', 's', 'z']);

/**
 * A light English stemmer for words of code and comments: plural, `-ing` and `-ed` forms
 * and a final `e` are removed, so `parse`, `parses`, `parsed`, `parsing` all become
 * `pars` and `entries`/`entry` become `entri`. Deliberately weaker than Porter's: code
 * words are short and often not English (`args`, `utf`), and every rule merges words a
 * reader might keep apart. Words under three letters, and words with digits, stay as
 * they are.
 */
export function stem(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    // Code reuses a small vocabulary: most words were stemmed moments ago.
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(word, (stemmed = stemUncached(word)));
  }
  return stemmed;
}

const stems = new Map<string, string>();
const STEM_CACHE = 65_536;

function stemUncached(word: string): string {
  if (word.length < 3 || /\d/.test(word)) return word;
  // Three letters: only a plural (`ids` → `id`).
  if (word.length === 3) return word.endsWith('s') && !/(ss|us|is)$/.test(word) ? word.slice(0, -1) : word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  let cut = false;
  if (w.endsWith('ing') && w.length > 5 && VOWEL.test(w.slice(0, -3))) {
    w = w.slice(0, -3);
    cut = true;
  } else if (w.endsWith('ed') && w.length > 4 && VOWEL.test(w.slice(0, -2))) {
    w = w.slice(0, -2);
    cut = true;
  }
  if (cut && w.length > 3 && w.at(-1) === w.at(-2) && !KEEP_DOUBLE.has(w.at(-1)!) && !VOWEL.test(w.at(-1)!)) w = w.slice(0, -1);
  if (w.endsWith('y') && w.length > 3) w = `${w.slice(0, -1)}i`;
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

/**
 * Indexed terms of free text (signatures, doc comments, identifiers of a body): words and
 * identifier sub-words, lowercased, stemmed, without stop words and one-character tokens.
 */
export function indexTerms(text: string, limit = Infinity): string[] {
  const out: string[] = [];
  for (const token of splitIdentifier(text)) {
    if (token.length < 2 || STOP_WORDS.has(token)) continue;
    out.push(stem(token));
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Indexed terms of a name: the whole name lowercased (so `getuserbyid` and its prefixes
 * match) and each stemmed sub-word. Stop words stay: in a name they are part of it.
 */
export function nameTerms(name: string): string[] {
  const subs = splitIdentifier(name);
  const whole = wholeName(name);
  const out = subs.length === 1 && subs[0] === whole ? [] : [whole];
  for (const sub of subs) out.push(stem(sub));
  return out.filter((t) => t.length > 0);
}

/**
 * A name as one token: lowercased, without punctuation other than `_` and `$` inside it,
 * and without leading or trailing underscores, so `_to_nx` is found as `to_nx`.
 */
export function wholeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_$]+/gu, '')
    .replace(/^[_$]+|[_$]+$/g, '');
}

/**
 * Terms of a repo-relative path: the folders and the file name without its extension, each
 * whole and as stemmed sub-words, so "subprocess run" finds `run` in `subprocess.py` and
 * "http client" finds symbols of `http/client.py`. Build-copy folders say nothing.
 */
export function pathTerms(filePath: string): string[] {
  const parts = filePath.replace(/(\.d)?\.[^./]+$/, '').split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (PATH_NOISE.has(part.toLowerCase())) continue;
    out.push(...nameTerms(part));
  }
  return out;
}

/** Path parts that say nothing about what a file holds. */
const PATH_NOISE: ReadonlySet<string> = new Set(['', '.', '..', 'src', 'lib', 'dist', 'build', 'index', '__init__', 'main', 'mod']);

/** One word of a query: matches when its whole form or all its sub-words match. */
export interface QueryWord {
  /** The word lowercased as typed, e.g. `getuserbyid` (matches a whole name). */
  whole: string;
  /** Its stemmed sub-words without stop words, e.g. `get user id`; empty for a stop word. */
  terms: string[];
}

/**
 * A query cut the way the index was: each word whole and as analysed sub-words. At most
 * 16 words; a query of nothing but stop words keeps them (someone searching for `is` means
 * a name).
 */
export function queryWords(query: string): QueryWord[] {
  const raw = query.split(/[^\p{L}\p{N}_$]+/u).filter((w) => w.length > 0).slice(0, 16);
  const words = raw.map((word) => {
    const subs = splitIdentifier(word);
    return {
      whole: word.toLowerCase(),
      terms: subs.filter((s) => s.length > 1 && !STOP_WORDS.has(s)).map(stem),
      subs,
    };
  });
  if (words.every((w) => w.terms.length === 0)) {
    return words.filter((w) => w.subs.length > 0).map((w) => ({ whole: w.whole, terms: w.subs.map(stem) }));
  }
  return words.map(({ whole, terms }) => ({ whole, terms }));
}

/** The distinct terms of a query, in order. */
export function queryTerms(words: QueryWord[]): string[] {
  return [...new Set(words.flatMap((w) => w.terms))];
}
