import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, type ExtractedSymbol, type LanguageId, type ParseResult } from '../../src/parse/types.js';
import { parseFixture, readFixture, sharedParser } from './parse-helpers.js';

async function parse(language: LanguageId, source: string): Promise<ParseResult> {
  return (await sharedParser()).parse(language, source);
}

/** The bytes a symbol's range covers in the UTF-8 file. */
function bytesOf(source: string, symbol: ExtractedSymbol): string {
  return Buffer.from(source, 'utf8').subarray(symbol.startByte, symbol.endByte).toString('utf8');
}

function byName(result: ParseResult, name: string): ExtractedSymbol {
  const symbol = result.symbols.find((s) => s.name === name);
  if (symbol === undefined) throw new Error(`no symbol ${name} in ${result.symbols.map((s) => s.name).join(', ')}`);
  return symbol;
}

/** Structural promises every result keeps, whatever the input. */
function expectWellFormed(source: string, result: ParseResult): void {
  const byteLength = Buffer.byteLength(source, 'utf8');
  const lineCount = source.split('\n').length;
  result.symbols.forEach((symbol, index) => {
    expect(symbol.startByte).toBeGreaterThanOrEqual(0);
    expect(symbol.endByte).toBeGreaterThanOrEqual(symbol.startByte);
    expect(symbol.endByte).toBeLessThanOrEqual(byteLength);
    expect(symbol.startLine).toBeGreaterThanOrEqual(1);
    expect(symbol.endLine).toBeGreaterThanOrEqual(symbol.startLine);
    expect(symbol.endLine).toBeLessThanOrEqual(lineCount);
    expect(symbol.signature.length).toBeLessThanOrEqual(200);
    if (symbol.parent !== null) {
      expect(symbol.parent).toBeLessThan(index);
      const parent = result.symbols[symbol.parent]!;
      expect(symbol.qualifiedName.startsWith(`${parent.qualifiedName}.`)).toBe(true);
    }
  });
  for (const imp of result.imports) expect(imp.line).toBeGreaterThanOrEqual(1);
}

const GARBAGE = '\u0000\u0001\u00ff{{{(((]]]"\'`/*#<?php ?>\ud83d\ude00 \r\n\t\u200b'.repeat(40) + '\u0000'.repeat(100);

describe('parsing never fails on hostile input', () => {
  it.each(LANGUAGES.map((l) => [l]))('gives an empty, error-free result for an empty %s file', async (language) => {
    expect(await parse(language, '')).toEqual({ symbols: [], imports: [], hasErrors: false });
  });

  it.each(LANGUAGES.map((l) => [l]))('survives binary garbage as %s and flags the errors', async (language) => {
    const result = await parse(language, GARBAGE);
    expect(result.hasErrors).toBe(true);
    expectWellFormed(GARBAGE, result);
  });

  it.each([
    ['typescript', 'function ok(): void {}\nclass Broken {\n  method() {\n    if (x', 'ok'],
    ['python', 'def ok():\n    pass\n\ndef broken(:\n    return (\n', 'ok'],
    ['go', 'package p\n\nfunc Ok() {}\n\nfunc Broken( {\n', 'Ok'],
    ['rust', 'fn ok() {}\n\nimpl Broken {\n    fn half(&self\n', 'ok'],
    ['java', 'class Ok { void run() {} }\nclass Broken { void x( {\n', 'Ok'],
    ['c', 'int ok(void) { return 0; }\nstruct broken {\n  int x\n', 'ok'],
    ['ruby', 'def ok\nend\n\nclass Broken\n  def x(\n', 'ok'],
    ['php', '<?php\nfunction ok() {}\nclass Broken {\n  public function x(\n', 'ok'],
  ] as const)('keeps the intact declarations of a truncated %s file', async (language, source, intact) => {
    const result = await parse(language, source);
    expect(result.hasErrors).toBe(true);
    expect(result.symbols.map((s) => s.name)).toContain(intact);
    expectWellFormed(source, result);
  });

  it.each([
    'typescript/service.ts',
    'javascript/server.js',
    'tsx/App.tsx',
    'python/client.py',
    'go/server.go',
    'rust/lib.rs',
    'java/UserService.java',
    'c/list.h',
    'c/list.c',
    'cpp/shape.hpp',
    'cpp/shape.cpp',
    'csharp/OrderService.cs',
    'csharp/Invoices.cs',
    'ruby/account.rb',
    'php/UserController.php',
    'kotlin/Repository.kt',
    'swift/Cache.swift',
  ])('gives well-formed ranges, parents and signatures for the fixture %s', async (fixture) => {
    expectWellFormed(readFixture(fixture), await parseFixture(fixture));
  });

  it('keeps every result well formed for arbitrary text in any language', async () => {
    const parser = await sharedParser();
    await fc.assert(
      fc.property(fc.constantFrom(...LANGUAGES), fc.string({ unit: 'binary', maxLength: 300 }), (language, source) => {
        expectWellFormed(source, parser.parse(language, source));
      }),
      { numRuns: 300 },
    );
  });
});

