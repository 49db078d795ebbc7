import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type PctxConfig } from '../config.js';
import { openControlDb, type ControlPlane, type Tenant } from '../control/index.js';
import { PctxError } from '../errors.js';
import { createEmbedder } from '../engine/embed/create-embedder.js';
import { Engine } from '../engine/engine.js';
import { LOCAL_TENANT_ID, LOCAL_TENANT_NAME } from '../tenant/tenant-paths.js';
import type { AdminContext } from '../admin/admin-context.js';
import { settleTenantRemovals } from '../admin/delete-tenant.js';
import { describeRepairs, reconcileDataDir, type ReconcileReport } from '../admin/reconcile.js';
import { tenantGuard } from '../admin/tenant-guard.js';

export { tenantGuard } from '../admin/tenant-guard.js';
import { style } from './output.js';

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

/** Creates the data folder, or says in a sentence why it cannot be used. */
function prepareDataDir(dataDir: string): void {
  const fail = (reason: string, cause?: unknown) => new PctxError('DATA_DIR_INVALID', { path: path.resolve(dataDir), reason }, { cause });
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw fail('it (or a folder above it) is a file, not a folder', err);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw fail('no permission to create it', err);
    throw fail((err as Error).message, err);
  }
  if (!fs.statSync(dataDir).isDirectory()) throw fail('it is not a folder');
  try {
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch (err) {
    throw fail('it is not writable', err);
  }
}

/** A line on stderr for each repair start-up made; nothing when all was in order. */
function reportRepairs(report: ReconcileReport): void {
  const lines = describeRepairs(report);
  for (const line of lines) process.stderr.write(style('dim', `note: ${line}\n`, process.stderr));
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
export async function withContext<T>(options: CommonOptions, fn: (ctx: CliContext) => Promise<T>, settings: ContextMode & ContextSettings = {}): Promise<T> {
  const config = loadConfig(process.env, { dataDir: options.dataDir });
  if (settings.readOnly && !fs.existsSync(controlDbPath(config.dataDir))) throw new PctxError('NOTHING_INDEXED', { dataDir: config.dataDir });
  prepareDataDir(config.dataDir);
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
          ...(config.searchAnswerCacheHits !== undefined ? { answerCacheHits: config.searchAnswerCacheHits } : {}),
          pool: {
            tenantGuard: tenantGuard(control),
            vectorReads: settings.vectorReads ?? 'file',
            ...(config.poolMaxHandles !== undefined ? { maxHandles: config.poolMaxHandles } : {}),
            ...(config.poolMaxVectorIndexes !== undefined ? { maxVectorIndexes: config.poolMaxVectorIndexes } : {}),
          },
        }));
    // A delete or restore that a crash interrupted is finished, and leftovers removed, first.
    reportRepairs(await reconcileDataDir({ control, pool: getEngine().pool }));
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
