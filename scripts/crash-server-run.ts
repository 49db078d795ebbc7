/**
 * The server crash test: the real `serve --http` process SIGKILLed while it runs an
 * index_folder, an upload, an admin backup, restore (`POST /admin/tenants/:id/restore`)
 * or tenant delete, or while a CLI `tenants restore --force` swaps a tenant under it (an
 * operator restoring on the data folder the server serves, docs/tenants.md).
 * After each kill the server is started again — its start-up repairs are what is tested
 * — and the data folder is held to the same promise as after a CLI crash
 * (scripts/lib/crash-checks.ts), plus what only a server shows:
 *
 * - every tenant with vectors answers a semantic search through the restarted server,
 *   and its HNSW file then loads and is the one its database records (loaded or rebuilt);
 * - an uploaded repository's files on disk are the version its index holds (the upload
 *   and its index run went live together, or neither did);
 * - no upload staging, replaced upload or HTTP backup work folder is left behind.
 *
 * The server runs as a plain child (`PCTX_CLI_SUPERVISED=1`): without it `serve` runs in
 * a supervised grandchild, and killing the supervisor would shut that process down
 * gracefully instead of killing it. `npm run test:crash` runs the full version (scripts/crash.ts);
 * `npm test` a short one (test/server/crash-server.test.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import hnswlib from 'hnswlib-node';
import { rng } from '../bench/lib/random.js';
import { CRASH_POINTS } from './crash-run.js';
import { checkDataDir, checkTenantStates, crashEnv, sourceVersion, tenantFingerprint, writeVersion, type TenantRow } from './lib/crash-checks.js';
import { seedTenants, tarGzOf, type SeededTenant } from './lib/server-process.js';

export type ServerCrashOperation = 'index' | 'upload' | 'backup' | 'restore' | 'restore-http' | 'delete';

/** Named steps where a kill matters most; index runs and uploads are killed by delay only (one transaction). */
export const SERVER_CRASH_POINTS: Record<ServerCrashOperation, readonly string[]> = {
  index: [],
  upload: [],
  backup: CRASH_POINTS.backup,
  restore: CRASH_POINTS.restore,
  'restore-http': CRASH_POINTS.restore,
  delete: CRASH_POINTS.delete,
};

export interface ServerCrashOptions {
  /** The CLI entry (dist/cli/main.js or a test build). */
  cliMain: string;
  /** Scratch folder (data dir, allowed root, archives, TMPDIR of the children). */
  workDir: string;
  /** Stop after this many kills of the server. */
  kills: number;
  /** @default 4 × kills */
  maxAttempts?: number;
  /** The same seed replays the same plan. @default random */
  seed?: number;
  /** Plan of the first attempts; `delayMs` overrides the random delay. */
  script?: { op: ServerCrashOperation; point?: string; delayMs?: number }[];
  log?: (line: string) => void;
}

export interface ServerCrashAttempt {
  op: ServerCrashOperation;
  /** The named step, or `delay <ms>`. */
  at: string;
  killed: boolean;
  outcome: 'old' | 'new';
  ms: number;
}

export interface ServerCrashReport {
  seed: number;
  attempts: ServerCrashAttempt[];
  kills: number;
  failures: string[];
  /** Server starts, the first included: each ran the start-up repairs. */
  starts: number;
  durationMs: number;
}

interface Server {
  url: string;
  child: ChildProcess;
  /** Resolves with the step once the server reports `PCTX_PAUSED <step>`. */
  paused: Promise<string>;
  exited: Promise<void>;
}

const REPO = 'code';
/** A hung request is a finding, not a wait. */
const REQUEST_TIMEOUT_MS = 120_000;

