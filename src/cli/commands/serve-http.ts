import { loadConfig } from '../../config.js';
import { invalidArgument } from '../../errors.js';
import { startServer } from '../../server/run-server.js';
import { PACKAGE_VERSION } from '../../version.js';

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
 * `serve --http`: runs the HTTP service until SIGTERM or SIGINT, then shuts down
 * gracefully (see RunningServer.shutdown). A second signal during shutdown exits at once.
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
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`${signal}: finishing requests in flight, then stopping\n`);
      process.once(signal, () => process.exit(130));
      server.shutdown().then(resolve, reject);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  process.stderr.write('stopped\n');
}
