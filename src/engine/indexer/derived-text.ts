import { splitIdentifier, textTokens } from '../tokens.js';
import type { FtsText } from './parse-protocol.js';

/** Doc words indexed per symbol; the rest of a long docstring is not searchable. */
const DOC_TOKENS = 64;

/**
 * The FTS5 row text of a symbol: lowercased name plus its camelCase/snake_case sub-words,
 * qualified name split at dots, signature and doc words. The FTS table is contentless,
 * so this is the only place the indexed text is defined.
 */
export function ftsText(sym: { name: string; qualifiedName: string; signature: string; doc: string | null }): FtsText {
  return {
    name: `${sym.name.toLowerCase()} ${splitIdentifier(sym.name).join(' ')}`,
    qualified: sym.qualifiedName.toLowerCase().split('.').join(' '),
    signature: textTokens(sym.signature).join(' '),
    doc: sym.doc ? textTokens(sym.doc).slice(0, DOC_TOKENS).join(' ') : '',
  };
}

/** Lines of a file as editors count them: a final newline does not start another line. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text.endsWith('\n') ? lines - 1 : lines;
}
