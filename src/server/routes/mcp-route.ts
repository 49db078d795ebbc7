import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCNotification, type JSONRPCRequest, type JSONRPCResponse } from '@modelcontextprotocol/sdk/types.js';
import type { ControlPlane } from '../../control/index.js';
import { PctxError } from '../../errors.js';
import { McpDispatcher, type CallScope } from '../../mcp/dispatch.js';
import { JSON_RPC_ERRORS, classifyMessage, rpcError, serializeResponse } from '../../mcp/json-rpc.js';
import { COMPRESS_MIN_BYTES, acceptsGzip, gzipBody, gzipResponse } from '../compression.js';
import type { McpSessions } from '../mcp-sessions.js';
import type { RequestGuard } from '../request-guard.js';

export interface McpRouteDeps {
  dispatcher: McpDispatcher;
  sessions: McpSessions;
  guard: RequestGuard;
  control: ControlPlane;
  bodyLimit: number;
}

const SESSION_HEADER = 'mcp-session-id';
const VERSION_HEADER = 'mcp-protocol-version';
/** JSON-RPC code the MCP SDK uses for "session not found". */
const SESSION_NOT_FOUND_RPC = -32001;

function sseEvent(message: JSONRPCResponse | JSONRPCNotification): string {
  return `event: message\ndata: ${'method' in message ? JSON.stringify(message) : serializeResponse(message)}\n\n`;
}

function accepts(request: FastifyRequest, type: string): boolean {
  const accept = request.headers.accept;
  return accept === undefined || accept.includes(type) || accept.includes('*/*');
}

/** The tool names a batch calls, for costing it and for the request log. */
function toolOf(request: JSONRPCRequest): string {
  if (request.method !== 'tools/call') return request.method;
  const name = (request.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : 'tools/call';
}

/**
 * `POST /mcp`: MCP Streamable HTTP. Authentication happened in the guard (a 401 before
 * the body is parsed); here the body is decoded, every request costed by the tool it
 * calls, charged to the tenant's bucket, and dispatched. Answers are one JSON body, or an
 * SSE stream when a tools/call asked for progress (sent a progressToken) and the client
 * accepts text/event-stream. `GET /mcp` is 405 (no server-initiated stream);
 * `DELETE /mcp` ends a session.
 */
export async function mcpRoutes(app: FastifyInstance, deps: McpRouteDeps): Promise<void> {
  // The body is parsed here, not by fastify, so that bad JSON is a JSON-RPC parse error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: deps.bodyLimit }, (_request, body, done) => done(null, body));

  app.post('/mcp', {
    config: { guard: { permission: 'read', cost: 'tool' } },
    schema: {
      summary: 'MCP Streamable HTTP endpoint (JSON-RPC 2.0)',
      description: 'initialize, ping, tools/list, tools/call. See docs/http-api.md.',
      headers: {
        type: 'object',
        properties: { [SESSION_HEADER]: { type: 'string', maxLength: 128 }, [VERSION_HEADER]: { type: 'string', maxLength: 32 } },
      },
    },
    handler: (request, reply) => handlePost(request, reply, deps),
  });

  app.get('/mcp', { config: { guard: { permission: 'read' } }, schema: { summary: 'No server-initiated stream: always 405' } }, async (request, reply) => {
    reply.header('allow', 'POST, DELETE');
    throw new PctxError('METHOD_NOT_ALLOWED', { method: 'GET', url: '/mcp', allow: 'POST, DELETE' });
  });

  app.delete(
    '/mcp',
    {
      config: { guard: { permission: 'read' } },
      schema: {
        summary: 'End an MCP session',
        headers: { type: 'object', required: [SESSION_HEADER], properties: { [SESSION_HEADER]: { type: 'string', minLength: 1, maxLength: 128 } } },
      },
    },
    async (request, reply) => {
      const id = request.headers[SESSION_HEADER] as string;
      if (!deps.sessions.delete(id, request.pctx.principal!.tenantId)) throw new PctxError('SESSION_NOT_FOUND', { sessionId: id });
      return reply.code(204).send();
    },
  );
}

/** A controller aborted when the client closes the connection before the answer is written. */
function abortOnClose(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  const closed = () => controller.abort(new PctxError('INTERNAL', { reason: 'the client closed the connection' }));
  if (reply.raw.destroyed) {
    if (!reply.raw.writableFinished) closed();
  } else {
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) closed();
    });
  }
  return controller;
}

