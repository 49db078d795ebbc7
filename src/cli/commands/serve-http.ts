import { loadConfig } from '../../config.js';
import { startServer } from '../../server/run-server.js';
import { PACKAGE_VERSION } from '../../version.js';

export interface ServeHttpOptions {
  dataDir?: string;
  config?: string;
  host?: string;
  port?: string;
}

/**
 * `serve --http`: runs the HTTP service until SIGTERM or SIGINT, then shuts down
 * gracefully (see RunningServer.shutdown). A second signal during shutdown exits at once.
 */
export async function serveHttp(options: ServeHttpOptions): Promise<void> {
  const config = loadConfig(process.env, { dataDir: options.dataDir, configFile: options.config, host: options.host, port: options.port });
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
