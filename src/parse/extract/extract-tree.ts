import type { Node } from 'web-tree-sitter';
import { LANGUAGE_SPECS } from '../extractors/index.js';
import type { LanguageId, ParseResult } from '../types.js';
import { Extractor, FILE_SCOPE } from './extractor.js';

/**
 * Symbols and imports of a parsed file. A handler tripping over a malformed tree must not
 * cost the file: whatever was extracted before the failure is returned, flagged as erroneous.
 */
export function extractTree(language: LanguageId, root: Node, source: string): ParseResult {
  const spec = LANGUAGE_SPECS[language];
  const ex = new Extractor(source, spec);
  let hasErrors = root.hasError;
  try {
    ex.walk(root, FILE_SCOPE);
    spec.scanImports?.(root, ex);
    spec.finish?.(ex);
  } catch {
    hasErrors = true;
  }
  // Scans for nested imports append after the walk's; the index wants them in file order.
  const imports = ex.imports.length > 1 ? ex.imports.sort((a, b) => a.line - b.line) : ex.imports;
  return { symbols: ex.symbols, imports, hasErrors };
}
