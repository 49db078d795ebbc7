import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { RepoWatchState } from '../engine/queries/index-status.js';
import { PctxError, toPctxError } from '../errors.js';
import { checkRequest } from './request-checks.js';
import { TOOLS, type ToolDefinition } from './tools.js';

export interface McpServerOptions {
  engine: Engine;
  /** Tenant every call of this server acts for (stdio: the local tenant). */
  tenantId: string;
  name?: string;
  version?: string;
  /** The tenant's quota, asked on every call so that an update applies at once. @default unlimited */
  quotaFor?: (tenantId: string) => number | null;
  /** Tools to expose; default all. The HTTP service narrows this by key permissions. */
  tools?: readonly ToolDefinition[];
  /** The live watcher state of the tenant's repositories, for get_index_status. */
  watchState?: (repo: string) => RepoWatchState | null;
  /** Observes every call, e.g. for the request log. */
  onCall?: (event: { tool: string; durationMs: number; error: PctxError | null }) => void;
}

const PROGRESS_INTERVAL_MS = 100;

function jsonSchemaOf(tool: ToolDefinition): Record<string, unknown> {
  const schema = z.toJSONSchema(z.strictObject(tool.shape), { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/** A tool failure as MCP clients should see it: isError with the registry code. */
export function toolError(err: PctxError): CallToolResult {
  const body = { error: err.toJSON() };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body };
}

function toolResult(value: unknown): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: value as Record<string, unknown>,
  };
}

/**
 * The MCP `Server` with two additions every transport gets:
 *
 * - Requests the SDK would answer with a raw zod dump as an internal error (`tools/call`
 *   without params, string `arguments`, a numeric tool name) are answered before they
 *   reach it: -32602 with one sentence, or a tool error as docs/tools.md promises.
 * - It counts tool calls in flight, so a transport whose input ends (stdin EOF) can let
 *   them finish and report before closing, instead of aborting them.
 */
export class PctxMcpServer extends Server {
  private running = 0;
  private waiters: (() => void)[] = [];

  /** Tool calls started and not yet answered. */
  get inFlight(): number {
    return this.running;
  }

  /** Resolves once no tool call is running (at once when none is). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** @internal Wraps one tool call for `inFlight` and `idle()`. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    const deliver = transport.onmessage;
    const guarded = (message: JSONRPCMessage, extra?: Parameters<NonNullable<Transport['onmessage']>>[1]) => {
      const answer = checkRequest(message, (err) => toolError(err));
      if (answer === null) return deliver?.(message, extra);
      transport.send(answer).catch((err: unknown) => this.onerror?.(err instanceof Error ? err : new Error(String(err))));
    };
    transport.onmessage = guarded as Transport['onmessage'];
  }
}

/**
 * Builds the MCP server over the engine. Tool inputs are validated by the engine (the
 * same schemas as published), so invalid arguments come back as tool errors with
 * PCTX_ERR_INVALID_ARGUMENT, not as protocol errors.
 */
export function createMcpServer(options: McpServerOptions): PctxMcpServer {
  const tools = options.tools ?? TOOLS;
  const byName = new Map(tools.map((t) => [t.name, t]));
  const listed = tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: jsonSchemaOf(t),
    annotations: { title: t.title, ...t.annotations },
  }));
  const server = new PctxMcpServer(
    { name: options.name ?? 'purecontext-mcp', version: options.version ?? '0.0.0' },
    { capabilities: { tools: {} } },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));

  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    server.track(async () => {
      const started = performance.now();
      const tool = byName.get(request.params.name);
      const token = request.params._meta?.progressToken;
      let lastSent = 0;
      const progress = (done: number, total: number | undefined, message: string) => {
        if (token === undefined) return;
        const now = performance.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS && (total === undefined || done < total)) return;
        lastSent = now;
        void extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, ...(total !== undefined ? { total } : {}), message } })
          .catch(() => {});
      };
      let failure: PctxError | null = null;
      try {
        if (!tool) throw new PctxError('INVALID_ARGUMENT', { option: 'name', reason: `unknown tool "${request.params.name}"` });
        const ctx = { tenantId: options.tenantId, quotaBytes: options.quotaFor?.(options.tenantId) ?? null, signal: extra.signal, progress, ...(options.watchState ? { watchState: options.watchState } : {}) };
        return toolResult(await tool.run(options.engine, request.params.arguments ?? {}, ctx));
      } catch (err) {
        failure = toPctxError(err);
        return toolError(failure);
      } finally {
        options.onCall?.({ tool: request.params.name, durationMs: performance.now() - started, error: failure });
      }
    }),
  );

  return server;
}
