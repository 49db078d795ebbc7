import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/index.js';
import type { Engine } from '../../engine/engine.js';
import { PctxError, toPctxError } from '../../errors.js';
import { LOCAL_TENANT_ID } from '../../tenant-id.js';
import { tenantsRoot } from '../../tenant/tenant-paths.js';
import type { ServerMetrics } from '../metrics.js';

export interface HealthRouteDeps {
  control: ControlPlane;
  engine: Engine;
  metrics: ServerMetrics;
  isClosing: () => boolean;
}

/** Liveness, readiness and Prometheus metrics. */
export async function healthRoutes(app: FastifyInstance, deps: HealthRouteDeps): Promise<void> {
  app.get('/healthz', { config: { guard: { permission: 'public' } }, schema: { summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { config: { guard: { permission: 'public' } }, schema: { summary: 'Readiness: the control plane answers and tenant files are writable' } },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      try {
        if (deps.isClosing()) throw new PctxError('SHUTTING_DOWN');
        deps.control.tenants.get(LOCAL_TENANT_ID);
        checks.controlPlane = 'ok';
        const root = tenantsRoot(deps.engine.pool.dataDir);
        fs.mkdirSync(root, { recursive: true, mode: 0o700 });
        fs.accessSync(root, fs.constants.R_OK | fs.constants.W_OK);
        const pool = deps.engine.pool.metrics();
        checks.pool = `ok (${pool.open} open, ${pool.leased} leased)`;
        return { status: 'ready', checks };
      } catch (err) {
        // Public route: the reason (an OS error naming the tenants folder, say) must not say where data lives.
        const error = deps.engine.publicError(toPctxError(err));
        return reply.code(503).send({ status: 'not_ready', checks, error: error.toJSON() });
      }
    },
  );

  app.get('/metrics', { config: { guard: { permission: 'admin' } }, schema: { summary: 'Prometheus metrics (text exposition format)' } }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
