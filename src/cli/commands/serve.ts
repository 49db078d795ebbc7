import { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { withContext, type CommonOptions } from '../context.js';
import { PACKAGE_VERSION } from '../../version.js';
import { action, withCommonOptions } from './common.js';
import { supervisorGone } from '../supervisor.js';
import type { ServeHttpOptions } from './serve-http.js';

export function serveCommand(): Command {
  return withCommonOptions(new Command('serve'))
    .description('serve the MCP tools over stdio (for an agent to launch), or over HTTP with --http')
    .option('--http', 'serve MCP over Streamable HTTP with API keys (see docs/hosting.md)')
    .option('--port <port>', 'HTTP port (env PCTX_PORT, default 3000)')
    .option('--host <host>', 'HTTP address to bind (env PCTX_HOST, default 127.0.0.1)')
    .option('--config <file>', 'JSON configuration file (env PCTX_CONFIG; see docs/configuration.md)')
    .option('--no-watch', 'do not keep indexed folders fresh while serving (env PCTX_WATCH=false; see docs/watching.md)')
    .action(
      action(async (options: CommonOptions & ServeHttpOptions & { http?: boolean; watch?: boolean }) => {
        // The MCP SDK and fastify are a large part of the CLI's start-up time; only this command needs them.
        if (options.http) return (await import('./serve-http.js')).serveHttp(options);
        const [{ StdioTransport }, { createMcpServer }, { ServeWatchers, describeWatchRun }] = await Promise.all([
          import('../../mcp/stdio-transport.js'),
          import('../../mcp/mcp-server.js'),
          import('../../watch/serve-watchers.js'),
        ]);
        await withContext(options, async (ctx) => {
          const quotaFor = (id: string) => ctx.control.tenants.get(id)?.quotaBytes ?? null;
          const watch = options.watch !== false && loadConfig(process.env, { dataDir: options.dataDir, configFile: options.config }).watch.enabled;
          const watchers = watch
            ? new ServeWatchers({
                engine: ctx.engine(),
                dataDir: ctx.config.dataDir,
                quotaFor,
                onWarning: (message) => process.stderr.write(`purecontext-mcp: warning: ${message}\n`),
                onRun: (_tenantId, repo, result) => {
                  const line = describeWatchRun(repo, result);
                  if (line !== null) process.stderr.write(`purecontext-mcp: ${line}\n`);
                },
              })
            : null;
          const server = createMcpServer({
            engine: ctx.engine(),
            tenantId: ctx.tenant.id,
            version: PACKAGE_VERSION,
            quotaFor,
            ...(watchers ? { watchState: watchers.watchState(ctx.tenant.id), onCall: ({ tool }: { tool: string }) => watchers.afterToolCall(ctx.tenant.id, tool) } : {}),
          });
          const transport = new StdioTransport();
          const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
          await server.connect(transport);
          process.stderr.write(
            `purecontext-mcp ${PACKAGE_VERSION}: serving tenant ${ctx.tenant.name} (${ctx.tenant.id}) over stdio, data in ${ctx.config.dataDir}${watchers ? '' : ' (not watching folders)'}\n`,
          );
          // Every indexed folder is caught up once, then kept fresh while serving.
          if (watchers) void watchers.watchTenant(ctx.tenant.id);
          // The end of stdin is the client saying it sends nothing more, not that it stopped
          // listening: calls already running are finished and answered before exiting.
          // A killed supervisor is the client's server gone as far as the client knows: the same.
          const gone = supervisorGone();
          const supervisorLost = new Promise<void>((resolve) => (gone.aborted ? resolve() : gone.addEventListener('abort', () => resolve(), { once: true })));
          await Promise.race([transport.inputEnded, closed, supervisorLost]);
          const waiting = transport.pendingRequests;
          if (waiting > 0) {
            process.stderr.write(`purecontext-mcp: stdin closed; finishing ${waiting} request${waiting === 1 ? '' : 's'} in flight before exiting\n`);
          }
          await transport.drained();
          // Cancelled calls get no answer but may still be unwinding (an index run rolling back).
          await server.idle();
          await watchers?.close();
          await server.close();
        }, { vectorReads: 'memory' });
      }),
    );
}
