import type { JSONRPCErrorResponse, JSONRPCNotification, JSONRPCRequest, JSONRPCResultResponse, RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * JSON-RPC 2.0 framing for the HTTP transport: classifying a decoded body into requests,
 * notifications and client responses, and building error answers. Checks are written
 * by hand because they run on every call: the SDK's zod message schemas cost more than
 * a keyword search. Method parameters are still validated with the SDK's schemas, by
 * the dispatcher, for the few methods it implements.
 */

export const JSON_RPC_ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
} as const;

export type JsonRpcMessageKind =
  | { kind: 'request'; message: JSONRPCRequest }
  | { kind: 'notification'; message: JSONRPCNotification }
  /** A client's answer to a server request; this server sends none, so it is acknowledged and dropped. */
  | { kind: 'response' }
  | { kind: 'invalid'; id: RequestId | null; reason: string };

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function classifyMessage(value: unknown): JsonRpcMessageKind {
  if (!isObject(value)) return { kind: 'invalid', id: null, reason: 'a JSON-RPC message must be an object' };
  const id = 'id' in value && isRequestId(value.id) ? value.id : null;
  if (value.jsonrpc !== '2.0') return { kind: 'invalid', id, reason: 'jsonrpc must be "2.0"' };
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method.length === 0) return { kind: 'invalid', id, reason: 'method must be a non-empty string' };
    if (value.params !== undefined && !isObject(value.params)) return { kind: 'invalid', id, reason: 'params must be an object' };
    if (!('id' in value)) return { kind: 'notification', message: value as unknown as JSONRPCNotification };
    if (!isRequestId(value.id)) return { kind: 'invalid', id: null, reason: 'id must be a string or an integer' };
    return { kind: 'request', message: value as unknown as JSONRPCRequest };
  }
  if (('result' in value || 'error' in value) && isRequestId(value.id)) return { kind: 'response' };
  return { kind: 'invalid', id, reason: 'expected a request, a notification or a response' };
}

export function rpcResult(id: RequestId, result: Record<string, unknown>): JSONRPCResultResponse {
  return { jsonrpc: '2.0', id, result } as JSONRPCResultResponse;
}

/**
 * A result's JSON text, kept while the result object lives (see serializeResponse), with
 * room for the HTTP transport's compressed form of the same text
 * (src/server/compression.ts), made when a client first accepts it.
 */
export interface SerializedResult {
  readonly json: string;
  compressed?: { readonly deflated: Buffer; readonly length: number; readonly crc: number; readonly shift: number };
}

const serializedResults = new WeakMap<object, SerializedResult>();

/**
 * A response as JSON text. The result's text is kept with the result object, so an answer
 * returned again (the engine's answer cache hands back the same object, and the dispatcher
 * the same tool result for it) is serialized once, not once per request: for a search, the
 * hits and their text copy escaped inside a string are most of the response's cost.
 * Results are never mutated once answered.
 */
export function serializeResponse(response: JSONRPCResultResponse | JSONRPCErrorResponse): string {
  const parts = responseParts(response);
  return parts === null ? JSON.stringify(response) : parts.prefix + parts.result.json + RESPONSE_SUFFIX;
}

const RESPONSE_SUFFIX = '}';

/**
 * A result response as the envelope around its memoized result text — `prefix +
 * result.json + suffix` is the response's JSON — or null for an error response.
 */
export function responseParts(response: JSONRPCResultResponse | JSONRPCErrorResponse): { prefix: string; result: SerializedResult; suffix: string } | null {
  if (!('result' in response) || typeof response.result !== 'object' || response.result === null) return null;
  let result = serializedResults.get(response.result);
  if (result === undefined) serializedResults.set(response.result, (result = { json: JSON.stringify(response.result) }));
  return { prefix: `{"jsonrpc":"2.0","id":${JSON.stringify(response.id)},"result":`, result, suffix: RESPONSE_SUFFIX };
}

export function rpcError(id: RequestId | null, code: number, message: string, data?: unknown): JSONRPCErrorResponse {
  // JSON-RPC answers an unidentifiable request with id null; the SDK's type does not allow it.
  return { jsonrpc: '2.0', id: id as RequestId, error: { code, message, ...(data !== undefined ? { data } : {}) } };
}
