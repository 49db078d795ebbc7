import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface McpSession {
  tenantId: string;
  protocolVersion: string;
}

export interface McpSessionsOptions {
  /** @default 10000 */
  maxSessions?: number;
  /** A session unused this long is forgotten. @default 3600000 */
  idleTtlMs?: number;
}

/**
 * MCP sessions of the Streamable HTTP endpoint: issued at `initialize`, bound to the
 * tenant of the key that created them. A session carries no authority — every request
 * is authenticated by its own key — it only lets a client name its conversation, and
 * lets the server refuse a session id used with another tenant's key. Sessions live in
 * memory, bounded in number and idle time; a restart forgets them and clients
 * re-initialize, as the specification expects.
 */
export class McpSessions {
  private readonly sessions: LRUCache<string, McpSession>;

  constructor(options: McpSessionsOptions = {}) {
    this.sessions = new LRUCache({ max: options.maxSessions ?? 10_000, ttl: options.idleTtlMs ?? 3_600_000, updateAgeOnGet: true });
  }

  create(tenantId: string, protocolVersion: string): string {
    const id = crypto.randomUUID();
    this.sessions.set(id, { tenantId, protocolVersion });
    return id;
  }

  /** The session if it exists and belongs to `tenantId`; another tenant's session is reported as unknown. */
  get(id: string, tenantId: string): McpSession | undefined {
    const session = this.sessions.get(id);
    return session?.tenantId === tenantId ? session : undefined;
  }

  /** Ends a session; false if unknown or another tenant's. */
  delete(id: string, tenantId: string): boolean {
    if (!this.get(id, tenantId)) return false;
    return this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