export async function runServerCrashTest(options: ServerCrashOptions): Promise<ServerCrashReport> {
  const started = performance.now();
  const seed = options.seed ?? crypto.randomInt(2 ** 31);
  const random = rng(seed);
  const log = options.log ?? (() => {});
  const maxAttempts = options.maxAttempts ?? options.kills * 4;
  const work = options.workDir;
  const dataDir = path.join(work, 'data');
  const tmpDir = path.join(work, 'tmp');
  const roots = path.join(work, 'roots');
  const idxSrc = path.join(roots, 'idx');
  for (const dir of [tmpDir, roots]) fs.mkdirSync(dir, { recursive: true });
  const env = crashEnv(tmpDir, 1);
  const configFile = path.join(work, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      dataDir,
      workers: 1,
      // The test rewrites the indexed folder between runs: only its own index_folder calls may index it.
      watch: { enabled: false },
      hosting: { allowedRoots: [roots] },
      rateLimit: { tiers: { standard: { maxTokens: 100000, refillRate: 100000 } } },
    }),
  );

  // CLI commands run against the same data folder while the server serves it.
  const cli = (args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [options.cliMain, ...args, '--data-dir', dataDir], { env, encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const mustCli = (args: string[]): string => {
    const r = cli(args);
    if (r.code !== 0) throw new Error(`setup command failed: ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  let starts = 0;
  const startServer = (pauseAt?: string): Promise<Server> =>
    new Promise((resolve, reject) => {
      starts++;
      const child = spawn(process.execPath, [options.cliMain, 'serve', '--http', '--port', '0', '--config', configFile], {
        env: pauseAt ? { ...env, PCTX_TEST_PAUSE_AT: pauseAt } : env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      let onPause: (step: string) => void = () => {};
      const paused = new Promise<string>((r) => (onPause = r));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      let listening = false;
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const pause = /PCTX_PAUSED (\S+)/.exec(stderr);
        if (pause) onPause(pause[1]!);
        // Paused before listening (in its start-up repairs): it would wait for ever.
        if (pause && !listening) {
          child.kill('SIGKILL');
          reject(new Error(`the server paused at ${pause[1]} during its start-up:\n${stderr}`));
          return;
        }
        const match = !listening && /MCP over HTTP at (http:\/\/\S+)\/mcp/.exec(stderr);
        if (match) {
          listening = true;
          resolve({ url: match[1]!, child, paused, exited });
        }
      });
      child.once('exit', (code, signal) => {
        if (!listening) reject(new Error(`the server exited (${code ?? signal}) before listening:\n${stderr}`));
      });
    });
  const kill = async (server: Server) => {
    server.child.kill('SIGKILL');
    await server.exited;
  };
  const stop = async (server: Server) => {
    server.child.kill('SIGTERM');
    await server.exited;
  };

  const request = async (server: Server, key: string, method: string, urlPath: string, body?: string | Buffer, contentType = 'application/json') => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(`${server.url}${urlPath}`, { method, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(body !== undefined ? { body } : {}) });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const tool = (server: Server, key: string, name: string, args: Record<string, unknown>) =>
    request(server, key, 'POST', '/mcp', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }));
  const toolOk = async (server: Server, key: string, name: string, args: Record<string, unknown>): Promise<string> => {
    const r = await tool(server, key, name, args);
    const text = r.bytes.toString();
    if (r.status !== 200 || text.includes('"isError":true')) throw new Error(`${name}: HTTP ${r.status} ${text.slice(0, 400)}`);
    return text;
  };

  // Setup. `idx` indexes the allowed-root folder by index_folder and is backed up, `up`
  // receives uploads, `rst` is restored by the CLI, `del-N` deleted; each is a bystander
  // of the operations on the others.
  const [ops, idx, up] = seedTenants(dataDir, [{ name: 'ops', permissions: ['admin'] }, { name: 'idx' }, { name: 'up' }]) as [SeededTenant, SeededTenant, SeededTenant];
  const keys = new Map<string, string>([
    [idx.id, idx.key],
    [up.id, up.key],
  ]);
  let server = await startServer();
  const keyFor = async (tenantId: string): Promise<string> => {
    let key = keys.get(tenantId);
    if (key === undefined) {
      const r = await request(server, ops.key, 'POST', `/admin/tenants/${tenantId}/keys`, JSON.stringify({ permissions: ['read'], label: 'crash check', test: true }));
      if (r.status !== 201) throw new Error(`creating a key for ${tenantId}: ${r.status} ${r.bytes.toString()}`);
      key = (JSON.parse(r.bytes.toString()) as { key: string }).key;
      keys.set(tenantId, key);
    }
    return key;
  };
  const tarOf = (version: 'a' | 'b') => tarGzOf(sourceVersion(version));
  const tenantRows = async (): Promise<TenantRow[]> => {
    const r = await request(server, ops.key, 'GET', '/admin/tenants');
    if (r.status !== 200) throw new Error(`GET /admin/tenants: ${r.status} ${r.bytes.toString()}`);
    return (JSON.parse(r.bytes.toString()) as { tenants: TenantRow[] }).tenants;
  };
  const archives = { a: path.join(work, 'a.tar.gz'), b: path.join(work, 'b.tar.gz') };
  const timing: Record<ServerCrashOperation, number> = { index: 0, upload: 0, backup: 0, restore: 0, 'restore-http': 0, delete: 0 };
  const timed = async <T>(op: ServerCrashOperation, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    timing[op] = Math.max(timing[op], Math.round(performance.now() - t0));
    return result;
  };
  const backupOf = async (tenantId: string, file: string) => {
    const r = await request(server, ops.key, 'POST', `/admin/tenants/${tenantId}/backup`);
    if (r.status !== 200) throw new Error(`backup of ${tenantId}: ${r.status} ${r.bytes.toString().slice(0, 300)}`);
    fs.writeFileSync(file, r.bytes);
  };

  writeVersion(idxSrc, 'a');
  await timed('index', () => toolOk(server, idx.key, 'index_folder', { path: idxSrc, name: REPO }));
  await timed('upload', async () => {
    const r = await request(server, up.key, 'POST', `/v1/repos/${REPO}/archive`, await tarOf('b'), 'application/gzip');
    if (r.status !== 200) throw new Error(`upload: ${r.status} ${r.bytes.toString().slice(0, 300)}`);
  });
  await timed('backup', () => backupOf(idx.id, archives.a));
  await timed('backup', () => backupOf(up.id, archives.b));
  await timed('restore', () => mustCli(['tenants', 'restore', archives.a, '--as', 'rst']));
  const restoreOverHttp = (server: Server, tenant: string, archive: string) =>
    request(server, ops.key, 'POST', `/admin/tenants/${tenant}/restore`, fs.readFileSync(archive), 'application/gzip');
  await timed('restore-http', async () => {
    const r = await restoreOverHttp(server, 'rst', archives.a);
    if (r.status !== 200) throw new Error(`restore over HTTP: ${r.status} ${r.bytes.toString().slice(0, 300)}`);
  });
  // A delete's duration matters only to random delays: a plan covering every kill needs none.
  if (!(options.script && options.script.length >= options.kills)) {
    const spare = (JSON.parse(mustCli(['tenants', 'restore', archives.a, '--as', 'spare', '--json'])) as { tenant: TenantRow }).tenant;
    await timed('delete', async () => {
      const r = await request(server, ops.key, 'DELETE', `/admin/tenants/${spare.id}`);
      if (r.status !== 200) throw new Error(`delete: ${r.status} ${r.bytes.toString()}`);
    });
  }
  const fpA = tenantFingerprint(dataDir, idx.id)!;
  const fpB = tenantFingerprint(dataDir, up.id)!;
  let rows = await tenantRows();
  const byName = new Map(rows.map((t) => [t.name, t.id]));
  // Created but never used: their folder comes with their first use.
  const unused = new Set([byName.get('local')!, ops.id]);
  let idxVersion: 'a' | 'b' = 'a';
  let deleteSerial = 0;

  const attempts: ServerCrashAttempt[] = [];
  const failures: string[] = [];
  let kills = 0;
  const opsCycle: ServerCrashOperation[] = ['index', 'upload', 'backup', 'restore', 'restore-http', 'delete'];

  const plan = (n: number) => {
    const scripted = options.script?.[n];
    const op = scripted?.op ?? opsCycle[n % opsCycle.length]!;
    const points = SERVER_CRASH_POINTS[op];
    const point = scripted ? scripted.point : points.length > 0 && random() < 0.6 ? points[Math.floor(random() * points.length)] : undefined;
    const delay = scripted?.delayMs ?? Math.round(random() * timing[op] * 1.1);
    // Steps of the server's own operations pause the server: it is started knowing the step.
    const serverPause = point !== undefined && (op === 'backup' || op === 'restore-http' || op === 'delete') ? point : undefined;
    return { op, point, delay, serverPause };
  };
  let next = plan(0);
  if (next.serverPause) {
    await stop(server);
    server = await startServer(next.serverPause);
  }

  while (kills < options.kills && attempts.length < maxAttempts) {
    const { op, point, delay, serverPause } = next;

    // Prepare: the target's old and new states, and a server that pauses at the step if the step is its own.
    const before = new Map(rows.map((t) => [t.id, tenantFingerprint(dataDir, t.id)]));
    let targetId: string | null = null;
    let oldFp: string | null = null;
    let newFp: string | null = null;
    let action: () => Promise<unknown>;
    const restore: { child: ChildProcess | null } = { child: null };
    let backupBytes: Buffer | null = null;
    const live = server;
    if (op === 'index') {
      idxVersion = idxVersion === 'a' ? 'b' : 'a';
      writeVersion(idxSrc, idxVersion);
      targetId = idx.id;
      oldFp = before.get(targetId)!;
      newFp = idxVersion === 'a' ? fpA : fpB;
      action = () => tool(live, idx.key, 'index_folder', { path: idxSrc, name: REPO });
    } else if (op === 'upload') {
      targetId = up.id;
      oldFp = before.get(targetId)!;
      const next = oldFp === fpA ? 'b' : 'a';
      newFp = next === 'a' ? fpA : fpB;
      const body = await tarOf(next);
      action = () => request(live, up.key, 'POST', `/v1/repos/${REPO}/archive`, body, 'application/gzip');
    } else if (op === 'backup') {
      action = async () => {
        const r = await request(live, ops.key, 'POST', `/admin/tenants/${idx.id}/backup`);
        if (r.status === 200) backupBytes = r.bytes;
      };
    } else if (op === 'restore') {
      targetId = byName.get('rst')!;
      oldFp = before.get(targetId)!;
      const next = oldFp === fpA ? 'b' : 'a';
      newFp = next === 'a' ? fpA : fpB;
      // The CLI swaps the tenant's folder while the server has it open; both die mid-way.
      action = () =>
        new Promise<void>((resolve) => {
          const child = spawn(process.execPath, [options.cliMain, 'tenants', 'restore', archives[next], '--as', 'rst', '--force', '--data-dir', dataDir], {
            env: point ? { ...env, PCTX_TEST_PAUSE_AT: point } : env,
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          restore.child = child;
          let stderr = '';
          child.stderr!.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            if (point && stderr.includes(`PCTX_PAUSED ${point}`)) resolve();
          });
          child.once('exit', () => resolve());
        });
    } else if (op === 'restore-http') {
      targetId = byName.get('rst')!;
      oldFp = before.get(targetId)!;
      const next = oldFp === fpA ? 'b' : 'a';
      newFp = next === 'a' ? fpA : fpB;
      action = () => restoreOverHttp(live, 'rst', archives[next]);
    } else {
      const name = `del-${++deleteSerial}`;
      targetId = (JSON.parse(mustCli(['tenants', 'restore', archives.a, '--as', name, '--json'])) as { tenant: TenantRow }).tenant.id;
      before.set(targetId, tenantFingerprint(dataDir, targetId));
      oldFp = fpA;
      newFp = null;
      const id = targetId;
      action = () => request(live, ops.key, 'DELETE', `/admin/tenants/${id}`);
    }
    // Searches of the target keep its handle (and vectors) open in the server meanwhile.
    const searchKey = targetId !== null && keys.has(targetId) ? keys.get(targetId)! : idx.key;
    let busy = true;
    const background = (async () => {
      while (busy) await tool(live, searchKey, 'search_symbols', { query: 'helper service', mode: 'hybrid', limit: 5 }).catch(() => {});
    })();

    // Run it; kill the server at its step, after the delay (or, for a restore, when the CLI pauses or at the delay).
    const t0 = performance.now();
    let finished = false;
    const running = action().then(
      () => (finished = true),
      () => {},
    );
    const trigger =
      op === 'restore' && point
        ? running
        : serverPause
          ? Promise.race([live.paused, running])
          : Promise.race([new Promise((r) => setTimeout(r, delay)), running]);
    await trigger;
    // A restore's subject is the server serving the tenant the CLI swaps: it is killed in every restore attempt.
    let killed = false;
    if (op === 'restore' || !finished) {
      if (restore.child !== null && restore.child.exitCode === null) {
        const exited = new Promise((r) => restore.child!.once('exit', r));
        restore.child.kill('SIGKILL');
        await exited;
      }
      await kill(live);
      killed = true;
      kills++;
    }
    busy = false;
    await running;
    await background;
    const ms = performance.now() - t0;

    // Restart (the repairs), then the whole data folder against the promise; armed for the next attempt's step after that.
    next = plan(attempts.length + 1);
    const label = `#${attempts.length + 1} ${op} at ${point ?? `delay ${delay} ms`}${killed ? ' (killed)' : ' (finished first)'}`;
    const fail = (what: string) => failures.push(`${label}: ${what}`);
    if (!killed) await stop(live);
    try {
      // Unarmed: the start-up's repairs (finishing a restore or delete the kill interrupted)
      // pass the same named steps, and a server armed for the next attempt paused in them
      // before it listened (found when restores over HTTP joined the plan).
      server = await startServer();
    } catch (err) {
      fail(`the next start failed: ${(err as Error).message}`);
      break;
    }
    rows = await tenantRows();
    checkDataDir(dataDir, tmpDir, rows, fail, { mayLackFolder: unused });
    let outcome = checkTenantStates(dataDir, before, rows, { targetId, kind: op === 'delete' ? 'delete' : 'change', oldFp, newFp }, fail);
    for (const row of rows) if (!unused.has(row.id)) await checkVectors(row, fail);
    checkUploadMatchesIndex(up.id, fail);
    if (op === 'backup' && backupBytes !== null) {
      // A complete answer is a whole archive: it restores into a scratch data folder.
      outcome = 'new';
      const file = path.join(work, `backup-${attempts.length}.tar.gz`);
      fs.writeFileSync(file, backupBytes);
      const scratch = path.join(work, `check-${attempts.length}`);
      const check = spawnSync(process.execPath, [options.cliMain, 'tenants', 'restore', file, '--as', 'check', '--data-dir', scratch], { env, encoding: 'utf8' });
      if (check.status !== 0) fail(`the backup answered is not a valid archive: ${check.stdout}${check.stderr}`);
      fs.rmSync(scratch, { recursive: true, force: true });
      fs.rmSync(file, { force: true });
    }
    if (op === 'index') idxVersion = outcome === 'new' ? idxVersion : idxVersion === 'a' ? 'b' : 'a';
    if (next.serverPause) {
      // Nothing is left to repair now: the armed start pauses only in the attempt's own operation.
      await stop(server);
      try {
        server = await startServer(next.serverPause);
      } catch (err) {
        fail(`the armed start failed: ${(err as Error).message}`);
        break;
      }
    }
    attempts.push({ op, at: point ?? `delay ${delay} ms`, killed, outcome, ms: Math.round(ms) });
    log(`server ${label} → ${outcome}${failures.length > 0 ? `, ${failures.length} failure(s) so far` : ''}`);
  }
  await stop(server);
  return { seed, attempts, kills, failures, starts, durationMs: Math.round(performance.now() - started) };

  /**
   * The restarted server answers a semantic search of the tenant (loading its HNSW file,
   * or rebuilding it when the kill left it stale or partial), after which the file loads in
   * hnswlib and is the one the database records for its current embeddings.
   */
  async function checkVectors(row: TenantRow, fail: (what: string) => void): Promise<void> {
    const dir = path.join(dataDir, 'tenants', row.id);
    const recorded = () => {
      const db = new Database(path.join(dir, 'index.db'), { readonly: true });
      try {
        const meta = (key: string) => db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
        const raw = meta('vectors.file');
        return {
          state: raw === undefined ? null : (JSON.parse(raw) as { generation: number; count: number; dimension: number; sha256: string }),
          generation: Number(meta('embeddings.generation') ?? 0),
        };
      } finally {
        db.close();
      }
    };
    // A semantic search answers from an older intact file (plus the symbols it lacks) and
    // catches the file up in the background, niced: on a busy machine that build may not
    // be recorded when the answer arrives. Ask again until it is, for up to a minute.
    const until = Date.now() + 60_000;
    let seen: ReturnType<typeof recorded>;
    for (;;) {
      try {
        await toolOk(server, await keyFor(row.id), 'search_symbols', { query: 'computes something', mode: 'semantic', limit: 3 });
      } catch (err) {
        return fail(`semantic search of ${row.name} after the restart: ${(err as Error).message}`);
      }
      seen = recorded();
      if (seen.state?.generation === seen.generation || Date.now() >= until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const { state, generation } = seen;
    const file = path.join(dir, 'vectors.hnsw');
    if (state === null) return fail(`${row.name} has no vector file recorded after a semantic search`);
    if (state.generation !== generation) return fail(`${row.name}'s vector file is of generation ${state.generation}, its embeddings of ${generation}`);
    if (!fs.existsSync(file)) return fail(`${row.name} has no vectors.hnsw after a semantic search`);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (sha !== state.sha256) return fail(`${row.name}'s vectors.hnsw is not the file its database records`);
    try {
      const index = new hnswlib.HierarchicalNSW('cosine', state.dimension);
      index.readIndexSync(file);
      if (index.getCurrentCount() !== state.count) fail(`${row.name}'s vectors.hnsw holds ${index.getCurrentCount()} vectors, ${state.count} recorded`);
    } catch (err) {
      fail(`${row.name}'s vectors.hnsw does not load: ${(err as Error).message}`);
    }
  }

  /** The uploaded files on disk are the version the index holds, never the other one. */
  function checkUploadMatchesIndex(tenantId: string, fail: (what: string) => void): void {
    const dir = path.join(dataDir, 'tenants', tenantId);
    const db = new Database(path.join(dir, 'index.db'), { readonly: true });
    let indexed: string[];
    try {
      indexed = (db.prepare('SELECT f.path FROM files f JOIN repos r ON r.id = f.repo_id WHERE r.name = ? ORDER BY f.path').pluck().all(REPO) as string[]).sort();
    } finally {
      db.close();
    }
    const onDisk = (fs.readdirSync(path.join(dir, 'uploads', REPO), { recursive: true, withFileTypes: true }) as fs.Dirent[])
      .filter((e) => e.isFile())
      .map((e) => path.relative(path.join(dir, 'uploads', REPO), path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .sort();
    if (JSON.stringify(onDisk) !== JSON.stringify(indexed)) fail(`the upload on disk (${onDisk.length} files) is not the version indexed (${indexed.length} files)`);
  }
}
