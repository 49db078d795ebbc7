import readline from 'node:readline/promises';
import { Command } from 'commander';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson } from '../../output.js';
import { deleteTenant } from '../../../admin/delete-tenant.js';
import { invalidArgument } from '../../../errors.js';
import { formatBytes } from '../../../util/bytes.js';
import { action, withCommonOptions } from '../common.js';

async function confirm(name: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`This deletes tenant ${name}, its keys and all its data. Type the tenant name to confirm: `);
    return answer.trim() === name;
  } finally {
    rl.close();
  }
}

export function deleteTenantCommand(): Command {
  return withCommonOptions(new Command('delete'), { tenant: false })
    .description('delete a tenant, its API keys and all its data')
    .argument('<tenant>', 'tenant id or name')
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .action(
      action(async (idOrName: string, options: CommonOptions & { yes?: boolean }) => {
        await withContext(options, async (ctx) => {
          const tenant = ctx.control.tenants.get(idOrName);
          if (tenant && !options.yes) {
            if (!process.stdin.isTTY || options.json) throw invalidArgument('--yes', 'deleting a tenant needs --yes when not run interactively');
            if (!(await confirm(tenant.name))) {
              process.stderr.write('Not deleted.\n');
              process.exitCode = 1;
              return;
            }
          }
          const result = await deleteTenant(ctx.admin(), idOrName);
          if (options.json) return printJson(result);
          process.stdout.write(`Deleted tenant ${result.name} (${result.tenantId}), freed ${formatBytes(result.bytesFreed)}\n`);
        });
      }),
    );
}
