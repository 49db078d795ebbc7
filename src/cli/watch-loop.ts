import type { IndexResult } from '../engine/indexer/index-run.js';
import { TenantWatchers } from '../watch/tenant-watchers.js';
import type { CliContext } from './context.js';
import { formatDuration, formatNumber, style } from './output.js';
import { supervisorGone } from './supervisor.js';

/**
 * `index --watch`: after the first run, keeps the given repositories fresh until SIGINT
 * or SIGTERM, or until its supervisor is gone (see supervisor.ts). People get one status line (rewritten in place on a terminal); `--json`
 * prints one JSON object per run (newline-delimited) for programs.
 */
export async function watchRepos(ctx: CliContext, roots: readonly string[], json: boolean): Promise<void> {
  const engine = ctx.engine();
  const tty = process.stdout.isTTY === true && !json;
  const line = (text: string) => {
    if (tty) process.stdout.write(`\r\x1b[2K${text}`);
    else process.stdout.write(`${text}\n`);
  };
  const watchers = new TenantWatchers({
    engine,
    tenantId: ctx.tenant.id,
    ignore: [ctx.config.dataDir],
    quotaBytes: () => ctx.control.tenants.get(ctx.tenant.id)?.quotaBytes ?? null,
    allowRoot: (root) => roots.includes(root),
    onWarning: (message) => process.stderr.write(`${tty ? '\n' : ''}${style('yellow', 'warning:', process.stderr)} ${message}\n`),
    onRun: (repo: string, r: IndexResult) => {
      if (json) {
        process.stdout.write(`${JSON.stringify({ event: 'indexed', tenant: ctx.tenant.id, ...r })}\n`);
        return;
      }
      const changed = r.files.indexed + r.files.removed;
      const what = changed === 0 ? 'no changes' : `${formatNumber(r.files.indexed)} parsed · ${formatNumber(r.files.removed)} removed · ${formatNumber(r.symbols)} symbols`;
      line(`${style('green', '●')} watching ${style('bold', repo)} · ${new Date().toLocaleTimeString('en-GB')} ${what} ${style('dim', `(${formatDuration(r.durationMs)})`)}`);
    },
    onStatus: (repo, status) => {
      if (status.lastError && !status.running && !json) line(`${style('red', '●')} watching ${style('bold', repo)} · last run failed: ${status.lastError}`);
    },
  });
  await watchers.sync();
  if (!json) line(`${style('green', '●')} watching ${roots.length === 1 ? roots[0] : `${roots.length} folders`} for changes ${style('dim', '(Ctrl-C to stop)')}`);
  if (json) process.stdout.write(`${JSON.stringify({ event: 'watching', tenant: ctx.tenant.id, roots })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    const gone = supervisorGone();
    if (gone.aborted) resolve();
    else gone.addEventListener('abort', () => resolve(), { once: true });
  });
  if (tty) process.stdout.write('\n');
  await watchers.close();
}
