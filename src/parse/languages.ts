import type { LanguageId } from './types.js';

/**
 * File extension (lower-case, with the dot) to language. `.d.ts` needs no entry of its own:
 * declaration files parse with the TypeScript grammar like any other `.ts` file.
 */
const EXTENSION_LANGUAGE: ReadonlyMap<string, LanguageId> = new Map<string, LanguageId>([
  ['.ts', 'typescript'],
  ['.mts', 'typescript'],
  ['.cts', 'typescript'],
  ['.tsx', 'tsx'],
  ['.js', 'javascript'],
  ['.mjs', 'javascript'],
  ['.cjs', 'javascript'],
  ['.jsx', 'javascript'],
  ['.py', 'python'],
  ['.pyi', 'python'],
  ['.go', 'go'],
  ['.rs', 'rust'],
  ['.java', 'java'],
  ['.c', 'c'],
  ['.h', 'c'],
  ['.cc', 'cpp'],
  ['.cpp', 'cpp'],
  ['.cxx', 'cpp'],
  ['.c++', 'cpp'],
  ['.hpp', 'cpp'],
  ['.hh', 'cpp'],
  ['.hxx', 'cpp'],
  ['.cs', 'csharp'],
  ['.rb', 'ruby'],
  ['.php', 'php'],
  ['.kt', 'kotlin'],
  ['.kts', 'kotlin'],
  ['.swift', 'swift'],
]);

/** Grammar file name inside `tree-sitter-wasms/out/` for each language. */
export const GRAMMAR_FILES: Readonly<Record<LanguageId, string>> = Object.freeze({
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  rust: 'tree-sitter-rust.wasm',
  java: 'tree-sitter-java.wasm',
  c: 'tree-sitter-c.wasm',
  cpp: 'tree-sitter-cpp.wasm',
  csharp: 'tree-sitter-c_sharp.wasm',
  ruby: 'tree-sitter-ruby.wasm',
  php: 'tree-sitter-php.wasm',
  kotlin: 'tree-sitter-kotlin.wasm',
  swift: 'tree-sitter-swift.wasm',
});

/**
 * Language of a repo-relative path, judged by its extension alone (case-insensitive), or
 * null when the file is not source code we parse.
 */
export function languageForPath(relPath: string): LanguageId | null {
  const slash = relPath.lastIndexOf('/');
  const dot = relPath.lastIndexOf('.');
  // A leading dot names a hidden file (`.ts` alone), not an extension.
  if (dot <= slash + 1) return null;
  return EXTENSION_LANGUAGE.get(relPath.slice(dot).toLowerCase()) ?? null;
}
