/**
 * Symbol recall against universal-ctags, on real trees found on this machine.
 *
 *   npm run bench:recall [-- --corpus stdlib,site,npm,jdk,c] [--baseline-ref main] [--no-baseline] [--misses 12] [--raw]
 *
 * For each corpus, the files we index (our own discovery, as `index` would walk the root)
 * are tagged by ctags (`--output-format=json --fields=+n+e+K`) and parsed by our extractor.
 * Only ctags kinds that name a definition a developer looks up are compared (functions,
 * classes, methods, generators, getters, setters, structs…), never variables or locals.
 * A tag is found when one of our symbols in the same file has the same name and a line
 * range that holds the tag's line; each of our symbols answers for one tag at most, the
 * innermost first, so an inner `wrapper` is not credited to an outer `wrapper`.
 *
 * The baseline is the product at `--baseline-ref` (default `main`): its `src/` is exported
 * with `git archive` into a temp folder and run with its own discovery and extractor, in
 * the same process, on the same machine, in the same run.
 *
 * Misses are grouped by pattern (the syntax around the tag: what encloses it, how it is
 * written) so the table says what to fix, not just how much is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { intOption } from './lib/args.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { writeResults } from './lib/results.js';
import { printTable } from './lib/table.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORPORA = ['stdlib', 'site', 'npm', 'jdk', 'c'] as const;
type CorpusId = (typeof CORPORA)[number];

const USAGE = `usage: npm run bench:recall -- [--corpus ${CORPORA.join(',')}] [--baseline-ref REF] [--no-baseline] [--misses N] [--max-files N] [--raw]`;
const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' },
    'baseline-ref': { type: 'string' },
    'no-baseline': { type: 'boolean' },
    misses: { type: 'string' },
    'max-files': { type: 'string' },
    raw: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const MISS_ROWS = intOption(args.misses, 'misses', 12);
const MAX_FILES = intOption(args['max-files'], 'max-files', 20_000);
const log = (line: string) => process.stderr.write(`[recall] ${line}\n`);

/** ctags language name and the kinds we compare, per language of ours. */
const CTAGS: Record<string, { lang: string; kinds: ReadonlySet<string> }> = {
  python: { lang: 'Python', kinds: new Set(['class', 'function', 'member']) },
  javascript: { lang: 'JavaScript', kinds: new Set(['function', 'class', 'method', 'generator', 'getter', 'setter']) },
  typescript: { lang: 'TypeScript', kinds: new Set(['function', 'class', 'method', 'generator', 'interface', 'enum', 'namespace']) },
  java: { lang: 'Java', kinds: new Set(['class', 'interface', 'enum', 'method', 'annotation']) },
  c: { lang: 'C', kinds: new Set(['function', 'struct', 'union', 'enum']) },
};

interface Corpus {
  id: CorpusId;
  description: string;
  root: string;
  exclude: string[];
  /** Languages of ours compared in this corpus. */
  languages: string[];
}

function run(cmd: string, argv: string[]): string | null {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 }).trim();
  } catch {
    return null;
  }
}

function pythonLib(python: string): string | null {
  return run(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])']);
}

/** The stdlib's own tests are not what the target is about: the library is. */
const STDLIB_TEST_EXCLUDES = ['site-packages/', 'test/', 'tests/', 'idle_test/', 'test_*.py'];

/** A site-packages folder other than the one of the `python3` whose stdlib is the check. */
function sitePackages(): string | null {
  const stdlib = pythonLib('python3');
  const candidates: string[] = [];
  const pyenv = path.join(os.homedir(), '.pyenv', 'versions');
  if (fs.existsSync(pyenv)) {
    for (const v of fs.readdirSync(pyenv).sort().reverse()) {
      const lib = path.join(pyenv, v, 'lib');
      if (!fs.existsSync(lib)) continue;
      for (const py of fs.readdirSync(lib)) {
        const sp = path.join(lib, py, 'site-packages');
        if (py.startsWith('python3') && fs.existsSync(sp)) candidates.push(sp);
      }
    }
  }
  if (stdlib !== null) candidates.push(path.join(stdlib, 'site-packages'));
  // The biggest one says the most.
  let best: string | null = null;
  let bestCount = 0;
  for (const dir of candidates) {
    const count = fs.readdirSync(dir).length;
    if (count > bestCount) {
      best = dir;
      bestCount = count;
    }
  }
  return best;
}

