import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { toPctxError } from '../../src/errors.js';
import { ingestArchive, type ArchiveLimits } from '../../src/ingest/index.js';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { DEMO_REPO, useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const tempDir = useTempDir('pctx-push-');
const newEngine = useEngines();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TENANT = '0d0d0d0d';
const KEY = 'cl_test_0d0d0d0d_thisisnotarealkeyatall_abcd';
/**
 * Each test starts the CLI several times (a Node process compiling TypeScript each time);
 * on a machine loaded by other jobs that takes far longer than the default allows.
 */
const SPAWNS_TIMEOUT = 180_000;

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/**
 * A stand-in for the real route (src/server): the same engine call behind a minimal
 * fastify listener on 127.0.0.1, with a fixed key. Enough to prove what the client sends.
 */
async function server(engine: Engine, limits: Partial<ArchiveLimits> = {}): Promise<string> {
  const app = Fastify();
  apps.push(app);
  app.addContentTypeParser('application/gzip', (_request, payload, done) => done(null, payload));
  app.post<{ Params: { name: string } }>('/v1/repos/:name/archive', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${KEY}`) return reply.code(401).type('text/plain').send('Unauthorized');
    try {
      return await ingestArchive({ engine, tenantId: TENANT, repoName: request.params.name, body: request.body as Readable, limits, vectors: 'skip' });
    } catch (err) {
      const e = toPctxError(err);
      return reply.code(e.status).send({ error: e.toJSON() });
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  const env = { ...process.env, NO_COLOR: '1', PCTX_API_KEY: '', PCTX_URL: '' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => !d.isDirectory())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
}

describe('purecontext-mcp push', () => {
  it('sends only the files an index run would read, and prints the summary the server returns', async () => {
    const engine = newEngine(tempDir());
    const url = await server(engine);
    const root = path.join(tempDir(), 'My Project');
    writeTree(root, {
      ...DEMO_REPO,
      '.gitignore': 'generated.ts\n',
      'generated.ts': 'export const generated = 1;\n',
      '.env': 'API_TOKEN=hunter2\n',
      'config/secrets.json': '{"password":"hunter2"}\n',
      'node_modules/lib/index.js': 'module.exports = 1;\n',
      'README.md': '# readme\n',
    });
    fs.symlinkSync('src/util/math.ts', path.join(root, 'ts', 'alias.ts'));
    fs.linkSync(path.join(root, 'main.go'), path.join(root, 'hardlinked.go'));

    const pushed = await cli('push', root, '--url', url, '--key', KEY, '--name', 'project', '--json');
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const json = JSON.parse(pushed.stdout);
    expect(json).toMatchObject({
      repo: 'project',
      root: 'uploads/project',
      files: { total: 9, indexed: 9, skipped: 0 },
      symbols: expect.any(Number),
      archive: { files: 10 },
      sent: { url, files: 10, compressedBytes: expect.any(Number) },
    });

    const upload = path.join(tenantPaths(engine.pool.dataDir, TENANT).uploads, 'project');
    // As in a local index run, a file reached through a link is sent once, under its first path
    // in sorted order (ts/alias.ts before ts/src/util/math.ts); a hard link is a file of its own.
    const expected = [...Object.keys(DEMO_REPO).filter((p) => p !== 'package.json' && p !== 'ts/src/util/math.ts'), 'hardlinked.go', 'ts/alias.ts'].sort();
    expect(tree(upload)).toEqual(expected);
    // The link became a plain file holding its target's content.
    expect(fs.lstatSync(path.join(upload, 'ts/alias.ts')).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(path.join(upload, 'ts/alias.ts'), 'utf8')).toBe(DEMO_REPO['ts/src/util/math.ts']);
    const search = await engine.searchSymbols(TENANT, { query: 'getUserById' });
    expect(search.results[0]).toMatchObject({ repo: 'project', name: 'getUserById' });

    // Human output, and the repository name taken from the folder name by default.
    const human = await cli('push', root, '--url', `${url}/`, '--key', KEY);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/✔ Pushed my-project to http:\/\/127\.0\.0\.1:\d+ in /);
    expect(human.stdout).toMatch(/files {4}9 in index · 9 parsed · 0 unchanged · 0 removed · 0 skipped/);
  }, SPAWNS_TIMEOUT);

  it("reports a refusal with the server's own error code", async () => {
    const engine = newEngine(tempDir());
    const url = await server(engine, { maxFiles: 2 });
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);

    const human = await cli('push', root, '--url', url, '--key', KEY);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^error: The archive is too large: it has more than 2 members \(PCTX_ERR_ARCHIVE_TOO_LARGE\)\n$/);

    const json = await cli('push', root, '--url', url, '--key', KEY, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_ARCHIVE_TOO_LARGE', details: { what: 'members', limit: 2 } } });
  }, SPAWNS_TIMEOUT);

  it('reports a wrong key answered without JSON, an unreachable server and missing options with stable codes', async () => {
    const engine = newEngine(tempDir());
    const url = await server(engine);
    const root = path.join(tempDir(), 'demo');
    writeTree(root, { 'a.ts': 'export const a = 1;\n' });

    const wrongKey = await cli('push', root, '--url', url, '--key', 'cl_test_wrong', '--json');
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_REMOTE_UNAVAILABLE', details: { status: 401 } } });

    const closed = Fastify();
    await closed.listen({ host: '127.0.0.1', port: 0 });
    const deadUrl = `http://127.0.0.1:${(closed.server.address() as AddressInfo).port}`;
    await closed.close();
    const unreachable = await cli('push', root, '--url', deadUrl, '--key', KEY);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/could not be used: ECONNREFUSED \(PCTX_ERR_REMOTE_UNAVAILABLE\)/);

    const noKey = await cli('push', root, '--url', url, '--json');
    expect(JSON.parse(noKey.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'key' } } });
    const badName = await cli('push', root, '--url', url, '--key', KEY, '--name', '../x', '--json');
    expect(JSON.parse(badName.stdout)).toMatchObject({ error: { code: 'PCTX_ERR_INVALID_ARGUMENT', details: { option: 'name' } } });
  }, SPAWNS_TIMEOUT);
});
