import { Command } from 'commander';
import { apiKeyView, parseApiKey } from '../../../auth/index.js';
import { invalidArgument, isPctxError } from '../../../errors.js';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson } from '../../output.js';
import { action, withCommonOptions } from '../common.js';
import { shortTime } from './format.js';

export function revokeKeyCommand(): Command {
  return withCommonOptions(new Command('revoke'), { tenant: false })
    .description('revoke an API key by its prefix; requests with it are refused from the next one on')
    .argument('<prefix>', 'the key prefix shown by keys list (cl_live_<tenant>_<8 characters>), or the whole key')
    .option('--tenant <id|name>', 'only revoke if the key belongs to this tenant')
    .action(
      action(async (prefixOrKey: string, options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          // A leaked key is often what the operator has in hand: accept it whole.
          const parsed = parseApiKey(prefixOrKey);
          const prefix = parsed.ok ? parsed.key.prefix : prefixOrKey;
          let record;
          try {
            record = ctx.control.apiKeys.revokeByPrefix(prefix, options.tenant === undefined ? undefined : ctx.tenant.id);
          } catch (err) {
            if (isPctxError(err, 'INVALID_ARGUMENT')) throw invalidArgument('<prefix>', 'expected a key prefix as shown by keys list, e.g. cl_live_d5991e4f_Ab12Cd34');
            throw err;
          }
          if (options.json) return printJson(apiKeyView(record));
          const owner = ctx.control.tenants.get(record.tenantId);
          process.stdout.write(
            `Revoked key ${record.keyPrefix} of tenant ${owner?.name ?? record.tenantId} (${record.tenantId}) at ${shortTime(record.revokedAt)} UTC; requests with it are refused.\n`,
          );
        });
      }),
    );
}
