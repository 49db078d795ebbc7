/**
 * `npm run test:crash`: the full crash tests against dist/, at least 20 kills each.
 *
 * - `cli` (crash-run.ts): CLI processes killed in index, backup, restore --force, delete;
 * - `server` (crash-server-run.ts): the `serve --http` process killed while it runs
 *   index_folder, an upload, an admin backup, restore or delete, or while a CLI restore
 *   swaps a tenant under it; restarted after each kill.
 *
 * Prints each attempt and a summary per phase; exits 1 if any check failed. Options:
 * --target cli|server|all (default all), --kills N (default 24, per phase), --seed N,
 * --keep (keep the scratch folders even when every check held).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCrashTest } from './crash-run.js';
import { runServerCrashTest } from './crash-server-run.js';

const { values } = parseArgs({
  options: { kills: { type: 'string', default: '24' }, seed: { type: 'string' }, keep: { type: 'boolean', default: false }, target: { type: 'string', default: 'all' } },
});
const kills = Number(values.kills);
if (!Number.isInteger(kills) || kills < 1) throw new Error('--kills must be a positive whole number');
if (!['cli', 'server', 'all'].includes(values.target)) throw new Error('--target must be cli, server or all');
const cliMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/main.js');
if (!fs.existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npm run build first`);
const seed = values.seed !== undefined ? { seed: Number(values.seed) } : {};
const log = (line: string) => process.stdout.write(`${line}\n`);

interface PhaseReport {
  seed: number;
  attempts: { op: string; at: string; killed: boolean; outcome: 'old' | 'new' }[];
  kills: number;
  failures: string[];
  durationMs: number;
}

function summarize(phase: string, ops: readonly string[], report: PhaseReport, workDir: string, extra = ''): boolean {
  process.stdout.write(`\n${phase}, seed ${report.seed}: ${report.attempts.length} attempts, ${report.kills} kills in ${(report.durationMs / 1000).toFixed(0)} s${extra}\n`);
  process.stdout.write('operation     attempts  killed  at a named step  ended old  ended new\n');
  for (const op of ops) {
    const mine = report.attempts.filter((a) => a.op === op);
    const row = [op.padEnd(12), String(mine.length).padStart(8), String(mine.filter((a) => a.killed).length).padStart(7), String(mine.filter((a) => a.killed && !a.at.startsWith('delay')).length).padStart(16), String(mine.filter((a) => a.outcome === 'old').length).padStart(10), String(mine.filter((a) => a.outcome === 'new').length).padStart(10)];
    process.stdout.write(`${row.join('  ')}\n`);
  }
  if (report.failures.length > 0) {
    process.stdout.write(`\n${report.failures.length} check(s) failed:\n${report.failures.map((f) => `  ${f}`).join('\n')}\ndata kept in ${workDir}\n`);
    return false;
  }
  process.stdout.write('every check held: integrity_check ok, every tenant old or new, no orphan or leftover, nothing lost\n');
  if (!values.keep) fs.rmSync(workDir, { recursive: true, force: true });
  return true;
}

let ok = true;
if (values.target !== 'server') {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pctx-crash-'));
  const report = await runCrashTest({ cliMain, workDir, kills, ...seed, log });
  ok = summarize('CLI', ['index', 'backup', 'restore', 'delete'], report, workDir) && ok;
}
if (values.target !== 'cli') {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pctx-crash-server-'));
  const report = await runServerCrashTest({ cliMain, workDir, kills, ...seed, log });
  ok = summarize('server', ['index', 'upload', 'backup', 'restore', 'restore-http', 'delete'], report, workDir, `, ${report.starts} server starts`) && ok;
}
if (!ok) process.exitCode = 1;
