import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { formatDuration, formatNumber, printJson, style } from '../output.js';
import { indexProgressBar } from '../progress.js';
import type { IndexResult } from '../../engine/indexer/index-run.js';
import { formatBytes } from '../../util/bytes.js';
import { watchRepos } from '../watch-loop.js';
import { action, withCommonOptions } from './common.js';

interface IndexOptions extends CommonOptions {
  name?: string;
  exclude?: string[];
  watch?: boolean;
}

function printHuman(r: IndexResult, tenant: string): void {
  const secs = Math.max(r.phasesMs.discover + r.phasesMs.parse + r.phasesMs.commit, 1) / 1000;
  const lines = [
    `${style('green', '✔')} Indexed ${style('bold', r.repo)} ${style('dim', `(${r.root})`)} for tenant ${tenant} in ${formatDuration(r.durationMs)}`,
    `  files    ${formatNumber(r.files.total)} in index · ${formatNumber(r.files.indexed)} parsed · ${formatNumber(r.files.unchanged)} unchanged · ${formatNumber(r.files.removed)} removed · ${formatNumber(r.files.skipped)} skipped`,
    `  symbols  ${formatNumber(r.symbols)} in repo · ${formatNumber(r.symbolsIndexed)} written this run`,
    `  imports  ${formatNumber(r.imports)}`,
  ];
  if (r.files.indexed > 0) {
    lines.push(
      `  speed    ${formatNumber(Math.round(r.files.indexed / secs))} files/s · ${formatNumber(Math.round(r.symbolsIndexed / secs))} symbols/s · ${formatBytes(Math.round(r.bytesParsed / secs))}/s`,
    );
  }
  if (r.vectors) lines.push(`  vectors  ${r.vectors.mode}, ${formatNumber(r.vectors.count)} vectors (${formatDuration(r.phasesMs.vectors)})`);
  if (r.skipped.length > 0) {
    lines.push(style('dim', `  skipped  ${r.skipped.slice(0, 5).map((s) => `${s.path} (${s.reason})`).join(', ')}${r.files.skipped > 5 ? ', …' : ''}`));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function indexCommand(): Command {
  return withCommonOptions(new Command('index'))
    .description('index (or re-index) a folder: symbols, imports and embeddings')
    .argument('<dir>', 'folder to index')
    .option('--name <name>', 'repository name (default: the folder name)')
    .option('--exclude <pattern...>', 'extra gitignore-style patterns to skip')
    .option('--watch', 'after indexing, keep the index fresh as files change (Ctrl-C to stop)')
    .action(
      action(async (dir: string, options: IndexOptions) => {
        await withContext(options, async (ctx) => {
          const bar = indexProgressBar(!options.json);
          let result: IndexResult;
          try {
            result = await ctx.engine().indexFolder(
              ctx.tenant.id,
              { path: dir, ...(options.name ? { name: options.name } : {}), ...(options.exclude ? { exclude: options.exclude } : {}) },
              { onProgress: bar.update, quotaBytes: ctx.tenant.quotaBytes },
            );
          } finally {
            bar.stop();
          }
          if (options.json && options.watch) process.stdout.write(`${JSON.stringify({ event: 'indexed', tenant: ctx.tenant.id, ...result })}\n`);
          else if (options.json) printJson({ tenant: ctx.tenant.id, ...result });
          else printHuman(result, ctx.tenant.name);
          if (options.watch) await watchRepos(ctx, [result.root], options.json === true);
        });
      }),
    );
}
