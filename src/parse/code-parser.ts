import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { invalidArgument } from '../errors.js';
import { extractTree } from './extract/extract-tree.js';
import { GRAMMAR_FILES } from './languages.js';
import { LANGUAGES, type LanguageId, type ParseResult } from './types.js';

const require = createRequire(import.meta.url);

/** Tree-sitter's runtime is per thread; one init serves every CodeParser in it. */
let runtimeReady: Promise<void> | null = null;

function initRuntime(): Promise<void> {
  runtimeReady ??= Parser.init();
  return runtimeReady;
}

export interface CodeParserOptions {
  /**
   * Grammars to load up front. `parse` is synchronous, so a language must be loaded before
   * its first file: either here or with `load()`.
   * @default every language in LANGUAGES (about 100 ms, once per worker)
   */
  languages?: readonly LanguageId[];
}

/**
 * Parses source files into symbols and imports. One instance per worker thread: it owns one
 * tree-sitter Parser and the grammars it loaded, and holds no other state between files.
 */
export class CodeParser {
  private readonly parser = new Parser();
  private readonly grammars = new Map<LanguageId, Language>();
  private readonly loading = new Map<LanguageId, Promise<void>>();
  private current: LanguageId | null = null;
  /**
   * Grammar loads run one after another: web-tree-sitter links each grammar's WASM into one
   * shared module, and two links in flight at once fail with "bad export type".
   */
  private loadChain: Promise<unknown> = Promise.resolve();

  private constructor() {}

  static async create(options: CodeParserOptions = {}): Promise<CodeParser> {
    await initRuntime();
    const parser = new CodeParser();
    for (const id of options.languages ?? LANGUAGES) await parser.load(id);
    return parser;
  }

  /** Loads the grammar of `language` once; later calls return at once. */
  load(language: LanguageId): Promise<void> {
    if (!(language in GRAMMAR_FILES)) {
      return Promise.reject(invalidArgument('language', `unknown language "${String(language)}"`));
    }
    let pending = this.loading.get(language);
    if (pending === undefined) {
      const path = require.resolve(`tree-sitter-wasms/out/${GRAMMAR_FILES[language]}`);
      pending = this.loadChain.then(async () => {
        this.grammars.set(language, await Language.load(path));
      });
      this.loadChain = pending.catch(() => undefined);
      // A failed load may be retried by the next call rather than cached forever.
      pending.catch(() => this.loading.delete(language));
      this.loading.set(language, pending);
    }
    return pending;
  }

  isLoaded(language: LanguageId): boolean {
    return this.grammars.has(language);
  }

  /**
   * Symbols and imports of one file. Never throws on any source text: syntax errors, binary
   * garbage and truncated files give a best-effort result with `hasErrors: true`.
   * Throws only when `language` was not loaded, which is a programming error.
   */
  parse(language: LanguageId, source: string): ParseResult {
    const grammar = this.grammars.get(language);
    if (grammar === undefined) {
      throw invalidArgument('language', `grammar for "${String(language)}" is not loaded; call load() first`);
    }
    // The index stores UTF-8 byte offsets of the file as read; a BOM is not source text.
    if (source.charCodeAt(0) === 0xfeff) return shiftPastBom(this.parse(language, source.slice(1)));
    if (this.current !== language) {
      this.parser.setLanguage(grammar);
      this.current = language;
    }
    let tree;
    try {
      tree = this.parser.parse(source);
    } catch {
      tree = null;
    }
    if (tree === null) {
      this.parser.reset();
      return { symbols: [], imports: [], hasErrors: true };
    }
    try {
      return extractTree(language, tree.rootNode, source);
    } finally {
      tree.delete();
    }
  }
}

/** Re-bases byte offsets of a result computed without the BOM onto the file with it. */
function shiftPastBom(result: ParseResult): ParseResult {
  const BOM_BYTES = 3;
  for (const symbol of result.symbols) {
    symbol.startByte += BOM_BYTES;
    symbol.endByte += BOM_BYTES;
  }
  return result;
}
