import { Command } from 'commander';
import { withContext, type CommonOptions } from '../../context.js';
import { formatNumber, printJson } from '../../output.js';
import { formatBytes } from '../../../util/bytes.js';
import { tenantDiskUsage } from '../../../tenant/quota.js';
import { action, withCommonOptions } from '../common.js';
import { quotaText, tenantJson } from './format.js';

export function showTenantCommand(): Command {
  return withCommonOptions(new Command('show'), { tenant: false })
    .description('details of one tenant: quota, storage, repositories')
    .argument('<tenant>', 'tenant id or name')
    .action(
      action(async (idOrName: string, options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const tenant = ctx.control.tenants.require(idOrName);
          // Measured after opening: a tenant's first open creates its database, which counts.
          const { repos } = await ctx.engine().listRepos(tenant.id);
          const used = tenantDiskUsage(ctx.admin().pool.paths(tenant.id));
          if (options.json) return printJson({ ...tenantJson(tenant, used), repos });
          const lines = [
            `id        ${tenant.id}`,
            `name      ${tenant.name}`,
            `status    ${tenant.status}`,
            `created   ${tenant.createdAt}`,
            `storage   ${formatBytes(used)} of ${quotaText(tenant.quotaBytes)}`,
            `repos     ${repos.length === 0 ? 'none' : repos.map((r) => `${r.repo} (${formatNumber(r.symbols)} symbols)`).join(', ')}`,
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        });
      }),
    );
}
