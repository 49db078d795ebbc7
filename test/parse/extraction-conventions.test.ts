import { describe, expect, it } from 'vitest';
import type { LanguageId } from '../../src/parse/types.js';
import { importLines, sharedParser } from './parse-helpers.js';

/** `qualifiedName:kind` for each symbol, the convention under test in one glance. */
async function kinds(language: LanguageId, source: string): Promise<string[]> {
  return (await sharedParser()).parse(language, source).symbols.map((s) => `${s.qualifiedName}:${s.kind}`);
}

async function imports(language: LanguageId, source: string): Promise<string[]> {
  return importLines((await sharedParser()).parse(language, source));
}

describe('extraction conventions', () => {
  it('emits functions and classes nested in function bodies, qualified through the function, but not plain locals', async () => {
    expect(await kinds('typescript', 'function outer() {\n  const inner = () => 1;\n  class Local {}\n  let x = 2;\n}\n')).toEqual([
      'outer:function',
      'outer.inner:function',
      'outer.Local:class',
    ]);
    expect(await kinds('python', 'def outer():\n    x = 1\n    def inner():\n        pass\n    class Local:\n        pass\n')).toEqual([
      'outer:function',
      'outer.inner:function',
      'outer.Local:class',
    ]);
  });

  it('calls UPPER_CASE const bindings constants and other top-level bindings variables in JavaScript', async () => {
    expect(await kinds('javascript', 'const MAX = 1;\nconst config = {};\nlet LOUD = 2;\nvar a = 1, B_C = 2;\nconst { x } = obj;\n')).toEqual([
      'MAX:constant',
      'config:variable',
      'LOUD:variable',
      'a:variable',
      'B_C:variable',
    ]);
  });

  it('records bindings to required or imported modules as imports, not symbols', async () => {
    const source = [
      "const express = require('express');",
      "const Router = require('./router').Router;",
      "const mod = await import('./lazy.js');",
      "const parsed = parse(require('./data.json'));",
      "const local = requireLocal('x');",
      "var a = require('a'), b = 2;",
      '',
    ].join('\n');
    expect(await kinds('javascript', source)).toEqual(['parsed:variable', 'local:variable', 'b:variable']);
    expect(await imports('javascript', source)).toEqual(['1 require express', '2 require ./router', '3 dynamic ./lazy.js', '4 require ./data.json', '6 require a']);
  });

  it('reads quoted and computed member names without their quotes', async () => {
    expect(await kinds('typescript', "interface H {\n  'content-type': string;\n  ['x-id']: number;\n  [Symbol.iterator](): void;\n}\n")).toEqual([
      'H:interface',
      'H.content-type:property',
      'H.x-id:property',
      'H.[Symbol.iterator]:method',
    ]);
  });

  it('treats arrow functions in class fields as methods and getters as properties', async () => {
    expect(await kinds('typescript', 'class C {\n  onClick = () => {};\n  get size() { return 1; }\n  static #count = 0;\n}\n')).toEqual([
      'C:class',
      'C.onClick:method',
      'C.size:property',
      'C.#count:field',
    ]);
  });

  it('records TypeScript import-require, export-star-as and type-only imports', async () => {
    expect(await imports('typescript', "import fs = require('fs');\nexport * as util from './util';\nimport type { A } from './a';\n")).toEqual([
      '1 import fs',
      '2 export ./util [*]',
      '3 import ./a [A]',
    ]);
  });

  it('ignores require and import() calls whose argument is not a literal, and member calls named require', async () => {
    expect(await imports('javascript', "require(name);\nimport(`./x/${y}`);\nloader.require('no');\nconst t = `require('no')`;\nrequire(`./yes`);\n")).toEqual([
      '5 require ./yes',
    ]);
  });

  it('finds Python imports inside functions and module-level try blocks once each', async () => {
    const source = 'try:\n    import a\nexcept ImportError:\n    a = None\n\ndef f():\n    from .b import c\n    import d.e as de\n\ns = """\n    import not_code\n"""\n';
    expect(await imports('python', source)).toEqual(['2 import a', '7 import .b [c]', '8 import d.e']);
    expect(await kinds('python', source)).toEqual(['a:variable', 'f:function', 's:variable']);
  });

  it('keeps the variables of the `if __name__ == "__main__"` block of a Python script out, but not its functions', async () => {
    expect(await kinds('python', 'def main():\n    pass\n\nif __name__ == "__main__":\n    args = parse()\n    def run():\n        main()\n')).toEqual([
      'main:function',
      'run:function',
    ]);
  });

  it('marks Python properties, static methods and constructors by their decorators and names', async () => {
    const source = 'class A:\n    def __init__(self): pass\n    @property\n    def x(self): pass\n    @x.setter\n    def x(self, v): pass\n    @staticmethod\n    def make(): pass\n';
    expect(await kinds('python', source)).toEqual(['A:class', 'A.__init__:constructor', 'A.x:property', 'A.x:property', 'A.make:method']);
  });

  it('includes decorators in the range of a decorated Python definition but not in its signature', async () => {
    const result = (await sharedParser()).parse('python', '@cache\n@trace(level=2)\ndef f(x):\n    return x\n');
    expect(result.symbols[0]).toMatchObject({ name: 'f', startLine: 1, endLine: 4, startByte: 0, signature: 'def f(x)' });
  });

  it('qualifies Go methods by receiver type, pointer or generic', async () => {
    expect(await kinds('go', 'package p\nfunc (l *List[T]) Push(v T) {}\nfunc (s Set) Has() bool { return true }\n')).toEqual([
      'List.Push:method',
      'Set.Has:method',
    ]);
  });

  it('attributes Rust impl and trait-impl methods to the implementing type inside modules', async () => {
    const source = 'mod net {\n    impl<T> fmt::Display for Wrapper<T> {\n        fn fmt(&self) {}\n    }\n}\nextern "C" {\n    fn c_call(x: i32);\n}\nstatic mut COUNTER: u32 = 0;\n';
    expect(await kinds('rust', source)).toEqual(['net:module', 'net.Wrapper.fmt:method', 'c_call:function', 'COUNTER:variable']);
  });

  it('documents Rust items with `///` and `/** */` but not with plain `//`', async () => {
    const result = (await sharedParser()).parse('rust', '// plain note\nfn a() {}\n\n/** Block doc. */\n#[inline]\nfn b() {}\n');
    expect(result.symbols.map((s) => s.doc)).toEqual([null, 'Block doc.']);
  });

  it('does not take a trailing comment on the previous line as a doc comment', async () => {
    const result = (await sharedParser()).parse('c', 'int a; // about a\nint b;\n');
    expect(result.symbols.map((s) => [s.name, s.doc])).toEqual([
      ['a', null],
      ['b', null],
    ]);
  });

  it('keeps a doc comment only when no blank line separates it from the declaration', async () => {
    const result = (await sharedParser()).parse('go', 'package p\n\n// Detached.\n\nfunc A() {}\n\n// Attached.\nfunc B() {}\n');
    expect(result.symbols.map((s) => s.doc)).toEqual([null, 'Attached.']);
  });

  it('gives an interface constant in Java the constant kind', async () => {
    expect(await kinds('java', 'interface Limits {\n  int MAX = 3;\n}\n')).toEqual(['Limits:interface', 'Limits.MAX:constant']);
  });

  it('names C++ out-of-class definitions after their class and namespaced functions after their namespace, dropping the prototype', async () => {
    const source = 'namespace util { int helper(); }\nint util::helper() { return 1; }\nvoid Widget::draw() const {}\nWidget::Widget() {}\nvoid detail::free_fn() {}\n';
    expect(await kinds('cpp', source)).toEqual([
      'util:namespace',
      'util.helper:function',
      'Widget.draw:method',
      'Widget.Widget:constructor',
      'detail.free_fn:function',
    ]);
  });

  it('drops a C prototype when the same file defines the function, keeping nested parents right', async () => {
    const source = 'static int helper(void);\nstruct s { int x; };\nstatic int helper(void) { return 0; }\n';
    const result = (await sharedParser()).parse('c', source);
    expect(result.symbols.map((s) => `${s.qualifiedName}:${s.kind}:${s.startLine}:${s.parent}`)).toEqual([
      's:struct:2:null',
      's.x:field:2:0',
      'helper:function:3:null',
    ]);
  });

  it('names anonymous typedef structs after the typedef and keeps function-pointer typedefs as types', async () => {
    expect(await kinds('c', 'typedef struct {\n  int x;\n} point;\ntypedef int (*cmp_fn)(const void *, const void *);\nstruct ops { void (*run)(int); };\n')).toEqual([
      'point:struct',
      'point.x:field',
      'cmp_fn:type',
      'ops:struct',
      'ops.run:field',
    ]);
  });

  it('finds C declarations inside preprocessor conditionals and extern "C" blocks', async () => {
    const source = '#ifdef __cplusplus\nextern "C" {\n#endif\nint api_call(int);\n#ifdef _WIN32\n#define SEP \'\\\\\'\n#else\n#define SEP \'/\'\n#endif\n#ifdef __cplusplus\n}\n#endif\n';
    expect(await kinds('c', source)).toEqual(['api_call:function', 'SEP:macro', 'SEP:macro']);
  });

  it('defines Ruby methods marked `private def` and properties from attr_accessor', async () => {
    expect(await kinds('ruby', 'class A\n  attr_accessor :a, :b\n  private def helper; end\n  def self.build; end\nend\n')).toEqual([
      'A:class',
      'A.a:property',
      'A.b:property',
      'A.helper:method',
      'A.build:method',
    ]);
  });

  it('extends a PHP statement namespace over the declarations after it and declares guarded helpers', async () => {
    const source = "<?php\nnamespace A;\nfunction f() {}\nnamespace B;\nif (!function_exists('g')) {\n    function g() {}\n}\n";
    const result = (await sharedParser()).parse('php', source);
    expect(result.symbols.map((s) => `${s.qualifiedName}:${s.kind}:${s.startLine}-${s.endLine}`)).toEqual([
      'A:namespace:2-3',
      'A.f:function:3-3',
      'B:namespace:4-7',
      'B.g:function:6-6',
    ]);
  });

  it('attributes Swift extension members to the extended type and Kotlin companion members to the class', async () => {
    expect(await kinds('swift', 'extension Array where Element: Equatable {\n  func dedup() -> [Element] { self }\n}\n')).toEqual([
      'Array.dedup:method',
    ]);
    expect(await kinds('kotlin', 'class A {\n  companion object Factory {\n    fun make(): A = A()\n  }\n}\n')).toEqual(['A:class', 'A.make:method']);
  });

  it('reads C# XML doc comments as plain text', async () => {
    const result = (await sharedParser()).parse('csharp', 'class A {\n  /// <summary>Adds <paramref name="x"/> once.</summary>\n  int Add(int x) => x;\n}\n');
    expect(result.symbols[1]!.doc).toBe('Adds x once.');
  });
});
