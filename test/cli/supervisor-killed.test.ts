import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDataDir, tenantFingerprint, writeVersion, type TenantRow } from '../../scripts/lib/crash-checks.js';
import { seedTenants, tarGzOf } from '../../scripts/lib/server-process.js';
import { cli, cliEnv, cliMain, repoRoot } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-supervisor-');
const LOCAL = '00000000';
/** How long a child may take to stop once its supervisor is gone: generous, on a loaded machine. */
const EXIT_DEADLINE_MS = 90_000;

/** Processes a test started and must not leave behind, should it fail half-way. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** The pids of the processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // exited while listed
    }
  }
  return found;
}

/** True while `pid` runs: not gone and not a zombie no one has reaped yet. */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Starts the CLI supervised (as a user runs it) with stderr piped, and resolves once
 * stderr matches `ready`. `ended` resolves when stderr reaches its end: when every process
 * holding it — the supervisor and its child — has exited.
 */
function startSupervised(args: string[], ready: RegExp, env: NodeJS.ProcessEnv) {
  const supervisor = spawn(process.execPath, [cliMain(), ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(supervisor.pid!);
  let stderr = '';
  supervisor.stdout!.resume();
  const ended = new Promise<void>((resolve) => supervisor.stderr!.once('end', resolve));
  const supervisorExited = new Promise<void>((resolve) => supervisor.once('exit', () => resolve()));
  const match = new Promise<RegExpExecArray>((resolve, reject) => {
    supervisor.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = ready.exec(stderr);
      if (m) resolve(m);
    });
    void ended.then(() => reject(new Error(`the command ended before it was ready:\n${stderr}`)));
  });
  return { supervisor, match, ended, supervisorExited, stderr: () => stderr };
}

/** The supervised child of `supervisor`: the process that does the work. */
function childPid(supervisor: ChildProcess): number {
  const children = childrenOf(supervisor.pid!);
  expect(children).toHaveLength(1);
  started.push(children[0]!);
  return children[0]!;
}

/** Waits for the end of stderr (every holder exited), bounded; then the child must be gone. */
async function expectExit(ended: Promise<void>, pid: number, stderr: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), EXIT_DEADLINE_MS)));
  const outcome = await Promise.race([ended.then(() => 'ended' as const), deadline]);
  clearTimeout(timer);
  expect(outcome, `the child ${pid} still runs ${EXIT_DEADLINE_MS / 1000} s after its supervisor was killed:\n${stderr()}`).toBe('ended');
  // The kernel closes an exiting process's files a moment before it becomes a zombie: poll that moment out.
  const gone = performance.now() + EXIT_DEADLINE_MS;
  while (running(pid) && performance.now() < gone) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(running(pid)).toBe(false);
}

function tenantRows(dataDir: string): TenantRow[] {
  const db = new Database(path.join(dataDir, 'control.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, name, status FROM tenants').all() as TenantRow[];
  } finally {
    db.close();
  }
}

// Regression (docs/reliability.md, defect 11): `index` and `serve` run in a child of the
// process a user starts; SIGKILLing that process left the child running — an index run
// went on and committed behind the back of whoever killed it.
describe('a supervised child outlives its supervisor’s SIGKILL (defect 11)', { timeout: 240_000 }, () => {
  it('an index run whose supervisor is SIGKILLed aborts and rolls back instead of committing later', async () => {
    const work = tempDir();
    const dataDir = path.join(work, 'data');
    const tmp = path.join(work, 'tmp');
    fs.mkdirSync(tmp);
    const root = path.join(work, 'repo');
    writeVersion(root, 'a');
    expect((await cli(dataDir, 'index', root, '--json')).code).toBe(0);
    const before = tenantFingerprint(dataDir, LOCAL);
    writeVersion(root, 'b');

    // Holding the tenant's write lock keeps the run waiting for it, mid-run, for as long as the test needs.
    const lock = new Database(path.join(dataDir, 'tenants', LOCAL, 'index.db'));
    lock.exec('BEGIN IMMEDIATE');
    try {
      const run = startSupervised(['index', root, '--data-dir', dataDir], /Waiting for another index run/, cliEnv({ TMPDIR: tmp }));
      await run.match;
      const pid = childPid(run.supervisor);
      run.supervisor.kill('SIGKILL');
      await run.supervisorExited;
      await expectExit(run.ended, pid, run.stderr);
      expect(run.stderr()).toMatch(/supervising process is gone/);
      expect(run.stderr()).toMatch(/PCTX_ERR_INDEX_FAILED/);
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    // Nothing is left to commit later: the tenant holds version a, whole.
    expect(tenantFingerprint(dataDir, LOCAL)).toBe(before);
    const failures: string[] = [];
    checkDataDir(dataDir, tmp, tenantRows(dataDir), (what) => failures.push(what));
    expect(failures).toEqual([]);
    const repos = await cli(dataDir, 'repos', '--json');
    expect(repos.json.repos).toEqual([expect.objectContaining({ repo: 'repo', files: 40 })]);
  });

  it('a server whose supervisor is SIGKILLed shuts down as on SIGTERM, its data whole', async () => {
    const work = tempDir();
    const dataDir = path.join(work, 'data');
    const tmp = path.join(work, 'tmp');
    fs.mkdirSync(tmp);
    const [tenant] = seedTenants(dataDir, [{ name: 'acme' }]);
    const config = path.join(work, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ dataDir, workers: 1, watch: { enabled: false } }));
    const { PCTX_DATA_DIR: _ignored, ...env } = cliEnv({ TMPDIR: tmp });
    const server = startSupervised(['serve', '--http', '--port', '0', '--config', config], /MCP over HTTP at (http:\/\/\S+)\/mcp/, env);
    const url = (await server.match)[1]!;
    const archive = await tarGzOf({ 'src/alpha.ts': 'export function alphaLookup(key: string): string {\n  return key;\n}\n' });
    const upload = await fetch(`${url}/v1/repos/app/archive`, { method: 'POST', headers: { authorization: `Bearer ${tenant!.key}`, 'content-type': 'application/gzip' }, body: archive });
    expect(upload.status).toBe(200);
    const before = tenantFingerprint(dataDir, tenant!.id);

    const pid = childPid(server.supervisor);
    server.supervisor.kill('SIGKILL');
    await server.supervisorExited;
    await expectExit(server.ended, pid, server.stderr);
    // The graceful shutdown of SIGTERM, not a crash: requests finished, files closed.
    expect(server.stderr()).toMatch(/supervisor gone: finishing requests in flight, then stopping\nstopped\n/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(tenantFingerprint(dataDir, tenant!.id)).toBe(before);
    const failures: string[] = [];
    checkDataDir(dataDir, tmp, tenantRows(dataDir), (what) => failures.push(what), { mayLackFolder: new Set([LOCAL]) });
    expect(failures).toEqual([]);
    const found = await cli(dataDir, 'search', 'alphaLookup', '--tenant', 'acme', '--json');
    expect(found.json.results.map((r: { name: string }) => r.name)).toContain('alphaLookup');
  });
});
