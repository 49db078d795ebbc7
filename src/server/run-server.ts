import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { settleTenantRemovals } from '../admin/delete-tenant.js';
import { describeRepairs, reconcileDataDir, type ReconcileReport } from '../admin/reconcile.js';
import { tenantGuard } from '../admin/tenant-guard.js';
import type { PctxConfig } from '../config.js';
import { openControlDb, type ControlPlane } from '../control/index.js';
import { createEmbedder } from '../engine/embed/create-embedder.js';
import { Engine } from '../engine/engine.js';
import { LOCAL_TENANT_ID, LOCAL_TENANT_NAME } from '../tenant-id.js';
import { ServeWatchers, describeWatchRun } from '../watch/serve-watchers.js';
import { setBackgroundNice } from '../util/thread-priority.js';
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
  // Before any worker starts: index runs and vector builds yield the CPU to requests.
  setBackgroundNice(config.server.backgroundNice);
  const control: ControlPlane = openControlDb(path.join(config.dataDir, 'control.db'));
  let engine: Engine | undefined;
  try {
    control.tenants.ensure({ id: LOCAL_TENANT_ID, name: LOCAL_TENANT_NAME });
    engine = new Engine({
      dataDir: config.dataDir,
      embedder: createEmbedder(config.embedding),
      ...(config.workers !== undefined ? { workers: config.workers } : {}),
      ...(config.maxFileBytes !== undefined ? { maxFileBytes: config.maxFileBytes } : {}),
      ...(config.searchAnswerCacheHits !== undefined ? { answerCacheHits: config.searchAnswerCacheHits } : {}),
      // A hosted index_folder reads only these folders (and the tenant's uploads).
      allowedRoots: config.hosting.allowedRoots,
      // Index runs and embedding fills off the thread that serves requests.
      indexThread: { embedding: config.embedding },
      pool: {
        // A tenant deleted by another process is refused, never re-created by a late request.
        tenantGuard: tenantGuard(control),
        ...(config.poolMaxHandles !== undefined ? { maxHandles: config.poolMaxHandles } : {}),
        ...(config.poolMaxVectorIndexes !== undefined ? { maxVectorIndexes: config.poolMaxVectorIndexes } : {}),
      },
    });
    // Restores and deletes a crash interrupted are finished, leftovers removed, and tenant
    // folders without a control-plane row adopted or reported, before the first request.
    reportRepairs(await reconcileDataDir({ control, pool: engine.pool }));
  } catch (err) {
    await engine?.close();
    control.close();
    throw err;
  }

  const watchers = config.watch.enabled && config.hosting.allowedRoots.length > 0 ? newWatchers(config, control, engine) : undefined;
  const app = buildServer({ config, control, engine, logger: options.logger ?? false, ...(watchers ? { watchers } : {}) });
  const pruner = new LogPruner({ requestLog: control.requestLog, retentionDays: config.requestLog.retentionDays });
  let url: string;
  try {
    url = await app.listen({ port: config.server.port, host: config.server.host });
  } catch (err) {
    await app.close();
    await watchers?.close();
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
        await watchers?.close();
        await ownedEngine.close();
        await settleTenantRemovals();
        control.close();
      }
    })());
  return { app, url, shutdown };
}

/** A line on stderr for each repair start-up made; nothing when all was in order. */
function reportRepairs(report: ReconcileReport): void {
  const lines = describeRepairs(report);
  for (const line of lines) process.stderr.write(`note: ${line}\n`);
}

/** Watches the repositories that lie under the allowed roots (uploads are re-sent, not watched). */
function newWatchers(config: Readonly<PctxConfig>, control: ControlPlane, engine: Engine): ServeWatchers {
  const roots = config.hosting.allowedRoots.map((r) => (r.endsWith(path.sep) ? r : r + path.sep));
  return new ServeWatchers({
    engine,
    dataDir: config.dataDir,
    quotaFor: (id) => control.tenants.get(id)?.quotaBytes ?? null,
    allowRoot: (root) => roots.some((r) => root === r.slice(0, -1) || root.startsWith(r)),
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
    onRun: (tenantId, repo, result) => {
      const line = describeWatchRun(repo, result);
      if (line !== null) process.stderr.write(`tenant ${tenantId}: ${line}\n`);
    },
  });
}
