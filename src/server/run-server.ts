import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { removeLeftovers, resumePendingDeletes, settleTenantRemovals } from '../admin/delete-tenant.js';
import type { PctxConfig } from '../config.js';
import { openControlDb, type ControlPlane } from '../control/index.js';
import { createEmbedder } from '../engine/embed/create-embedder.js';
import { Engine } from '../engine/engine.js';
import { LOCAL_TENANT_ID, LOCAL_TENANT_NAME } from '../tenant-id.js';
import { buildServer } from './app.js';
import { LogPruner } from './log-pruner.js';

export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port` as bound. */
  url: string;
  /**
   * Graceful shutdown: refuse new requests (503), wait for those in flight (closing
   * their connections after `server.shutdownTimeoutMs`), write the buffered request
   * log, stop the pruner, close every tenant handle and worker, close the control
   * plane. Called twice: returns the first call's promise.
   */
  shutdown(): Promise<void>;
}

/** Opens the data folder, builds the service, and listens on `config.server`. */
export async function startServer(config: Readonly<PctxConfig>, options: { logger?: boolean } = {}): Promise<RunningServer> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const control: ControlPlane = openControlDb(path.join(config.dataDir, 'control.db'));
  let engine: Engine | undefined;
  try {
    control.tenants.ensure({ id: LOCAL_TENANT_ID, name: LOCAL_TENANT_NAME });
    engine = new Engine({
      dataDir: config.dataDir,
      embedder: createEmbedder(config.embedding),
      ...(config.workers !== undefined ? { workers: config.workers } : {}),
      ...(config.maxFileBytes !== undefined ? { maxFileBytes: config.maxFileBytes } : {}),
      // A hosted index_folder reads only these folders (and the tenant's uploads).
      allowedRoots: config.hosting.allowedRoots,
      pool: {
        ...(config.poolMaxHandles !== undefined ? { maxHandles: config.poolMaxHandles } : {}),
        ...(config.poolMaxVectorIndexes !== undefined ? { maxVectorIndexes: config.poolMaxVectorIndexes } : {}),
      },
    });
    // A delete or restore that a crash interrupted is finished or cleaned up first.
    if (control.tenants.listDeleting().length > 0) await resumePendingDeletes({ control, pool: engine.pool });
    else removeLeftovers({ pool: engine.pool });
  } catch (err) {
    await engine?.close();
    control.close();
    throw err;
  }

  const app = buildServer({ config, control, engine, logger: options.logger ?? false });
  const pruner = new LogPruner({ requestLog: control.requestLog, retentionDays: config.requestLog.retentionDays });
  let url: string;
  try {
    url = await app.listen({ port: config.server.port, host: config.server.host });
  } catch (err) {
    await app.close();
    await engine.close();
    control.close();
    throw err;
  }
  pruner.start();

  let closing: Promise<void> | undefined;
  const ownedEngine = engine;
  const shutdown = () =>
    (closing ??= (async () => {
      app.pctx.closing = true;
      const force = setTimeout(() => app.server.closeAllConnections(), config.server.shutdownTimeoutMs);
      force.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(force);
        pruner.stop();
        await ownedEngine.close();
        await settleTenantRemovals();
        control.close();
      }
    })());
  return { app, url, shutdown };
}
