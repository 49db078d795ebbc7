/**
 * The crash test: real CLI processes SIGKILLed in the middle of index, backup, restore
 * --force and delete, each followed by a start of the CLI (which repairs what it finds)
 * and a check of the whole data folder:
 *
 * - every tenant database passes `PRAGMA integrity_check`;
 * - the tenant the operation touched is its old state or its new one, never a third;
 *   every other tenant is unchanged (nothing lost);
 * - tenant folders and control-plane rows agree (no orphan folder, no lost row);
 * - no staging, trash or journal entry, no temp file in the data folder, no backup work
 *   folder in the OS temp dir, no temp archive next to --out.
 *
 * A kill lands either at a named step (`PCTX_TEST_PAUSE_AT`, see src/util/crash-point.ts:
 * the child stops there and reports it, then is killed) or after a random delay inside
 * the operation's usual duration. `npm run test:crash` runs the full version
 * (scripts/crash.ts); `npm test` a short one (test/admin/crash.test.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rng } from '../bench/lib/random.js';
import { LOCAL_TENANT_ID } from '../src/tenant-id.js';
import { checkDataDir, checkTenantStates, crashEnv, tenantFingerprint, writeVersion, type TenantRow } from './lib/crash-checks.js';

export type CrashOperation = 'index' | 'backup' | 'restore' | 'delete';

/** Named steps of each operation where a kill matters most (src/admin/*). */
export const CRASH_POINTS: Record<CrashOperation, readonly string[]> = {
  index: [],
  backup: ['backup.snapshot-written', 'backup.archive-written'],
  restore: ['restore.extracted', 'restore.journal-written', 'restore.live-moved-to-trash', 'restore.staging-moved-into-place', 'restore.row-written', 'restore.journal-removed'],
  delete: ['delete.tombstoned', 'delete.moved-to-trash', 'delete.purged'],
};

export interface CrashOptions {
  /** The CLI entry (dist/cli/main.js or a test build). */
  cliMain: string;
  /** Scratch folder for this run (data dir, sources, archives, TMPDIR of the children). */
  workDir: string;
  /** Stop after this many operations were actually killed. */
  kills: number;
  /** Give up after this many attempts (an operation may finish before its kill). @default 4 × kills */
  maxAttempts?: number;
  /** Seed of the random choices; the same seed replays the same plan. @default random */
  seed?: number;
  /** Plan of the first attempts, e.g. one named step per operation for the short run. */
  script?: { op: CrashOperation; point?: string }[];
  log?: (line: string) => void;
}

export interface CrashAttempt {
  op: CrashOperation;
  /** The named step, or `delay <ms>`. */
  at: string;
  killed: boolean;
  /** Which state the target ended in after the repair. */
  outcome: 'old' | 'new';
  ms: number;
}

export interface CrashReport {
  seed: number;
  attempts: CrashAttempt[];
  kills: number;
  /** Checks that failed, with the attempt they followed. Empty when all held. */
  failures: string[];
  durationMs: number;
}

