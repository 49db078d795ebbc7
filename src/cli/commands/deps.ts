import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { printJson, printable, style } from '../output.js';
import { indexedNote } from '../freshness-note.js';
import { action, withCommonOptions } from './common.js';

export function importersCommand(): Command {
  return withCommonOptions(new Command('importers'))
    .description('files that import the given file')
    .argument('<repo>', 'repository name')
    .argument('<file>', 'path inside the repository')
    .action(
      action(async (repo: string, file: string, options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const r = await ctx.engine().findImporters(ctx.tenant.id, { repo, path: file });
          if (options.json) return printJson(r);
          if (r.importers.length === 0) process.stdout.write(`Nothing in ${printable(r.repo)} imports ${printable(r.path)}.\n`);
          for (const i of r.importers) process.stdout.write(`${printable(i.path)}:${i.line}  ${style('dim', printable(i.specifier))}\n`);
          process.stdout.write(`${style('dim', `(${printable(r.repo)} ${indexedNote(r.freshness, Date.now())})`)}\n`);
        }, { readOnly: true });
      }),
    );
}

export function depsCommand(): Command {
  return withCommonOptions(new Command('deps'))
    .description('what the given file imports')
    .argument('<repo>', 'repository name')
    .argument('<file>', 'path inside the repository')
    .action(
      action(async (repo: string, file: string, options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const r = await ctx.engine().getDependencies(ctx.tenant.id, { repo, path: file });
          if (options.json) return printJson(r);
          if (r.dependencies.length === 0) process.stdout.write(`${printable(r.path)} imports nothing.\n`);
          for (const d of r.dependencies) {
            process.stdout.write(`${String(d.line).padStart(5)}  ${printable(d.specifier)}  ${d.resolvedPath ? `→ ${printable(d.resolvedPath)}` : style('dim', '(external)')}\n`);
          }
          process.stdout.write(`${style('dim', `(${printable(r.repo)} ${indexedNote(r.freshness, Date.now())})`)}\n`);
        }, { readOnly: true });
      }),
    );
}