async function handlePost(request: FastifyRequest, reply: FastifyReply, deps: McpRouteDeps): Promise<FastifyReply> {
  const principal = request.pctx.principal!;
  if (!accepts(request, 'application/json') && !accepts(request, 'text/event-stream')) {
    throw new PctxError('NOT_ACCEPTABLE', { expected: 'application/json, text/event-stream' });
  }
  const version = request.headers[VERSION_HEADER];
  if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    return reply.code(400).send(rpcError(null, JSON_RPC_ERRORS.invalidRequest, `Unsupported protocol version ${version}; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`));
  }
  const sessionId = request.headers[SESSION_HEADER];
  if (typeof sessionId === 'string' && !deps.sessions.get(sessionId, principal.tenantId)) {
    return reply.code(404).send(rpcError(null, SESSION_NOT_FOUND_RPC, new PctxError('SESSION_NOT_FOUND', { sessionId }).message));
  }

  let body: unknown;
  try {
    body = JSON.parse(request.body as string);
  } catch (err) {
    return reply.code(400).send(rpcError(null, JSON_RPC_ERRORS.parseError, `Parse error: ${(err as Error).message}`));
  }
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? (body as unknown[]) : [body];
  if (items.length === 0) return reply.code(400).send(rpcError(null, JSON_RPC_ERRORS.invalidRequest, 'Invalid Request: empty batch'));

  const requests: JSONRPCRequest[] = [];
  const invalid: JSONRPCResponse[] = [];
  for (const item of items) {
    const kind = classifyMessage(item);
    if (kind.kind === 'request') requests.push(kind.message);
    else if (kind.kind === 'invalid') invalid.push(rpcError(kind.id, JSON_RPC_ERRORS.invalidRequest, `Invalid Request: ${kind.reason}`));
  }

  // Rate limit before any work, costed by what the body asks for.
  const tools = requests.map(toolOf);
  request.pctx.logTool = tools.length > 0 ? tools.join(',').slice(0, 128) : null;
  const cost = tools.reduce((sum, tool) => sum + deps.guard.costOf(tool), 0);
  if (cost > 0) deps.guard.chargeTenant(request, reply, principal, cost);

  if (requests.length === 0) {
    if (invalid.length === 0) return reply.code(202).send();
    return reply.code(400).send(batch ? invalid : invalid[0]);
  }

  const tenantId = principal.tenantId;
  let abort: AbortController | undefined;
  const scope: CallScope = {
    tenantId,
    permissions: principal.permissions,
    quotaBytes: () => deps.control.tenants.get(tenantId)?.quotaBytes ?? null,
    // Made when a tool asks for it (an index run does, a search does not): an AbortController
    // and a listener per request are a measurable share of a search's cost.
    get signal() {
      return (abort ??= abortOnClose(reply)).signal;
    },
  };

  const single = !batch && invalid.length === 0 ? requests[0]! : null;
  const wantsProgress = single?.method === 'tools/call' && (single.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken !== undefined;
  if (single && wantsProgress && accepts(request, 'text/event-stream')) {
    const stream = new PassThrough();
    reply.header('content-type', 'text/event-stream').header('cache-control', 'no-cache');
    void deps.dispatcher
      .handle(single, { ...scope, notify: (notification) => stream.write(sseEvent(notification)) })
      .then((response) => stream.end(sseEvent(response)));
    return reply.send(stream);
  }

  const responses = await Promise.all(requests.map((r) => deps.dispatcher.handle(r, scope)));
  const init = requests.findIndex((r) => r.method === 'initialize');
  if (init >= 0) {
    const result = (responses[init] as { result?: { protocolVersion?: string } }).result;
    if (result?.protocolVersion) reply.header(SESSION_HEADER, deps.sessions.create(tenantId, result.protocolVersion));
  }
  reply.header('content-type', 'application/json');
  const text = batch ? `[${[...invalid, ...responses].map(serializeResponse).join(',')}]` : serializeResponse(responses[0]!);
  if (text.length < COMPRESS_MIN_BYTES) return reply.send(text);
  reply.header('vary', 'Accept-Encoding');
  if (!acceptsGzip(request.headers['accept-encoding'])) return reply.send(text);
  reply.header('content-encoding', 'gzip');
  return reply.send(batch ? gzipBody(text) : gzipResponse(responses[0]!));
}
