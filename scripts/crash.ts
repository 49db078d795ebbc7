/**
 * `npm run test:crash`: the full crash test (see crash-run.ts) against dist/, at least 20
 * kills spread over index, backup, restore --force and delete. Prints each attempt and a
 * summary; exits 1 if any check failed. Options: --kills N (default 24), --seed N.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCrashTest, type CrashOperation } from './crash-run.js';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '24' }, seed: { type: 'string' }, keep: { type: 'boolean', default: false } } });
const kills = Number(values.kills);
if (!Number.isInteger(kills) || kills < 1) throw new Error('--kills must be a positive whole number');
const cliMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/main.js');
if (!fs.existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npm run build first`);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pctx-crash-'));

const report = await runCrashTest({
  cliMain,
  workDir,
  kills,
  ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  log: (line) => process.stdout.write(`${line}\n`),
});

const ops: CrashOperation[] = ['index', 'backup', 'restore', 'delete'];
process.stdout.write(`\nseed ${report.seed}: ${report.attempts.length} attempts, ${report.kills} kills in ${(report.durationMs / 1000).toFixed(0)} s\n`);
process.stdout.write('operation  attempts  killed  at a named step  ended old  ended new\n');
for (const op of ops) {
  const mine = report.attempts.filter((a) => a.op === op);
  const row = [op.padEnd(9), String(mine.length).padStart(8), String(mine.filter((a) => a.killed).length).padStart(7), String(mine.filter((a) => a.killed && !a.at.startsWith('delay')).length).padStart(16), String(mine.filter((a) => a.outcome === 'old').length).padStart(10), String(mine.filter((a) => a.outcome === 'new').length).padStart(10)];
  process.stdout.write(`${row.join('  ')}\n`);
}
if (report.failures.length > 0) {
  process.stdout.write(`\n${report.failures.length} check(s) failed:\n${report.failures.map((f) => `  ${f}`).join('\n')}\n`);
  process.stdout.write(`data kept in ${workDir}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('every check held: integrity_check ok, every tenant old or new, no orphan or leftover, nothing lost\n');
  if (!values.keep) fs.rmSync(workDir, { recursive: true, force: true });
}