describe('byte offsets and lines with line endings and non-ASCII text', () => {
  it('counts lines and keeps signatures and docs free of carriage returns in a CRLF file', async () => {
    const source = ['import os', '', '', 'def fetch(url):', '    """Fetch it.', '', '    Really."""', '    return url', ''].join('\r\n');
    const result = await parse('python', source);
    const fetch = byName(result, 'fetch');
    expect([fetch.startLine, fetch.endLine]).toEqual([4, 8]);
    expect(fetch.signature).toBe('def fetch(url)');
    expect(fetch.doc).toBe('Fetch it.\n\nReally.');
    expect(bytesOf(source, fetch).startsWith('def fetch(url):\r\n')).toBe(true);
    expect(result.imports).toEqual([{ specifier: 'os', kind: 'import', line: 1, names: [] }]);
  });

  it('strips CRLF from block doc comments', async () => {
    const source = '/**\r\n * Adds.\r\n * Twice.\r\n */\r\nexport function add() {}\r\n';
    expect(byName(await parse('typescript', source), 'add').doc).toBe('Adds.\nTwice.');
  });

  it('counts a byte-order mark in byte offsets but not in lines or names', async () => {
    const source = '\ufeffexport const café = 1;\nexport function greet(): string { return "ü"; }\n';
    const result = await parse('typescript', source);
    const greet = byName(result, 'greet');
    expect(byName(result, 'café').startByte).toBe(3);
    expect(greet.startLine).toBe(2);
    expect(bytesOf(source, greet)).toBe('export function greet(): string { return "ü"; }');
  });

  it.each([
    ['typescript', 'const banner = "😀 héllo wörld";\n/** Grüße 👋 */\nexport function grüß(name: string): string {\n  return `👋 ${name}`;\n}\n', 'grüß', 'export function grüß(name: string): string {'],
    ['python', 'GREETING = "😀😀😀"\n\nclass Café:\n    def naïve(self, ñ="é"):\n        return "🎉"\n', 'naïve', 'def naïve(self, ñ="é"):'],
    ['go', 'package p\n\nvar banner = "日本語😀"\n\nfunc Grüß(s string) string {\n\treturn "é" + s\n}\n', 'Grüß', 'func Grüß(s string) string {'],
    ['rust', '// 😀 emoji comment\nconst NAME: &str = "ß😀";\n\nfn grüß() -> &\'static str {\n    "🎉"\n}\n', 'grüß', 'fn grüß() -> &\'static str {'],
    ['swift', 'let banner = "😀"\nlet 😀 = 1\n\nfunc grüß() -> String { "é" }\n', 'grüß', 'func grüß() -> String { "é" }'],
    ['java', 'class Ü {\n  String s = "😀😀";\n  void grüß() { System.out.println("é"); }\n}\n', 'grüß', 'void grüß() { System.out.println("é"); }'],
    ['c', 'const char *banner = "😀 é";\n\nint grus(void) { return 1; /* ß */ }\n', 'grus', 'int grus(void) { return 1; /* ß */ }'],
    ['ruby', '# 😀\nBANNER = "é"\n\ndef grüß\n  "🎉"\nend\n', 'grüß', 'def grüß\n  "🎉"\nend'],
  ] as const)('maps %s declarations after multi-byte text to their exact UTF-8 bytes', async (language, source, name, text) => {
    const symbol = byName(await parse(language, source), name);
    expect(bytesOf(source, symbol).startsWith(text)).toBe(true);
    const prefix = source.slice(0, source.indexOf(text));
    expect(symbol.startByte).toBe(Buffer.byteLength(prefix, 'utf8'));
  });

  it('gives a symbol ending at the file end an end byte equal to the file length', async () => {
    const source = 'const a = "é";\nfunction last() { return "😀"; }';
    expect(byName(await parse('javascript', source), 'last').endByte).toBe(Buffer.byteLength(source));
  });

  it('cuts long signatures to 200 characters ending in an ellipsis', async () => {
    const params = Array.from({ length: 60 }, (_, i) => `p${i}: number`).join(', ');
    const symbol = byName(await parse('typescript', `function wide(${params}): void {}\n`), 'wide');
    expect(symbol.signature).toHaveLength(200);
    expect(symbol.signature.endsWith('…')).toBe(true);
  });
});
