import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { loadConfig } from '../../config.js';
import { PctxError } from '../../errors.js';
import { MCP_CLIENTS, configLocation, installServerEntry, type ConfigScope, type McpClient, type McpServerEntry } from '../../setup/mcp-client-config.js';
import { printJson, style } from '../output.js';
import { action } from './common.js';

interface InstallOptions {
  client: McpClient | 'print';
  scope: ConfigScope;
  project?: string;
  configFile?: string;
  name: string;
  dataDir?: string;
  json?: boolean;
}

/** This checkout's built CLI: the entry an MCP client starts. */
function cliEntryPoint(): string {
  // dist/cli/commands/install-mcp.js (or src/… under tsx) → <package>/dist/cli/main.js
  const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const main = path.join(packageRoot, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) {
    throw new PctxError('INVALID_ARGUMENT', { option: 'install-mcp', reason: `${main} is missing; run "npm run build" in ${packageRoot} first` });
  }
  return main;
}

/** The stdio server entry with absolute paths, so the client can start it from any folder. */
export function serverEntry(dataDir: string): McpServerEntry {
  return { type: 'stdio', command: process.execPath, args: [cliEntryPoint(), 'serve', '--data-dir', dataDir] };
}

export function installMcpCommand(): Command {
  return new Command('install-mcp')
    .description("add PureContext to an MCP client's configuration (absolute paths to this checkout; other servers untouched, the old file backed up)")
    .addOption(new Option('--client <client>', 'which client to configure').choices([...MCP_CLIENTS, 'print']).default('print'))
    .addOption(new Option('--scope <scope>', 'user: every project; project: the --project folder only').choices(['user', 'project']).default('user'))
    .option('--project <dir>', 'project folder for --scope project (default: the current folder)')
    .option('--config-file <file>', "write this file instead of the client's standard location")
    .option('--name <name>', 'server name in the configuration', 'purecontext')
    .option('--data-dir <dir>', 'data folder the server uses (env PCTX_DATA_DIR)', process.env.PCTX_DATA_DIR)
    .option('--json', 'machine-readable output (see docs/cli.md)')
    .action(
      action(async (options: InstallOptions) => {
        const config = loadConfig(process.env, { dataDir: options.dataDir });
        const entry = serverEntry(config.dataDir);
        if (options.client === 'print') {
          const snippet = { mcpServers: { [options.name]: entry } };
          if (options.json) return printJson(snippet);
          process.stdout.write(`${JSON.stringify(snippet, null, 2)}\n`);
          return;
        }
        const file = path.resolve(
          options.configFile ?? configLocation({ client: options.client, scope: options.scope, projectDir: path.resolve(options.project ?? process.cwd()) }),
        );
        const result = installServerEntry(file, options.name, entry);
        if (options.json) return printJson({ client: options.client, ...result });
        const what = { created: 'Created', updated: 'Updated', unchanged: 'Already configured:' }[result.action];
        const lines = [`${style('green', '✔')} ${what} ${style('bold', file)} (server "${options.name}")`];
        if (result.backup) lines.push(style('dim', `  previous file kept as ${result.backup}`));
        lines.push(`  command  ${entry.command} ${entry.args.join(' ')}`);
        lines.push(`  Restart ${options.client === 'claude-desktop' ? 'Claude Desktop' : options.client === 'cursor' ? 'Cursor' : 'Claude Code'} to load it; then ask the agent to index a folder with index_folder.`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
