import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominantLanguagesFirst } from '../../src/engine/indexer/parse-order.js';

const task = (relPath: string, language: string) => ({ relPath, language });

describe('dominantLanguagesFirst', () => {
  it('puts the C and C++ files of a Python tree after every Python file', () => {
    const tasks = [task('a.py', 'python'), task('m.c', 'c'), task('b.py', 'python'), task('x.cpp', 'cpp'), task('c.py', 'python')];
    const sizes = new Map([
      ['a.py', 9000],
      ['m.c', 40_000],
      ['b.py', 20_000],
      ['x.cpp', 6_000],
      ['c.py', 15_000],
    ]);
    expect(dominantLanguagesFirst(tasks, sizes).map((t) => t.relPath)).toEqual(['a.py', 'b.py', 'c.py', 'm.c', 'x.cpp']);
  });

  it('ranks languages by bytes, not by file count', () => {
    const tasks = [task('1.js', 'javascript'), task('2.js', 'javascript'), task('3.js', 'javascript'), task('big.ts', 'typescript')];
    const sizes = new Map([
      ['1.js', 100],
      ['2.js', 100],
      ['3.js', 100],
      ['big.ts', 50_000],
    ]);
    expect(dominantLanguagesFirst(tasks, sizes).map((t) => t.relPath)).toEqual(['big.ts', '1.js', '2.js', '3.js']);
  });

  it('keeps every file once, in discovery order within its language', () => {
    const languages = ['python', 'c', 'cpp', 'go'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...languages), fc.nat(100_000)), { maxLength: 60 }), (specs) => {
        const tasks = specs.map(([language], i) => task(`f${i}`, language));
        const sizes = new Map(specs.map(([, size], i) => [`f${i}`, size]));
        const ordered = dominantLanguagesFirst(tasks, sizes);
        expect([...ordered].sort((a, b) => Number(a.relPath.slice(1)) - Number(b.relPath.slice(1)))).toEqual(tasks);
        for (const language of languages) {
          expect(ordered.filter((t) => t.language === language)).toEqual(tasks.filter((t) => t.language === language));
        }
        // Languages form contiguous runs, in order of falling byte totals.
        const totals = ordered.map((t) => specs.reduce((sum, [l, size]) => sum + (l === t.language ? size : 0), 0));
        for (let i = 1; i < totals.length; i++) expect(totals[i]).toBeLessThanOrEqual(totals[i - 1]!);
      }),
    );
  });
});
