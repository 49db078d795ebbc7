/**
 * What a symbol's text does not say but a reader knows: an implementation in source beats
 * its build copy, a test helper or a Windows-only variant; a symbol many files import beats
 * an unused one. Each signal is one line of points (text scores 0-100, see
 * search-symbols.ts), small enough to order equally good text matches and never to lift
 * a poor match over a good one.
 */

export interface SignalRow {
  name: string;
  kind: string;
  filePath: string;
  signature: string;
  doc: string | null;
  /** Files importing this symbol's file. */
  fileImporters: number;
  /** Import statements naming this symbol. */
  importers: number;
  /** 1 when declared inside a function body (a closure, a local class or its member). */
  local: number;
}

/** Test code: files under test folders or named like tests. */
const TEST_PATH = /(^|\/)(tests?|__tests__|spec|testing)\/|(^|\/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$/i;
/** Declaration files and generated or vendored copies of code that lives elsewhere. */
const DECLARATION = /\.d\.[cm]?ts$/;
const BUILD_COPY = /(^|\/)(dist|build|out|umd|cjs|esm|_vendor|vendor|vendored|third_party)\/|\.min\.[cm]?js$|\.cjs$/;
/** Code for one platform only: the portable version is what a reader means. */
const PLATFORM = /(^|[/_.-])(win32|windows|_win|winapi|nt|msvcrt|darwin|macos|osx|cygwin|vms|os2|riscos|android)([/_.-]|$)/i;
/** Python's `_private` (not `__dunder__`), JS `#private`, and declared-private members. */
function isPrivate(row: SignalRow): boolean {
  if (/^_(?!_)|^#/.test(row.name)) return true;
  return /(^|\s)private\s/.test(row.signature);
}

/** Points a candidate gains (or loses) beyond its text score. */
export function signalPoints(row: SignalRow): number {
  let points = 0;
  if (TEST_PATH.test(row.filePath)) points -= 10;
  if (DECLARATION.test(row.filePath)) points -= 4;
  if (BUILD_COPY.test(row.filePath)) points -= 4;
  if (PLATFORM.test(row.filePath) || PLATFORM.test(row.name)) points -= 3;
  if (isPrivate(row)) points -= 3;
  // A closure or local class answers below a top-level definition of the same name.
  if (row.local === 1) points -= 6;
  if (row.doc) points += 2;
  points += Math.min(4, Math.log2(1 + row.fileImporters));
  points += Math.min(4, 1.5 * Math.log2(1 + row.importers));
  return points;
}
