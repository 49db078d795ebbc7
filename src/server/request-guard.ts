import type { FastifyReply, FastifyRequest } from 'fastify';
import { extractApiKey, requirePermission, type ApiKeyAuthenticator, type Principal } from '../auth/authenticator.js';
import { rateLimitHeaders, rateLimitedError, type RateLimiter } from '../ratelimit/rate-limiter.js';
import type { ServerMetrics } from './metrics.js';

/**
 * Authentication and rate limiting, before any work. A request without a valid key is
 * charged to its client IP's bucket, so key guessing is throttled like any other
 * traffic; a valid key is charged to its tenant's bucket at its tier.
 */
export class RequestGuard {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limiter: RateLimiter,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Authenticates, checks the permission, and charges `cost` tokens unless the cost depends on the body. */
  admit(request: FastifyRequest, reply: FastifyReply): void {
    const guard = request.routeOptions.config.guard;
    if (!guard || guard.permission === 'public') return;
    const auth = this.authenticator.authenticate(extractApiKey(request.headers));
    if (!auth.ok) {
      this.charge(request, reply, `ip:${request.ip}`, null, 1, 'ip');
      request.pctx.refused = 'unauthorized';
      throw auth.error;
    }
    request.pctx.principal = auth.principal;
    requirePermission(auth.principal, guard.permission);
    if (guard.cost === 'tool') return;
    this.chargeTenant(request, reply, auth.principal, guard.operation !== undefined ? this.limiter.costOf(guard.operation) : (guard.cost ?? 1));
  }

  /** Charges the tenant's bucket; throws RATE_LIMITED (with the headers set) when empty. */
  chargeTenant(request: FastifyRequest, reply: FastifyReply, principal: Principal, cost: number): void {
    this.charge(request, reply, `tenant:${principal.tenantId}`, principal.tier, cost, 'tenant');
  }

  costOf(operation: string): number {
    return this.limiter.costOf(operation);
  }

  private charge(request: FastifyRequest, reply: FastifyReply, key: string, tier: string | null, cost: number, scope: 'ip' | 'tenant'): void {
    const result = this.limiter.check(key, tier, cost);
    const headers = rateLimitHeaders(result);
    request.pctx.rateHeaders = headers;
    reply.headers(headers);
    if (!result.allowed) {
      this.metrics.rateLimitHits.inc({ scope });
      request.pctx.refused = 'rate_limited';
      const error = rateLimitedError(result);
      error.details.cost = cost;
      throw error;
    }
  }
}
