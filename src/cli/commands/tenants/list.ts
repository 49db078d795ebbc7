import { Command } from 'commander';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson, table } from '../../output.js';
import { formatBytes } from '../../../util/bytes.js';
import { tenantDiskUsage } from '../../../tenant/quota.js';
import { action, withCommonOptions } from '../common.js';
import { quotaText, tenantJson } from './format.js';

export function listTenantsCommand(): Command {
  return withCommonOptions(new Command('list'), { tenant: false })
    .description('list tenants with their storage use')
    .action(
      action(async (options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const pool = ctx.admin().pool;
          const rows = ctx.control.tenants.list().map((t) => ({ t, used: tenantDiskUsage(pool.paths(t.id)) }));
          if (options.json) return printJson({ tenants: rows.map(({ t, used }) => tenantJson(t, used)) });
          const body = rows.map(({ t, used }) => [t.id, t.name, t.status, formatBytes(used), quotaText(t.quotaBytes), t.createdAt.replace('T', ' ').slice(0, 19)]);
          process.stdout.write(`${table(['ID', 'NAME', 'STATUS', 'USED', 'QUOTA', 'CREATED (UTC)'], body, [3])}\n`);
        });
      }),
    );
}
