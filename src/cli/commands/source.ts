import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { printJson, printable, style } from '../output.js';
import { indexedNote } from '../freshness-note.js';
import { action, intOption, withCommonOptions } from './common.js';

export function sourceCommand(): Command {
  return withCommonOptions(new Command('source'))
    .description("print a symbol's source by id")
    .argument('<symbolId>', 'id from search or outline')
    .option('--context <lines>', 'extra lines around the symbol', intOption('--context', 0, 200), 0)
    .action(
      action(async (id: string, options: CommonOptions & { context: number }) => {
        await withContext(options, async (ctx) => {
          const s = await ctx.engine().getSymbolSource(ctx.tenant.id, { id, contextLines: options.context });
          if (options.json) return printJson(s);
          const where = `${s.repo}:${s.filePath}:${s.sourceStartLine}-${s.sourceEndLine}`;
          process.stdout.write(`${style('dim', printable(`// ${s.kind} ${s.qualifiedName} — ${where}, ${indexedNote(s.freshness, Date.now())}`))}\n`);
          if (s.fileState !== 'unchanged') {
            process.stdout.write(`${style('yellow', `// warning: the file was ${s.fileState} on disk since it was indexed`)}\n`);
          }
          process.stdout.write(`${printable(s.source, { multiline: true })}\n`);
        }, { readOnly: true });
      }),
    );
}
