import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { useTempDir } from './helpers/temp-dir.js';

const tempDir = useTempDir('pctx-config-');

function writeConfig(content: unknown): string {
  const file = path.join(tempDir(), 'pctx.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function failure(fn: () => unknown): { code: string; details: Record<string, unknown>; message: string } {
  try {
    fn();
  } catch (err) {
    return err as never;
  }
  throw new Error('expected a failure');
}

describe('loadConfig', () => {
  it('applies the defaults of the HTTP service', () => {
    const config = loadConfig({});
    expect(config.server).toEqual({ host: '127.0.0.1', port: 3000, bodyLimit: 1024 * 1024, shutdownTimeoutMs: 10_000, trustProxy: false, backgroundNice: 10 });
    expect(config.rateLimit).toMatchObject({ enabled: true, maxTokens: 100, refillRate: 10, perToolLimits: { index_folder: 10, upload_archive: 10 } });
    expect(config.requestLog).toEqual({ retentionDays: 30 });
    expect(config.hosting).toMatchObject({ allowedRoots: [], maxArchiveBytes: 100 * 1024 * 1024, maxArchiveFiles: 50_000 });
    expect(config.configFile).toBeNull();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('layers the file, then environment variables, then flags', () => {
    const root = tempDir();
    const file = writeConfig({
      dataDir: 'store',
      server: { host: '0.0.0.0', port: 4000, bodyLimit: '2MB' },
      rateLimit: { maxTokens: 50, refillRate: 5, tiers: { pro: { maxTokens: 500, refillRate: 50 } } },
      requestLog: { retentionDays: 7 },
      hosting: { allowedRoots: [root] },
      workers: 2,
    });
    const fromFile = loadConfig({ PCTX_CONFIG: file });
    expect(fromFile.server).toMatchObject({ host: '0.0.0.0', port: 4000, bodyLimit: 2 * 1024 * 1024 });
    expect(fromFile.rateLimit).toMatchObject({ maxTokens: 50, refillRate: 5 });
    expect(fromFile.requestLog.retentionDays).toBe(7);
    expect(fromFile.hosting.allowedRoots).toEqual([fs.realpathSync(root)]);
    expect(fromFile.workers).toBe(2);
    // A relative dataDir in the file is relative to the file.
    expect(fromFile.dataDir).toBe(path.join(path.dirname(file), 'store'));

    const env = { PCTX_CONFIG: file, PCTX_PORT: '5000', PCTX_RATE_LIMIT_MAX_TOKENS: '80', PCTX_WORKERS: '3' };
    expect(loadConfig(env).server.port).toBe(5000);
    expect(loadConfig(env).rateLimit.maxTokens).toBe(80);
    expect(loadConfig(env).workers).toBe(3);
    const flags = loadConfig(env, { port: '6000', host: '::1' });
    expect(flags.server).toMatchObject({ port: 6000, host: '::1' });
  });

  it('names the key, variable or flag that holds an invalid value', () => {
    expect(failure(() => loadConfig({ PCTX_PORT: 'http' })).details).toMatchObject({ option: 'PCTX_PORT' });
    expect(failure(() => loadConfig({}, { port: '70000' })).details).toMatchObject({ option: '--port', reason: 'must be between 0 and 65535' });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig({ server: { port: -1 } }) })).details).toMatchObject({ option: 'server.port' });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig({ server: { hots: 'x' } }) })).details).toMatchObject({ option: 'server.hots' });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig({ rateLmit: {} }) })).details).toMatchObject({ option: 'rateLmit' });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig({ rateLimit: { tiers: { pro: { maxTokens: 0, refillRate: 1 } } } }) })).details).toMatchObject({
      option: 'rateLimit.tiers.pro.maxTokens',
    });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig({ requestLog: { retentionDays: 0 } }) })).details).toMatchObject({ option: 'requestLog.retentionDays' });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig({ hosting: { allowedRoots: ['/does/not/exist'] } }) })).details).toMatchObject({ option: 'hosting.allowedRoots' });
    expect(failure(() => loadConfig({ PCTX_RATE_LIMIT_ENABLED: 'yes' })).details).toMatchObject({ option: 'PCTX_RATE_LIMIT_ENABLED' });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig('{ nope') })).details).toMatchObject({ option: 'PCTX_CONFIG' });
    expect(failure(() => loadConfig({}, { configFile: '/no/such/file.json' })).details).toMatchObject({ option: '--config' });
    expect(failure(() => loadConfig({ PCTX_CONFIG: writeConfig({ embedding: { provider: 'openai' } }) })).details).toMatchObject({ option: 'embedding.baseUrl' });
  });

  it('keeps the environment behaviour of the local commands', () => {
    expect(loadConfig({ PCTX_DATA_DIR: '/tmp/x' }).dataDir).toBe('/tmp/x');
    expect(failure(() => loadConfig({ PCTX_DATA_DIR: '' })).details).toMatchObject({ option: 'PCTX_DATA_DIR' });
    expect(failure(() => loadConfig({ PCTX_WORKERS: '0' })).details).toMatchObject({ option: 'PCTX_WORKERS', reason: 'must be between 1 and 64' });
    expect(failure(() => loadConfig({ PCTX_MAX_FILE_SIZE: 'big' })).details).toMatchObject({ option: 'PCTX_MAX_FILE_SIZE' });
    expect(failure(() => loadConfig({ PCTX_EMBEDDING_BASE_URL: 'http://x' })).details).toMatchObject({ option: 'PCTX_EMBEDDING_BASE_URL' });
    expect(loadConfig({ PCTX_WORKERS: ' 4 ' }).workers).toBe(4);
  });
});
