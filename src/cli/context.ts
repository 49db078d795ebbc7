import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type PctxConfig } from '../config.js';
import { openControlDb, type ControlPlane, type Tenant } from '../control/index.js';
import { createEmbedder } from '../engine/embed/create-embedder.js';
import { Engine } from '../engine/engine.js';
import { LOCAL_TENANT_ID, LOCAL_TENANT_NAME } from '../tenant/tenant-paths.js';
import type { AdminContext } from '../admin/admin-context.js';
import { removeLeftovers, resumePendingDeletes, settleTenantRemovals } from '../admin/delete-tenant.js';

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

/** How a command uses the engine, beyond its options. */
export interface ContextSettings {
  /**
   * How semantic search reads HNSW files. A one-shot command asks one question, so it
   * reads the few graph nodes the query visits (`file`); `serve` loads each tenant's graph
   * once (`memory`).
   * @default 'file'
   */
  vectorReads?: 'memory' | 'file';
}

/**
 * Opens the control plane (creating the data dir and the `local` tenant on first use),
 * resolves --tenant, runs `fn`, and closes everything, also on failure.
 */
export async function withContext<T>(options: CommonOptions, fn: (ctx: CliContext) => Promise<T>, settings: ContextSettings = {}): Promise<T> {
  const config = loadConfig(process.env, { dataDir: options.dataDir });
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
            vectorReads: settings.vectorReads ?? 'file',
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
