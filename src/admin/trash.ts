import fs from 'node:fs';

/** Trash folders still being removed in the background, by this process. */
const removals = new Set<Promise<void>>();

/**
 * Resolves once every trash folder this process moved aside has been removed. A
 * process that exits waits for them anyway (each is a pending fs request); this lets
 * callers and tests wait on purpose.
 */
export async function settleTenantRemovals(): Promise<void> {
  await Promise.all([...removals]);
}

/**
 * Removes a folder that is already out of the live path (one rename put it in trash).
 * A crash halfway leaves a trash folder that start-up removes.
 */
export function removeInBackground(dir: string): Promise<void> {
  const removal = fs.promises
    .rm(dir, { recursive: true, force: true })
    .catch((err: unknown) => process.emitWarning(`could not remove ${dir}: ${(err as Error).message}`))
    .finally(() => removals.delete(removal));
  removals.add(removal);
  return removal;
}
