/**
 * Runs benchmarks from the table of trials (bench/trials.ts), each in a fresh process so
 * one benchmark's JIT state, caches and heap never colour the next.
 *
 *   npm run bench                       every trial
 *   npm run bench -- search pool        the named trials (a name or a prefix of one)
 *   npm run bench -- --list             the table
 *   npm run bench -- --max-load 1.5     before each trial, wait (up to --max-wait-s, default 600)
 *                                       for the 1-minute load average to drop below 1.5
 *
 * Other engineers' work on a shared machine disturbs timings: the load average is printed
 * before each trial and recorded in every result file.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { intOption } from './lib/args.js';
import { loadAvg } from './lib/machine.js';
import { markdownTable } from './lib/table.js';
import { TRIALS, type Trial } from './trials.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { list: { type: 'boolean' }, 'max-load': { type: 'string' }, 'max-wait-s': { type: 'string' }, help: { type: 'boolean' } },
});
if (args.help || args.list) {
  process.stdout.write(`usage: npm run bench -- [trial…] [--max-load X] [--max-wait-s N] [--list]\n\n${markdownTable(['trial', 'file', 'what'], TRIALS.map((t) => [t.name, `bench/${t.file} ${t.args.join(' ')}`, t.about]))}\n`);
  process.exit(0);
}
const maxLoad = args['max-load'] === undefined ? null : Number(args['max-load']);
if (maxLoad !== null && !(maxLoad > 0)) throw new Error('--max-load: expected a positive number');
const maxWaitS = intOption(args['max-wait-s'], 'max-wait-s', 600, 0);

const selected: Trial[] = positionals.length === 0 ? [...TRIALS] : positionals.map((name) => {
  const exact = TRIALS.find((t) => t.name === name);
  const byPrefix = TRIALS.filter((t) => t.name.startsWith(name));
  const trial = exact ?? (byPrefix.length === 1 ? byPrefix[0] : undefined);
  if (!trial) throw new Error(`unknown or ambiguous trial "${name}" (known: ${TRIALS.map((t) => t.name).join(', ')})`);
  return trial;
});

async function waitForQuiet(): Promise<void> {
  if (maxLoad === null) return;
  const deadline = Date.now() + maxWaitS * 1000;
  while (loadAvg()[0] >= maxLoad && Date.now() < deadline) {
    process.stderr.write(`[bench] load ${loadAvg().join(' ')} ≥ ${maxLoad}; waiting…\n`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const failed: string[] = [];
for (const trial of selected) {
  await waitForQuiet();
  process.stdout.write(`\n## ${trial.name} — bench/${trial.file} ${trial.args.join(' ')} (load ${loadAvg().join(' ')})\n`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, trial.file), ...trial.args], { stdio: 'inherit' });
  if (child.status !== 0) failed.push(trial.name);
}
if (failed.length > 0) {
  process.stderr.write(`\nfailed: ${failed.join(', ')}\n`);
  process.exit(1);
}
