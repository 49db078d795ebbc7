import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Runs the CLI from source in a real child process against `dataDir`. */
export async function cli(dataDir: string, ...args: string[]): Promise<CliResult> {
  const env = { ...process.env, PCTX_WORKERS: '2', PCTX_EMBEDDING_DIMENSION: '64', NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args, '--data-dir', dataDir], {
      cwd: repoRoot,
      env,
    });
    return { code: 0, stdout, stderr, json: args.includes('--json') ? JSON.parse(stdout) : undefined };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: args.includes('--json') && e.stdout ? JSON.parse(e.stdout) : undefined };
  }
}
