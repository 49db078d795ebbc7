import type { Principal } from '../auth/authenticator.js';
import type { Permission } from '../control/index.js';
import type { PctxError } from '../errors.js';

/**
 * What a route declares about itself, in its fastify `config`: who may call it, what a
 * call costs in rate-limit tokens, and how it appears in the request log.
 */
export interface RouteGuard {
  /** Permission needed; `public` routes (health, OpenAPI) skip authentication. */
  permission: Permission | 'public';
  /**
   * Tokens a call costs, checked before the body is read. `tool`: the MCP endpoint
   * costs each call by the tool it invokes, after parsing the JSON-RPC body.
   * @default 1
   */
  cost?: number | 'tool';
  /** Charge what this operation costs in `rateLimit.perToolLimits` (e.g. `upload_archive`) instead of `cost`. */
  operation?: string;
  /** Name in the request log and metrics, e.g. `admin.createTenant`; unset: not logged. */
  logAs?: string;
}

/** Per-request state the guard and handlers share. */
export interface RequestState {
  principal: Principal | null;
  /** Set when a request was refused or failed, so the request log records the code. */
  failure: PctxError | null;
  /** Set by the guard when it refused the request (401 or 429 before any work). */
  refused: 'unauthorized' | 'rate_limited' | null;
  /** Rate-limit headers for this request, added to the answer whatever its status. */
  rateHeaders: Record<string, string> | null;
  /** Name for the request log when it is known only from the body (the MCP tool). */
  logTool: string | null;
}

declare module 'fastify' {
  /** OpenAPI descriptions, read by openapi.ts. */
  interface FastifySchema {
    summary?: string;
    description?: string;
  }
  interface FastifyContextConfig {
    guard?: RouteGuard;
  }
  interface FastifyRequest {
    pctx: RequestState;
  }
}
