import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../../admin/admin-context.js';
import { backupTenant, newBackupWorkDir } from '../../admin/backup-tenant.js';
import { deleteTenant } from '../../admin/delete-tenant.js';
import { apiKeyView } from '../../auth/api-key-view.js';
import { issueApiKey } from '../../auth/issue-api-key.js';
import type { ControlPlane, Permission, TenantPatch } from '../../control/index.js';
import type { Engine } from '../../engine/engine.js';
import { invalidArgument } from '../../errors.js';
import type { RateLimitConfig } from '../../ratelimit/rate-limiter.js';
import { tenantJson, tenantUsage } from '../tenant-usage.js';
import { createKeyBody, createTenantBody, keyPrefixParams, patchTenantBody, statsQuery, tenantIdParams } from './schemas.js';

export interface AdminRouteDeps {
  control: ControlPlane;
  engine: Engine;
  rateLimit: Readonly<RateLimitConfig>;
  /** Milliseconds since the epoch; the server's clock. */
  now: () => number;
  startedAt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const admin = (logAs: string) => ({ guard: { permission: 'admin' as const, logAs } });

/** The admin REST API: tenants, their keys, stats and backups. Every route needs the admin permission. */
export async function adminRoutes(app: FastifyInstance, deps: AdminRouteDeps): Promise<void> {
  const { control, engine } = deps;
  const adminCtx: AdminContext = { control, pool: engine.pool, writeLock: (tenantId, fn) => engine.withWriteLock(tenantId, () => fn()) };

  app.post('/admin/tenants', { config: admin('admin.createTenant'), schema: { summary: 'Create a tenant', body: createTenantBody } }, async (request, reply) => {
    const body = request.body as { name: string; quotaBytes?: number | null; settings?: Record<string, unknown> };
    const tenant = control.tenants.create(body);
    return reply.code(201).send(tenantJson(tenant));
  });

  app.get('/admin/tenants', { config: admin('admin.listTenants'), schema: { summary: 'List tenants' } }, async () => ({
    tenants: control.tenants.list().map((t) => tenantJson(t)),
  }));

  app.get('/admin/tenants/:id', { config: admin('admin.getTenant'), schema: { summary: 'One tenant with its storage use', params: tenantIdParams } }, async (request) => {
    const tenant = control.tenants.require((request.params as { id: string }).id);
    const usage = await tenantUsage(engine, tenant);
    return { ...tenantJson(tenant, usage.storageBytes), repos: usage.repos, symbols: usage.symbols, keys: control.apiKeys.countByTenant(tenant.id) };
  });

  app.patch(
    '/admin/tenants/:id',
    { config: admin('admin.updateTenant'), schema: { summary: 'Change name, quota or settings', params: tenantIdParams, body: patchTenantBody } },
    async (request) => {
      const tenant = control.tenants.require((request.params as { id: string }).id);
      return tenantJson(control.tenants.update(tenant.id, request.body as TenantPatch));
    },
  );

  app.delete(
    '/admin/tenants/:id',
    { config: admin('admin.deleteTenant'), schema: { summary: 'Delete a tenant: its keys stop working at once, its files are removed', params: tenantIdParams } },
    async (request) => deleteTenant(adminCtx, (request.params as { id: string }).id),
  );

  app.post(
    '/admin/tenants/:id/keys',
    { config: admin('admin.createKey'), schema: { summary: 'Create an API key (shown once)', params: tenantIdParams, body: createKeyBody } },
    async (request, reply) => {
      const tenant = control.tenants.require((request.params as { id: string }).id);
      const body = request.body as { permissions: Permission[]; tier?: string; label?: string; test?: boolean };
      const tier = body.tier ?? 'standard';
      if (!(tier in deps.rateLimit.tiers)) throw invalidArgument('tier', `unknown tier; configured: ${Object.keys(deps.rateLimit.tiers).join(', ')}`);
      const issued = issueApiKey(control.apiKeys, {
        tenantId: tenant.id,
        permissions: body.permissions,
        tier,
        label: body.label ?? null,
        environment: body.test ? 'test' : 'live',
      });
      return reply.code(201).send({ key: issued.key, ...apiKeyView(issued.record) });
    },
  );

  app.get('/admin/tenants/:id/keys', { config: admin('admin.listKeys'), schema: { summary: "A tenant's keys, revoked included", params: tenantIdParams } }, async (request) => {
    const tenant = control.tenants.require((request.params as { id: string }).id);
    return { keys: control.apiKeys.listByTenant(tenant.id).map(apiKeyView) };
  });

  app.delete('/admin/keys/:prefix', { config: admin('admin.revokeKey'), schema: { summary: 'Revoke a key by its prefix', params: keyPrefixParams } }, async (request) =>
    apiKeyView(control.apiKeys.revokeByPrefix((request.params as { prefix: string }).prefix)),
  );

  app.get('/admin/stats', { config: admin('admin.stats'), schema: { summary: 'Service totals and the last 24 hours of requests' } }, async () => {
    const tenants = control.tenants.list().filter((t) => t.status === 'active');
    const totals = { repos: 0, symbols: 0, storageBytes: 0 };
    for (const tenant of tenants) {
      const usage = await tenantUsage(engine, tenant);
      totals.repos += usage.repos;
      totals.symbols += usage.symbols;
      totals.storageBytes += usage.storageBytes;
    }
    const stats = control.requestLog.stats({ since: new Date(deps.now() - DAY_MS) });
    return {
      tenants: tenants.length,
      ...totals,
      requests_24h: stats.requests,
      errors_24h: stats.errors,
      rate_limit_hits_24h: stats.rateLimited,
      uptimeSeconds: Math.round((deps.now() - deps.startedAt) / 1000),
    };
  });

  app.get(
    '/admin/tenants/:id/stats',
    { config: admin('admin.tenantStats'), schema: { summary: "A tenant's usage and requests", params: tenantIdParams, querystring: statsQuery } },
    async (request) => {
      const tenant = control.tenants.require((request.params as { id: string }).id);
      const { since } = request.query as { since?: string };
      const sinceDate = since === undefined ? new Date(deps.now() - DAY_MS) : new Date(since);
      const usage = await tenantUsage(engine, tenant);
      const requests = control.requestLog.stats({ since: sinceDate, tenantId: tenant.id });
      return { tenantId: tenant.id, name: tenant.name, ...usage, quotaBytes: tenant.quotaBytes, since: sinceDate.toISOString(), requests: { ...requests, byTool: { ...requests.byTool } } };
    },
  );

  app.post(
    '/admin/tenants/:id/backup',
    { config: admin('admin.backupTenant'), schema: { summary: 'Back up a tenant; the answer is the tar.gz archive', params: tenantIdParams } },
    async (request, reply) => {
      const tenant = control.tenants.require((request.params as { id: string }).id);
      // Named like backup work folders, so a server killed mid-answer has it removed at its next start.
      const dir = newBackupWorkDir();
      const file = path.join(dir, `${tenant.name}.tar.gz`);
      try {
        const result = await backupTenant(adminCtx, tenant.id, file);
        const stream = fs.createReadStream(file);
        // The file is unlinked once open: the stream keeps reading it, nothing is left behind.
        stream.once('open', () => fs.rmSync(dir, { recursive: true, force: true }));
        stream.once('error', () => fs.rmSync(dir, { recursive: true, force: true }));
        return reply
          .header('content-type', 'application/gzip')
          .header('content-length', String(result.bytes))
          .header('content-disposition', `attachment; filename="${tenant.name}-${result.manifest.createdAt.replace(/[:.]/g, '-')}.tar.gz"`)
          .send(stream);
      } catch (err) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    },
  );
}
