import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineInfo } from './machine.js';

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * Writes a run's raw data to `bench/results/<name>-<timestamp>.json` (git-ignored) and
 * returns the path. Every file starts with the machine it ran on.
 */
export function writeResults(name: string, machine: MachineInfo, data: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = machine.date.replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${name}-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ bench: name, machine, ...(data as object) }, null, 2)}\n`);
  return file;
}
