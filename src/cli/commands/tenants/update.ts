import { Command } from 'commander';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson } from '../../output.js';
import { invalidArgument } from '../../../errors.js';
import { action, withCommonOptions } from '../common.js';
import { parseQuota, quotaText, tenantJson } from './format.js';

export function updateTenantCommand(): Command {
  return withCommonOptions(new Command('update'), { tenant: false })
    .description("rename a tenant or change its quota")
    .argument('<tenant>', 'tenant id or name')
    .option('--name <name>', 'new name')
    .option('--quota <size>', 'new quota, e.g. 2GB, or "none" for unlimited')
    .action(
      action(async (idOrName: string, options: CommonOptions & { name?: string; quota?: string }) => {
        await withContext(options, async (ctx) => {
          if (options.name === undefined && options.quota === undefined) throw invalidArgument('--name/--quota', 'give at least one of them');
          const current = ctx.control.tenants.require(idOrName);
          const tenant = ctx.control.tenants.update(current.id, {
            ...(options.name !== undefined ? { name: options.name } : {}),
            ...(options.quota !== undefined ? { quotaBytes: parseQuota(options.quota, true) } : {}),
          });
          if (options.json) return printJson(tenantJson(tenant));
          process.stdout.write(`Updated ${tenant.name} (${tenant.id}): quota ${quotaText(tenant.quotaBytes)}\n`);
        });
      }),
    );
}
