import { Command } from 'commander';
import { generateApiKey } from '../../../auth/index.js';
import type { ApiKeyRecord, Permission } from '../../../control/index.js';
import { isPctxError } from '../../../errors.js';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson, style } from '../../output.js';
import { action, withCommonOptions } from '../common.js';
import { keyJson, parseLabel, parsePermissions, parseTier } from './format.js';

interface CreateOptions extends CommonOptions {
  permissions: Permission[];
  tier: string;
  label?: string;
  test?: boolean;
}

/** Prefixes are unique; a clash of 8 random base62 characters is rare but not impossible. */
const ATTEMPTS = 3;

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
          let record: ApiKeyRecord | undefined;
          let key = '';
          for (let attempt = 1; record === undefined; attempt++) {
            const generated = generateApiKey(tenantId, options.test ? 'test' : 'live');
            try {
              record = ctx.control.apiKeys.insert({
                keyHash: generated.keyHash,
                keyPrefix: generated.prefix,
                tenantId,
                permissions: options.permissions,
                rateLimitTier: options.tier,
                label: options.label ?? null,
              });
              key = generated.key;
            } catch (err) {
              if (attempt < ATTEMPTS && isPctxError(err, 'INVALID_ARGUMENT') && err.details.option === 'keyPrefix') continue;
              throw err;
            }
          }
          const warning = 'Store this key now: it is not shown again (only its SHA-256 hash is kept).';
          if (options.json) {
            printJson({ key, ...keyJson(record) });
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
