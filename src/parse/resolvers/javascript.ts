import { firstExisting, joinPath, dirname } from './repo-paths.js';

const TS_FIRST = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];
const JS_FIRST = ['.js', '.jsx', '.mjs', '.cjs', '.ts', '.tsx', '.d.ts', '.mts', '.cts'];

/**
 * Output extensions that TypeScript ESM sources write (`./x.js`) while the file on disk is
 * the source (`x.ts`).
 */
const SOURCE_FOR_OUTPUT: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};

/**
 * Relative specifiers only: bare ones name packages, which live outside the repo. A `.js`
 * specifier means the file itself in JavaScript, and its TypeScript source first in
 * TypeScript (`fromTypeScript`), where ESM imports name the compiled output.
 */
export function resolveJavaScript(
  files: ReadonlySet<string>,
  fromPath: string,
  specifier: string,
  fromTypeScript: boolean,
): string[] {
  if (!specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== '.' && specifier !== '..') return [];
  const target = joinPath(dirname(fromPath), specifier.replace(/[?#].*$/, ''));
  if (target === null) return [];
  const candidates: string[] = [];
  if (!fromTypeScript) candidates.push(target);
  const ext = /\.[cm]?jsx?$/.exec(target)?.[0];
  if (ext !== undefined) {
    const stem = target.slice(0, -ext.length);
    for (const source of SOURCE_FOR_OUTPUT[ext] ?? []) candidates.push(stem + source);
  }
  if (fromTypeScript) candidates.push(target);
  const extensions = fromTypeScript ? TS_FIRST : JS_FIRST;
  for (const extension of extensions) candidates.push(target + extension);
  for (const extension of extensions) candidates.push(`${target}/index${extension}`);
  return firstExisting(files, candidates);
}
