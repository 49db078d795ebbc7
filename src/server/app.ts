import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator } from '../auth/authenticator.js';
import type { PctxConfig, TrustProxy } from '../config.js';
import type { ControlPlane, RequestStatus } from '../control/index.js';
import type { Engine } from '../engine/engine.js';
import { PctxError, isPctxError } from '../errors.js';
import { resolveArchiveLimits } from '../ingest/index.js';
import type { ServeWatchers } from '../watch/serve-watchers.js';
import { McpDispatcher, type CallScope, type ToolCallOutcome } from '../mcp/dispatch.js';
import { RateLimiter } from '../ratelimit/rate-limiter.js';
import { PACKAGE_VERSION } from '../version.js';
import { drainRequest } from './drain-request.js';
import { COMPRESS_MIN_BYTES, acceptsGzip, gzipBody } from './compression.js';
import { toHttpError } from './http-errors.js';
import { McpSessions } from './mcp-sessions.js';
import { ServerMetrics } from './metrics.js';
import { OpenApiBuilder } from './openapi.js';
import { RequestGuard } from './request-guard.js';
import './route-guard.js';
import { adminRoutes } from './routes/admin-routes.js';
import { archiveRoute } from './routes/archive-route.js';
import { restoreRoute } from './routes/restore-route.js';
import { healthRoutes } from './routes/health-routes.js';
import { mcpRoutes } from './routes/mcp-route.js';
import { repoRoutes } from './routes/repo-routes.js';

export interface ServerDeps {
  config: Pick<Readonly<PctxConfig>, 'server' | 'rateLimit' | 'hosting'>;
  control: ControlPlane;
  engine: Engine;
  /**
   * Clock in ms since the epoch, for token buckets, key touches and stats windows;
   * inject one in tests instead of sleeping.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Watchers of the tenants' repositories under allowed roots (owned by the caller);
   * absent: nothing is watched.
   */
  watchers?: ServeWatchers;
  /** fastify's logger (pino). @default false */
  logger?: boolean;
}

/** What a built server exposes besides fastify itself, for its owner and for tests. */
export interface PctxServerState {
  readonly authenticator: ApiKeyAuthenticator;
  readonly limiter: RateLimiter;
  readonly metrics: ServerMetrics;
  readonly sessions: McpSessions;
  readonly dispatcher: McpDispatcher;
  /** Set by `beginShutdown`: new requests get 503 SHUTTING_DOWN, readiness fails. */
  closing: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    pctx: PctxServerState;
  }
}

