/**
 * A package that ships `src/a.ts`, `dist/a.js`, `dist/a.cjs` and `dist/a.d.ts` declares
 * every symbol four times. Search shows it once: the best-ranked copy, listing the others
 * as its twins.
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
 * Keeps the first of every group of twins in `ranked` (best first) and hands it the others.
 * Order is preserved; the result may be shorter than the input.
 */
export function collapseTwins<T extends TwinCandidate>(ranked: readonly T[]): { item: T; twins: T[] }[] {
  const out: { item: T; twins: T[] }[] = [];
  const byKey = new Map<string, { item: T; twins: T[] }>();
  for (const item of ranked) {
    const key = twinKey(item);
    const group = key === null ? undefined : byKey.get(key);
    if (group) {
      group.twins.push(item);
      continue;
    }
    const entry = { item, twins: [] as T[] };
    if (key !== null) byKey.set(key, entry);
    out.push(entry);
  }
  return out;
}
