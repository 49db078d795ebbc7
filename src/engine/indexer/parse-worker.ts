import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { CodeParser } from '../../parse/code-parser.js';
import type { LanguageId } from '../../parse/types.js';
import { encodeVector } from '../../tenant/vector-codec.js';
import { looksBinary } from '../binary.js';
import { createHashingEmbedder } from '../embed/hashing-embedder.js';
import { bodyIdentifiers } from './body-identifiers.js';
import { countLines, ftsText } from './derived-text.js';
import type { ParseBatch, ParseBatchResult, ParsedFile, WorkerInit } from './parse-protocol.js';
import { readInsideRoot } from './read-inside-root.js';

/**
 * Worker entry: reads, hashes, parses and embeds the files of each batch it receives.
 * Everything CPU-heavy of an index run happens here, off the main event loop.
 */

const init = workerData as WorkerInit;
const embedder = init.syncEmbedding ? createHashingEmbedder(init.syncEmbedding.dimension) : null;
const recordBytes = init.syncEmbedding ? 4 + init.syncEmbedding.dimension : 0;
let parser = await CodeParser.create({ languages: [] });
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

function parseOne(batch: ParseBatch, task: ParseBatch['files'][number]): ParsedFile {
  const read = readInsideRoot(task.absPath, batch.rootReal, batch.maxFileBytes);
  if (!read.ok) return { relPath: task.relPath, status: 'skipped', reason: read.reason, detail: read.detail };
  if (looksBinary(read.bytes)) return { relPath: task.relPath, status: 'skipped', reason: 'binary', detail: 'binary content' };
  const hash = crypto.createHash('sha256').update(read.bytes).digest('hex');
  if (hash === task.knownHash) return { relPath: task.relPath, status: 'unchanged', hash, size: read.size, mtimeMs: read.mtimeMs };

  const content = decoder.decode(read.bytes);
  let result;
  try {
    result = parser.parse(task.language, content);
  } catch (err) {
    return { relPath: task.relPath, status: 'skipped', reason: 'unreadable', detail: `parser failed: ${(err as Error).message}` };
  }
  const bodies = bodyIdentifiers(content, result.symbols, task.language);
  const fts = result.symbols.map((sym, i) => ftsText(sym, task.relPath, bodies[i]));
  let vectors: Uint8Array | null = null;
  if (embedder) {
    vectors = new Uint8Array(result.symbols.length * recordBytes);
    const embedded = embedder.embedSymbolsSync(result.symbols);
    for (let i = 0; i < embedded.length; i++) vectors.set(encodeVector(embedded[i]!), i * recordBytes);
  }
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
    vectors,
  };
}

parentPort!.on('message', async (batch: ParseBatch) => {
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
  const transfer = files.flatMap((f) => (f.status === 'parsed' && f.vectors ? [f.vectors.buffer as ArrayBuffer] : []));
  const result: ParseBatchResult = { batchId: batch.batchId, files };
  parentPort!.postMessage(result, transfer);
});
