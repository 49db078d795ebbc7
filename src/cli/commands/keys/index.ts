import { Command } from 'commander';
import { createKeyCommand } from './create.js';
import { listKeysCommand } from './list.js';
import { revokeKeyCommand } from './revoke.js';

export function keysCommand(): Command {
  const cmd = new Command('keys').description('manage API keys for the HTTP server: create, list, revoke');
  for (const sub of [createKeyCommand(), listKeysCommand(), revokeKeyCommand()]) cmd.addCommand(sub);
  return cmd;
}
