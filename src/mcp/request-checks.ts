import { CallToolRequestSchema, ErrorCode, type CallToolResult, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { PctxError } from '../errors.js';

/**
 * Checks a request before the SDK sees it. The SDK parses requests with zod and answers a
 * failure as -32603 (internal error) whose message is the whole zod issue list: library
 * internals, and the wrong code for the client's mistake. What the client can fix gets a
 * sentence instead:
 *
 * - `params` that is not an object, or a `tools/call` without params: -32602;
 * - `tools/call` whose `name` is not a string, or whose `arguments` is not an object: a
 *   tool error `PCTX_ERR_INVALID_ARGUMENT` naming the field, like any other bad tool input
 *   (docs/tools.md);
 * - anything else the SDK's `tools/call` schema refuses: -32602 naming the field.
 *
 * Returns the answer to send, or null to let the request through. Notifications and
 * responses always pass.
 */
export function checkRequest(message: JSONRPCMessage, toolError: (err: PctxError) => CallToolResult): JSONRPCMessage | null {
  if (!('method' in message) || !('id' in message)) return null;
  const { id } = message;
  const invalidParams = (text: string): JSONRPCMessage => ({ jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidParams, message: `Invalid params: ${text}` } });
  const params: unknown = (message as { params?: unknown }).params;
  if (params !== undefined && !isPlainObject(params)) return invalidParams('"params" must be an object');
  if (message.method !== 'tools/call') return null;
  if (params === undefined) return invalidParams('tools/call needs "params" with the tool\'s "name" and its "arguments"');
  const call = params as Record<string, unknown>;
  const failed = (option: string, reason: string): JSONRPCMessage => ({
    jsonrpc: '2.0',
    id,
    result: toolError(new PctxError('INVALID_ARGUMENT', { option, reason })),
  });
  if (typeof call.name !== 'string') return failed('name', 'must be a string: the name of a tool from tools/list');
  if (call.arguments !== undefined && !isPlainObject(call.arguments)) return failed('arguments', "must be an object of the tool's fields");
  const parsed = CallToolRequestSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return invalidParams(`${issue.path.join('.') || '(request)'}: ${issue.message}`);
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
