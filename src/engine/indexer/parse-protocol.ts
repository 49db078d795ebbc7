import type { ExtractedImport, ExtractedSymbol, LanguageId } from '../../parse/types.js';

/** Messages between the indexer and its parse workers. Everything here is structured-cloneable. */

export interface ParseFileTask {
  absPath: string;
  relPath: string;
  language: LanguageId;
  /** Hash stored by the previous run; a file whose content hashes the same is not parsed. */
  knownHash: string | null;
}

export interface ParseBatch {
  batchId: number;
  /** Real path of the repository root: every opened file must resolve inside it. */
  rootReal: string;
  maxFileBytes: number;
  files: ParseFileTask[];
}

export type SkipReason = 'binary' | 'secret' | 'too_large' | 'unreadable' | 'vanished' | 'symlink_escape';

/** The FTS5 columns of one symbol, analysed (see derived-text.ts). */
export interface FtsText {
  name: string;
  qualified: string;
  path: string;
  signature: string;
  doc: string;
  /** Identifiers the symbol's own code uses. */
  body: string;
}

/** A file as stored in the `files` table (what IndexWriter.writeFile takes). */
export interface FileRecord {
  relPath: string;
  language: LanguageId;
  hash: string;
  size: number;
  mtimeMs: number;
  lineCount: number;
  content: string;
  /** tree-sitter reported syntax errors: symbols are best effort. */
  hasErrors: boolean;
}

export type ParsedFile =
  | { relPath: string; status: 'skipped'; reason: SkipReason; detail: string }
  | { relPath: string; status: 'unchanged'; hash: string; size: number; mtimeMs: number }
  | (FileRecord & {
      status: 'parsed';
      symbols: ExtractedSymbol[];
      imports: ExtractedImport[];
      /** One entry per symbol, same order. */
      fts: FtsText[];
      /**
       * Quantized vectors (see vector-codec.ts), `symbols.length` records of
       * `4 + dimension` bytes. Always null from the worker; the index run fills it for
       * a remote embedder and leaves it null when vectors are deferred.
       */
      vectors: Uint8Array | null;
    });

/** Asks a worker to load grammars before the first batch that needs them arrives. No reply. */
export interface PreloadRequest {
  preload: LanguageId[];
}

export interface ParseBatchResult {
  batchId: number;
  files: ParsedFile[];
}
