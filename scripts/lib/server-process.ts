import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApiKey } from '../../src/auth/api-key.js';
import { openControlDb, type Permission } from '../../src/control/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SeededTenant {
  id: string;
  name: string;
  /** The key of the first tier asked for. */
  key: string;
  /** One key per tier asked for. Buckets are per tier, so keys of two tiers do not share tokens. */
  keys: Record<string, string>;
}

/** Creates tenants and keys (one per tier, default `standard`) in a data folder, before a server opens it. */
export function seedTenants(dataDir: string, specs: { name: string; permissions?: Permission[]; tiers?: string[] }[]): SeededTenant[] {
  fs.mkdirSync(dataDir, { recursive: true });
  const control = openControlDb(path.join(dataDir, 'control.db'));
  try {
    return specs.map(({ name, permissions = ['read', 'write'], tiers = ['standard'] }) => {
      const tenant = control.tenants.create({ name });
      const keys: Record<string, string> = {};
      for (const tier of tiers) {
        const key = generateApiKey(tenant.id, 'test');
        control.apiKeys.insert({ keyHash: key.keyHash, keyPrefix: key.prefix, tenantId: tenant.id, permissions, rateLimitTier: tier });
        keys[tier] = key.key;
      }
      return { id: tenant.id, name, key: keys[tiers[0]!]!, keys };
    });
  } finally {
    control.close();
  }
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then waits for the exit code (0 after a graceful shutdown). */
  stop(): Promise<number | null>;
}

/**
 * Runs `purecontext-mcp serve --http` in a child process, so the server and a load
 * generator in this process do not share one event loop. Resolves once it listens.
 */
export async function spawnServer(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  // The data folder comes from the configuration file alone.
  const { PCTX_DATA_DIR: _ignored, ...inherited } = process.env;
  // PCTX_CLI_SUPERVISED: `serve` runs in this child itself, not in a grandchild, so the pid
  // sampled, signalled or killed is the process that holds the databases.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), 'serve', '--http', '--port', '0', '--config', configFile], {
    cwd: REPO_ROOT,
    env: { ...inherited, PCTX_CLI_SUPERVISED: '1', ...env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  return attach(child, /MCP over HTTP at (http:\/\/\S+)\/mcp/);
}

/** Runs a node script (with tsx) that prints `listening <url>` on stderr. */
export async function spawnScript(script: string, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'pipe'] });
  return attach(child, /listening (http:\/\/\S+)/);
}

function attach(child: ChildProcess, ready: RegExp): Promise<ServerProcess> {
  let stderr = '';
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`));
    child.once('exit', onExit);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = ready.exec(stderr);
      if (!match) return;
      child.off('exit', onExit);
      child.stderr!.removeAllListeners('data');
      child.stderr!.on('data', (c: Buffer) => process.stderr.write(c));
      resolve({
        url: match[1]!,
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** tar.gz bytes of a folder of generated files, for uploads. */
export async function tarGzOf(files: Record<string, string>): Promise<Buffer> {
  const { Header } = await import('tar');
  const zlib = await import('node:zlib');
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    new Header({ path: name, mode: 0o644, size: body.length, type: 'File', mtime: new Date(0) }).encode(header, 0);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}
