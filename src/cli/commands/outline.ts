import { Command } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { printJson, printable, style } from '../output.js';
import type { OutlineNode } from '../../engine/queries/files.js';
import { indexedNote } from '../freshness-note.js';
import { action, withCommonOptions } from './common.js';

function render(nodes: OutlineNode[], depth: number, out: string[]): void {
  for (const n of nodes) {
    const lines = style('dim', `${n.startLine}-${n.endLine}`);
    out.push(`${'  '.repeat(depth)}${style('cyan', n.kind)} ${style('bold', printable(n.name))} ${lines}  ${style('dim', printable(n.signature))}`);
    render(n.children, depth + 1, out);
  }
}

export function outlineCommand(): Command {
  return withCommonOptions(new Command('outline'))
    .description('list the symbols of a file as a tree')
    .argument('<repo>', 'repository name (see `repos`)')
    .argument('<file>', 'path inside the repository')
    .action(
      action(async (repo: string, file: string, options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const outline = await ctx.engine().getFileOutline(ctx.tenant.id, { repo, path: file });
          if (options.json) return printJson(outline);
          const out = [`${style('bold', printable(`${outline.repo}:${outline.path}`))} ${style('dim', `(${outline.language}, ${outline.lineCount} lines, ${indexedNote(outline.freshness, Date.now())})`)}`];
          render(outline.symbols, 1, out);
          process.stdout.write(`${out.join('\n')}\n`);
        }, { readOnly: true });
      }),
    );
}
