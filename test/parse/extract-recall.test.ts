import { describe, expect, it } from 'vitest';
import type { LanguageId } from '../../src/parse/types.js';
import { localOutline, parseFixture, sharedParser, symbolNamed } from './parse-helpers.js';

/** `[name, qualifiedName, kind, startLine, endLine, local]` of every symbol of `source`. */
async function rows(language: LanguageId, source: string) {
  return localOutline((await sharedParser()).parse(language, source).symbols);
}

describe('recall: symbols wherever a developer would look for them', () => {
  it('extracts the declarations inside UMD, IIFE, AMD and test-framework wrappers of a JavaScript file', async () => {
    const result = await parseFixture('javascript/wrappers.js');
    expect(result.hasErrors).toBe(false);
    expect(localOutline(result.symbols)).toEqual([
      ['VERSION', 'VERSION', 'variable', 7, 7, false],
      ['parse', 'parse', 'function', 8, 10, false],
      ['setup', 'setup', 'function', 16, 16, false],
      ['Widget', 'Widget', 'class', 17, 19, false],
      ['render', 'Widget.render', 'method', 18, 18, false],
      ['bang', 'bang', 'function', 23, 23, false],
      ['helper', 'helper', 'function', 28, 30, false],
      ['boot', 'boot', 'function', 35, 35, false],
      ['fixture', 'fixture', 'function', 40, 40, true],
      ['Stub', 'Stub', 'class', 42, 42, true],
      ['Diff', 'Diff', 'variable', 47, 53, false],
      ['Diff', 'Diff', 'function', 48, 48, false],
      ['run', 'Diff.run', 'method', 49, 51, false],
      ['browserOnly', 'browserOnly', 'function', 56, 56, false],
    ]);
  });

  it('extracts CommonJS exports, prototype methods, object-literal functions and closures of a JavaScript module', async () => {
    const result = await parseFixture('javascript/commonjs.js');
    expect(result.hasErrors).toBe(false);
    expect(localOutline(result.symbols)).toEqual([
      ['Pluralizer', 'Pluralizer', 'class', 3, 7, false],
      ['plural', 'Pluralizer.plural', 'method', 4, 6, false],
      ['NotFound', 'NotFound', 'class', 9, 9, false],
      ['format', 'format', 'function', 11, 13, false],
      ['parse', 'parse', 'function', 15, 15, false],
      ['start', 'start', 'function', 18, 18, false],
      ['stop', 'stop', 'function', 19, 19, false],
      ['deep', 'nested.deep', 'function', 21, 21, false],
      ['Queue', 'Queue', 'function', 26, 29, false],
      ['drain', 'Queue.drain', 'method', 28, 28, true],
      ['push', 'Queue.push', 'method', 31, 33, false],
      ['size', 'Queue.size', 'method', 35, 35, false],
      ['pop', 'Queue.pop', 'method', 38, 38, false],
      ['peek', 'Queue.peek', 'method', 39, 39, false],
      ['create', 'Queue.create', 'method', 42, 44, false],
      ['api', 'api', 'variable', 46, 49, false],
      ['get', 'api.get', 'method', 47, 47, false],
      ['post', 'api.post', 'method', 48, 48, false],
      ['factory', 'factory', 'function', 51, 58, false],
      ['inner', 'factory.inner', 'function', 53, 53, true],
      ['arrow', 'factory.arrow', 'function', 54, 54, true],
      ['product', 'factory.product', 'function', 55, 57, true],
      ['Local', 'factory.product.Local', 'class', 56, 56, true],
      ['hidden', 'hidden', 'function', 61, 61, true],
    ]);
    // Members hang under the symbol they extend, so an outline nests them.
    const queue = result.symbols.findIndex((s) => s.qualifiedName === 'Queue');
    expect(symbolNamed(result, 'Queue.push').parent).toBe(queue);
    expect(symbolNamed(result, 'Queue.push').signature).toBe('Queue.prototype.push = function (item)');
    expect(symbolNamed(result, 'format').signature).toBe('exports.format = function (value)');
  });

  it('does not take the members of an expression-bodied arrow for declarations', async () => {
    expect(await rows('javascript', 'module.exports = () => a.b;\nexports.f = () => c.d;\n')).toEqual([['f', 'f', 'function', 2, 2, false]]);
  });

  it('extracts nested Python functions, classes and named lambdas as local, and definitions under module-level if/try/with/for and __main__', async () => {
    const result = await parseFixture('python/nested.py');
    expect(result.hasErrors).toBe(false);
    expect(localOutline(result.symbols)).toEqual([
      ['make_handler', 'make_handler', 'function', 4, 22, false],
      ['Handler', 'make_handler.Handler', 'class', 8, 10, true],
      ['handle', 'make_handler.Handler.handle', 'method', 9, 10, true],
      ['log', 'make_handler.log', 'function', 12, 13, true],
      ['key', 'make_handler.key', 'function', 15, 15, true],
      ['checked', 'make_handler.checked', 'function', 17, 18, true],
      ['per_name', 'make_handler.per_name', 'function', 20, 21, true],
      ['Service', 'Service', 'class', 25, 29, false],
      ['run', 'Service.run', 'method', 26, 29, false],
      ['step', 'Service.run.step', 'function', 27, 28, true],
      ['native', 'native', 'function', 33, 34, false],
      ['native', 'native', 'function', 36, 37, false],
      ['speedup', 'speedup', 'function', 42, 43, false],
      ['in_with', 'in_with', 'function', 46, 47, false],
      ['in_loop', 'in_loop', 'function', 50, 51, false],
      ['main', 'main', 'function', 56, 57, false],
      ['Cli', 'Cli', 'class', 59, 60, false],
    ]);
    // Nested symbols hang under their enclosing function.
    expect(symbolNamed(result, 'make_handler.Handler.handle').parent).toBe(1);
    expect(symbolNamed(result, 'make_handler.log').parent).toBe(0);
  });

  it('keeps plain local variables out in every language', async () => {
    expect(await rows('typescript', 'function f() {\n  const x = 1;\n  let y = { a: 1 };\n  var z = g();\n}\n')).toEqual([['f', 'f', 'function', 1, 5, false]]);
    expect(await rows('python', 'def f():\n    x = 1\n    y, z = 2, 3\n')).toEqual([['f', 'f', 'function', 1, 3, false]]);
    expect(await rows('go', 'package p\nfunc F() {\n\tx := 1\n\tvar y = 2\n\tconst Z = 3\n\tf := func() {}\n}\n')).toEqual([['F', 'F', 'function', 2, 7, false]]);
    expect(await rows('kotlin', 'fun f() {\n  val x = 1\n  var y = 2\n}\n')).toEqual([['f', 'f', 'function', 1, 4, false]]);
    expect(await rows('swift', 'func f() {\n  let x = 1\n  var y = 2\n}\n')).toEqual([['f', 'f', 'function', 1, 4, false]]);
    expect(await rows('c', 'int f(void) {\n  int x = 1;\n  static int y;\n  return x;\n}\n')).toEqual([['f', 'f', 'function', 1, 5, false]]);
  });

  it.each<[LanguageId, string, unknown[]]>([
    [
      'java',
      'class A {\n  void m() {\n    class Local {\n      void x() {}\n    }\n    if (ok) {\n      record Pair(int a) {}\n    }\n  }\n}\n',
      [
        ['A', 'A', 'class', 1, 10, false],
        ['m', 'A.m', 'method', 2, 9, false],
        ['Local', 'A.m.Local', 'class', 3, 5, true],
        ['x', 'A.m.Local.x', 'method', 4, 4, true],
        ['Pair', 'A.m.Pair', 'class', 7, 7, true],
      ],
    ],
    [
      'csharp',
      'class A {\n  void M() {\n    int Local(int y) { return y; }\n    if (ok) {\n      void C() {}\n    }\n  }\n}\n',
      [
        ['A', 'A', 'class', 1, 8, false],
        ['M', 'A.M', 'method', 2, 7, false],
        ['Local', 'A.M.Local', 'function', 3, 3, true],
        ['C', 'A.M.C', 'function', 5, 5, true],
      ],
    ],
    [
      'kotlin',
      'fun outer() {\n  fun inner() {}\n  class Local {\n    fun m() {}\n  }\n}\n',
      [
        ['outer', 'outer', 'function', 1, 6, false],
        ['inner', 'outer.inner', 'function', 2, 2, true],
        ['Local', 'outer.Local', 'class', 3, 5, true],
        ['m', 'outer.Local.m', 'method', 4, 4, true],
      ],
    ],
    [
      'swift',
      'func outer() {\n  func inner() {}\n  struct Local {\n    func m() {}\n  }\n}\n',
      [
        ['outer', 'outer', 'function', 1, 6, false],
        ['inner', 'outer.inner', 'function', 2, 2, true],
        ['Local', 'outer.Local', 'struct', 3, 5, true],
        ['m', 'outer.Local.m', 'method', 4, 4, true],
      ],
    ],
    [
      'rust',
      'fn outer() {\n    fn inner() {}\n    struct S;\n    impl S {\n        fn m(&self) {}\n    }\n}\n',
      [
        ['outer', 'outer', 'function', 1, 7, false],
        ['inner', 'outer.inner', 'function', 2, 2, true],
        ['S', 'outer.S', 'struct', 3, 3, true],
        ['m', 'outer.S.m', 'method', 5, 5, true],
      ],
    ],
    [
      'go',
      'package p\n\nfunc outer() {\n\ttype local struct{}\n}\n',
      [
        ['outer', 'outer', 'function', 3, 5, false],
        ['local', 'outer.local', 'struct', 4, 4, true],
      ],
    ],
    [
      'php',
      '<?php\nfunction outer() {\n  function inner() {}\n  if ($x) {\n    function maybe() {}\n  }\n}\n',
      [
        ['outer', 'outer', 'function', 2, 7, false],
        ['inner', 'outer.inner', 'function', 3, 3, true],
        ['maybe', 'outer.maybe', 'function', 5, 5, true],
      ],
    ],
    [
      'cpp',
      'void outer() {\n  struct Local {\n    void m() {}\n  };\n  if (x) {\n    class C {};\n  }\n}\n',
      [
        ['outer', 'outer', 'function', 1, 8, false],
        ['Local', 'outer.Local', 'struct', 2, 4, true],
        ['m', 'outer.Local.m', 'method', 3, 3, true],
        ['C', 'outer.C', 'class', 6, 6, true],
      ],
    ],
    [
      'ruby',
      "describe 'parser' do\n  def helper\n  end\nend\n\nmodule Concern\n  included do\n    def hook\n    end\n  end\nend\n",
      [
        ['helper', 'helper', 'function', 2, 3, true],
        ['Concern', 'Concern', 'module', 6, 11, false],
        ['hook', 'Concern.hook', 'method', 8, 9, false],
      ],
    ],
  ])('extracts functions and types nested in %s function bodies as local, qualified through the enclosing scope', async (language, source, expected) => {
    expect(await rows(language, source)).toEqual(expected);
  });
});
