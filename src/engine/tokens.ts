/**
 * Identifier and text tokenisation shared by keyword search and the embedders.
 *
 * Both sides of a search must cut text the same way, or a query for "user id" would never
 * meet a symbol called `getUserID`. Everything here is locale-independent (plain
 * `toLowerCase`, Unicode character classes) so an index built on one machine answers the
 * same queries on another.
 */

// Character classes of the scanner in `splitIdentifier`.
const SEPARATOR = 0;
/** A letter with a distinct lowercase form: it can open a camel-case hump. */
const UPPER = 1;
/**
 * Any other letter: lowercase, or without case (CJK, Arabic, and uppercase letters that
 * have no lowercase such as "𝐀"). Deciding "upper" by the existence of a lowercase form,
 * not by the Unicode category, is what makes splitting idempotent: a lowercased token
 * holds no UPPER character, so it never splits again.
 */
const LOWER = 2;
const DIGIT = 3;
/** Combining marks stay glued to the letter they decorate ("İ" lowercases to "i" + U+0307). */
const MARK = 4;

const NON_ASCII_CLASS = /(\p{N})|(\p{M})|(\p{L})/u;

function classifyAscii(code: number): number {
  if (code >= 0x61 && code <= 0x7a) return LOWER;
  if (code >= 0x41 && code <= 0x5a) return UPPER;
  if (code >= 0x30 && code <= 0x39) return DIGIT;
  return SEPARATOR;
}

function classifyNonAscii(char: string): number {
  const match = NON_ASCII_CLASS.exec(char);
  if (match === null) return SEPARATOR;
  if (match[1] !== undefined) return DIGIT;
  if (match[2] !== undefined) return MARK;
  return char.toLowerCase() === char ? LOWER : UPPER;
}

/**
 * Splits an identifier into lowercase sub-tokens at case changes, digit boundaries and
 * separators: `parseHTTPResponse` → `parse http response`, `getUserID2` → `get user id 2`,
 * `__init__` → `init`, `MAX_RETRY-count` → `max retry count`. Works on any text: every
 * character that is not a letter, digit or combining mark separates tokens. Never returns
 * empty strings; one-character tokens are kept (`x`, `2`).
 *
 * A hand-written scanner rather than a regular expression: it runs for every symbol at
 * index time, and on ASCII it never leaves integer comparisons.
 */
export function splitIdentifier(name: string): string[] {
  const out: string[] = [];
  let start = -1;
  let base = SEPARATOR;
  let upperRun = 0;
  let lastUpperAt = -1;
  for (let i = 0; i < name.length; ) {
    const code = name.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const at = i;
    const kind = code < 0x80 ? classifyAscii(code) : classifyNonAscii(name.slice(at, at + width));
    i += width;
    if (kind === SEPARATOR) {
      if (start >= 0) out.push(name.slice(start, at).toLowerCase());
      start = -1;
      continue;
    }
    if (kind === MARK) {
      // A mark with no letter before it still carries text; it opens a token of its own.
      if (start < 0) {
        start = at;
        base = LOWER;
        upperRun = 0;
      }
      continue;
    }
    if (start < 0) {
      start = at;
    } else if (kind === DIGIT ? base !== DIGIT : base === DIGIT) {
      out.push(name.slice(start, at).toLowerCase());
      start = at;
    } else if (kind === UPPER && base === LOWER) {
      out.push(name.slice(start, at).toLowerCase());
      start = at;
    } else if (kind === LOWER && base === UPPER && upperRun >= 2) {
      // "HTTPResponse": the last capital of an acronym opens the next word.
      out.push(name.slice(start, lastUpperAt).toLowerCase());
      start = lastUpperAt;
    }
    if (kind === UPPER) {
      upperRun = base === UPPER && start !== at ? upperRun + 1 : 1;
      lastUpperAt = at;
    } else {
      upperRun = 0;
    }
    base = kind;
  }
  if (start >= 0) out.push(name.slice(start).toLowerCase());
  return out;
}

/**
 * Words that carry no meaning in a code search: English glue words, plus keywords that
 * appear in nearly every signature or doc comment. Kept small on purpose — a word wrongly
 * listed here can never be searched for.
 */
const STOPWORDS: ReadonlySet<string> = new Set([
  // English
  'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'can', 'do', 'does', 'for',
  'from', 'has', 'have', 'if', 'in', 'into', 'is', 'it', 'its', 'may', 'must', 'of', 'on',
  'or', 'so', 'such', 'than', 'that', 'the', 'their', 'then', 'there', 'these', 'this',
  'those', 'to', 'was', 'were', 'when', 'which', 'will', 'with', 'would',
  // Code
  'const', 'def', 'fn', 'func', 'function', 'let', 'pub', 'return', 'returns', 'self',
  'var', 'void',
]);

/**
 * Lowercase word tokens of free text such as doc comments, signatures or a search query.
 * Identifiers inside the text are split like `splitIdentifier`; tokens of a single
 * character (counted in code points) and stopwords are dropped.
 */
export function textTokens(text: string): string[] {
  const out: string[] = [];
  for (const token of splitIdentifier(text)) {
    if (STOPWORDS.has(token)) continue;
    if (token.length === 1 || (token.length === 2 && token.codePointAt(0)! > 0xffff)) continue;
    out.push(token);
  }
  return out;
}
