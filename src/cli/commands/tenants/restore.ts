import { Command } from 'commander';
import { withContext, type CommonOptions } from '../../context.js';
import { formatDuration, printJson } from '../../output.js';
import { restoreTenant } from '../../../admin/restore-tenant.js';
import { action, withCommonOptions } from '../common.js';
import { tenantJson } from './format.js';

export function restoreTenantCommand(): Command {
  return withCommonOptions(new Command('restore'), { tenant: false })
    .description('restore a tenant from a backup archive (verifies checksums and schema first)')
    .argument('<file>', 'archive written by `tenants backup`')
    .option('--as <name>', 'restore under this tenant name (a new tenant)')
    .option('--force', 'replace an existing tenant of the same id (or --as name)')
    .action(
      action(async (file: string, options: CommonOptions & { as?: string; force?: boolean }) => {
        await withContext(options, async (ctx) => {
          const r = await restoreTenant(ctx.admin(), file, { ...(options.as ? { as: options.as } : {}), force: options.force === true });
          if (options.json) {
            return printJson({ tenant: tenantJson(r.tenant), replaced: r.replaced, fromSchemaVersion: r.fromSchemaVersion, durationMs: Math.round(r.durationMs) });
          }
          process.stdout.write(`${r.replaced ? 'Replaced' : 'Restored'} tenant ${r.tenant.name} (${r.tenant.id}) from ${file} in ${formatDuration(r.durationMs)}\n`);
        });
      }),
    );
}
