import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { formatNumber, printJson, style } from '../output.js';
import { action, withCommonOptions } from './common.js';

export function removeCommand(): Command {
  return withCommonOptions(new Command('remove'))
    .description('remove an indexed repository (files on disk are not touched)')
    .argument('<repo>', 'repository name, as `repos` lists it')
    .action(
      action(async (repo: string, options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const result = await ctx.engine().deleteRepo(ctx.tenant.id, { repo });
          if (options.json) return printJson({ tenant: ctx.tenant.id, ...result });
          process.stdout.write(
            `${style('green', '✔')} Removed ${style('bold', repo)} from tenant ${ctx.tenant.name}: ${formatNumber(result.files)} files, ${formatNumber(result.symbols)} symbols\n`,
          );
        });
      }),
    );
}