/** fastify's form of `server.trustProxy`: a hop count becomes the function fastify itself would make of it (its types omit numbers). */
function fastifyTrustProxy(setting: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

function closesAfterAnswer(request: FastifyRequest, reply: FastifyReply): boolean {
  const ours = reply.getHeader('connection');
  const theirs = request.headers.connection;
  return (
    (typeof ours === 'string' && ours.toLowerCase() === 'close') ||
    (typeof theirs === 'string' && theirs.toLowerCase().split(',').some((t) => t.trim() === 'close')) ||
    request.raw.httpVersion === '1.0'
  );
}

function logStatus(error: PctxError | null, refused: 'unauthorized' | 'rate_limited' | null): RequestStatus {
  if (refused) return refused;
  return error ? 'error' : 'success';
}

/**
 * Builds the HTTP service over an open control plane and engine, which stay owned by the
 * caller (the app closes neither; `onClose` only flushes the request log). Listen with
 * `app.listen({ port: 0, host: '127.0.0.1' })` in tests.
 *
 * Every request passes, in order: shutdown check → authentication (401 before the body is
 * read) → permission (403) → rate limit (429, keyed by tenant, or by client IP for
 * unauthenticated calls) → body parsing and validation → handler; the answer carries
 * the rate-limit headers whatever its status, and is counted in the metrics and, for
 * tool calls, uploads and admin calls, in the request log.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { control, engine, config } = deps;
  const bodyLimit = config.server.bodyLimit;

  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit,
    // Behind a reverse proxy `request.ip` (the key of unauthenticated rate limits) is the
    // proxy's unless its X-Forwarded-For is trusted; never trusted by default, as any
    // client could then pick its own bucket.
    trustProxy: fastifyTrustProxy(config.server.trustProxy),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  const metrics = new ServerMetrics({ pool: engine.pool, control });
  const authenticator = new ApiKeyAuthenticator({ apiKeys: control.apiKeys, now });
  const limiter = new RateLimiter(config.rateLimit, now);
  const guard = new RequestGuard(authenticator, limiter, metrics);
  const sessions = new McpSessions();
  // Stamped here with the server's clock (the control plane's may differ in tests); the
  // callers' entries are fresh literals, so they are stamped in place rather than copied.
  const appendLog = (entry: Parameters<ControlPlane['requestLog']['append']>[0]) => {
    entry.timestamp = new Date(now());
    try {
      control.requestLog.append(entry);
    } catch (err) {
      // A closed log (shutdown) must not turn a finished request into a failure.
      if (!app.pctx.closing) throw err;
    }
  };
  const watchers = deps.watchers;
  const dispatcher = new McpDispatcher({
    engine,
    version: PACKAGE_VERSION,
    ...(watchers ? { watchState: (tenantId: string) => watchers.watchState(tenantId) } : {}),
    onToolCall: (scope: CallScope, outcome: ToolCallOutcome) => {
      if (watchers) {
        // A tenant's folders are watched from its first tool call on; a new or deleted
        // repository changes what is watched.
        void watchers.watchTenant(scope.tenantId);
        watchers.afterToolCall(scope.tenantId, outcome.tool);
      }
      const status = outcome.error ? 'error' : 'success';
      metrics.toolCalls.inc({ tool: outcome.tool, status });
      if (isPctxError(outcome.error, 'QUOTA_EXCEEDED')) metrics.quotaExceeded.inc();
      appendLog({
        tenantId: scope.tenantId,
        tool: outcome.tool,
        durationMs: outcome.durationMs,
        status,
        errorCode: outcome.error?.code ?? null,
        errorMessage: outcome.error?.message ?? null,
      });
    },
  });
  app.decorate('pctx', { authenticator, limiter, metrics, sessions, dispatcher, closing: false });

  const openapi = new OpenApiBuilder();
  app.addHook('onRoute', (route) => openapi.collect(route));

  app.decorateRequest('pctx', null as never);
  // The per-request hooks take a callback rather than returning a promise: no promise and
  // microtask per hook on every request. A throw becomes done(err), as a rejection would.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    request.pctx = { principal: null, failure: null, refused: null, rateHeaders: null, logTool: null };
    try {
      if (app.pctx.closing) {
        reply.header('connection', 'close');
        throw new PctxError('SHUTTING_DOWN');
      }
      guard.admit(request, reply);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    try {
      logResponse(request, reply);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
  const logResponse = (request: FastifyRequest, reply: FastifyReply): void => {
    // fastify builds a new routeOptions object on each read: read it once.
    const routeOptions = request.routeOptions;
    const route = routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    const state = request.pctx;
    if (!state) return;
    const guardConfig = routeOptions.config?.guard;
    // MCP tool calls are logged by the dispatcher; here only what it never saw.
    const tool = guardConfig?.logAs ?? (state.refused || state.failure ? (state.logTool ?? (route === 'unmatched' ? null : `${request.method} ${route}`)) : null);
    if (tool === null) return;
    if (guardConfig?.permission === 'public') return;
    appendLog({
      tenantId: state.principal?.tenantId ?? null,
      tool,
      durationMs: reply.elapsedTime,
      status: logStatus(state.failure ?? (reply.statusCode >= 400 ? new PctxError('INTERNAL', { reason: `HTTP ${reply.statusCode}` }) : null), state.refused),
      errorCode: state.failure?.code ?? null,
      errorMessage: state.failure?.message ?? null,
    });
  };

  // Large JSON (and /metrics text) answers of every route, gzip-coded for clients that
  // accept it; POST /mcp codes its own answers (memoized, see routes/mcp-route.ts) and
  // marks them with Vary, as this does.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (typeof payload !== 'string' || payload.length < COMPRESS_MIN_BYTES || reply.hasHeader('vary') || reply.hasHeader('content-encoding')) return done(null, payload);
    reply.header('vary', 'Accept-Encoding');
    if (!acceptsGzip(request.headers['accept-encoding'])) return done(null, payload);
    reply.header('content-encoding', 'gzip');
    done(null, gzipBody(payload));
  });

  app.setErrorHandler(async (err, request, reply) => {
    // Whatever failed, a remote caller never reads where the server keeps its data.
    const error = engine.publicError(toHttpError(err, { bodyLimit, contentType: request.headers['content-type'] }));
    if (request.pctx) request.pctx.failure = error;
    if (error.code === 'PCTX_ERR_INTERNAL') request.log.error({ err }, 'internal error');
    if (isPctxError(error, 'RATE_LIMITED') && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(Number(error.details.retryAfterMs) / 1000))));
    }
    if (isPctxError(error, 'QUOTA_EXCEEDED')) metrics.quotaExceeded.inc();
    // Answered before the body was read (over the limit, refused by the guard) on a
    // connection that closes after the answer: read the rest first, or a client still
    // sending gets a reset instead of this error. A connection kept alive needs no wait:
    // Node reads and discards the rest of the body itself once the answer is sent.
    if (closesAfterAnswer(request, reply)) await drainRequest(request.raw);
    return reply.code(error.status).send({ error: error.toJSON() });
  });

  app.setNotFoundHandler(async (request, reply) => {
    const error = new PctxError('ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
    request.pctx.failure = error;
    return reply.code(404).send({ error: error.toJSON() });
  });

  app.register(healthRoutes, { control, engine, metrics, isClosing: () => app.pctx.closing });
  app.register(mcpRoutes, { dispatcher, sessions, guard, control, bodyLimit });
  app.register(repoRoutes, { engine });
  app.register(archiveRoute, {
    engine,
    control,
    limits: resolveArchiveLimits({
      maxCompressedBytes: config.hosting.maxArchiveBytes,
      maxExpandedBytes: config.hosting.maxArchiveExpandedBytes,
      maxFiles: config.hosting.maxArchiveFiles,
    }),
  });
  app.register(adminRoutes, { control, engine, rateLimit: config.rateLimit, now, startedAt });
  app.register(restoreRoute, { control, engine, maxBytes: config.hosting.maxRestoreBytes });
  app.get('/openapi.json', { config: { guard: { permission: 'public' } }, schema: { summary: 'This document' } }, async () => openapi.document());

  app.addHook('onClose', async () => {
    control.requestLog.flush();
    metrics.close();
  });
  return app;
}
