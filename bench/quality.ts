/**
 * Search quality: does search put the right symbol first for a sentence or for the words
 * of an identifier?
 *
 *   npm run bench:quality -- [--corpus npm,pysite,java|stdlib|all] [--queries 300] [--tag after] [--modes keyword,semantic,hybrid] [--no-cache]
 *
 * Queries follow the CodeSearchNet method. A *sentence* query is the first sentence of a
 * symbol's doc comment and the symbol is the answer; an *identifier* query is the words of
 * a symbol name (`readAllBytes` → "read all bytes") and any symbol of that name is the
 * answer. Sentence queries are asked twice: of the corpus as written, and of a copy with
 * every comment and docstring removed (tree-sitter finds them), where only names, paths,
 * signatures and the code itself can lead to the answer. For each mode (keyword, semantic,
 * hybrid): MRR@10, Recall@1, Recall@10 and latency.
 *
 * Tuning corpora: npm's own tree (JSDoc), Python site-packages, JDK sources. The Python
 * standard library (`--corpus stdlib`) is held out: measured only as an independent check.
 * Queries are drawn with a fixed seed, so every run (and every branch) asks the same ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Engine } from '../src/engine/engine.js';
import { SEARCH_MODES } from '../src/engine/params.js';
import { splitIdentifier } from '../src/engine/tokens.js';
import { intOption } from './lib/args.js';
import type { Corpus, CorpusName } from './lib/corpora.js';
import { benchEngine } from './lib/engine.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { HELD_OUT, materializeCorpus, QUALITY_CORPORA, type QualityCorpus } from './lib/quality-corpora.js';
import { rng, sample } from './lib/random.js';
import { writeResults } from './lib/results.js';
import { CACHE_ROOT, corpusIndex } from './lib/search-index.js';
import { r, summarize } from './lib/stats.js';
import { writeStrippedCopy } from './lib/strip-docs.js';
import { printTable } from './lib/table.js';

const USAGE = `usage: npm run bench:quality -- [--corpus ${QUALITY_CORPORA.join(',')}|tuning|all] [--queries N] [--tag NAME] [--modes keyword,semantic,hybrid] [--no-cache]`;
const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' },
    queries: { type: 'string' },
    tag: { type: 'string' },
    modes: { type: 'string' },
    'no-cache': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const TUNING = QUALITY_CORPORA.filter((c) => !HELD_OUT.has(c));
const corpora: QualityCorpus[] = (() => {
  const value = args.corpus ?? 'tuning';
  if (value === 'tuning') return TUNING;
  if (value === 'all') return [...QUALITY_CORPORA];
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) if (!(QUALITY_CORPORA as readonly string[]).includes(n)) throw new Error(`--corpus: unknown corpus "${n}"\n${USAGE}`);
  return names as QualityCorpus[];
})();
const perClass = intOption(args.queries, 'queries', 300);
const modes = (args.modes ?? SEARCH_MODES.join(',')).split(',') as Mode[];
for (const m of modes) if (!(SEARCH_MODES as readonly string[]).includes(m)) throw new Error(`--modes: unknown mode "${m}"`);
const tag = args.tag ?? 'current';
if (!/^[a-z0-9-]{1,32}$/.test(tag)) throw new Error('--tag: lowercase letters, digits and "-"');
const SEED = 20_251_202;
const TOP = 10;
const log = (line: string) => process.stderr.write(`[quality] ${line}\n`);

type Mode = (typeof SEARCH_MODES)[number];
type QueryClass = 'sentence' | 'sentence, docs removed' | 'identifier';
const CLASSES: QueryClass[] = ['sentence', 'sentence, docs removed', 'identifier'];

interface Target {
  name: string;
  filePath: string;
}
interface QualityQuery {
  cls: 'sentence' | 'identifier';
  query: string;
  target: Target;
}
interface Hit {
  id: string;
  name: string;
  filePath: string;
  twins?: { id: string; filePath: string }[];
}

/** Source files and their build copies (`src/a.ts`, `dist/a.js`, `dist/a.d.ts`) compare equal. */
function twinKey(filePath: string): string {
  return filePath
    .replace(/(\.d)?\.[cm]?[jt]sx?$/, '')
    .split('/')
    .filter((seg) => !['src', 'dist', 'lib', 'build', 'esm', 'cjs', 'es', 'out', 'types', 'umd'].includes(seg))
    .join('/');
}

