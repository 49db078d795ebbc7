import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** The built CLI (see test/global-setup.ts): node + this file runs `purecontext-mcp`. */
export function cliMain(): string {
  return inject('cliMain');
}

/** Environment for CLI children: 2 parse workers, 64-dimension hashing embedder, no colours. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PCTX_WORKERS: '2', PCTX_EMBEDDING_DIMENSION: '64', NO_COLOR: '1', ...extra };
}

/** Runs one CLI command against `dataDir` and collects its exit code, output and `--json` document. */
export async function cli(dataDir: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliMain(), ...args, '--data-dir', dataDir], { cwd: repoRoot, env: cliEnv() });
    return { code: 0, stdout, stderr, json: args.includes('--json') ? JSON.parse(stdout) : undefined };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: args.includes('--json') && e.stdout ? JSON.parse(e.stdout) : undefined };
  }
}
