/**
 * The single-thread parse baseline of the index benchmarks (`bench:index`,
 * `bench:floor:index`): the corpus loaded as the indexer sees it, and timed passes of
 * web-tree-sitter over it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { discoverFiles } from '../../src/engine/discovery.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../src/engine/indexer/index-run.js';
import { GRAMMAR_FILES, languageForPath } from '../../src/parse/languages.js';
import type { LanguageId } from '../../src/parse/types.js';
import type { Corpus } from './corpora.js';

const require = createRequire(import.meta.url);

export interface SourceFile {
  language: LanguageId;
  text: string;
  bytes: number;
}

/** The corpus as the indexer sees it: the product's discovery, then every file read and decoded like the parse worker does. */
export async function loadCorpus(corpus: Corpus): Promise<{ files: SourceFile[]; discoverMs: number; bytes: number; skipped: number }> {
  const started = performance.now();
  const found = await discoverFiles(corpus.root, { languageOf: languageForPath, maxFileBytes: DEFAULT_MAX_FILE_BYTES, exclude: corpus.exclude });
  const discoverMs = performance.now() - started;
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  const files: SourceFile[] = [];
  let bytes = 0;
  for (const f of found.files) {
    const raw = fs.readFileSync(f.absPath);
    bytes += raw.length;
    files.push({ language: f.language as LanguageId, text: decoder.decode(raw), bytes: raw.length });
  }
  return { files, discoverMs, bytes, skipped: found.skipped.length };
}

/** Best of `passes` timed passes after one untimed warm-up pass (JIT and WASM tier-up). */
export function bestOf(passes: number, pass: () => number): { ms: number; symbols: number } {
  let symbols = pass();
  let best = Infinity;
  for (let i = 0; i < passes; i++) {
    const started = performance.now();
    symbols = pass();
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, symbols };
}

/** Steady single-thread parse of `files` by web-tree-sitter alone (parse only, trees deleted): best of `passes`, ms. */
export async function rawParseMs(files: readonly SourceFile[], passes: number): Promise<number> {
  await Parser.init();
  const grammars = new Map<LanguageId, Language>();
  for (const id of new Set(files.map((f) => f.language))) grammars.set(id, await Language.load(require.resolve(`tree-sitter-wasms/out/${GRAMMAR_FILES[id]}`)));
  const parser = new Parser();
  try {
    return bestOf(passes, () => {
      for (const f of files) {
        parser.setLanguage(grammars.get(f.language)!);
        parser.parse(f.text)?.delete();
      }
      return 0;
    }).ms;
  } finally {
    parser.delete();
  }
}
