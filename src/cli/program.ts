import { Command } from 'commander';
import { PACKAGE_VERSION } from '../version.js';
import { depsCommand, importersCommand } from './commands/deps.js';
import { indexCommand } from './commands/index-cmd.js';
import { keysCommand } from './commands/keys/index.js';
import { installMcpCommand } from './commands/install-mcp.js';
import { outlineCommand } from './commands/outline.js';
import { pushCommand } from './commands/push.js';
import { removeCommand } from './commands/remove.js';
import { reposCommand } from './commands/repos.js';
import { searchCommand } from './commands/search.js';
import { serveCommand } from './commands/serve.js';
import { sourceCommand } from './commands/source.js';
import { statusCommand } from './commands/status.js';
import { tenantsCommand } from './commands/tenants/index.js';

export function buildProgram(): Command {
  const program = new Command('purecontext-mcp')
    .description('Code context for AI agents: index source folders, search and read code cheaply (MCP server + CLI)')
    .version(PACKAGE_VERSION)
    .showHelpAfterError()
    .showSuggestionAfterError();
  for (const cmd of [indexCommand(), searchCommand(), sourceCommand(), outlineCommand(), reposCommand(), statusCommand(), removeCommand(), importersCommand(), depsCommand(), pushCommand(), serveCommand(), tenantsCommand(), keysCommand(), installMcpCommand()]) {
    program.addCommand(cmd);
  }
  return program;
}