function npmTree(): string | null {
  const root = run('npm', ['root', '-g']);
  const dir = root === null ? null : path.join(root, 'npm', 'node_modules');
  return dir !== null && fs.existsSync(dir) ? dir : null;
}

/** java.base from a JDK's src.zip, unpacked once into the temp folder. */
function jdkSources(tmp: string): string | null {
  const jvm = '/usr/lib/jvm';
  if (!fs.existsSync(jvm)) return null;
  const zip = fs
    .readdirSync(jvm)
    .map((d) => path.join(jvm, d, 'lib', 'src.zip'))
    .find((f) => fs.existsSync(f));
  if (zip === undefined) return null;
  const out = path.join(tmp, 'jdk');
  const script = 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n    if n.startswith("java.base/java/util/") and n.endswith(".java"): z.extract(n, sys.argv[2])\n';
  const res = spawnSync('python3', ['-c', script, zip, out], { stdio: 'ignore' });
  return res.status === 0 ? path.join(out, 'java.base') : null;
}

/**
 * CPython's own headers: plain C (structs, static inline functions). Not /usr/include,
 * whose `.h` files are largely C++ (libstdc++, LLVM), which we parse as C.
 */
function cSources(): string | null {
  const dir = run('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["include"])']);
  return dir !== null && fs.existsSync(dir) ? dir : null;
}

function resolveCorpus(id: CorpusId, tmp: string): Corpus | string {
  switch (id) {
    case 'stdlib': {
      const root = pythonLib('python3');
      if (root === null) return 'python3 not found';
      return { id, description: `Python ${path.basename(root)} standard library, non-test (the check)`, root, exclude: STDLIB_TEST_EXCLUDES, languages: ['python'] };
    }
    case 'site': {
      const root = sitePackages();
      if (root === null) return 'no site-packages found';
      return { id, description: `${root.split(path.sep).slice(-4).join('/')} (tuning)`, root, exclude: [], languages: ['python'] };
    }
    case 'npm': {
      const root = npmTree();
      if (root === null) return "npm's node_modules not found";
      return { id, description: "npm's own node_modules tree", root, exclude: [], languages: ['javascript', 'typescript'] };
    }
    case 'jdk': {
      const root = jdkSources(tmp);
      if (root === null) return 'no JDK src.zip';
      return { id, description: 'JDK java.base/java/util sources', root, exclude: [], languages: ['java'] };
    }
    case 'c': {
      const root = cSources();
      if (root === null) return "python3's include folder not found";
      return { id, description: `CPython ${path.basename(root)} headers (C)`, root, exclude: [], languages: ['c'] };
    }
  }
}

/** What a product version offers the benchmark: its discovery and its parser. */
interface Product {
  label: string;
  discover: (root: string, exclude: string[]) => Promise<{ relPath: string; absPath: string; language: string }[]>;
  parse: (language: string, source: string) => { name: string; startLine: number; endLine: number; kind: string; qualifiedName: string }[];
}

async function loadProduct(label: string, srcDir: string): Promise<Product> {
  const url = (rel: string) => pathToFileURL(path.join(srcDir, rel)).href;
  const { discoverFiles } = (await import(url('engine/discovery.ts'))) as typeof import('../src/engine/discovery.js');
  const { languageForPath } = (await import(url('parse/languages.ts'))) as typeof import('../src/parse/languages.js');
  const { CodeParser } = (await import(url('parse/code-parser.ts'))) as typeof import('../src/parse/code-parser.js');
  const parser = await CodeParser.create();
  return {
    label,
    discover: async (root, exclude) => (await discoverFiles(root, { languageOf: languageForPath, exclude })).files,
    parse: (language, source) => parser.parse(language as never, source).symbols,
  };
}

/** `git archive <ref> src` into a temp folder that resolves node_modules like this checkout. */
function exportBaseline(ref: string, tmp: string): { dir: string; commit: string } {
  const repo = path.join(HERE, '..');
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: repo, encoding: 'utf8' }).trim();
  const dir = path.join(tmp, `baseline-${commit}`);
  fs.mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', ref, 'src', 'package.json'], { cwd: repo, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  fs.symlinkSync(fs.realpathSync(path.join(repo, 'node_modules')), path.join(dir, 'node_modules'));
  return { dir: path.join(dir, 'src'), commit };
}

