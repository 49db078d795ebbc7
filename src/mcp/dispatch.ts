import {
  CallToolRequestParamsSchema,
  InitializeRequestParamsSchema,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type CallToolResult,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type ProgressToken,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { RepoWatchState } from '../engine/queries/index-status.js';
import { PctxError, toPctxError } from '../errors.js';
import { JSON_RPC_ERRORS, rpcError, rpcResult } from './json-rpc.js';
import { toolError } from './mcp-server.js';
import { TOOLS, type ToolContext, type ToolDefinition } from './tools.js';

/**
 * A lean MCP request dispatcher for the HTTP transport: one object per process, called
 * once per JSON-RPC request with the caller's tenant and permissions. The SDK's `Server`
 * keeps per-connection state and costs several times a keyword search per request when
 * built or connected per call; this keeps the SDK's schemas and types and answers the
 * few methods a tools-only server needs (initialize, ping, tools/list, tools/call).
 */

export type ToolPermission = 'read' | 'write' | 'admin';

export interface CallScope {
  tenantId: string;
  permissions: readonly ToolPermission[];
  /** The tenant's storage quota now (null: unlimited), asked per call so an update applies at once. */
  quotaBytes: () => number | null;
  signal: AbortSignal;
  /** Sends a notification on the response stream; absent when the answer is a plain JSON body. */
  notify?: (notification: JSONRPCNotification) => void;
}

export interface ToolCallOutcome {
  tool: string;
  durationMs: number;
  error: PctxError | null;
}

export interface McpDispatcherOptions {
  engine: Engine;
  /** @default TOOLS */
  tools?: readonly ToolDefinition[];
  name?: string;
  version?: string;
  /** The live watcher state of a tenant's repositories, for get_index_status. */
  watchState?: (tenantId: string) => (repo: string) => RepoWatchState | null;
  /** Observes every tools/call of a known tool (request log, metrics). */
  onToolCall?: (scope: CallScope, outcome: ToolCallOutcome) => void;
}

const PROGRESS_INTERVAL_MS = 100;

interface ListedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

function listedTool(tool: ToolDefinition): ListedTool {
  const schema = z.toJSONSchema(z.strictObject(tool.shape), { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  delete schema.$schema;
  return { name: tool.name, title: tool.title, description: tool.description, inputSchema: schema, annotations: { title: tool.title, ...tool.annotations } };
}

/** First zod issue as one readable line: the path and the message, never the whole dump. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid params';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** Tool results by the answer they carry: an answer returned again gets the same result (and its serialized text, json-rpc.ts). */
const toolResults = new WeakMap<object, CallToolResult>();

function toolResult(value: unknown): CallToolResult {
  const reused = typeof value === 'object' && value !== null ? toolResults.get(value) : undefined;
  if (reused) return reused;
  const result: CallToolResult = { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> };
  if (typeof value === 'object' && value !== null) toolResults.set(value, result);
  return result;
}

export class McpDispatcher {
  readonly tools: readonly ToolDefinition[];
  private readonly engine: Engine;
  private readonly byName: ReadonlyMap<string, { tool: ToolDefinition; listed: ListedTool }>;
  private readonly listings = new Map<string, { tools: ListedTool[] }>();
  private readonly serverInfo: { name: string; version: string };
  private readonly onToolCall: McpDispatcherOptions['onToolCall'];
  private readonly watchState: McpDispatcherOptions['watchState'];

  constructor(options: McpDispatcherOptions) {
    this.engine = options.engine;
    this.tools = options.tools ?? TOOLS;
    this.byName = new Map(this.tools.map((tool) => [tool.name, { tool, listed: listedTool(tool) }]));
    this.serverInfo = { name: options.name ?? 'purecontext-mcp', version: options.version ?? '0.0.0' };
    this.onToolCall = options.onToolCall;
    this.watchState = options.watchState;
  }

  /** The tool a tools/call names, if it exists: for costing the call before running it. */
  toolNamed(name: unknown): ToolDefinition | undefined {
    return typeof name === 'string' ? this.byName.get(name)?.tool : undefined;
  }

  /** Whether the permissions allow the tool. Permissions do not imply each other (docs/authentication.md). */
  static allows(permissions: readonly ToolPermission[], needed: ToolDefinition['permission']): boolean {
    return permissions.includes(needed);
  }

  /** Answers one request. Never throws: every failure is a JSON-RPC error or a tool error. */
  async handle(request: JSONRPCRequest, scope: CallScope): Promise<JSONRPCResponse> {
    try {
      switch (request.method) {
        case 'initialize':
          return this.initialize(request);
        case 'ping':
          return rpcResult(request.id, {});
        case 'tools/list':
          return rpcResult(request.id, this.listFor(scope.permissions));
        case 'tools/call':
          return await this.callTool(request, scope);
        default:
          return rpcError(request.id, JSON_RPC_ERRORS.methodNotFound, `Method not found: ${request.method}`);
      }
    } catch (err) {
      return rpcError(request.id, JSON_RPC_ERRORS.internalError, toPctxError(err).message);
    }
  }

  private initialize(request: JSONRPCRequest): JSONRPCResponse {
    const parsed = InitializeRequestParamsSchema.safeParse(request.params ?? {});
    if (!parsed.success) return rpcError(request.id, JSON_RPC_ERRORS.invalidParams, `Invalid params: ${describeIssue(parsed.error)}`);
    const asked = parsed.data.protocolVersion;
    return rpcResult(request.id, {
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION,
      capabilities: { tools: { listChanged: false } },
      serverInfo: this.serverInfo,
    });
  }

  private listFor(permissions: readonly ToolPermission[]): { tools: ListedTool[] } {
    const key = [...permissions].sort().join(',');
    let listing = this.listings.get(key);
    if (!listing) {
      listing = { tools: [...this.byName.values()].filter(({ tool }) => McpDispatcher.allows(permissions, tool.permission)).map(({ listed }) => listed) };
      this.listings.set(key, listing);
    }
    return listing;
  }

  private async callTool(request: JSONRPCRequest, scope: CallScope): Promise<JSONRPCResponse> {
    let params = plainCallParams(request.params);
    if (!params) {
      // Only a malformed call pays for the SDK's schema, for its precise message.
      const parsed = CallToolRequestParamsSchema.safeParse(request.params ?? {});
      if (!parsed.success) return rpcError(request.id, JSON_RPC_ERRORS.invalidParams, `Invalid params: ${describeIssue(parsed.error)}`);
      params = parsed.data;
    }
    const entry = this.byName.get(params.name);
    if (!entry) return rpcError(request.id, JSON_RPC_ERRORS.invalidParams, `Unknown tool: ${params.name}`);
    const { tool } = entry;
    const started = performance.now();
    let failure: PctxError | null = null;
    try {
      if (!McpDispatcher.allows(scope.permissions, tool.permission)) {
        throw new PctxError('FORBIDDEN', { needed: tool.permission, granted: [...scope.permissions] });
      }
      const ctx: ToolContext = {
        tenantId: scope.tenantId,
        // Read only by tools that write: a search never pays the control-plane lookup.
        get quotaBytes() {
          return scope.quotaBytes();
        },
        get signal() {
          return scope.signal;
        },
        progress: progressSender(params._meta?.progressToken, scope.notify),
        ...(this.watchState ? { watchState: this.watchState(scope.tenantId) } : {}),
      };
      return rpcResult(request.id, toolResult(await tool.run(this.engine, params.arguments ?? {}, ctx)) as Record<string, unknown>);
    } catch (err) {
      failure = toPctxError(err);
      return rpcResult(request.id, toolError(failure) as Record<string, unknown>);
    } finally {
      this.onToolCall?.(scope, { tool: tool.name, durationMs: performance.now() - started, error: failure });
    }
  }
}

type CallParams = { name: string; arguments?: Record<string, unknown>; _meta?: { progressToken?: ProgressToken } };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * tools/call params of the usual shape — a name, an arguments object, `_meta` with a string
 * or number progress token — checked by hand (they arrive with every call); null for
 * anything else, which the SDK's schema then judges.
 */
function plainCallParams(params: unknown): CallParams | null {
  if (!isPlainObject(params) || typeof params.name !== 'string' || params.task !== undefined) return null;
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return null;
  const meta = params._meta;
  if (meta !== undefined) {
    if (!isPlainObject(meta)) return null;
    const token = meta.progressToken;
    if (token !== undefined && typeof token !== 'string' && !(typeof token === 'number' && Number.isInteger(token))) return null;
  }
  return params as CallParams;
}

/** Progress notifications for one call, at most one per 100 ms except the last; a no-op without a token or a stream. */
function progressSender(token: ProgressToken | undefined, notify: CallScope['notify']): ToolContext['progress'] {
  if (token === undefined || notify === undefined) return () => {};
  let lastSent = -Infinity;
  return (done, total, message) => {
    const now = performance.now();
    if (now - lastSent < PROGRESS_INTERVAL_MS && (total === undefined || done < total)) return;
    lastSent = now;
    notify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: done, ...(total !== undefined ? { total } : {}), message } });
  };
}
