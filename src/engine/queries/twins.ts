/**
 * A package that ships `src/a.ts`, `dist/a.js`, `dist/a.cjs` and `dist/a.d.ts` declares
 * every symbol four times. Search shows it once, where its best copy ranks: the source
 * file, listing the others as its twins.
 */

const TWIN_LANGUAGES: ReadonlySet<string> = new Set(['typescript', 'tsx', 'javascript']);
/** Folders that hold another build of the same sources: they do not tell twins apart. */
const BUILD_FOLDERS: ReadonlySet<string> = new Set(['src', 'dist', 'lib', 'build', 'esm', 'cjs', 'es', 'es6', 'out', 'types', 'typings', 'umd', 'mjs']);

export interface TwinCandidate {
  repo: string;
  name: string;
  qualifiedName: string;
  language: string;
  filePath: string;
}

/**
 * The identity twins share: repository, qualified name and the file path with extension
 * (`.d.ts`, `.min.js`, `.mjs`…) and build folders removed. Null for languages without
 * build copies.
 */
export function twinKey(c: TwinCandidate): string | null {
  if (!TWIN_LANGUAGES.has(c.language)) return null;
  const stem = c.filePath
    .replace(/(\.d)?(\.min)?\.[cm]?[jt]sx?$/, '')
    .split('/')
    .filter((seg) => !BUILD_FOLDERS.has(seg))
    .join('/');
  return `${c.repo}\0${c.qualifiedName}\0${stem}`;
}

/**
 * How much a file looks like the source rather than a build of it: TypeScript source, then
 * JavaScript modules, CommonJS, minified code, and declaration files last. Lower is better.
 */
export function buildRank(filePath: string): number {
  let rank: number;
  if (/\.d\.[cm]?ts$/.test(filePath)) rank = 6;
  else if (/\.min\.[cm]?js$/.test(filePath)) rank = 5;
  else if (/\.[cm]?tsx?$/.test(filePath)) rank = 0;
  else if (/\.(jsx?|mjs)$/.test(filePath)) rank = 2;
  else rank = 3;
  return /(^|\/)src\//.test(filePath) ? rank : rank + 0.5;
}

/**
 * Groups twins in `ranked` (best first) at the position of the best-ranked one, and makes
 * the most source-like of each group the item, the others its twins. The order of groups
 * is kept; the result may be shorter than the input.
 */
export function collapseTwins<T extends TwinCandidate>(ranked: readonly T[]): { item: T; twins: T[] }[] {
  const groups: T[][] = [];
  const byKey = new Map<string, T[]>();
  for (const item of ranked) {
    const key = twinKey(item);
    const group = key === null ? undefined : byKey.get(key);
    if (group) {
      group.push(item);
      continue;
    }
    const fresh = [item];
    if (key !== null) byKey.set(key, fresh);
    groups.push(fresh);
  }
  return groups.map((group) => {
    if (group.length === 1) return { item: group[0]!, twins: [] };
    const item = group.reduce((best, c) => (buildRank(c.filePath) < buildRank(best.filePath) ? c : best));
    return { item, twins: group.filter((c) => c !== item) };
  });
}