export async function runCrashTest(options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const seed = options.seed ?? crypto.randomInt(2 ** 31);
  const random = rng(seed);
  const log = options.log ?? (() => {});
  const maxAttempts = options.maxAttempts ?? options.kills * 4;
  const work = options.workDir;
  const dataDir = path.join(work, 'data');
  const tmpDir = path.join(work, 'tmp');
  const outDir = path.join(work, 'out');
  const src = path.join(work, 'src-live');
  for (const dir of [tmpDir, outDir]) fs.mkdirSync(dir, { recursive: true });
  const env = crashEnv(tmpDir, 2);

  const run = (args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [options.cliMain, ...args, '--data-dir', dataDir], { env, encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const must = (args: string[]): string => {
    const r = run(args);
    if (r.code !== 0) throw new Error(`setup command failed: ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const tenants = (): TenantRow[] => (JSON.parse(must(['tenants', 'list', '--json'])) as { tenants: TenantRow[] }).tenants;
  const fpOf = (id: string): string | null => tenantFingerprint(dataDir, id);

  // Setup: `idx` indexed from version a (its backup is archive a), `ref` from version b
  // (archive b; it is also the backup target and a bystander), `rst` restored from a.
  writeVersion(src, 'a');
  const srcB = path.join(work, 'src-b');
  writeVersion(srcB, 'b');
  const archives = { a: path.join(work, 'a.tar.gz'), b: path.join(work, 'b.tar.gz') };
  // Random delays span each operation's whole uninterrupted run, as timed here.
  const timing: Record<CrashOperation, number> = { index: 0, backup: 0, restore: 0, delete: 0 };
  const timed = (op: CrashOperation, args: string[]) => {
    const t0 = performance.now();
    must(args);
    timing[op] = Math.max(timing[op], Math.round(performance.now() - t0));
  };
  must(['tenants', 'create', 'idx']);
  timed('index', ['index', src, '--tenant', 'idx', '--name', 'code']);
  timed('backup', ['tenants', 'backup', 'idx', '--out', archives.a]);
  must(['tenants', 'create', 'ref']);
  timed('index', ['index', srcB, '--tenant', 'ref', '--name', 'code']);
  timed('backup', ['tenants', 'backup', 'ref', '--out', archives.b]);
  timed('restore', ['tenants', 'restore', archives.a, '--as', 'rst']);
  timed('restore', ['tenants', 'restore', archives.a, '--as', 'spare']);
  timed('delete', ['tenants', 'delete', 'spare', '--yes']);
  let rows = tenants();
  const byName = new Map(rows.map((t) => [t.name, t.id]));
  const fpA = fpOf(byName.get('idx')!)!;
  const fpB = fpOf(byName.get('ref')!)!;
  let idxVersion: 'a' | 'b' = 'a';
  let deleteSerial = 0;
  const backupOut = path.join(outDir, 'bak.tar.gz');

  const attempts: CrashAttempt[] = [];
  const failures: string[] = [];
  let kills = 0;
  const ops: CrashOperation[] = ['index', 'backup', 'restore', 'delete'];

  while (kills < options.kills && attempts.length < maxAttempts) {
    const scripted = options.script?.[attempts.length];
    const op = scripted?.op ?? ops[attempts.length % ops.length]!;
    const points = CRASH_POINTS[op];
    const point = scripted ? scripted.point : points.length > 0 && random() < 0.6 ? points[Math.floor(random() * points.length)] : undefined;
    const delay = Math.round(random() * timing[op] * 1.1);

    // Prepare the operation: its command, its target's old and new states.
    const before = new Map(rows.map((t) => [t.id, fpOf(t.id)]));
    let args: string[];
    let targetId: string | null = null;
    let oldFp: string | null;
    let newFp: string | null;
    let oldArchive: Buffer | null = null;
    if (op === 'index') {
      idxVersion = idxVersion === 'a' ? 'b' : 'a';
      writeVersion(src, idxVersion);
      targetId = byName.get('idx')!;
      args = ['index', src, '--tenant', 'idx', '--name', 'code'];
      oldFp = before.get(targetId)!;
      newFp = idxVersion === 'a' ? fpA : fpB;
    } else if (op === 'restore') {
      targetId = byName.get('rst')!;
      oldFp = before.get(targetId)!;
      const next = oldFp === fpA ? 'b' : 'a';
      args = ['tenants', 'restore', archives[next], '--as', 'rst', '--force'];
      newFp = next === 'a' ? fpA : fpB;
    } else if (op === 'delete') {
      const name = `del-${++deleteSerial}`;
      targetId = (JSON.parse(must(['tenants', 'restore', archives.a, '--as', name, '--json'])) as { tenant: TenantRow }).tenant.id;
      before.set(targetId, fpOf(targetId));
      args = ['tenants', 'delete', name, '--yes'];
      oldFp = fpA;
      newFp = null;
    } else {
      targetId = null;
      oldFp = newFp = null;
      oldArchive = fs.existsSync(backupOut) ? fs.readFileSync(backupOut) : null;
      args = ['tenants', 'backup', 'ref', '--out', backupOut, '--force'];
    }

    // Run it, and kill it at the step or after the delay.
    const t0 = performance.now();
    const killed = await new Promise<boolean>((resolve) => {
      const child = spawn(process.execPath, [options.cliMain, ...args, '--data-dir', dataDir], {
        env: point ? { ...env, PCTX_TEST_PAUSE_AT: point } : env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let done = false;
      let stderr = '';
      const kill = () => {
        if (done) return;
        done = true;
        child.kill('SIGKILL');
      };
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (point && stderr.includes(`PCTX_PAUSED ${point}`)) kill();
      });
      const timer = point ? null : setTimeout(kill, delay);
      child.once('exit', (_code, signal) => {
        if (timer) clearTimeout(timer);
        resolve(signal === 'SIGKILL');
      });
    });
    const ms = performance.now() - t0;
    if (killed) kills++;

    // The next start repairs; then the whole data folder is checked.
    const label = `#${attempts.length + 1} ${op} at ${point ?? `delay ${delay} ms`}${killed ? ' (killed)' : ' (finished first)'}`;
    const fail = (what: string) => failures.push(`${label}: ${what}`);
    const repair = run(['tenants', 'list', '--json']);
    if (repair.code !== 0) fail(`the next start failed: ${repair.stdout}${repair.stderr}`);
    rows = repair.code === 0 ? (JSON.parse(repair.stdout) as { tenants: TenantRow[] }).tenants : rows;
    // `local` is created by every start, its folder only by its first use.
    checkDataDir(dataDir, tmpDir, rows, fail, { mayLackFolder: new Set([LOCAL_TENANT_ID]) });
    let outcome = checkTenantStates(dataDir, before, rows, { targetId, kind: op === 'delete' ? 'delete' : 'change', oldFp, newFp }, fail);

    if (op === 'backup') {
      // The archive is the previous one, untouched, or a complete new one.
      if (fs.existsSync(backupOut)) {
        const bytes = fs.readFileSync(backupOut);
        if (oldArchive === null || !bytes.equals(oldArchive)) {
          outcome = 'new';
          // Restoring it in a scratch data folder proves it whole (checksums, schema, integrity).
          const scratch = path.join(work, `check-${attempts.length}`);
          const check = spawnSync(process.execPath, [options.cliMain, 'tenants', 'restore', backupOut, '--as', 'check', '--data-dir', scratch], { env, encoding: 'utf8' });
          if (check.status !== 0) fail(`the archive is neither the old one nor a valid new one: ${check.stdout}${check.stderr}`);
          fs.rmSync(scratch, { recursive: true, force: true });
        }
      } else if (oldArchive !== null) fail('the previous archive disappeared');
      // The next backup to the same file removes a killed one's temp archive.
      must(['tenants', 'backup', 'ref', '--out', backupOut, '--force']);
      const stray = fs.readdirSync(outDir).filter((f) => f !== path.basename(backupOut));
      if (stray.length > 0) fail(`left next to --out: ${stray.join(', ')}`);
    }
    if (op === 'index') {
      // Keep the source folder and the tenant in step for the next attempt.
      idxVersion = outcome === 'new' ? idxVersion : idxVersion === 'a' ? 'b' : 'a';
    }
    attempts.push({ op, at: point ?? `delay ${delay} ms`, killed, outcome, ms: Math.round(ms) });
    log(`${label} → ${outcome}${failures.length > 0 ? `, ${failures.length} failure(s) so far` : ''}`);
  }
  return { seed, attempts, kills, failures, durationMs: Math.round(performance.now() - started) };
}
