import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { repoNameParams } from './schemas.js';

/** Tenant-facing REST routes over the engine; the tenant is the key's. */
export async function repoRoutes(app: FastifyInstance, deps: { engine: Engine }): Promise<void> {
  app.get('/v1/repos', { config: { guard: { permission: 'read', logAs: 'list_repos' } }, schema: { summary: "The key's tenant's repositories" } }, async (request) =>
    deps.engine.listRepos(request.pctx.principal!.tenantId),
  );

  app.delete(
    '/v1/repos/:name',
    { config: { guard: { permission: 'write', logAs: 'delete_repo' } }, schema: { summary: 'Delete a repository and everything indexed from it', params: repoNameParams } },
    async (request) => deps.engine.deleteRepo(request.pctx.principal!.tenantId, { repo: (request.params as { name: string }).name }),
  );
}
