import { resolveGo } from './resolvers/go.js';
import { resolveJavaScript } from './resolvers/javascript.js';
import { resolveJvm } from './resolvers/jvm.js';
import { resolveInclude, resolvePhpInclude, resolvePhpUse, resolveRuby } from './resolvers/native.js';
import { resolvePython } from './resolvers/python.js';
import type { RepoFiles } from './resolvers/repo-paths.js';
import { resolveRustMod, resolveRustUse } from './resolvers/rust.js';
import type { ImportKind, LanguageId } from './types.js';

export type { RepoFiles } from './resolvers/repo-paths.js';

export interface ImportToResolve {
  language: LanguageId;
  /** Repo-relative path of the importing file, '/'-separated. */
  fromPath: string;
  /** The specifier as extracted (`./util`, `..pkg.mod`, `crate::a::B`). */
  specifier: string;
  kind: ImportKind;
  /**
   * Names imported with it, as extracted. Python uses them: `from . import utils` may name
   * the submodule `utils.py`.
   */
  names?: readonly string[];
}

/**
 * Repo-relative files an import refers to, or [] when it is external or unresolvable. Every
 * returned path is a member of `repo.files`; nothing outside the repo is ever returned.
 * Deterministic: the same inputs give the same list in the same order.
 */
export function resolveImport(imp: ImportToResolve, repo: RepoFiles): string[] {
  const { files } = repo;
  const { fromPath, specifier, kind } = imp;
  let found: string[];
  switch (imp.language) {
    case 'typescript':
    case 'tsx':
    case 'javascript':
      found = resolveJavaScript(files, fromPath, specifier, imp.language !== 'javascript');
      break;
    case 'python':
      found = resolvePython(files, fromPath, specifier, imp.names ?? []);
      break;
    case 'go':
      found = resolveGo(files, repo.goModule, specifier);
      break;
    case 'rust':
      found = kind === 'mod' ? resolveRustMod(files, fromPath, specifier) : resolveRustUse(files, fromPath, specifier);
      break;
    case 'c':
    case 'cpp':
      found = resolveInclude(files, fromPath, specifier);
      break;
    case 'ruby':
      found = resolveRuby(files, fromPath, specifier, kind === 'include');
      break;
    case 'php':
      found = kind === 'use' ? resolvePhpUse(files, specifier) : resolvePhpInclude(files, fromPath, specifier);
      break;
    case 'java':
      found = resolveJvm(files, specifier, ['.java', '.kt']);
      break;
    case 'kotlin':
      found = resolveJvm(files, specifier, ['.kt', '.java']);
      break;
    default:
      // C# namespaces and Swift modules do not map to files.
      found = [];
  }
  return found.filter((f) => files.has(f));
}
