import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { formatNumber, printJson, style, table } from '../output.js';
import type { RepoIndexStatus } from '../../engine/queries/index-status.js';
import { ago } from '../freshness-note.js';
import { action, withCommonOptions } from './common.js';

interface StatusOptions extends CommonOptions {
  disk?: boolean;
}

function pendingText(r: RepoIndexStatus): string {
  if (!r.rootExists) return style('yellow', 'folder missing');
  if (r.pending === null) return '—';
  if (r.pending.total === 0) return style('green', 'up to date');
  const parts = [
    r.pending.added ? `${formatNumber(r.pending.added)} new` : '',
    r.pending.changed ? `${formatNumber(r.pending.changed)} changed` : '',
    r.pending.removed ? `${formatNumber(r.pending.removed)} removed` : '',
  ].filter(Boolean);
  return style('yellow', parts.join(', '));
}

export function statusCommand(): Command {
  return withCommonOptions(new Command('status'))
    .description('how fresh the index is: last run per repository and files changed on disk since')
    .argument('[repo]', 'only this repository')
    .option('--no-disk', 'do not walk the folders to count changed files')
    .action(
      action(async (repo: string | undefined, options: StatusOptions) => {
        await withContext(options, async (ctx) => {
          const { repos } = await ctx.engine().getIndexStatus(ctx.tenant.id, { ...(repo ? { repo } : {}), checkDisk: options.disk !== false });
          if (options.json) return printJson({ tenant: ctx.tenant.id, repos });
          if (repos.length === 0) {
            process.stdout.write(repo ? `Repository "${repo}" is not indexed.\n` : 'No repositories indexed yet. Try: purecontext-mcp index <dir>\n');
            return;
          }
          const now = Date.now();
          const rows = repos.map((r) => [r.repo, ago(r.indexedAt, now), formatNumber(r.files), formatNumber(r.symbols), pendingText(r), r.root]);
          process.stdout.write(`${table(['REPO', 'INDEXED', 'FILES', 'SYMBOLS', 'ON DISK', 'ROOT'], rows, [2, 3])}\n`);
          if (repos.some((r) => (r.pending?.total ?? 0) > 0)) {
            process.stdout.write(style('dim', 'Re-index with: purecontext-mcp index <root>  (or keep it fresh: purecontext-mcp index --watch <root>)\n'));
          }
        });
      }),
    );
}
