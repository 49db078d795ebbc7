import { dirname, firstExisting, joinPath } from './repo-paths.js';

/** Where absolute imports are looked up: the repo root first, then a `src/` layout. */
const SOURCE_ROOTS = ['', 'src'];

function moduleCandidates(base: string, dotted: string): (string | null)[] {
  const rel = dotted.split('.').filter((p) => p !== '').join('/');
  if (rel === '') return [joinPath(base, '__init__.py'), joinPath(base, '__init__.pyi')];
  return [
    joinPath(base, `${rel}.py`),
    joinPath(base, `${rel}/__init__.py`),
    joinPath(base, `${rel}.pyi`),
    joinPath(base, `${rel}/__init__.pyi`),
  ];
}

/**
 * `.mod`, `..pkg.mod`, `pkg.mod`: the module file, plus the submodule files of names imported
 * from a package (`from . import utils` → `utils.py` next to the importing file).
 * Submodules come first: they are what the statement is about (`from json import scanner`
 * imports `json/scanner.py`; running `json/__init__.py` is a side effect), and an edge
 * records only the first file.
 */
export function resolvePython(
  files: ReadonlySet<string>,
  fromPath: string,
  specifier: string,
  names: readonly string[],
): string[] {
  const dots = /^\.*/.exec(specifier)![0].length;
  const dotted = specifier.slice(dots);
  let bases: string[];
  if (dots > 0) {
    let base: string | null = dirname(fromPath);
    for (let i = 1; i < dots && base !== null; i++) base = base === '' ? null : dirname(base);
    if (base === null) return [];
    bases = [base];
  } else {
    // A script's own folder is on sys.path too, after the roots.
    bases = [...SOURCE_ROOTS, dirname(fromPath)];
  }
  for (const base of bases) {
    const module = firstExisting(files, moduleCandidates(base, dotted));
    const submodules = names
      .filter((n) => n !== '*')
      .flatMap((name) => firstExisting(files, moduleCandidates(base, dotted === '' ? name : `${dotted}.${name}`)));
    if (module.length > 0 || submodules.length > 0) {
      return [...new Set([...submodules, ...module])].filter((f) => f !== fromPath);
    }
  }
  return [];
}
