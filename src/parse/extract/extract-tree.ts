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
  return { symbols: ex.symbols, imports: ex.imports, hasErrors };
}
