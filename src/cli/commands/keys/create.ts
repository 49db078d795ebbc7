import { Command } from 'commander';
import { apiKeyView, issueApiKey } from '../../../auth/index.js';
import type { Permission } from '../../../control/index.js';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson, style } from '../../output.js';
import { action, withCommonOptions } from '../common.js';
import { parseLabel, parsePermissions, parseTier } from './format.js';

interface CreateOptions extends CommonOptions {
  permissions: Permission[];
  tier: string;
  label?: string;
  test?: boolean;
}

export function createKeyCommand(): Command {
  return withCommonOptions(new Command('create'), { tenant: false })
    .description('create an API key and print it (shown only this once)')
    .requiredOption('--tenant <id|name>', 'tenant the key belongs to')
    .requiredOption('--permissions <list>', 'comma-separated: read (queries), write (indexing, uploads), admin (admin API)', parsePermissions)
    .option('--tier <tier>', 'rate-limit tier: free, standard, pro, enterprise or one from the configuration', parseTier, 'standard')
    .option('--label <text>', 'what the key is for, shown in listings (e.g. ci)', parseLabel)
    .option('--test', 'create a test key (cl_test_…) instead of a live one (cl_live_…)')
    .action(
      action(async (options: CreateOptions) => {
        await withContext(options, async (ctx) => {
          const tenantId = ctx.tenant.id;
          const { key, record } = issueApiKey(ctx.control.apiKeys, {
            tenantId,
            permissions: options.permissions,
            tier: options.tier,
            label: options.label ?? null,
            environment: options.test ? 'test' : 'live',
          });
          const warning = 'Store this key now: it is not shown again (only its SHA-256 hash is kept).';
          if (options.json) {
            printJson({ key, ...apiKeyView(record) });
          } else {
            process.stdout.write(`${key}\n`);
            const what = `${record.permissions.join(', ')} · tier ${record.rateLimitTier}${record.label === null ? '' : ` · label ${record.label}`}`;
            process.stderr.write(style('dim', `Created key ${record.keyPrefix} for tenant ${ctx.tenant.name} (${tenantId}): ${what}\n`, process.stderr));
          }
          process.stderr.write(`${style('yellow', 'warning:', process.stderr)} ${warning}\n`);
        });
      }),
    );
}
