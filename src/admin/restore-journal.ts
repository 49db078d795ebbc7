import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PctxError, isPctxError } from '../errors.js';
import type { Tenant } from '../control/index.js';
import { TENANT_ID_PATTERN, classifyTenantsEntry, restoreJournalPath, tenantsRoot, uniqueTrashPath } from '../tenant/tenant-paths.js';
import { fsyncPath, writeFileAtomic } from '../util/atomic-file.js';
import { crashPoint } from '../util/crash-point.js';
import { isProcessAlive } from '../util/process-alive.js';
import type { AdminContext } from './admin-context.js';
import { removeInBackground } from './trash.js';

/**
 * The intent of a restore that has verified its staging folder and is about to swap it
 * in: written (temp file, fsync, rename, folder fsync) before the first rename, removed
 * after the control-plane row is written. It is the restore's commit point: a crash
 * after it is finished forward by the next start (`recoverRestores`), a crash before it
 * leaves the old tenant untouched and a staging folder that start-up removes. Either
 * way the tenant is the old one or the new one, never empty, and no copy is deleted
 * while it is the only one.
 */
const journalSchema = z.strictObject({
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  /** Name of the staging folder under tenants/. */
  staging: z.string().regex(/^\.staging-[A-Za-z0-9-]+$/),
  /** Name under tenants/ the live folder moves to. */
  trash: z.string().regex(/^\.trash-[0-9a-f]{8}\.[0-9a-f-]+$/),
  tenant: z.strictObject({
    name: z.string().min(1).max(64),
    settings: z.record(z.string(), z.unknown()),
    quotaBytes: z.number().int().positive().nullable(),
  }),
  pid: z.number().int().positive(),
  createdAt: z.string(),
});

export type RestoreJournal = z.infer<typeof journalSchema>;

export function writeRestoreJournal(dataDir: string, journal: RestoreJournal): void {
  writeFileAtomic(restoreJournalPath(dataDir, journal.tenantId), `${JSON.stringify(journal, null, 2)}\n`);
}

function readRestoreJournal(file: string): RestoreJournal | null {
  try {
    const parsed = journalSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Swaps the staged folder in and writes the tenant's row. Idempotent, so the restore
 * itself and a recovery after a crash at any step run the same code:
 * 1. staging still there → move a live folder (old data, or one a process created
 *    meanwhile) to trash, then staging into place;
 * 2. create or update the control-plane row;
 * 3. remove the journal;
 * then the trash is removed in the background. The caller blocks the tenant in its pool.
 */
export function applyRestore(ctx: AdminContext, journal: RestoreJournal): { tenant: Tenant | null; removed: Promise<void> } {
  const root = tenantsRoot(ctx.pool.dataDir);
  const live = ctx.pool.paths(journal.tenantId);
  const staging = path.join(root, journal.staging);
  const trash = path.join(root, journal.trash);
  const trashed: string[] = [];
  if (fs.existsSync(staging)) {
    if (fs.existsSync(live.dir)) {
      const target = fs.existsSync(trash) ? uniqueTrashPath(live) : trash;
      fs.renameSync(live.dir, target);
      trashed.push(target);
      crashPoint('restore.live-moved-to-trash');
    }
    fs.renameSync(staging, live.dir);
    fsyncPath(root);
    crashPoint('restore.staging-moved-into-place');
  }
  if (fs.existsSync(trash) && !trashed.includes(trash)) trashed.push(trash);
  const tenant = writeRow(ctx, journal);
  crashPoint('restore.row-written');
  fs.rmSync(restoreJournalPath(ctx.pool.dataDir, journal.tenantId), { force: true });
  fsyncPath(root);
  crashPoint('restore.journal-removed');
  return { tenant, removed: Promise.all(trashed.map(removeInBackground)).then(() => undefined) };
}

function writeRow(ctx: AdminContext, journal: RestoreJournal): Tenant | null {
  const { tenantId } = journal;
  const row = journal.tenant;
  const current = ctx.control.tenants.get(tenantId);
  try {
    if (current?.id === tenantId) return ctx.control.tenants.update(tenantId, row);
    return ctx.control.tenants.create({ id: tenantId, ...row });
  } catch (err) {
    // A delete began meanwhile: it owns the folder now and will remove it.
    if (isPctxError(err, 'TENANT_DELETING')) return null;
    if (!isPctxError(err, 'TENANT_EXISTS')) throw err;
    // The name was taken meanwhile (only possible when a crash left this journal for a
    // while): keep the data reachable under a name derived from the id.
    const name = `restored-${tenantId}`;
    return current?.id === tenantId ? ctx.control.tenants.update(tenantId, { ...row, name }) : ctx.control.tenants.create({ id: tenantId, ...row, name });
  }
}

/**
 * Finishes every restore whose journal a crashed process left behind (its pid is no
 * longer running); journals of live processes are theirs to finish. Call at start-up,
 * before removing leftovers (the journal's staging and trash folders are not leftovers
 * until it is done). Returns the tenant ids recovered and journals that could not be read.
 */
export async function recoverRestores(ctx: AdminContext): Promise<{ recovered: string[]; unreadable: string[] }> {
  const root = tenantsRoot(ctx.pool.dataDir);
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return { recovered: [], unreadable: [] };
  }
  const recovered: string[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    const entry = classifyTenantsEntry(name);
    if (entry.kind !== 'journal') continue;
    const file = path.join(root, name);
    const journal = readRestoreJournal(file);
    if (journal === null || journal.tenantId !== entry.tenantId) {
      unreadable.push(file);
      continue;
    }
    if (journal.pid !== process.pid && isProcessAlive(journal.pid)) continue;
    await ctx.pool.block(journal.tenantId, new PctxError('TENANT_DELETING', { tenantId: journal.tenantId }, { message: `Tenant "${journal.tenantId}" is being restored` }));
    try {
      await applyRestore(ctx, journal).removed;
    } finally {
      ctx.pool.unblock(journal.tenantId);
    }
    recovered.push(journal.tenantId);
  }
  return { recovered, unreadable };
}