function correct(q: QualityQuery, hit: Hit): boolean {
  if (hit.name !== q.target.name) return false;
  if (q.cls === 'identifier') return true;
  const want = twinKey(q.target.filePath);
  return twinKey(hit.filePath) === want || (hit.twins ?? []).some((t) => twinKey(t.filePath) === want);
}

/** First sentence of a doc comment, whitespace collapsed, as a person would type it. */
function firstSentence(doc: string): string | null {
  const paragraph = doc.trim().split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ').trim();
  const sentence = (/^(.+?[.!?])(\s|$)/.exec(paragraph)?.[1] ?? paragraph).replace(/[.!?]$/, '').trim();
  const words = sentence.split(' ').filter((w) => /[a-z]{2,}/i.test(w));
  if (words.length < 3 || sentence.length > 200) return null;
  // Tag lines and doctest prompts are markup, not a description.
  if (/^[@:>]|>>>|^\w+:$/.test(sentence)) return null;
  return sentence;
}

const TEST_PATH = /(^|\/)(tests?|__tests__|spec|testing)\/|(^|\/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$/i;
const ANSWER_KINDS = "('function', 'method', 'class', 'constructor', 'interface')";

function buildQueries(engine: Engine, tenantId: string, random: () => number): QualityQuery[] {
  const lease = engine.pool.acquire(tenantId);
  try {
    const rows = lease.db
      .prepare(`SELECT s.name, f.path AS filePath, s.doc FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.kind IN ${ANSWER_KINDS} ORDER BY s.id`)
      .all() as { name: string; filePath: string; doc: string | null }[];
    const usable = rows.filter((row) => !TEST_PATH.test(row.filePath) && /[a-z]/i.test(row.name));
    // A sentence shared by symbols of different names has no single answer.
    const bySentence = new Map<string, { names: Set<string>; row: (typeof rows)[number] }>();
    for (const row of usable) {
      const sentence = row.doc ? firstSentence(row.doc) : null;
      if (!sentence) continue;
      const key = sentence.toLowerCase();
      const entry = bySentence.get(key) ?? { names: new Set(), row };
      entry.names.add(row.name);
      bySentence.set(key, entry);
    }
    const sentences = [...bySentence.entries()].filter(([, e]) => e.names.size === 1);
    const out: QualityQuery[] = sample(sentences, perClass, random).map(([, e]) => ({
      cls: 'sentence',
      query: firstSentence(e.row.doc!)!,
      target: { name: e.row.name, filePath: e.row.filePath },
    }));
    const seenNames = new Set<string>();
    const identifiers = usable.filter((row) => {
      if (seenNames.has(row.name) || splitIdentifier(row.name).length < 2) return false;
      seenNames.add(row.name);
      return true;
    });
    for (const row of sample(identifiers, perClass, random)) {
      out.push({ cls: 'identifier', query: splitIdentifier(row.name).join(' '), target: { name: row.name, filePath: row.filePath } });
    }
    return out;
  } finally {
    lease.release();
  }
}

interface ModeScore {
  queries: number;
  mrr10: number;
  recall1: number;
  recall10: number;
  p50Ms: number;
  p99Ms: number;
}

async function evaluate(engine: Engine, tenantId: string, queries: QualityQuery[], mode: Mode): Promise<{ score: ModeScore; ranks: (number | null)[] }> {
  let rr = 0;
  let at1 = 0;
  let at10 = 0;
  const times: number[] = [];
  const ranks: (number | null)[] = [];
  for (const q of queries) {
    const started = performance.now();
    const result = await engine.searchSymbols(tenantId, { query: q.query, mode, limit: TOP });
    times.push(performance.now() - started);
    const rank = (result.results as Hit[]).findIndex((hit) => correct(q, hit));
    ranks.push(rank >= 0 ? rank + 1 : null);
    if (rank >= 0) {
      rr += 1 / (rank + 1);
      if (rank === 0) at1++;
      at10++;
    }
  }
  const lat = summarize(times);
  const n = queries.length || 1;
  return { score: { queries: queries.length, mrr10: r(rr / n), recall1: r(at1 / n), recall10: r(at10 / n), p50Ms: r(lat.p50), p99Ms: r(lat.p99) }, ranks };
}

/** The corpus's source files as written and with docs removed, materialized once under the bench cache. */
async function corpusFolders(name: QualityCorpus): Promise<{ description: string; doc: string; nodoc: string }> {
  const base = path.join(CACHE_ROOT, 'quality-src', name);
  const marker = path.join(base, 'ready.json');
  if (!args['no-cache'] && fs.existsSync(marker)) return { ...JSON.parse(fs.readFileSync(marker, 'utf8')), doc: path.join(base, 'doc'), nodoc: path.join(base, 'nodoc') };
  fs.rmSync(base, { recursive: true, force: true });
  log(`materializing ${name} into ${base}`);
  const { description, files } = materializeCorpus(name, path.join(base, 'doc'));
  await writeStrippedCopy(path.join(base, 'doc'), path.join(base, 'nodoc'));
  fs.writeFileSync(marker, JSON.stringify({ description, files }));
  return { description, doc: path.join(base, 'doc'), nodoc: path.join(base, 'nodoc') };
}

const machine = machineInfo();
process.stdout.write(`bench:quality (${tag}) — ${describeMachine(machine)}\n`);
const report: Record<string, unknown> = {};
const summaryRows: (string | number)[][] = [];
for (const name of corpora) {
  const folders = await corpusFolders(name);
  const random = rng(SEED);
  const indexes = {
    doc: await corpusIndex(`quality-${tag}-${name}-doc`, { name: name as CorpusName, description: folders.description, root: folders.doc, exclude: [] } satisfies Corpus, { cache: !args['no-cache'], log }),
    nodoc: await corpusIndex(`quality-${tag}-${name}-nodoc`, { name: name as CorpusName, description: `${folders.description}, docs removed`, root: folders.nodoc, exclude: [] } satisfies Corpus, { cache: !args['no-cache'], log }),
  };
  const engines = { doc: benchEngine(indexes.doc.dataDir), nodoc: benchEngine(indexes.nodoc.dataDir) };
  try {
    const queries = buildQueries(engines.doc, indexes.doc.tenantId, random);
    const sentence = queries.filter((q) => q.cls === 'sentence');
    const identifier = queries.filter((q) => q.cls === 'identifier');
    log(`${name}: ${sentence.length} sentence and ${identifier.length} identifier queries`);
    // The first semantic query loads the vector file: not part of any measurement.
    for (const e of Object.values(engines)) await e.searchSymbols(indexes.doc.tenantId, { query: 'warm up', mode: 'hybrid' });
    const rows: (string | number)[][] = [];
    const raw: Record<string, unknown> = {};
    for (const cls of CLASSES) {
      const set = cls === 'identifier' ? identifier : sentence;
      const engine = cls === 'sentence, docs removed' ? engines.nodoc : engines.doc;
      const tenantId = indexes.doc.tenantId;
      for (const mode of modes) {
        const { score, ranks } = await evaluate(engine, tenantId, set, mode);
        rows.push([cls, mode, score.queries, score.mrr10, score.recall1, score.recall10, score.p50Ms, score.p99Ms]);
        summaryRows.push([name + (HELD_OUT.has(name) ? ' (held out)' : ''), cls, mode, score.mrr10, score.recall1, score.recall10]);
        raw[`${cls}/${mode}`] = { score, ranks };
      }
    }
    const symbols = indexes.doc.build?.symbols ?? null;
    printTable(`${name}${HELD_OUT.has(name) ? ' (held out)' : ''}: ${folders.description}; ${symbols?.toLocaleString('en-US') ?? '?'} symbols`, ['queries', 'mode', 'n', 'MRR@10', 'R@1', 'R@10', 'p50 ms', 'p99 ms'], rows);
    report[name] = { description: folders.description, build: { doc: indexes.doc.build, nodoc: indexes.nodoc.build }, queries, results: raw };
  } finally {
    await engines.doc.close();
    await engines.nodoc.close();
    indexes.doc.dispose();
    indexes.nodoc.dispose();
  }
}
if (corpora.length > 1) printTable('MRR@10 / R@1 / R@10, all corpora', ['corpus', 'queries', 'mode', 'MRR@10', 'R@1', 'R@10'], summaryRows);
const file = writeResults(`quality-${tag}`, machine, { seed: SEED, perClass, corpora: report });
process.stdout.write(`\nraw results: ${path.relative(process.cwd(), file)}\n`);
