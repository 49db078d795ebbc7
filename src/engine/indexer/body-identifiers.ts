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

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/y;

/**
 * Appends the identifiers of `text` (strings and comments skipped) to `out`, each once,
 * until `out` holds `limit`.
 */
function scan(text: string, hashComments: boolean, seen: Set<string>, out: string[], limit: number): void {
  const n = text.length;
  let i = 0;
  while (i < n && out.length < limit) {
    const c = text.charCodeAt(i);
    // Identifier start: letter, `_` or `$`.
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36) {
      IDENT.lastIndex = i;
      const m = IDENT.exec(text)!;
      const word = m[0];
      i += word.length;
      if (word.length < 3 || seen.has(word)) continue;
      seen.add(word);
      if (!KEYWORDS.has(word.toLowerCase())) out.push(word);
      continue;
    }
    if (c >= 48 && c <= 57) {
      // A number, including its suffix (`10L`, `0xff`): not an identifier.
      while (i < n && /[\w.]/.test(text[i]!)) i++;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === 35 /* # */ && hashComments) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === 34 || c === 39 || c === 96 /* " ' ` */) {
      const quote = text[i]!;
      const triple = text.startsWith(quote.repeat(3), i);
      if (triple) {
        const end = text.indexOf(quote.repeat(3), i + 3);
        i = end < 0 ? n : end + 3;
        continue;
      }
      // A quote that is not closed on its line is a Rust lifetime or a stray character:
      // skip only the quote.
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) j += 2;
        else if (text[j] === quote) break;
        else if (d === 10 && quote !== '`') break;
        else j++;
      }
      i = j < n && text[j] === quote ? j + 1 : i + 1;
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
  const slice = (start: number, end: number) => (bytes ? bytes.toString('utf8', start, end) : source.slice(start, end));
  const children: number[][] = symbols.map(() => []);
  symbols.forEach((sym, i) => {
    if (sym.parent !== null && sym.parent < i) children[sym.parent]!.push(i);
  });
  const hash = HASH_COMMENTS.has(language);
  return symbols.map((sym, i) => {
    const out: string[] = [];
    const seen = new Set<string>([sym.name]);
    let at = sym.startByte;
    for (const child of children[i]!) {
      const c = symbols[child]!;
      if (c.startByte > at) scan(slice(at, c.startByte), hash, seen, out, BODY_IDENTIFIERS);
      at = Math.max(at, c.endByte);
    }
    if (sym.endByte > at) scan(slice(at, sym.endByte), hash, seen, out, BODY_IDENTIFIERS);
    return out;
  });
}
