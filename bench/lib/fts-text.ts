import { splitIdentifier, textTokens } from '../../src/engine/tokens.js';

/** FTS5 row text of one symbol. */
export interface FtsRow {
  name: string;
  qualified: string;
  signature: string;
  doc: string;
}

const DOC_TOKENS = 64;

/**
 * The FTS text the indexer writes for a symbol. A copy of `ftsText` in
 * src/engine/indexer/parse-worker.ts (not exported there): the tenant FTS table is
 * contentless, so benchmarks that copy symbols into another layout (a shared database,
 * a grown tenant) must derive the text again. Keep the two in step.
 */
export function ftsRow(sym: { name: string; qualifiedName: string; signature: string; doc: string | null }): FtsRow {
  return {
    name: `${sym.name.toLowerCase()} ${splitIdentifier(sym.name).join(' ')}`,
    qualified: sym.qualifiedName.toLowerCase().split('.').join(' '),
    signature: textTokens(sym.signature).join(' '),
    doc: sym.doc ? textTokens(sym.doc).slice(0, DOC_TOKENS).join(' ') : '',
  };
}
