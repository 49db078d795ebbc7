/**
 * Identifier and text tokenisation shared by keyword search and the embedders.
 *
 * Both sides of a search must cut text the same way, or a query for "user id" would never
 * meet a symbol called `getUserID`. Everything here is locale-independent (plain
 * `toLowerCase`, Unicode character classes) so an index built on one machine answers the
 * same queries on another.
 */

// Letters that start a capitalised word or form an acronym (includes titlecase such as "ǅ").
const UPPER = '[\\p{Lu}\\p{Lt}]';
// Lowercase letters plus letters without case (CJK, Arabic, modifier letters): they
// continue a word and never open a new one.
const LOWER = '[\\p{Ll}\\p{Lm}\\p{Lo}]';
// Combining marks stay glued to the letter they decorate; lowercasing "İ" yields "i" plus
// U+0307, and that pair must come back as one token to keep splitting idempotent.
const MARK = '\\p{M}';

const SUBWORD = new RegExp(
  [
    // An acronym followed by a capitalised word: the "HTTP" in "HTTPResponse".
    `(?:${UPPER}${MARK}*)+(?=${UPPER}${MARK}*${LOWER})`,
    // A capitalised or lowercase word: "Response", "parse", "ǅungla".
    `(?:${UPPER}${MARK}*)?(?:${LOWER}${MARK}*)+`,
    // An acronym at the end or before digits or a separator: "ID" in "getUserID2".
    `(?:${UPPER}${MARK}*)+`,
    // A run of digits (any script, including "²" and Roman numerals).
    `(?:\\p{N}${MARK}*)+`,
    // Marks with no base character still carry text; keeping them means no input is lost.
    `${MARK}+`,
  ].join('|'),
  'gu',
);

const WORD_CHAR_TEST = /[\p{L}\p{N}\p{M}]/u;

/**
 * Splits an identifier into lowercase sub-tokens at case changes, digit boundaries and
 * separators: `parseHTTPResponse` → `parse http response`, `getUserID2` → `get user id 2`,
 * `__init__` → `init`, `MAX_RETRY-count` → `max retry count`. Works on any text: every
 * character that is not a letter, digit or combining mark separates tokens. Never returns
 * empty strings; one-character tokens are kept (`x`, `2`).
 */
export function splitIdentifier(name: string): string[] {
  const out: string[] = [];
  if (!WORD_CHAR_TEST.test(name)) return out;
  for (const match of name.matchAll(SUBWORD)) out.push(match[0].toLowerCase());
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
