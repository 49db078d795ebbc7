import { Command } from 'commander';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson, style } from '../../output.js';
import { action, withCommonOptions } from '../common.js';
import { parseQuota, quotaText, tenantJson } from './format.js';

export function createTenantCommand(): Command {
  return withCommonOptions(new Command('create'), { tenant: false })
    .description('create a tenant and print its id')
    .argument('<name>', 'unique name: letters, digits, ".", "_", "-"')
    .option('--quota <size>', 'storage quota, e.g. 500MB (default: unlimited)')
    .action(
      action(async (name: string, options: CommonOptions & { quota?: string }) => {
        await withContext(options, async (ctx) => {
          const quotaBytes = options.quota === undefined ? null : parseQuota(options.quota, false);
          const tenant = ctx.control.tenants.create({ name, quotaBytes });
          if (options.json) return printJson(tenantJson(tenant));
          process.stdout.write(`${tenant.id}\n`);
          process.stderr.write(style('dim', `Created tenant ${tenant.name} (${tenant.id}), quota ${quotaText(tenant.quotaBytes)}\n`, process.stderr));
        });
      }),
    );
}
