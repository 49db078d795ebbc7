import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type PctxConfig } from '../config.js';
import { openControlDb, type ControlPlane, type Tenant } from '../control/index.js';
import { createEmbedder } from '../engine/embed/create-embedder.js';
import { Engine } from '../engine/engine.js';
import { PctxError } from '../errors.js';
import { LOCAL_TENANT_ID, LOCAL_TENANT_NAME } from '../tenant/tenant-paths.js';
import type { AdminContext } from '../admin/admin-context.js';
import { removeLeftovers, resumePendingDeletes, settleTenantRemovals } from '../admin/delete-tenant.js';

/** How a command uses the data folder. */
export interface ContextMode {
  /**
   * The command only reads the index: a data folder without a control database is
   * refused with NOTHING_INDEXED instead of being created (a read run in the wrong
   * directory used to leave a fresh `data/` there and answer "No symbols match").
   * @default false
   */
  readOnly?: boolean;
}

/** Options every subcommand accepts. */
export interface CommonOptions {
  json?: boolean;
  dataDir?: string;
  tenant?: string;
}

export interface CliContext {
  readonly config: Readonly<PctxConfig>;
  readonly control: ControlPlane;
  /** The tenant named by --tenant, or `local`. */
  readonly tenant: Tenant;
  /** Created on first use: commands that only touch the control plane never start workers. */
  engine(): Engine;
  /** Control plane and tenant pool, for lifecycle operations (delete, backup, restore). */
  admin(): AdminContext;
}

export function controlDbPath(dataDir: string): string {
  return path.join(dataDir, 'control.db');
}

/**
 * Opens the control plane (creating the data dir and the `local` tenant on first use),
 * resolves --tenant, runs `fn`, and closes everything, also on failure.
 */
export async function withContext<T>(options: CommonOptions, fn: (ctx: CliContext) => Promise<T>, mode: ContextMode = {}): Promise<T> {
  const config = loadConfig(process.env, { dataDir: options.dataDir });
  if (mode.readOnly && !fs.existsSync(controlDbPath(config.dataDir))) throw new PctxError('NOTHING_INDEXED', { dataDir: config.dataDir });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const control = openControlDb(controlDbPath(config.dataDir));
  let engine: Engine | undefined;
  try {
    control.tenants.ensure({ id: LOCAL_TENANT_ID, name: LOCAL_TENANT_NAME });
    const getEngine = () =>
      (engine ??= new Engine({
          dataDir: config.dataDir,
          embedder: createEmbedder(config.embedding),
          ...(config.workers !== undefined ? { workers: config.workers } : {}),
          ...(config.maxFileBytes !== undefined ? { maxFileBytes: config.maxFileBytes } : {}),
          pool: {
            ...(config.poolMaxHandles !== undefined ? { maxHandles: config.poolMaxHandles } : {}),
            ...(config.poolMaxVectorIndexes !== undefined ? { maxVectorIndexes: config.poolMaxVectorIndexes } : {}),
          },
        }));
    // A delete or restore that a crash interrupted is finished or cleaned up first.
    if (control.tenants.listDeleting().length > 0) await resumePendingDeletes({ control, pool: getEngine().pool });
    else removeLeftovers({ pool: getEngine().pool });
    const tenant = control.tenants.require(options.tenant ?? LOCAL_TENANT_ID);
    const ctx: CliContext = {
      config,
      control,
      tenant,
      engine: getEngine,
      admin: () => ({ control, pool: getEngine().pool }),
    };
    return await fn(ctx);
  } finally {
    await settleTenantRemovals();
    await engine?.close();
    control.close();
  }
}
