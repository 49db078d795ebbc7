import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, JSONRPCMessageSchema, JSONRPCRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * Largest MCP message accepted on stdin, in bytes (one line of newline-delimited JSON).
 * Tool inputs are paths, queries and ids: a few KiB. The limit bounds what one line can
 * make the server buffer.
 */
export const MAX_STDIO_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Bytes kept from each end of an oversized message to find its id for the error answer. */
const ID_PROBE_BYTES = 512;

export interface StdioTransportOptions {
  /** @default MAX_STDIO_MESSAGE_BYTES */
  maxMessageBytes?: number;
}

type RequestId = string | number;

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

/**
 * The id of a message too large to parse, when it sits at the very start (`{"jsonrpc":"2.0",
 * "id":7,…`) or the very end (`…,"id":7}`, where the SDK's clients put it). Anything less
 * certain answers with id null, as JSON-RPC prescribes.
 */
function probeId(head: string, tail: string): RequestId | null {
  const atStart = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*,/.exec(head);
  const atEnd = /,\s*"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*\}\s*$/.exec(tail);
  const raw = atStart?.[1] ?? atEnd?.[1];
  if (raw === undefined) return null;
  const id: unknown = JSON.parse(raw);
  return isRequestId(id) ? id : null;
}

/**
 * MCP over stdio, newline-delimited JSON-RPC, hardened where the SDK's transport is not:
 *
 * - A message longer than `maxMessageBytes` is dropped as it streams in (never buffered
 *   whole) and answered with -32600; serving continues. The SDK's transport kept 10 MB
 *   in memory and closed itself above that.
 * - Invalid JSON is answered with -32700, a batch (array) or anything that is not a
 *   JSON-RPC 2.0 message with -32600, instead of silence.
 * - The end of stdin does not close the transport: `inputEnded` resolves, and the owner
 *   decides when to `close()` (after the requests in flight were answered).
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  /** Resolves when stdin ends (EOF or error): no request will arrive any more. */
  readonly inputEnded: Promise<void>;

  private readonly maxBytes: number;
  private parts: Buffer[] = [];
  private length = 0;
  /** Set while the rest of an oversized line is being skipped. */
  private oversized: { head: Buffer; tail: Buffer } | null = null;
  private closed = false;
  private endInput!: () => void;
  /** Requests received and not yet answered (nor cancelled by the client). */
  private readonly pending = new Set<RequestId>();
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    options: StdioTransportOptions = {},
  ) {
    const max = options.maxMessageBytes ?? MAX_STDIO_MESSAGE_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('maxMessageBytes must be a positive integer');
    this.maxBytes = max;
    this.inputEnded = new Promise((resolve) => (this.endInput = resolve));
  }

  async start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.once('end', this.onEnd);
    this.stdin.once('close', this.onEnd);
    this.stdin.on('error', this.onInputError);
    this.stdout.on('error', this.onOutputError);
  }

  /** Requests received and not yet answered, nor cancelled by the client. */
  get pendingRequests(): number {
    return this.pending.size;
  }

  /**
   * Resolves once every request received so far was answered or cancelled. Counted here,
   * as lines arrive, because a request is on its way to its handler for a few ticks before
   * the server knows of it.
   */
  drained(): Promise<void> {
    if (this.pending.size === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return;
    if (('result' in message || 'error' in message) && isRequestId(message.id)) this.settle(message.id);
    const line = `${JSON.stringify(message)}\n`;
    await new Promise<void>((resolve) => {
      if (this.stdout.write(line)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('end', this.onEnd);
    this.stdin.off('close', this.onEnd);
    this.stdin.off('error', this.onInputError);
    this.stdout.off('error', this.onOutputError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.parts = [];
    this.endInput();
    for (const wake of this.drainWaiters.splice(0)) wake();
    this.onclose?.();
  }

  private settle(id: RequestId): void {
    if (!this.pending.delete(id) || this.pending.size > 0) return;
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  private readonly onEnd = (): void => this.endInput();

  private readonly onInputError = (err: Error): void => {
    this.onerror?.(err);
    this.endInput();
  };

  /** The client went away (EPIPE): nothing more can be answered. */
  private readonly onOutputError = (err: Error): void => {
    this.onerror?.(err);
    void this.close();
  };

  private readonly onData = (chunk: Buffer | string): void => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a)) {
      this.append(data.subarray(0, nl));
      this.endLine();
      data = data.subarray(nl + 1);
    }
    if (data.length > 0) this.append(data);
  };

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.oversized !== null) {
      this.oversized.tail = Buffer.concat([this.oversized.tail, piece]).subarray(-ID_PROBE_BYTES);
      return;
    }
    if (this.length + piece.length <= this.maxBytes) {
      this.parts.push(piece);
      this.length += piece.length;
      return;
    }
    const whole = Buffer.concat([...this.parts, piece]);
    this.oversized = { head: whole.subarray(0, ID_PROBE_BYTES), tail: whole.subarray(-ID_PROBE_BYTES) };
    this.parts = [];
    this.length = 0;
  }

  private endLine(): void {
    if (this.oversized !== null) {
      const { head, tail } = this.oversized;
      this.oversized = null;
      const id = probeId(head.toString('utf8'), tail.toString('utf8'));
      this.reply(id, ErrorCode.InvalidRequest, `Invalid Request: message larger than the maximum of ${this.maxBytes} bytes`);
      return;
    }
    const line = Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.length = 0;
    if (line.trim() === '') return;
    this.handleLine(line);
  }

  private handleLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.reply(null, ErrorCode.ParseError, 'Parse error: the message is not valid JSON');
      return;
    }
    if (Array.isArray(value)) {
      this.reply(null, ErrorCode.InvalidRequest, 'Invalid Request: batches (JSON arrays) are not supported by MCP');
      return;
    }
    const candidate = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
    const id = candidate !== null && isRequestId(candidate.id) ? candidate.id : null;
    if (candidate === null || candidate.jsonrpc !== '2.0') {
      this.reply(id, ErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message (an object with "jsonrpc": "2.0")');
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(candidate);
    if (!parsed.success) {
      const params: unknown = candidate.params;
      if (typeof candidate.method === 'string' && id !== null && typeof params === 'object' && params !== null && !Array.isArray(params)) {
        // A well-formed request whose params break the method's schema: say which field.
        const request = JSONRPCRequestSchema.safeParse(candidate);
        const issue = request.success ? undefined : request.error.issues[0];
        const where = issue === undefined ? 'not valid for this method' : `${issue.path.join('.') || 'params'}: ${issue.message}`;
        this.reply(id, ErrorCode.InvalidParams, `Invalid params: ${where}`);
        return;
      }
      this.reply(id, ErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC request, notification or response');
      return;
    }
    const message = parsed.data;
    if ('method' in message && 'id' in message) this.pending.add(message.id);
    // The SDK sends no answer for a request the client cancelled.
    if ('method' in message && message.method === 'notifications/cancelled') {
      const cancelled = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (isRequestId(cancelled)) this.settle(cancelled);
    }
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private reply(id: RequestId | null, code: number, message: string): void {
    // JSON-RPC answers an unidentifiable request with id null; the SDK's types omit that case.
    const answer = { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
    this.send(answer).catch((err: unknown) => this.onerror?.(err instanceof Error ? err : new Error(String(err))));
  }
}
