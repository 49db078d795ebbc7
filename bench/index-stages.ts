/**
 * Where an index run's CPU time goes: every step the parse worker and the writer do for
 * one file, run one after the other on one thread over a whole corpus, each timed on its
 * own. No contention, no pipelining — the cost of each stage, which bench/index-corpus.ts
 * cannot separate.
 *
 *   npm run bench -- index-stages      (or: node --import tsx bench/index-stages.ts [--corpus stdlib|npm|python-all])
 *
 * The worker stages call the product's own functions (readInsideRoot, looksBinary,
 * CodeParser, splitIdentifier/textTokens via the FTS text, the hashing embedder,
 * encodeVector); the message is costed as a structured clone; the write stage replays the
 * parsed files through the product's IndexWriter into a fresh tenant database in one
 * transaction, committed and checkpointed like an index run.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { looksBinary } from '../src/engine/binary.js';
import { createHashingEmbedder } from '../src/engine/embed/hashing-embedder.js';
import { discoverFiles } from '../src/engine/discovery.js';
import { bodyIdentifiers } from '../src/engine/indexer/body-identifiers.js';
import { countLines, ftsText } from '../src/engine/indexer/derived-text.js';
import { DEFAULT_MAX_FILE_BYTES } from '../src/engine/indexer/index-run.js';
import { IndexWriter } from '../src/engine/indexer/index-writer.js';
import type { ParsedFile } from '../src/engine/indexer/parse-protocol.js';
import { readInsideRoot } from '../src/engine/indexer/read-inside-root.js';
import { CodeParser } from '../src/parse/code-parser.js';
import { languageForPath } from '../src/parse/languages.js';
import type { LanguageId } from '../src/parse/types.js';
import { openTenantDb } from '../src/tenant/tenant-db.js';
import { tenantPaths } from '../src/tenant/tenant-paths.js';
import { encodeVectorInto } from '../src/tenant/vector-codec.js';
import { CORPUS_NAMES, parseCorpusList, resolveCorpus, type Corpus } from './lib/corpora.js';
import { BENCH_EMBEDDING } from './lib/engine.js';
import { describeMachine, loadAvg, machineInfo } from './lib/machine.js';
import { writeResults } from './lib/results.js';
import { r } from './lib/stats.js';
import { printTable } from './lib/table.js';
import { tempDir } from './lib/temp.js';

const { values: args } = parseArgs({ options: { corpus: { type: 'string' }, help: { type: 'boolean' } } });
if (args.help) {
  process.stdout.write(`usage: node --import tsx bench/index-stages.ts [--corpus ${CORPUS_NAMES.join('|')}|all|a,b]\n`);
  process.exit(0);
}
const corpora = parseCorpusList(args.corpus, ['stdlib', 'npm']);

const STAGES = ['read', 'binary sniff', 'sha-256', 'decode', 'parse + extract', 'FTS text', 'embed (hash)', 'encode vectors', 'message (structured clone)', 'SQLite write (IndexWriter)', 'commit + checkpoint'] as const;
type Stage = (typeof STAGES)[number];

async function stagesOf(corpus: Corpus) {
  const found = await discoverFiles(corpus.root, { languageOf: languageForPath, maxFileBytes: DEFAULT_MAX_FILE_BYTES, exclude: corpus.exclude });
  const languages = [...new Set(found.files.map((f) => f.language as LanguageId))];
  const parser = await CodeParser.create({ languages });
  const embedder = createHashingEmbedder(BENCH_EMBEDDING.dimension);
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  const recordBytes = 4 + BENCH_EMBEDDING.dimension;
  const ms = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  let clock = 0;
  const lap = (stage: Stage) => {
    const now = performance.now();
    ms[stage] += now - clock;
    clock = now;
  };

  // One warm-up pass over a slice so JIT and WASM tier-up do not land on the first stage timed.
  for (const f of found.files.slice(0, 200)) {
    const read = readInsideRoot(f.absPath, found.root, DEFAULT_MAX_FILE_BYTES);
    if (read.ok) parser.parse(f.language as LanguageId, decoder.decode(read.bytes));
  }

  const parsed: Extract<ParsedFile, { status: 'parsed' }>[] = [];
  let bytes = 0;
  let symbols = 0;
  clock = performance.now();
  for (const f of found.files) {
    const read = readInsideRoot(f.absPath, found.root, DEFAULT_MAX_FILE_BYTES);
    lap('read');
    if (!read.ok) continue;
    const binary = looksBinary(read.bytes);
    lap('binary sniff');
    if (binary) continue;
    const hash = crypto.createHash('sha256').update(read.bytes).digest('hex');
    lap('sha-256');
    const content = decoder.decode(read.bytes);
    lap('decode');
    const result = parser.parse(f.language as LanguageId, content);
    lap('parse + extract');
    const bodies = bodyIdentifiers(content, result.symbols, f.language as LanguageId);
    const fts = result.symbols.map((sym, i) => ftsText(sym, f.relPath, bodies[i]));
    lap('FTS text');
    const embedded = embedder.embedSymbolsSync(result.symbols);
    lap('embed (hash)');
    const vectors = new Uint8Array(result.symbols.length * recordBytes);
    for (let i = 0; i < embedded.length; i++) encodeVectorInto(embedded[i]!, vectors, i * recordBytes);
    lap('encode vectors');
    const message: Extract<ParsedFile, { status: 'parsed' }> = {
      relPath: f.relPath,
      status: 'parsed',
      language: f.language as LanguageId,
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
    // postMessage serializes on the worker and deserializes on the main thread: one clone does both.
    parsed.push(structuredClone(message));
    lap('message (structured clone)');
    bytes += read.size;
    symbols += result.symbols.length;
  }

  const tmp = tempDir(`stages-${corpus.name}`);
  try {
    const paths = tenantPaths(tmp.path, 'b0000001');
    const db = openTenantDb(paths, { cacheKiB: 64 * 1024 });
    const writer = new IndexWriter(db, paths.tenantId, () => new Date());
    clock = performance.now();
    db.exec('BEGIN IMMEDIATE');
    // The repo row directly (one row; IndexWriter.upsertRepo's signature is in flux).
    const repoId = Number(db.prepare('INSERT INTO repos (tenant_id, name, root_path, created_at) VALUES (?, ?, ?, ?)').run(paths.tenantId, 'bench', found.root, new Date().toISOString()).lastInsertRowid);
    const repo = { id: repoId, name: 'bench', rootPath: found.root };
    for (const f of parsed) {
      const fileId = writer.writeFile(repo.id, undefined, f);
      writer.writeSymbols(repo, fileId, f.relPath, f.language, f.symbols, f.fts, f.vectors, recordBytes);
      writer.writeImports(repo.id, fileId, f.imports);
    }
    writer.finishRepo(repo.id);
    lap('SQLite write (IndexWriter)');
    db.exec('COMMIT');
    db.pragma('optimize');
    db.pragma('wal_checkpoint(TRUNCATE)');
    lap('commit + checkpoint');
    db.close();
  } finally {
    tmp.remove();
  }

  const total = STAGES.reduce((sum, s) => sum + ms[s], 0);
  const workerMs = STAGES.slice(0, 9).reduce((sum, s) => sum + ms[s as Stage], 0);
  const writerMs = ms['SQLite write (IndexWriter)'] + ms['commit + checkpoint'];
  // Two cores shared by the workers and the writer thread: the best a perfect pipeline could do.
  const twoCoreBestMs = Math.max(total / 2, writerMs);
  return {
    corpus: corpus.name,
    files: parsed.length,
    bytes,
    symbols,
    stagesMs: Object.fromEntries(STAGES.map((s) => [s, r(ms[s])])),
    totalMs: r(total),
    workerMs: r(workerMs),
    writerMs: r(writerMs),
    twoCoreBest: { ms: r(twoCoreBestMs), filesPerS: r((parsed.length / twoCoreBestMs) * 1000) },
  };
}

const machine = machineInfo();
process.stdout.write(`bench:index-stages — ${describeMachine(machine)}\n`);
const out = [];
for (const name of corpora) {
  const res = await stagesOf(resolveCorpus(name));
  out.push(res);
  printTable(
    `Index stages, ${res.corpus}: ${res.files.toLocaleString('en-US')} files, ${(res.bytes / 1e6).toFixed(1)} MB, ${res.symbols.toLocaleString('en-US')} symbols, one thread`,
    ['stage', 'thread', 'ms', 'share', 'µs/file'],
    [
      ...STAGES.map((s, i) => [s, i < 9 ? 'worker' : 'main', res.stagesMs[s]!, `${((100 * res.stagesMs[s]!) / res.totalMs).toFixed(1)}%`, r((1000 * res.stagesMs[s]!) / res.files)]),
      ['total CPU', 'both', res.totalMs, '100%', r((1000 * res.totalMs) / res.files)],
    ],
  );
  process.stdout.write(
    `\n2-core bound from these costs: max(total/2, writer) = ${res.twoCoreBest.ms} ms → ${res.twoCoreBest.filesPerS} files/s (worker stages ${res.workerMs} ms, writer ${res.writerMs} ms)\n`,
  );
}
const file = writeResults('index-stages', machine, { corpora: out, loadAvgAtEnd: loadAvg() });
process.stdout.write(`\nraw results: ${path.relative(process.cwd(), file)} · load average at end ${loadAvg().join(' ')}\n`);
