import { Command, InvalidArgumentError, Option } from 'commander';
import { withContext, type CommonOptions } from '../context.js';
import { printJson, printable, style } from '../output.js';
import { LANGUAGES, SYMBOL_KINDS } from '../../parse/types.js';
import { SEARCH_MODES } from '../../engine/params.js';
import { indexedNote } from '../freshness-note.js';
import { action, intOption, withCommonOptions } from './common.js';

interface SearchOptions extends CommonOptions {
  kind?: string;
  language?: string;
  path?: string;
  repo?: string;
  mode?: string;
  limit?: number;
}

/** An empty query is a usage error (exit 2), caught before any data is opened. */
function nonEmptyQuery(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('the query must not be empty');
  return value;
}

export function searchCommand(): Command {
  return withCommonOptions(new Command('search'))
    .description('search symbols by name, sub-word or description')
    .argument('<query>', 'what to look for', nonEmptyQuery)
    .addOption(new Option('--kind <kind>', 'only this kind of symbol').choices(SYMBOL_KINDS))
    .addOption(new Option('--language <language>', 'only this language').choices(LANGUAGES))
    .option('--path <prefix>', 'only files under this path')
    .option('--repo <name>', 'only this repository')
    .addOption(new Option('--mode <mode>', 'ranking').choices(SEARCH_MODES).default('keyword'))
    .option('--limit <n>', 'most results', intOption('--limit', 1, 100), 10)
    .action(
      action(async (query: string, options: SearchOptions) => {
        await withContext(options, async (ctx) => {
          const result = await ctx.engine().searchSymbols(ctx.tenant.id, {
            query,
            mode: options.mode,
            limit: options.limit,
            ...(options.kind ? { kind: options.kind } : {}),
            ...(options.language ? { language: options.language } : {}),
            ...(options.path ? { pathPrefix: options.path } : {}),
            ...(options.repo ? { repo: options.repo } : {}),
          });
          if (options.json) return printJson(result);
          if (result.results.length === 0) {
            // With no results, freshness lists every repository searched: none means nothing is indexed.
            process.stdout.write(
              Object.keys(result.freshness).length === 0
                ? `Nothing is indexed for tenant ${printable(ctx.tenant.name)} yet. Try: purecontext-mcp index <dir>\n`
                : `No symbols match "${printable(query)}". ${style('dim', `(${indexedNote(result.freshness, Date.now())})`)}\n`,
            );
            return;
          }
          const out = result.results.map((h, i) => {
            const head = `${String(i + 1).padStart(2)}. ${style('cyan', h.kind.padEnd(9))} ${style('bold', printable(h.qualifiedName))}  ${style('dim', printable(`${h.repo}:${h.filePath}:${h.startLine}-${h.endLine}`))}`;
            const sig = `    ${printable(h.signature)}`;
            const why = h.matched.terms.length > 0 ? [style('dim', `    matched ${printable(h.matched.terms.join(' '))} in ${h.matched.fields.join(', ')}`)] : [];
            const twins = h.twins.length > 0 ? [style('dim', `    also in ${h.twins.map((t) => printable(t.filePath)).join(', ')}`)] : [];
            const id = style('dim', `    id: ${printable(h.id)}`);
            return [head, sig, ...(h.summary ? [style('dim', `    ${printable(h.summary)}`)] : []), ...why, ...twins, id].join('\n');
          });
          const note = result.weakMatch ? `${style('yellow', `Nothing matches "${printable(query)}" well; the nearest symbols:`)}\n` : '';
          process.stdout.write(`${note}${out.join('\n')}\n${style('dim', indexedNote(result.freshness, Date.now()))}\n`);
        }, { readOnly: true });
      }),
    );
}
