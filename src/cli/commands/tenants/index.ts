import { Command } from 'commander';
import { backupTenantCommand } from './backup.js';
import { createTenantCommand } from './create.js';
import { deleteTenantCommand } from './delete.js';
import { listTenantsCommand } from './list.js';
import { restoreTenantCommand } from './restore.js';
import { showTenantCommand } from './show.js';
import { updateTenantCommand } from './update.js';

export function tenantsCommand(): Command {
  const cmd = new Command('tenants').description('manage tenants: create, list, show, update, delete, backup, restore');
  for (const sub of [createTenantCommand(), listTenantsCommand(), showTenantCommand(), updateTenantCommand(), deleteTenantCommand(), backupTenantCommand(), restoreTenantCommand()]) {
    cmd.addCommand(sub);
  }
  return cmd;
}
