import { Command } from 'commander';
import { withContext, type CliContext, type CommonOptions } from '../context.js';
import { isPctxError } from '../../errors.js';
import { LOCAL_TENANT_ID } from '../../tenant/tenant-paths.js';
import { formatNumber, printJson, table } from '../output.js';
import { action, withCommonOptions } from './common.js';

export function reposCommand(): Command {
  return withCommonOptions(new Command('repos'))
    .description('list indexed repositories')
    .action(
      action(async (options: CommonOptions) => {
        const list = async (ctx: CliContext) => {
          const { repos } = await ctx.engine().listRepos(ctx.tenant.id);
          if (options.json) return printJson({ tenant: ctx.tenant.id, repos });
          if (repos.length === 0) {
            process.stdout.write('No repositories indexed yet. Try: purecontext-mcp index <dir>\n');
            return;
          }
          const rows = repos.map((r) => [r.repo, formatNumber(r.files), formatNumber(r.symbols), r.indexedAt?.replace('T', ' ').slice(0, 19), r.root]);
          process.stdout.write(`${table(['REPO', 'FILES', 'SYMBOLS', 'INDEXED (UTC)', 'ROOT'], rows, [1, 2])}\n`);
        };
        try {
          await withContext(options, list, { readOnly: true });
        } catch (err) {
          // No data folder: the local tenant simply has nothing yet (a named one is unknown).
          if (!isPctxError(err, 'NOTHING_INDEXED') || options.tenant !== undefined) throw err;
          if (options.json) return printJson({ tenant: LOCAL_TENANT_ID, repos: [] });
          process.stdout.write('No repositories indexed yet. Try: purecontext-mcp index <dir>\n');
        }
      }),
    );
}
