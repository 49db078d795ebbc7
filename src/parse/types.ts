/**
 * What the parser hands to the indexer for one file. Pure data: structured-cloneable so
 * that it crosses the worker-thread boundary as is.
 */

export const LANGUAGES = [
  'typescript',
  'tsx',
  'javascript',
  'python',
  'go',
  'rust',
  'java',
  'c',
  'cpp',
  'csharp',
  'ruby',
  'php',
  'kotlin',
  'swift',
] as const;

export type LanguageId = (typeof LANGUAGES)[number];

export const SYMBOL_KINDS = [
  'function',
  'method',
  'constructor',
  'class',
  'interface',
  'type',
  'enum',
  'enum_member',
  'struct',
  'union',
  'trait',
  'impl',
  'module',
  'namespace',
  'constant',
  'variable',
  'field',
  'property',
  'macro',
] as const;

export type SymbolKind = (typeof SYMBOL_KINDS)[number];

export interface ExtractedSymbol {
  /** Simple name as written, e.g. `getUser`. */
  name: string;
  /** Dotted path through enclosing symbols, e.g. `UserService.getUser`. */
  qualifiedName: string;
  kind: SymbolKind;
  /** 1-based, inclusive. */
  startLine: number;
  /** 1-based, inclusive. */
  endLine: number;
  /** UTF-8 byte offset of the first byte of the declaration (doc comment excluded). */
  startByte: number;
  /** UTF-8 byte offset one past the last byte of the declaration. */
  endByte: number;
  /** The declaration head without its body, whitespace collapsed, at most ~200 chars. */
  signature: string;
  /** Doc comment or docstring with comment markers stripped, or null. */
  doc: string | null;
  /** Index into the same `symbols` array of the enclosing symbol, or null at top level. */
  parent: number | null;
  /**
   * Declared inside a function body: a closure, a local class or one of its members.
   * Searchable like any symbol, ranked below top-level ones; an outline may fold it.
   */
  local: boolean;
}

export type ImportKind = 'import' | 'require' | 'dynamic' | 'include' | 'use' | 'mod' | 'export';

export interface ExtractedImport {
  /** The module specifier exactly as written (`./util`, `os.path`, `crate::a::b`, `stdio.h`). */
  specifier: string;
  kind: ImportKind;
  /** 1-based line of the import statement. */
  line: number;
  /** Imported names when the syntax lists them (`{ a, b }`, `from x import a, b`). */
  names: string[];
}

/**
 * Version of what extraction yields for a file. Bump it with every change that adds,
 * removes or renames symbols: a repository last parsed by another version is re-parsed
 * in full by its next index run, even where no file changed.
 */
export const EXTRACTOR_VERSION = 2;

export interface ParseResult {
  symbols: ExtractedSymbol[];
  imports: ExtractedImport[];
  /** True when tree-sitter reported syntax errors; symbols are still best effort. */
  hasErrors: boolean;
}
