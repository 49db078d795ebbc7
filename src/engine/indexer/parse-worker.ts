import crypto from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { CodeParser } from '../../parse/code-parser.js';
import { lowerBackgroundThreadPriority } from '../../util/thread-priority.js';
import type { LanguageId } from '../../parse/types.js';
import { looksBinary } from '../binary.js';
import { secretInContent } from '../secret-files.js';
import { decodeText } from './decode-text.js';
import { bodyIdentifiers } from './body-identifiers.js';
import { countLines, ftsText } from './derived-text.js';
import type { ParseBatch, ParseBatchResult, ParsedFile, PreloadRequest } from './parse-protocol.js';
import { readInsideRoot } from './read-inside-root.js';

/**
 * Worker entry: reads, hashes and parses the files of each batch it receives. Everything
 * CPU-heavy of an index run happens here, off the main event loop. (Vectors are not made
 * here: a local embedder's are made when first needed, see deferred-embeddings.ts.)
 */
lowerBackgroundThreadPriority();
let parser = await CodeParser.create({ languages: [] });

function parseOne(batch: ParseBatch, task: ParseBatch['files'][number]): ParsedFile {
  const read = readInsideRoot(task.absPath, batch.rootReal, batch.maxFileBytes);
  if (!read.ok) return { relPath: task.relPath, status: 'skipped', reason: read.reason, detail: read.detail };
  if (looksBinary(read.bytes)) return { relPath: task.relPath, status: 'skipped', reason: 'binary', detail: 'binary content' };
  const content = decodeText(read.bytes);
  // A copy or hard link of a secret under an innocent name (`ln .env settings.py`). Checked
  // before the hash, so that a secret indexed by an older version is dropped, not kept.
  const secret = secretInContent(content);
  if (secret !== null) return { relPath: task.relPath, status: 'skipped', reason: 'secret', detail: secret };
  const hash = crypto.createHash('sha256').update(read.bytes).digest('hex');
  if (hash === task.knownHash) return { relPath: task.relPath, status: 'unchanged', hash, size: read.size, mtimeMs: read.mtimeMs };

  let result;
  try {
    result = parser.parse(task.language, content);
  } catch (err) {
    return { relPath: task.relPath, status: 'skipped', reason: 'unreadable', detail: `parser failed: ${(err as Error).message}` };
  }
  const bodies = bodyIdentifiers(content, result.symbols, task.language);
  const fts = result.symbols.map((sym, i) => ftsText(sym, task.relPath, bodies[i]));
  return {
    relPath: task.relPath,
    status: 'parsed',
    language: task.language,
    hash,
    size: read.size,
    mtimeMs: read.mtimeMs,
    lineCount: countLines(content),
    content,
    hasErrors: result.hasErrors,
    symbols: result.symbols,
    imports: result.imports,
    fts,
    vectors: null,
  };
}

parentPort!.on('message', async (message: ParseBatch | PreloadRequest) => {
  if ('preload' in message) {
    // A failed load is retried, and reported, by the first batch of that language.
    for (const language of message.preload) await parser.load(language).catch(() => {});
    return;
  }
  const batch = message;
  const languages = new Set<LanguageId>(batch.files.map((f) => f.language));
  for (const language of languages) if (!parser.isLoaded(language)) await parser.load(language);
  const files: ParsedFile[] = [];
  for (const task of batch.files) {
    try {
      files.push(parseOne(batch, task));
    } catch (err) {
      // A WASM trap can leave the parser unusable: start a fresh one for the next file.
      files.push({ relPath: task.relPath, status: 'skipped', reason: 'unreadable', detail: `parser failed: ${(err as Error).message}` });
      parser = await CodeParser.create({ languages: [...languages] });
    }
  }
  const result: ParseBatchResult = { batchId: batch.batchId, files };
  parentPort!.postMessage(result);
});
