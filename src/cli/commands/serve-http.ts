import { loadConfig } from '../../config.js';
import { invalidArgument } from '../../errors.js';
import { startServer } from '../../server/run-server.js';
import { PACKAGE_VERSION } from '../../version.js';
import { supervisorGone } from '../supervisor.js';

export interface ServeHttpOptions {
  dataDir?: string;
  tenant?: string;
  config?: string;
  host?: string;
  port?: string;
  /** false with --no-watch */
  watch?: boolean;
}

/**
 * `serve --http`: runs the HTTP service until SIGTERM or SIGINT, or until its supervisor
 * is gone (see supervisor.ts), then shuts down gracefully (see RunningServer.shutdown). A
 * second signal during shutdown exits at once.
 */
export async function serveHttp(options: ServeHttpOptions): Promise<void> {
  // Over HTTP the tenant is the API key's; a fixed one would be a silent no-op.
  if (options.tenant !== undefined) throw invalidArgument('--tenant', 'does not apply to --http: each API key acts for its own tenant');
  const config = loadConfig(process.env, { dataDir: options.dataDir, configFile: options.config, host: options.host, port: options.port, watch: options.watch });
  const server = await startServer(config);
  process.stderr.write(
    `purecontext-mcp ${PACKAGE_VERSION}: MCP over HTTP at ${server.url}/mcp, data in ${config.dataDir}` +
      `${config.rateLimit.enabled ? '' : ' (rate limits off)'}\n`,
  );
  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`${why}: finishing requests in flight, then stopping\n`);
      server.shutdown().then(resolve, reject);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      process.once(signal, () => process.exit(130));
      stop(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const gone = supervisorGone();
    if (gone.aborted) stop('supervisor gone');
    else gone.addEventListener('abort', () => stop('supervisor gone'), { once: true });
  });
  process.stderr.write('stopped\n');
}
