import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedTenants, tarGzOf } from '../../scripts/lib/server-process.js';
import { cliMain } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-fd-');
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;
/** Low enough that 60 tenants (3 descriptors each) cannot all stay open. */
const FD_LIMIT = 160;
const TENANTS = 60;

const rpc = (name: string, args: Record<string, unknown>) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });

describe('file-descriptor pressure', () => {
  it.skipIf(!hasPrlimit)(
    `a server under ulimit -n ${FD_LIMIT} with a pool configured for more handles than that allows serves ${TENANTS} tenants by shedding idle handles: every request succeeds, none is called corrupt or answered 500`,
    { timeout: 600_000 },
    async () => {
      const work = tempDir();
      const dataDir = path.join(work, 'data');
      const tenants = seedTenants(dataDir, Array.from({ length: TENANTS }, (_, i) => ({ name: `t${i}` })));
      const [ops] = seedTenants(dataDir, [{ name: 'ops', permissions: ['admin'] }]);
      const config = path.join(work, 'config.json');
      // 200 handles would need 600 descriptors: the pool has to give some back when it runs out.
      fs.writeFileSync(config, JSON.stringify({ dataDir, workers: 1, watch: { enabled: false }, pool: { maxHandles: 200 }, rateLimit: { tiers: { standard: { maxTokens: 1e6, refillRate: 1e6 } } } }));
      const child = spawn('prlimit', [`--nofile=${FD_LIMIT}`, process.execPath, cliMain(), 'serve', '--http', '--port', '0', '--config', config], {
        env: { ...process.env, PCTX_CLI_SUPERVISED: '1', PCTX_EMBEDDING_DIMENSION: '64', NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const m = /MCP over HTTP at (http:\/\/\S+)\/mcp/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`the server exited with ${code}:\n${stderr}`)));
      });
      try {
        expect(fs.readFileSync(`/proc/${child.pid}/limits`, 'utf8')).toMatch(new RegExp(`^Max open files\\s+${FD_LIMIT}\\s`, 'm'));
        const failures: string[] = [];
        let answered = 0;
        const call = async (key: string, method: string, urlPath: string, body?: string | Buffer, contentType = 'application/json') => {
          const response = await fetch(`${url}${urlPath}`, { method, headers: { authorization: `Bearer ${key}`, accept: 'application/json', ...(body ? { 'content-type': contentType } : {}) }, ...(body ? { body } : {}) });
          const text = await response.text();
          answered++;
          if (response.status !== 200 || text.includes('"isError":true')) failures.push(`${method} ${urlPath}: ${response.status} ${text.slice(0, 300)}`);
          return text;
        };
        const archive = await tarGzOf({ 'src/alpha.ts': 'export function alphaLookup(key: string): string {\n  return key;\n}\n' });
        for (const t of tenants.slice(0, 2)) await call(t.key, 'POST', '/v1/repos/app/archive', archive, 'application/gzip');
        // Every tenant, three rounds, 8 at a time: far more databases than descriptors.
        const jobs = [0, 1, 2].flatMap((round) => tenants.map((t, i) => ({ t, i, round })));
        await Promise.all(
          Array.from({ length: 8 }, async (_, worker) => {
            for (let j = worker; j < jobs.length; j += 8) {
              const { t, i, round } = jobs[j]!;
              if (round === 1) await call(t.key, 'GET', '/v1/repos');
              else await call(t.key, 'POST', '/mcp', rpc('search_symbols', { query: 'alphaLookup', ...(i < 2 && round === 2 ? { mode: 'hybrid' } : {}) }));
            }
          }),
        );
        expect(failures).toEqual([]);
        expect(answered).toBe(2 + 3 * TENANTS);
        const metrics = await call(ops!.key, 'GET', '/metrics');
        const shed = Number(/^pctx_pool_shed_total (\d+)/m.exec(metrics)?.[1]);
        expect(shed).toBeGreaterThan(0);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expect(stderr).not.toMatch(/EMFILE/);
    },
  );
});
