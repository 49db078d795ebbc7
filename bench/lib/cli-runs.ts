import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { median, r } from './stats.js';
import { tempDir } from './temp.js';

/** One build of the CLI to time: the product as built here, or a baseline build elsewhere. */
export interface CliVariant {
  label: string;
  /** A `dist` folder holding `cli/main.js`. */
  dist: string;
  /** Extra arguments after `index <root>`. */
  args: string[];
}

export interface CliRun {
  /** Spawn to the first byte of the result on stdout. */
  outputMs: number;
  /** Spawn to the process's exit, what a shell or script waits for. */
  exitMs: number;
  code: number | null;
  vectors: unknown;
}

export interface CliVariantResult {
  label: string;
  dist: string;
  args: string[];
  runs: CliRun[];
  medianOutputMs: number;
  medianExitMs: number;
}

/** Runs `node <dist>/cli/main.js index <root> …` in a fresh data folder and times it until it exits. */
function runOnce(variant: CliVariant, root: string, exclude: string[]): Promise<CliRun> {
  const data = tempDir('cli');
  const args = [path.join(variant.dist, 'cli/main.js'), 'index', root, '--json', '--data-dir', data.path, ...variant.args];
  if (exclude.length > 0) args.push('--exclude', ...exclude);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let outputMs = -1;
    let stdout = '';
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    child.stdout.on('data', (chunk: Buffer) => {
      if (outputMs < 0) outputMs = performance.now() - started;
      stdout += chunk.toString('utf8');
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('exit', (code) => {
      const exitMs = performance.now() - started;
      data.remove();
      let vectors: unknown = null;
      try {
        vectors = (JSON.parse(stdout) as { vectors?: unknown }).vectors ?? null;
      } catch {
        reject(new Error(`${variant.label}: the CLI printed no JSON result (exit code ${code}): ${stdout.slice(0, 300)}`));
        return;
      }
      resolve({ outputMs: r(outputMs), exitMs: r(exitMs), code, vectors });
    });
  });
}

/**
 * Times the whole `index` command of each variant, `trials` times, in turns (A B C A B C …)
 * so a machine whose speed drifts during the run affects every variant alike. One untimed
 * warm-up run of each first (file cache, the OS's page cache of node and the grammars).
 */
export async function timeCliVariants(variants: CliVariant[], root: string, exclude: string[], trials: number, log: (line: string) => void): Promise<CliVariantResult[]> {
  for (const v of variants) {
    if (!fs.existsSync(path.join(v.dist, 'cli/main.js'))) throw new Error(`${v.label}: ${v.dist}/cli/main.js does not exist (build it first: npm run build)`);
  }
  const runs = variants.map(() => [] as CliRun[]);
  for (let t = 0; t <= trials; t++) {
    for (let i = 0; i < variants.length; i++) {
      const run = await runOnce(variants[i]!, root, exclude);
      log(`[cli] ${t === 0 ? 'warm-up' : `trial ${t}/${trials}`} ${variants[i]!.label}: output ${run.outputMs} ms, exit ${run.exitMs} ms`);
      if (t > 0) runs[i]!.push(run);
    }
  }
  return variants.map((v, i) => ({
    label: v.label,
    dist: v.dist,
    args: v.args,
    runs: runs[i]!,
    medianOutputMs: r(median(runs[i]!.map((x) => x.outputMs))),
    medianExitMs: r(median(runs[i]!.map((x) => x.exitMs))),
  }));
}
