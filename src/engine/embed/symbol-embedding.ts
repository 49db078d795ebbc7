/**
 * How symbols become vectors. Text models embed `symbolEmbeddingText`: one function, so
 * that every provider, the indexer and any re-embedding job agree on it — changing it
 * changes the vectors, so it is part of each text provider's vector space. The hashing
 * embedder reads the same fields directly (`HashingEmbedder.embedSymbol`) to weight them.
 */

import { splitIdentifier } from '../tokens.js';
import type { SymbolFields } from './provider.js';

/**
 * Doc comments are cut to this many characters: the summary at their start carries the
 * meaning, and small embedding models (512 tokens) must still see the name and signature.
 */
export const MAX_DOC_CHARS = 1000;

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  // Never split a surrogate pair: a lone half would be replaced by U+FFFD on the wire.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/**
 * Builds the text embedded for a symbol, one part per line:
 *
 *     method UserService.getUserById
 *     get user by id
 *     getUserById(id: string): Promise<User>
 *     Loads a user by primary key.
 *
 * The kind and qualified name come first; the name spelled as words helps models that
 * never saw camelCase; the signature and doc (whitespace collapsed, at most
 * `MAX_DOC_CHARS`) follow when present.
 */
export function symbolEmbeddingText(symbol: SymbolFields): string {
  const lines = [`${symbol.kind} ${symbol.qualifiedName}`.trim(), splitIdentifier(symbol.name).join(' ')];
  const signature = collapseWhitespace(symbol.signature);
  if (signature !== '') lines.push(signature);
  const doc = symbol.doc ? truncate(collapseWhitespace(symbol.doc), MAX_DOC_CHARS) : '';
  if (doc !== '') lines.push(doc);
  return lines.filter((line) => line !== '').join('\n');
}
