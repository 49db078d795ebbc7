import { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { withContext, type CommonOptions } from '../context.js';
import { createMcpServer } from '../../mcp/mcp-server.js';
import { PACKAGE_VERSION } from '../../version.js';
import { action, withCommonOptions } from './common.js';
import { serveHttp, type ServeHttpOptions } from './serve-http.js';

export function serveCommand(): Command {
  return withCommonOptions(new Command('serve'))
    .description('serve the MCP tools over stdio (for an agent to launch), or over HTTP with --http')
    .option('--http', 'serve MCP over Streamable HTTP with API keys (see docs/hosting.md)')
    .option('--port <port>', 'HTTP port (env PCTX_PORT, default 3000)')
    .option('--host <host>', 'HTTP address to bind (env PCTX_HOST, default 127.0.0.1)')
    .option('--config <file>', 'JSON configuration file (env PCTX_CONFIG; see docs/configuration.md)')
    .action(
      action(async (options: CommonOptions & ServeHttpOptions & { http?: boolean }) => {
        if (options.http) return serveHttp(options);
        await withContext(options, async (ctx) => {
          const server = createMcpServer({
            engine: ctx.engine(),
            tenantId: ctx.tenant.id,
            version: PACKAGE_VERSION,
            quotaFor: (id) => ctx.control.tenants.get(id)?.quotaBytes ?? null,
          });
          const transport = new StdioServerTransport();
          const closed = new Promise<void>((resolve) => {
            transport.onclose = () => resolve();
            process.stdin.once('end', () => resolve());
          });
          await server.connect(transport);
          process.stderr.write(`purecontext-mcp ${PACKAGE_VERSION}: serving tenant ${ctx.tenant.name} (${ctx.tenant.id}) over stdio, data in ${ctx.config.dataDir}\n`);
          await closed;
          await server.close();
        });
      }),
    );
}
