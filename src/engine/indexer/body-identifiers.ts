import type { ExtractedSymbol, LanguageId } from '../../parse/types.js';

/**
 * Identifiers a symbol's own code uses (calls, types, variables), so code without comments
 * can still be found by what it does: "read all bytes from file" meets a body calling
 * `Files.newInputStream` and `readNBytes`.
 *
 * A small lexer over the symbol's source, not a walk over the syntax tree: every node
 * visited in the tree is a call into WASM, and a lexer that skips strings and comments
 * gives the same identifiers at a fraction of the cost. The code of nested symbols is left
 * to them (a class gets its fields and decorators, each method its own body), so a file's
 * text is read once whatever its nesting.
 */

/** Distinct identifiers kept per symbol: enough to describe a body, bounded for huge ones. */
export const BODY_IDENTIFIERS = 40;

/** Keywords of the indexed languages: present in every body, they say nothing about one. */
const KEYWORDS: ReadonlySet<string> = new Set(
  (
    'abstract and as assert async await base bool boolean break byte case catch char class const continue crate def default defer del delete do double dyn elif else enum ' +
    'except explicit export extends extern false final finally float fn for foreach from func function global go goto if impl implements import in inline instanceof int ' +
    'interface internal is lambda let long loop match mod module mut namespace native new nil nonlocal none not null object of operator or override package pass private ' +
    'protected pub public raise readonly ref return self short signed sizeof static string struct super switch synchronized template this throw throws trait transient true ' +
    'try type typedef typeof uint union unsafe unsigned use using val var virtual void volatile when where while with yield end elsif unless until begin rescue ensure then ' +
    'echo fun init unit any never undefined str dict list tuple set len range print isinstance'
  ).split(' '),
);

/** Line comments start with `#` in these languages; elsewhere `#` is code (`#include`, `#private`). */
const HASH_COMMENTS: ReadonlySet<LanguageId> = new Set(['python', 'ruby', 'php']);

/** ASCII letter, `_` or `$`: starts an identifier. */
function identStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}

/** ASCII letter, digit, `_` or `$`. */
function identPart(c: number): boolean {
  return identStart(c) || (c >= 48 && c <= 57);
}

/** Letter, digit, `_` or `.`: what a number literal with its suffix is made of (`10L`, `0xff`, `1.5e3`). */
function numberPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;
}

/**
 * Appends the identifiers of `text[from, to)` (strings and comments skipped) to `out`,
 * each once, until `out` holds `limit`. Character codes throughout, and a string is made
 * only for identifiers of three characters or more: this runs over every byte of every
 * indexed file (it was a tenth of a parse worker's CPU with a sticky regular expression).
 */
function scan(text: string, from: number, to: number, hashComments: boolean, seen: Set<string>, out: string[], limit: number): void {
  const n = to;
  let i = from;
  while (i < n && out.length < limit) {
    const c = text.charCodeAt(i);
    if (identStart(c)) {
      let j = i + 1;
      while (j < n && identPart(text.charCodeAt(j))) j++;
      if (j - i >= 3) {
        const word = text.slice(i, j);
        if (!seen.has(word)) {
          seen.add(word);
          if (!KEYWORDS.has(word.toLowerCase())) out.push(word);
        }
      }
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      // A number, including its suffix (`10L`, `0xff`): not an identifier.
      while (i < n && numberPart(text.charCodeAt(i))) i++;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i);
      i = end < 0 || end > n ? n : end;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 || end + 2 > n ? n : end + 2;
      continue;
    }
    if (c === 35 /* # */ && hashComments) {
      const end = text.indexOf('\n', i);
      i = end < 0 || end > n ? n : end;
      continue;
    }
    if (c === 34 || c === 39 || c === 96 /* " ' ` */) {
      if (i + 2 < n && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c) {
        const end = text.indexOf(c === 34 ? '"""' : c === 39 ? "'''" : '```', i + 3);
        i = end < 0 || end + 3 > n ? n : end + 3;
        continue;
      }
      // A quote that is not closed on its line is a Rust lifetime or a stray character:
      // skip only the quote.
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) j += 2;
        else if (d === c) break;
        else if (d === 10 && c !== 96) break;
        else j++;
      }
      i = j < n && text.charCodeAt(j) === c ? j + 1 : i + 1;
      continue;
    }
    i++;
  }
}

/**
 * For each symbol, its body's identifiers (see above) in order of first use, at most
 * BODY_IDENTIFIERS. `source` is the file's text; symbol offsets are UTF-8 bytes.
 */
export function bodyIdentifiers(source: string, symbols: readonly ExtractedSymbol[], language: LanguageId): string[][] {
  const ascii = Buffer.byteLength(source, 'utf8') === source.length;
  const bytes = ascii ? null : Buffer.from(source, 'utf8');
  const hash = HASH_COMMENTS.has(language);
  // Byte offsets are string offsets in an ASCII file; otherwise each range is decoded.
  const scanRange = (start: number, end: number, seen: Set<string>, out: string[]) => {
    if (bytes === null) scan(source, start, Math.min(end, source.length), hash, seen, out, BODY_IDENTIFIERS);
    else {
      const text = bytes.toString('utf8', start, end);
      scan(text, 0, text.length, hash, seen, out, BODY_IDENTIFIERS);
    }
  };
  const children: number[][] = symbols.map(() => []);
  symbols.forEach((sym, i) => {
    if (sym.parent !== null && sym.parent < i) children[sym.parent]!.push(i);
  });
  return symbols.map((sym, i) => {
    const out: string[] = [];
    const seen = new Set<string>([sym.name]);
    let at = sym.startByte;
    for (const child of children[i]!) {
      const c = symbols[child]!;
      if (c.startByte > at) scanRange(at, c.startByte, seen, out);
      at = Math.max(at, c.endByte);
    }
    if (sym.endByte > at) scanRange(at, sym.endByte, seen, out);
    return out;
  });
}
