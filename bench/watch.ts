/**
 * Watcher benchmark (issue 12): how soon an edit is searchable, whether a checkout swap
 * ends in the same index as a fresh run, and what watching a large tree costs at rest.
 *
 *   npm run bench:watch [-- --edits 60 --swap-files 5000 --idle-files 10000 --idle-seconds 20 --only edit,swap,idle]
 *
 * Baselines in the same run: an explicit incremental index run after the same edit (what a
 * user without the watcher waits for), and the process before it started watching.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createEmbedder } from '../src/engine/embed/create-embedder.js';
import { Engine } from '../src/engine/engine.js';
import { LOCAL_TENANT_ID } from '../src/tenant/tenant-paths.js';
import { TenantWatchers } from '../src/watch/tenant-watchers.js';
import { machineInfo } from './lib/machine.js';
import { tempDir } from './lib/temp.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const EDITS = arg('edits', 60);
const SWAP_FILES = arg('swap-files', 5000);
const IDLE_FILES = arg('idle-files', 10000);
const IDLE_SECONDS = arg('idle-seconds', 20);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** A tree of `files` Python modules in folders of 20, each with two functions. */
function writeTree(root: string, files: number, tag: string): void {
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `pkg${Math.floor(i / 20)}`);
    if (i % 20 === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `m${i}.py`), `def ${tag}_a${i}(x):\n    return x + ${i}\n\n\ndef ${tag}_b${i}(y):\n    return y * ${i}\n`);
  }
}

function newEngine(dataDir: string): Engine {
  return new Engine({ dataDir, embedder: createEmbedder({ provider: 'hash' }) });
}

async function found(engine: Engine, name: string): Promise<boolean> {
  const r = await engine.searchSymbols(LOCAL_TENANT_ID, { query: name, limit: 5 });
  return r.results.some((h) => h.name === name);
}

async function editLatency(): Promise<void> {
  const work = tempDir('watch-edit');
  const root = path.join(work.path, 'tree');
  writeTree(root, 2000, 'orig');
  const engine = newEngine(path.join(work.path, 'data'));
  await engine.indexFolder(LOCAL_TENANT_ID, { path: root }, { vectors: 'skip' });
  let onRun: (() => void) | null = null;
  const watchers = new TenantWatchers({ engine, tenantId: LOCAL_TENANT_ID, onRun: () => onRun?.() });
  await watchers.sync();

  const watched: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const name = `edited_fn_${i}`;
    const file = path.join(root, `pkg${i % 100}`, `m${(i % 100) * 20}.py`);
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      onRun = () => {
        void found(engine, name).then((ok) => {
          if (ok) resolve();
        });
      };
    });
    fs.appendFileSync(file, `\n\ndef ${name}():\n    return ${i}\n`);
    await done;
    watched.push(performance.now() - started);
    await watchers.whenIdle();
  }
  await watchers.close();

  // Baseline: the same kind of edit, then an explicit incremental run of the whole tree.
  const explicit: number[] = [];
  for (let i = 0; i < Math.min(EDITS, 20); i++) {
    const file = path.join(root, `pkg${i % 100}`, `m${(i % 100) * 20 + 1}.py`);
    const started = performance.now();
    fs.appendFileSync(file, `\n\ndef manual_fn_${i}():\n    return ${i}\n`);
    await engine.indexFolder(LOCAL_TENANT_ID, { path: root }, { vectors: 'skip' });
    explicit.push(performance.now() - started);
  }
  await engine.close();
  work.remove();
  watched.sort((a, b) => a - b);
  explicit.sort((a, b) => a - b);
  console.log(`\n### Edit → searchable (2,000-file tree, ${EDITS} edits, default debounce)\n`);
  console.log('| | p50 | p95 | max |');
  console.log('|---|---|---|---|');
  console.log(`| watcher: edit until search finds the new function | ${pct(watched, 50).toFixed(0)} ms | ${pct(watched, 95).toFixed(0)} ms | ${watched.at(-1)!.toFixed(0)} ms |`);
  console.log(`| baseline: edit + explicit incremental index run | ${pct(explicit, 50).toFixed(0)} ms | ${pct(explicit, 95).toFixed(0)} ms | ${explicit.at(-1)!.toFixed(0)} ms |`);
}

