/**
 * `npm run bench:floor:index`: how close the `index` command can come to the single-thread
 * parse at all, on this machine.
 *
 * Issue 9 asks `index` (spawn to exit) to finish within 1.0× the single-thread
 * tree-sitter parse of the same files, in its steady state (the `bench:index` baseline).
 * This measures, in turns with the product's `index`, the least any indexing process
 * must do in a fresh process — start, discover, two worker threads that load
 * web-tree-sitter and the grammars, read and parse every file (`parse`), and extract
 * symbols (`extract`) — with nothing written: no SQLite, no FTS, no vectors
 * (bench/floor/index-floor-child.mjs). Whatever that floor costs, a real index run
 * costs more.
 *
 *   npm run bench:floor:index [-- --corpus stdlib --trials 3]
 *
 * Uses the built product (`npm run build` first). Results go to
 * bench/results/index-floor-<date>.json; record them in docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { intOption } from '../lib/args.js';
import { timeCliVariants } from '../lib/cli-runs.js';
import { CORPUS_NAMES, resolveCorpus, type CorpusName } from '../lib/corpora.js';
import { describeMachine, loadAvg, machineInfo } from '../lib/machine.js';
import { loadCorpus, rawParseMs } from '../lib/parse-baseline.js';
import { writeResults } from '../lib/results.js';
import { median, r } from '../lib/stats.js';
import { printTable } from '../lib/table.js';

const { values } = parseArgs({ options: { corpus: { type: 'string' }, trials: { type: 'string' } } });
const corpusName = (values.corpus ?? 'stdlib') as CorpusName;
if (!(CORPUS_NAMES as readonly string[]).includes(corpusName)) {
  process.stderr.write(`--corpus: expected one of ${CORPUS_NAMES.join(', ')}, got "${corpusName}"\n`);
  process.exit(2);
}
const TRIALS = intOption(values.trials, 'trials', 3);
const DIST = path.resolve(import.meta.dirname, '../../dist');
const CHILD = path.join(import.meta.dirname, 'index-floor-child.mjs');

/** One floor process: spawn to its result line, and to its exit. */
function floorRun(mode: 'parse' | 'extract', root: string, exclude: string[]): Promise<{ resultMs: number; exitMs: number; symbols: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let resultMs = -1;
    let stdout = '';
    const child = spawn(process.execPath, [CHILD, DIST, root, mode, ...exclude], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => {
      if (resultMs < 0) resultMs = performance.now() - started;
      stdout += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`floor ${mode} exited with ${code}`));
      resolve({ resultMs: r(resultMs), exitMs: r(performance.now() - started), symbols: (JSON.parse(stdout) as { symbols: number }).symbols });
    });
  });
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(DIST, 'cli/main.js'))) throw new Error('dist/cli/main.js does not exist: run `npm run build` first');
  const machine = machineInfo();
  const corpus = resolveCorpus(corpusName);
  console.log(`bench:floor:index — ${new Date().toISOString()} · ${describeMachine(machine)}\n[floor] ${corpus.name}: ${corpus.root}`);
  // As bench:index measures it: best of two passes after a warm-up pass.
  const { files } = await loadCorpus(corpus);
  const baselineMs = await rawParseMs(files, 2);
  console.log(`[floor] ${files.length} files; single-thread steady parse ${r(baselineMs)} ms`);

  const floors: Record<'parse' | 'extract', { resultMs: number; exitMs: number; symbols: number }[]> = { parse: [], extract: [] };
  await floorRun('parse', corpus.root, corpus.exclude); // warm-up: page cache of node, the grammars and the files
  const product: Awaited<ReturnType<typeof timeCliVariants>> = [];
  for (let t = 1; t <= TRIALS; t++) {
    for (const mode of ['parse', 'extract'] as const) {
      const run = await floorRun(mode, corpus.root, corpus.exclude);
      floors[mode].push(run);
      console.log(`[floor] trial ${t}/${TRIALS} ${mode}: result ${run.resultMs} ms, exit ${run.exitMs} ms`);
    }
    // The product's own command in the same turn (timeCliVariants runs one untimed warm-up before it).
    const [one] = await timeCliVariants([{ label: 'index (defaults)', dist: DIST, args: [] }], corpus.root, corpus.exclude, 1, (line) => console.log(line));
    product.push(one!);
  }
  const productOutput = product.flatMap((p) => p.runs.map((x) => x.outputMs));
  const productExit = product.flatMap((p) => p.runs.map((x) => x.exitMs));
  const rows = [
    ['single-thread steady parse (baseline)', r(baselineMs), '', '1.00×'],
    ['floor: 2 workers, parse only, nothing written', median(floors.parse.map((x) => x.resultMs)), median(floors.parse.map((x) => x.exitMs)), `${(median(floors.parse.map((x) => x.resultMs)) / baselineMs).toFixed(2)}×`],
    ['floor: 2 workers, parse + extract symbols, nothing written', median(floors.extract.map((x) => x.resultMs)), median(floors.extract.map((x) => x.exitMs)), `${(median(floors.extract.map((x) => x.resultMs)) / baselineMs).toFixed(2)}×`],
    ['product: index (defaults), SQLite + FTS written', median(productOutput), median(productExit), `${(median(productExit) / baselineMs).toFixed(2)}×`],
  ];
  printTable(
    `Index ${corpus.name}: the floor of a fresh indexing process against the single-thread parse (median of ${TRIALS})`,
    ['run', 'result ms', 'exit ms', 'result (product: exit) / baseline'],
    rows,
  );
  const file = writeResults('index-floor', machine, { corpus, baselineMs: r(baselineMs), floors, product: { outputMs: productOutput, exitMs: productExit }, loadAvgAtEnd: loadAvg() });
  console.log(`\nraw results: ${path.relative(process.cwd(), file)} · load average at end ${loadAvg().join(' ')}`);
}

await main();