interface Tag {
  name: string;
  line: number;
  kind: string;
  scopeKind?: string;
  pattern?: string;
}

/** Tags ctags drops from the comparison, by reason; printed with the results. */
const filtered = new Map<string, number>();

function drop(reason: string): false {
  filtered.set(reason, (filtered.get(reason) ?? 0) + 1);
  return false;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a ctags tag names a definition. ctags invents names for anonymous functions
 * (`AnonymousFunction1a2b…`, `anonFunc…`) and calls the anonymous value of
 * `module.exports = …` `exports`; its JavaScript parser also reports object literals with
 * nested members as classes (`const opts = { retry: {…} }`: classes `opts` and `retry`)
 * and names on member chains of calls as methods (`_super.prototype.equals.call(…)`:
 * class `_super`, method `equals`). None of these is something a developer looks up by
 * name.
 */
function isDefinitionTag(ctagsLang: string, t: { name: string; kind: string; pattern?: string }): boolean {
  // --raw: every tag of the compared kinds counts, as ctags reports it.
  if (args.raw) return true;
  if (/^(?:Anonymous(?:Function|Class|Object)\w*|anonFunc\w*|__anon\w+)$/.test(t.name)) return drop('anonymous (a name ctags made up)');
  if (ctagsLang !== 'JavaScript' && ctagsLang !== 'TypeScript') return true;
  const line = (t.pattern ?? '').replace(/^\/\^?|\$?\/$/g, '');
  if (t.name === 'exports' || t.name === 'module') return drop('anonymous `module.exports = …` (named `exports` by ctags)');
  if (t.kind === 'class' && !/\b(?:class|function)\b/.test(line)) return drop('object literal reported as a class');
  const name = escapeRegex(t.name);
  // The name is declared where something follows it that defines: `=`, `:`, `(`, `{`.
  if (!new RegExp(`(?:^|[^\\w$])#?${name}\\s*(?:=(?!=)|:|\\(|\\{|<)|(?:function|class|get|set)\\s*\\*?\\s*#?${name}\\b`).test(line)) {
    return drop('a reference on a member chain, not a definition');
  }
  return true;
}

/** ctags over a list of files forced to one language; tags by absolute path. */
function ctagsTags(files: string[], ctagsLang: string, kinds: ReadonlySet<string>): Map<string, Tag[]> {
  const byFile = new Map<string, Tag[]>();
  if (files.length === 0) return byFile;
  const res = spawnSync(
    'ctags',
    ['--output-format=json', '--fields=+n+e+K', '--sort=no', `--language-force=${ctagsLang}`, '-f', '-', '-L', '-'],
    { input: files.join('\n'), encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  if (res.status !== 0) throw new Error(`ctags failed: ${res.stderr}`);
  for (const line of res.stdout.split('\n')) {
    if (line === '') continue;
    const t = JSON.parse(line) as { _type: string; name: string; path: string; line: number; kind: string; scopeKind?: string; pattern?: string };
    if (t._type !== 'tag' || !kinds.has(t.kind)) continue;
    if (!isDefinitionTag(ctagsLang, t)) continue;
    let list = byFile.get(t.path);
    if (list === undefined) byFile.set(t.path, (list = []));
    // ctags may report one definition twice (`module.exports.X = class X`: in and out of scope).
    if (list.some((o) => o.name === t.name && o.line === t.line)) {
      drop('the same name on the same line twice');
      continue;
    }
    list.push({ name: t.name, line: t.line, kind: t.kind, ...(t.scopeKind ? { scopeKind: t.scopeKind } : {}), ...(t.pattern ? { pattern: t.pattern } : {}) });
  }
  return byFile;
}

/** Tags our symbols account for, one symbol per tag, innermost candidate first. */
function matchTags(tags: Tag[], symbols: { name: string; startLine: number; endLine: number }[]): boolean[] {
  const byName = new Map<string, { startLine: number; endLine: number; used: boolean }[]>();
  for (const s of symbols) {
    // ctags names `#private` members without their `#`.
    const name = s.name.startsWith('#') ? s.name.slice(1) : s.name;
    let list = byName.get(name);
    if (list === undefined) byName.set(name, (list = []));
    list.push({ startLine: s.startLine, endLine: s.endLine, used: false });
  }
  return tags.map((tag) => {
    let best: { startLine: number; endLine: number; used: boolean } | null = null;
    for (const s of byName.get(tag.name) ?? []) {
      if (s.used || s.startLine > tag.line || s.endLine < tag.line) continue;
      if (best === null || s.startLine > best.startLine) best = s;
    }
    if (best === null) return false;
    best.used = true;
    return true;
  });
}

/**
 * A short description of the syntax around a missed tag: its enclosing block (from the
 * source's indentation for Python, ctags' scope otherwise) and the shape of its line.
 */
function missPattern(language: string, tag: Tag, lines: string[]): string {
  const text = lines[tag.line - 1] ?? '';
  const head = text.trim();
  if (language === 'python') {
    const indent = text.length - text.trimStart().length;
    let enclosing = 'module level';
    for (let i = tag.line - 2; i >= 0 && indent > 0; i--) {
      const l = lines[i]!;
      const t = l.trim();
      if (t === '' || t.startsWith('#')) continue;
      const ind = l.length - l.trimStart().length;
      if (ind < indent) {
        const word = /^(async def|def|class|if|elif|else|try|except|finally|with|for|while|match|case)\b/.exec(t)?.[1] ?? 'other';
        enclosing = word === 'async def' ? 'def' : word;
        if (word === 'if' && t.includes('__name__')) enclosing = 'if __name__';
        break;
      }
    }
    const shape = head.startsWith('class') ? 'class' : /^(async\s+)?def\b/.test(head) ? 'def' : head.includes('lambda') ? '= lambda' : 'assignment';
    return `${shape} in ${enclosing}${tag.scopeKind ? ` (ctags scope: ${tag.scopeKind})` : ''}`;
  }
  if (language === 'javascript' || language === 'typescript') {
    const shape =
      /^module\.exports\s*=/.test(head) ? 'module.exports = …'
      : /^(?:module\.)?exports\.[\w$]+\s*=/.test(head) ? 'exports.x = …'
      : /\.prototype\.[\w$]+\s*=/.test(head) ? 'X.prototype.y = …'
      : /^[\w$.]+\.[\w$]+\s*=\s*(?:async\s+)?function/.test(head) ? 'a.b = function'
      : /^[\w$]+\s*=\s*(?:async\s+)?function/.test(head) ? 'x = function'
      : /^(?:async\s+)?function\b/.test(head) ? 'function declaration'
      : /^(?:export\s+)?class\b/.test(head) ? 'class declaration'
      : /^(?:const|let|var)\b/.test(head) ? 'const/let/var binding'
      : /^['"]?[\w$]+['"]?\s*:\s*(?:async\s+)?(?:function|\()/.test(head) ? 'key: function (object literal)'
      : /^(?:static\s+|async\s+|get\s+|set\s+|\*\s*)*['"]?[\w$#]+['"]?\s*\(/.test(head) ? 'method shorthand'
      : /\bfunction\b/.test(head) ? 'function expression (other)'
      : 'other';
    const indent = text.length - text.trimStart().length;
    return `${shape}${indent > 0 ? ' (indented)' : ''}${tag.scopeKind ? ` in ctags ${tag.scopeKind}` : ''}`;
  }
  return `${tag.kind}${tag.scopeKind ? ` in ${tag.scopeKind}` : ''}`;
}

interface LanguageResult {
  files: number;
  tags: number;
  found: number;
  misses: Map<string, { count: number; example: string }>;
}

interface CorpusResult {
  corpus: string;
  description: string;
  byProduct: Record<string, Record<string, LanguageResult>>;
}

async function measure(corpus: Corpus, product: Product): Promise<Record<string, LanguageResult>> {
  const files = (await product.discover(corpus.root, corpus.exclude)).slice(0, MAX_FILES);
  const out: Record<string, LanguageResult> = {};
  for (const language of corpus.languages) {
    const spec = CTAGS[language]!;
    // TSX files parse with the TypeScript ctags parser too.
    const mine = files.filter((f) => f.language === language || (language === 'typescript' && f.language === 'tsx'));
    const tags = ctagsTags(
      mine.map((f) => f.absPath),
      spec.lang,
      spec.kinds,
    );
    const result: LanguageResult = { files: mine.length, tags: 0, found: 0, misses: new Map() };
    for (const f of mine) {
      const fileTags = tags.get(f.absPath) ?? [];
      if (fileTags.length === 0) continue;
      const source = fs.readFileSync(f.absPath, 'utf8');
      const symbols = product.parse(f.language, source);
      const hits = matchTags(fileTags, symbols);
      const lines = source.split('\n');
      fileTags.forEach((tag, i) => {
        result.tags++;
        if (hits[i]) {
          result.found++;
          return;
        }
        const pattern = missPattern(language, tag, lines);
        const entry = result.misses.get(pattern);
        if (entry) entry.count++;
        else result.misses.set(pattern, { count: 1, example: `${f.relPath}:${tag.line} ${tag.name}` });
      });
    }
    out[language] = result;
  }
  return out;
}

const machine = machineInfo();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pctx-recall-'));
const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  const ctagsVersion = run('ctags', ['--version'])?.split('\n')[0] ?? null;
  if (ctagsVersion === null || !ctagsVersion.includes('Universal')) throw new Error('universal-ctags is required (`ctags --version`)');
  const wanted = (args.corpus ?? CORPORA.join(',')).split(',').map((s) => s.trim()) as CorpusId[];
  for (const id of wanted) if (!CORPORA.includes(id)) throw new Error(`--corpus: unknown corpus "${id}" (known: ${CORPORA.join(', ')})`);

  const products: Product[] = [];
  let baselineCommit: string | null = null;
  if (!args['no-baseline']) {
    const ref = args['baseline-ref'] ?? 'main';
    const base = exportBaseline(ref, tmp);
    baselineCommit = base.commit;
    products.push(await loadProduct(`baseline (${ref} ${base.commit})`, base.dir));
  }
  products.push(await loadProduct('this tree', path.join(HERE, '..', 'src')));

  log(`${describeMachine(machine)}; ${ctagsVersion}`);
  const results: CorpusResult[] = [];
  for (const id of wanted) {
    const corpus = resolveCorpus(id, tmp);
    if (typeof corpus === 'string') {
      log(`${id}: skipped (${corpus})`);
      continue;
    }
    log(`${id}: ${corpus.root}`);
    const byProduct: CorpusResult['byProduct'] = {};
    for (const product of products) {
      const started = performance.now();
      byProduct[product.label] = await measure(corpus, product);
      log(`  ${product.label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    results.push({ corpus: id, description: corpus.description, byProduct });
  }

  const rows = results.flatMap((r) =>
    Object.keys(Object.values(r.byProduct)[0] ?? {}).map((language) => {
      const cells = products.map((p) => r.byProduct[p.label]![language]!);
      const last = cells[cells.length - 1]!;
      return [
        r.corpus,
        language,
        last.files,
        last.tags,
        ...cells.flatMap((c) => [c.found, c.tags === 0 ? null : (c.found / c.tags).toFixed(4)]),
      ];
    }),
  );
  printTable(
    `Recall against ctags (${ctagsVersion})`,
    ['corpus', 'language', 'files', 'ctags tags', ...products.flatMap((p) => [`found: ${p.label}`, `recall: ${p.label}`])],
    rows,
  );
  printTable(
    'ctags tags left out of the comparison (all corpora, all products)',
    ['reason', 'tags'],
    [...filtered.entries()].sort((a, b) => b[1] - a[1]),
  );
  const ours = products[products.length - 1]!;
  for (const r of results) {
    for (const [language, res] of Object.entries(r.byProduct[ours.label]!)) {
      const misses = [...res.misses.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, MISS_ROWS);
      if (misses.length === 0) continue;
      printTable(
        `Misses of ${ours.label}: ${r.corpus} ${language} (${res.tags - res.found} of ${res.tags})`,
        ['pattern', 'tags', 'example'],
        misses.map(([pattern, m]) => [pattern, m.count, m.example]),
      );
    }
  }
  const file = writeResults('recall', machine, {
    ctags: ctagsVersion,
    baselineCommit,
    filtered: Object.fromEntries(filtered),
    results: results.map((r) => ({
      ...r,
      byProduct: Object.fromEntries(
        Object.entries(r.byProduct).map(([label, langs]) => [
          label,
          Object.fromEntries(Object.entries(langs).map(([l, res]) => [l, { ...res, misses: Object.fromEntries(res.misses) }])),
        ]),
      ),
    })),
  });
  log(`raw results: ${file}`);
} finally {
  cleanup();
}
