import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CodeParser } from '../../src/parse/code-parser.js';
import { languageForPath } from '../../src/parse/languages.js';
import type { ExtractedSymbol, ParseResult } from '../../src/parse/types.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/langs/', import.meta.url));

let shared: Promise<CodeParser> | null = null;

/** One parser for a whole test file, as one worker thread would hold. */
export function sharedParser(): Promise<CodeParser> {
  shared ??= CodeParser.create();
  return shared;
}

export function readFixture(relPath: string): string {
  return readFileSync(FIXTURES + relPath, 'utf8');
}

/** Parses `test/fixtures/langs/<relPath>` with the language its extension implies. */
export async function parseFixture(relPath: string): Promise<ParseResult> {
  const language = languageForPath(relPath);
  if (language === null) throw new Error(`no language for ${relPath}`);
  return (await sharedParser()).parse(language, readFixture(relPath));
}

export type OutlineRow = [name: string, qualifiedName: string, kind: string, startLine: number, endLine: number];

/** The comparable core of a symbol list: name, qualified name, kind and line range. */
export function outline(symbols: readonly ExtractedSymbol[]): OutlineRow[] {
  return symbols.map((s) => [s.name, s.qualifiedName, s.kind, s.startLine, s.endLine]);
}

export type LocalOutlineRow = [...OutlineRow, local: boolean];

/** Like outline, with whether each symbol is local (declared inside a function body). */
export function localOutline(symbols: readonly ExtractedSymbol[]): LocalOutlineRow[] {
  return symbols.map((s) => [s.name, s.qualifiedName, s.kind, s.startLine, s.endLine, s.local]);
}

export function symbolNamed(result: ParseResult, qualifiedName: string): ExtractedSymbol {
  const found = result.symbols.find((s) => s.qualifiedName === qualifiedName);
  if (found === undefined) throw new Error(`no symbol ${qualifiedName}`);
  return found;
}

/** Imports as `kind specifier [names]` strings, which read well in a failing diff. */
export function importLines(result: ParseResult): string[] {
  return result.imports.map((i) => `${i.line} ${i.kind} ${i.specifier}${i.names.length > 0 ? ` [${i.names.join(', ')}]` : ''}`);
}
