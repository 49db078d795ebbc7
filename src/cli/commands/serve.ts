import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { PACKAGE_VERSION } from '../../version.js';
import { action, withCommonOptions } from './common.js';

export function serveCommand(): Command {
  return withCommonOptions(new Command('serve'))
    .description('serve the MCP tools over stdio (for an agent to launch)')
    .action(
      action(async (options: CommonOptions) => {
        // The MCP SDK is a third of the CLI's start-up time; only this command needs it.
        const [{ StdioServerTransport }, { createMcpServer }] = await Promise.all([
          import('@modelcontextprotocol/sdk/server/stdio.js'),
          import('../../mcp/mcp-server.js'),
        ]);
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
        }, { vectorReads: 'memory' });
      }),
    );
}
