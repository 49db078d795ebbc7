import { execFileSync } from 'node:child_process';
import os from 'node:os';
import Database from 'better-sqlite3';

/** Where and when a benchmark ran: recorded next to every result. */
export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  sqlite: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAvg: [number, number, number];
  commit: string | null;
  /** True when the work tree had uncommitted changes under src/. */
  srcDirty: boolean | null;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function cpuModel(): string {
  try {
    const lscpu = execFileSync('lscpu', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1];
    if (model) return model.trim();
  } catch {
    // Not Linux, or no util-linux: fall back on what Node sees.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function loadAvg(): [number, number, number] {
  const [a, b, c] = os.loadavg();
  return [round2(a ?? 0), round2(b ?? 0), round2(c ?? 0)];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function machineInfo(): MachineInfo {
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  const status = git(['status', '--porcelain', '--', 'src']);
  return {
    date: new Date().toISOString(),
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    sqlite,
    loadAvg: loadAvg(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    srcDirty: status === null ? null : status.length > 0,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.date} · ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB · Node ${m.node} · SQLite ${m.sqlite} · load ${m.loadAvg.join(' ')} · commit ${m.commit ?? '?'}${m.srcDirty ? ' (src dirty)' : ''}`;
}
