import { Command } from 'commander';
import { withContext, type CommonOptions } from '../../context.js';
import { formatDuration, printJson } from '../../output.js';
import { backupTenant } from '../../../admin/backup-tenant.js';
import { formatBytes } from '../../../util/bytes.js';
import { action, withCommonOptions } from '../common.js';

export function backupTenantCommand(): Command {
  return withCommonOptions(new Command('backup'), { tenant: false })
    .description('write a consistent backup archive (.tar.gz) of a tenant, while it keeps serving')
    .argument('<tenant>', 'tenant id or name')
    .requiredOption('--out <file>', 'archive to write, outside the data folder, in an existing folder')
    .option('--force', 'replace the --out file if it exists')
    .action(
      action(async (idOrName: string, options: CommonOptions & { out: string; force?: boolean }) => {
        await withContext(options, async (ctx) => {
          const r = await backupTenant(ctx.admin(), idOrName, options.out, { force: options.force === true });
          if (options.json) return printJson({ file: r.file, bytes: r.bytes, durationMs: Math.round(r.durationMs), manifest: r.manifest });
          const files = r.manifest.files.map((f) => `${f.name} ${formatBytes(f.size)}`).join(', ');
          process.stdout.write(`Backed up ${r.manifest.tenant.name} (${r.manifest.tenant.id}) to ${r.file}: ${formatBytes(r.bytes)} [${files}] in ${formatDuration(r.durationMs)}\n`);
        });
      }),
    );
}
