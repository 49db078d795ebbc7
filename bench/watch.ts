/**
 * Watcher benchmark (issue 12): how soon an edit is searchable, whether a checkout swap
 * ends in the same index as a fresh run, and what watching a large tree costs at rest.
 *
 *   npm run bench:watch [-- --edits 60 --swap-files 5000 --idle-files 10000 --idle-seconds 20]
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

async function idleCost(): Promise<void> {
  const work = tempDir('watch-idle');
  const root = path.join(work.path, 'tree');
  writeTree(root, IDLE_FILES, 'idle');
  const engine = newEngine(path.join(work.path, 'data'));
  await engine.indexFolder(LOCAL_TENANT_ID, { path: root }, { vectors: 'skip' });
  global.gc?.();
  const before = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 500));
  const baseCpu = process.cpuUsage(cpu0);
  const baseWall = performance.now() - t0;

  const watchers = new TenantWatchers({ engine, tenantId: LOCAL_TENANT_ID });
  await watchers.sync();
  global.gc?.();
  const watching = process.memoryUsage().rss;
  const cpu1 = process.cpuUsage();
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const idleCpu = process.cpuUsage(cpu1);
  const idleWall = performance.now() - t1;
  const after = process.memoryUsage().rss;
  await watchers.close();
  await engine.close();
  work.remove();
  const share = (c: NodeJS.CpuUsage, wall: number) => `${(((c.user + c.system) / 1000 / wall) * 100).toFixed(2)} %`;
  console.log(`\n### Watching ${IDLE_FILES.toLocaleString('en-US')} files at rest (${IDLE_SECONDS} s)\n`);
  console.log('| | RSS | CPU (one core) |');
  console.log('|---|---|---|');
  console.log(`| baseline: engine open, not watching | ${mib(before)} | ${share(baseCpu, baseWall)} |`);
  console.log(`| watching (after subscribe → after ${IDLE_SECONDS} s idle) | ${mib(watching)} → ${mib(after)} | ${share(idleCpu, idleWall)} |`);
  console.log(`| cost of watching | +${mib(after - before)} | |`);
}

const m = machineInfo();
console.log(`bench:watch — ${m.date}, ${m.cpu} (${m.cores} cores), Node ${m.node}, commit ${m.commit ?? '?'}, load ${m.loadAvg.join(' ')}`);
await editLatency();
await checkoutSwap();
await idleCost();
