// The least an indexing process must do, in a fresh process like the `index` command:
// start, discover the files, start two worker threads that load web-tree-sitter and the
// grammars of the languages present, read their share of the files and parse them
// (`--mode extract`: and extract symbols with the product's CodeParser). No database,
// no FTS, no vectors, no messages but a count. Prints {"resultMs": …} on stdout when
// both workers are done (the moment the product's supervised `index` prints its result)
// and exits.
//
// Plain JavaScript over the built product (dist/) so that no TypeScript loader is
// measured: `node bench/floor/index-floor-child.mjs <dist> <root> <mode> [exclude…]`.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (isMainThread) {
  const [dist, root, mode, ...exclude] = process.argv.slice(2);
  const { discoverFiles } = await import(pathToFileURL(path.join(dist, 'engine/discovery.js')).href);
  const { languageForPath } = await import(pathToFileURL(path.join(dist, 'parse/languages.js')).href);
  const found = await discoverFiles(root, { exclude, languageOf: languageForPath });
  // Largest first, to the less loaded worker: the two finish together.
  const files = found.files.map((f) => ({ path: f.absPath, language: f.language, bytes: fs.statSync(f.absPath).size })).sort((a, b) => b.bytes - a.bytes);
  const shares = [[], []];
  const load = [0, 0];
  for (const f of files) {
    const i = load[0] <= load[1] ? 0 : 1;
    shares[i].push(f);
    load[i] += f.bytes;
  }
  const counts = await Promise.all(
    shares.map(
      (share) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { dist, share, mode } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  process.stdout.write(`${JSON.stringify({ resultMs: performance.now(), files: files.length, symbols: counts.reduce((a, b) => a + b, 0) })}\n`);
  process.exit(0);
} else {
  const { dist, share, mode } = workerData;
  const languages = [...new Set(share.map((f) => f.language))];
  const decoder = new TextDecoder();
  let symbols = 0;
  if (mode === 'extract') {
    const { CodeParser } = await import(pathToFileURL(path.join(dist, 'parse/code-parser.js')).href);
    const parser = await CodeParser.create({ languages });
    for (const f of share) symbols += parser.parse(f.language, decoder.decode(fs.readFileSync(f.path))).symbols.length;
  } else {
    // Parse only, with web-tree-sitter itself, as the single-thread baseline does.
    const require = createRequire(path.join(dist, '..', 'package.json'));
    const { Language, Parser } = require('web-tree-sitter');
    const { GRAMMAR_FILES } = await import(pathToFileURL(path.join(dist, 'parse/languages.js')).href);
    await Parser.init();
    const grammars = new Map();
    for (const id of languages) grammars.set(id, await Language.load(require.resolve(`tree-sitter-wasms/out/${GRAMMAR_FILES[id]}`)));
    const parser = new Parser();
    for (const f of share) {
      parser.setLanguage(grammars.get(f.language));
      parser.parse(decoder.decode(fs.readFileSync(f.path)))?.delete();
    }
  }
  parentPort.postMessage(symbols);
}
