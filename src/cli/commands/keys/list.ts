import { Command } from 'commander';
import type { ApiKeyRecord, Tenant } from '../../../control/index.js';
import { apiKeyView } from '../../../auth/index.js';
import { withContext, type CommonOptions } from '../../context.js';
import { printJson, table } from '../../output.js';
import { action, withCommonOptions } from '../common.js';
import { shortTime } from './format.js';

export function listKeysCommand(): Command {
  return withCommonOptions(new Command('list'), { tenant: false })
    .description("list API keys (prefixes only, never the keys): one tenant's, or every tenant's")
    .option('--tenant <id|name>', 'only this tenant (default: every tenant)')
    .action(
      action(async (options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const tenants: Tenant[] = options.tenant === undefined ? ctx.control.tenants.list() : [ctx.tenant];
          const names = new Map(tenants.map((t) => [t.id, t.name]));
          const keys: ApiKeyRecord[] = tenants.flatMap((t) => ctx.control.apiKeys.listByTenant(t.id));
          if (options.json) return printJson({ keys: keys.map(apiKeyView) });
          if (keys.length === 0) {
            const whose = options.tenant === undefined ? 'any tenant' : `tenant ${ctx.tenant.name}`;
            const tenantArg = options.tenant === undefined ? '<tenant>' : ctx.tenant.name;
            process.stdout.write(`No API keys for ${whose}. Create one: purecontext-mcp keys create --tenant ${tenantArg} --permissions read\n`);
            return;
          }
          const withTenant = options.tenant === undefined;
          const rows = keys.map((k) => [
            k.keyPrefix,
            ...(withTenant ? [names.get(k.tenantId)] : []),
            k.permissions.join(','),
            k.rateLimitTier,
            k.label,
            shortTime(k.createdAt),
            shortTime(k.lastUsedAt) ?? 'never',
            shortTime(k.revokedAt),
          ]);
          const headers = ['PREFIX', ...(withTenant ? ['TENANT'] : []), 'PERMISSIONS', 'TIER', 'LABEL', 'CREATED (UTC)', 'LAST USED (UTC)', 'REVOKED (UTC)'];
          process.stdout.write(`${table(headers, rows)}\n`);
        });
      }),
    );
}
