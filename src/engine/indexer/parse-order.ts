/**
 * The order an index run hands files to the parse workers: the languages with the most
 * bytes first, each language's files in discovery order.
 *
 * Why it matters. V8 runs a grammar's WebAssembly in its baseline tier at first and, once a
 * function is hot, recompiles it with its optimising compiler on a background thread. That
 * compile costs seconds of a core for a large grammar, whatever the number of files: the
 * C++ grammar's lexer is one function of 592 KB that took 12.5 s to compile (C's, 51 KB:
 * 2.7 s) after parsing the single `.cpp` file of the Python standard library, against
 * ~5 s to parse all 1,791 Python files on one thread. Started in the middle of a run, that
 * compile takes a core from the parse workers and the writer on a two-core machine. Parsed
 * last, those files start it when the parse is nearly done: it runs on the core the commit
 * leaves idle, and a CLI run exits without waiting for it (see cli/supervisor.ts).
 */
export function dominantLanguagesFirst<T extends { language: string; relPath: string }>(tasks: readonly T[], sizes: ReadonlyMap<string, number>): T[] {
  const bytes = new Map<string, number>();
  for (const task of tasks) bytes.set(task.language, (bytes.get(task.language) ?? 0) + (sizes.get(task.relPath) ?? 0));
  const rank = new Map([...bytes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([language], i) => [language, i]));
  // Array.prototype.sort is stable: discovery order is kept within a language.
  return [...tasks].sort((a, b) => rank.get(a.language)! - rank.get(b.language)!);
}
