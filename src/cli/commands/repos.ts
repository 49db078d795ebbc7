import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { formatNumber, printJson, table } from '../output.js';
import { action, withCommonOptions } from './common.js';

export function reposCommand(): Command {
  return withCommonOptions(new Command('repos'))
    .description('list indexed repositories')
    .action(
      action(async (options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const { repos } = await ctx.engine().listRepos(ctx.tenant.id);
          if (options.json) return printJson({ tenant: ctx.tenant.id, repos });
          if (repos.length === 0) {
            process.stdout.write('No repositories indexed yet. Try: purecontext-mcp index <dir>\n');
            return;
          }
          const rows = repos.map((r) => [r.repo, formatNumber(r.files), formatNumber(r.symbols), r.indexedAt?.replace('T', ' ').slice(0, 19), r.root]);
          process.stdout.write(`${table(['REPO', 'FILES', 'SYMBOLS', 'INDEXED (UTC)', 'ROOT'], rows, [1, 2])}\n`);
        });
      }),
    );
}
