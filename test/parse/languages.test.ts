import { describe, expect, it } from 'vitest';
import { GRAMMAR_FILES, languageForPath } from '../../src/parse/languages.js';
import { LANGUAGES } from '../../src/parse/types.js';

describe('languageForPath', () => {
  it.each([
    ['src/a.ts', 'typescript'],
    ['src/a.mts', 'typescript'],
    ['src/a.cts', 'typescript'],
    ['types/index.d.ts', 'typescript'],
    ['ui/App.tsx', 'tsx'],
    ['a.js', 'javascript'],
    ['a.mjs', 'javascript'],
    ['a.cjs', 'javascript'],
    ['a.jsx', 'javascript'],
    ['pkg/mod.py', 'python'],
    ['stubs/mod.pyi', 'python'],
    ['cmd/main.go', 'go'],
    ['src/lib.rs', 'rust'],
    ['Main.java', 'java'],
    ['list.c', 'c'],
    ['list.h', 'c'],
    ['a.cc', 'cpp'],
    ['a.cpp', 'cpp'],
    ['a.cxx', 'cpp'],
    ['a.c++', 'cpp'],
    ['a.hpp', 'cpp'],
    ['a.hh', 'cpp'],
    ['a.hxx', 'cpp'],
    ['Program.cs', 'csharp'],
    ['lib/a.rb', 'ruby'],
    ['index.php', 'php'],
    ['Main.kt', 'kotlin'],
    ['build.gradle.kts', 'kotlin'],
    ['App.swift', 'swift'],
    ['SHOUTING.PY', 'python'],
  ])('maps %s to %s', (path, language) => {
    expect(languageForPath(path)).toBe(language);
  });

  it.each(['README.md', 'Makefile', 'src/.ts', 'dir.ts/file', 'a.tsx.bak', 'data.json'])(
    'returns null for %s, which is not source we parse',
    (path) => {
      expect(languageForPath(path)).toBeNull();
    },
  );

  it('names a grammar file for every language', () => {
    for (const language of LANGUAGES) expect(GRAMMAR_FILES[language]).toMatch(/^tree-sitter-\w+\.wasm$/);
  });
});