async function checkoutSwap(): Promise<void> {
  const work = tempDir('watch-swap');
  const root = path.join(work.path, 'tree');
  writeTree(root, SWAP_FILES, 'main');
  const engine = newEngine(path.join(work.path, 'data'));
  await engine.indexFolder(LOCAL_TENANT_ID, { path: root }, { vectors: 'skip' });
  let runs = 0;
  const watchers = new TenantWatchers({ engine, tenantId: LOCAL_TENANT_ID, onRun: () => runs++ });
  await watchers.sync();

  // "git checkout other-branch": a tenth of the files gone, the rest rewritten, new ones added.
  const started = performance.now();
  for (let i = 0; i < SWAP_FILES; i++) {
    const file = path.join(root, `pkg${Math.floor(i / 20)}`, `m${i}.py`);
    if (i % 10 === 0) fs.rmSync(file);
    else fs.writeFileSync(file, `def branch_a${i}(x):\n    return x - ${i}\n`);
  }
  writeTree(path.join(root, 'added'), SWAP_FILES / 10, 'added');
  const wantFiles = SWAP_FILES - SWAP_FILES / 10 + SWAP_FILES / 10;
  // Rewritten files hold one function, added ones two: the count only matches once all is seen.
  const wantSymbols = (SWAP_FILES - SWAP_FILES / 10) + (SWAP_FILES / 10) * 2;
  // Converged when the index holds the new tree and the watcher has nothing left to do.
  for (;;) {
    await watchers.whenIdle();
    const { repos } = await engine.listRepos(LOCAL_TENANT_ID);
    const status = watchers.status('tree')!;
    if (repos[0]!.files === wantFiles && repos[0]!.symbols === wantSymbols && status.pendingChanges === 0 && !status.running) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const converged = performance.now() - started;
  await watchers.close();

  const fresh = newEngine(path.join(work.path, 'fresh'));
  await fresh.indexFolder(LOCAL_TENANT_ID, { path: root }, { vectors: 'skip' });
  const rows = async (e: Engine) => {
    const out: string[] = [];
    for (const q of ['branch_a1', 'added_a1', 'main_a1', 'branch_a4999', 'added_b499']) {
      const r = await e.searchSymbols(LOCAL_TENANT_ID, { query: q, limit: 20 });
      out.push(...r.results.map((h) => `${h.filePath}:${h.qualifiedName}`));
    }
    const { repos } = await e.listRepos(LOCAL_TENANT_ID);
    return { files: repos[0]!.files, symbols: repos[0]!.symbols, sample: out.sort() };
  };
  const a = await rows(engine);
  const b = await rows(fresh);
  const same = JSON.stringify(a) === JSON.stringify(b);
  await engine.close();
  await fresh.close();
  work.remove();
  console.log(`\n### Checkout swap (${SWAP_FILES.toLocaleString('en-US')} files changed at once)\n`);
  console.log('| runs | converged after | files | symbols | same index as a fresh run |');
  console.log('|---|---|---|---|---|');
  console.log(`| ${runs} | ${(converged / 1000).toFixed(1)} s | ${a.files} | ${a.symbols} | ${same ? 'yes' : `NO (fresh: ${b.files} files, ${b.symbols} symbols)`} |`);
}

/** CPU time of each thread of this process in ms (Linux: /proc); null elsewhere. */
function threadCpuMs(): Map<string, number> | null {
  try {
    const out = new Map<string, number>();
    for (const tid of fs.readdirSync('/proc/self/task')) {
      try {
        out.set(tid, Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * Steady state, the way a server sits between edits: the index was built by another
 * engine that has closed, so no parse worker lingers (they stop 30 s after a run, and
 * their teardown used to land in the watching window and pass for the watcher's cost).
 * Both windows are equally long; the CPU of the threads @parcel/watcher starts is shown
 * apart, since it is the library's own (a poll with a 500 ms timeout), not ours.
 */
async function idleCost(): Promise<void> {
  const work = tempDir('watch-idle');
  const root = path.join(work.path, 'tree');
  const dataDir = path.join(work.path, 'data');
  writeTree(root, IDLE_FILES, 'idle');
  const indexer = newEngine(dataDir);
  await indexer.indexFolder(LOCAL_TENANT_ID, { path: root }, { vectors: 'skip' });
  await indexer.close();

  // close() does not wait for the workers' teardown (freeing their WebAssembly heaps): let it end first.
  await new Promise((r) => setTimeout(r, 5000));
  const engine = newEngine(dataDir);
  await engine.listRepos(LOCAL_TENANT_ID);
  global.gc?.();
  const window = async () => {
    global.gc?.();
    const threads = threadCpuMs();
    const cpu = process.cpuUsage();
    const t = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    return { cpu: process.cpuUsage(cpu), wall: performance.now() - t, threads, threadsAfter: threadCpuMs() };
  };
  const base = await window();
  global.gc?.();
  // After the quiet window: RSS given back to the system late would otherwise count against watching.
  const before = process.memoryUsage().rss;

  const threadsBefore = new Set(threadCpuMs()?.keys() ?? []);
  const watchers = new TenantWatchers({ engine, tenantId: LOCAL_TENANT_ID });
  await watchers.sync();
  const libraryThreads = [...(threadCpuMs()?.keys() ?? [])].filter((t) => !threadsBefore.has(t));
  const watching = process.memoryUsage().rss;
  const idle = await window();
  const after = process.memoryUsage().rss;
  await watchers.close();
  await engine.close();
  work.remove();

  const pct = (ms: number, wall: number) => `${((ms / wall) * 100).toFixed(2)} %`;
  const total = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  const library = idle.threads && idle.threadsAfter ? libraryThreads.reduce((sum, t) => sum + ((idle.threadsAfter!.get(t) ?? 0) - (idle.threads!.get(t) ?? 0)), 0) : null;
  console.log(`\n### Watching ${IDLE_FILES.toLocaleString('en-US')} files at rest (${IDLE_SECONDS} s each, no parse worker alive)\n`);
  console.log('| | RSS | CPU (one core) | of which @parcel/watcher\'s threads |');
  console.log('|---|---|---|---|');
  console.log(`| baseline: engine open, not watching (RSS at the end) | ${mib(before)} | ${pct(total(base.cpu), base.wall)} | |`);
  console.log(
    `| watching (after subscribe → after ${IDLE_SECONDS} s idle) | ${mib(watching)} → ${mib(after)} | ${pct(total(idle.cpu), idle.wall)} | ${library === null ? '—' : pct(library, idle.wall)} |`,
  );
  console.log(`| cost of watching | ${after >= before ? '+' : '−'}${mib(Math.abs(after - before))} | ${pct(total(idle.cpu) - total(base.cpu) * (idle.wall / base.wall), idle.wall)} | |`);
}

const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : ['edit', 'swap', 'idle'];

const m = machineInfo();
console.log(`bench:watch — ${m.date}, ${m.cpu} (${m.cores} cores), Node ${m.node}, commit ${m.commit ?? '?'}, load ${m.loadAvg.join(' ')}`);
if (ONLY.includes('edit')) await editLatency();
if (ONLY.includes('swap')) await checkoutSwap();
if (ONLY.includes('idle')) await idleCost();
