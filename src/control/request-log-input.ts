/**
 * Turns a RequestLogEntry into a storable row. Cheap by design: it runs on every request.
 */

import { invalidArgument } from '../errors.js';
import { isPlainObject } from './json-value.js';
import type { LoggedRequest } from './request-log-storage.js';
import { REQUEST_STATUSES, type RequestLogEntry, type RequestStatus } from './request-log.js';
import { checkTenantId } from './tenant-input.js';
import { toIsoTimestamp, type Clock } from './timestamps.js';

/** Long enough for any error we raise; short enough that a stack trace cannot bloat the log. */
export const ERROR_MESSAGE_MAX_LENGTH = 500;
export const TOOL_MAX_LENGTH = 128;
export const ERROR_CODE_MAX_LENGTH = 64;

const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof RequestLogEntry>(['tenantId', 'tool', 'durationMs', 'status', 'errorCode', 'errorMessage', 'timestamp']);

export function toLoggedRequest(entry: unknown, now: Clock): LoggedRequest {
  if (!isPlainObject(entry)) throw invalidArgument('entry', 'expected an object');
  for (const key of Object.keys(entry)) {
    if (!KNOWN_KEYS.has(key)) {
      throw invalidArgument(key, `unknown option; expected one of ${[...KNOWN_KEYS].join(', ')}`);
    }
  }
  const { tenantId, tool, durationMs, status, errorCode, errorMessage, timestamp } = entry;
  if (typeof tool !== 'string' || tool.length === 0 || tool.length > TOOL_MAX_LENGTH) {
    throw invalidArgument('tool', `expected 1 to ${TOOL_MAX_LENGTH} characters`);
  }
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
    throw invalidArgument('durationMs', 'expected a finite number >= 0');
  }
  if (!(REQUEST_STATUSES as readonly unknown[]).includes(status)) {
    throw invalidArgument('status', `expected one of ${REQUEST_STATUSES.join(', ')}`);
  }
  if (errorCode !== undefined && errorCode !== null) {
    if (typeof errorCode !== 'string' || errorCode.length === 0 || errorCode.length > ERROR_CODE_MAX_LENGTH) {
      throw invalidArgument('errorCode', `expected null or 1 to ${ERROR_CODE_MAX_LENGTH} characters`);
    }
  }
  if (errorMessage !== undefined && errorMessage !== null && typeof errorMessage !== 'string') {
    throw invalidArgument('errorMessage', 'expected a string or null');
  }
  return {
    timestamp: toIsoTimestamp(timestamp === undefined ? now() : timestamp, 'timestamp'),
    tenantId: tenantId === null ? null : checkTenantId(tenantId),
    tool,
    durationMs: Math.round(durationMs),
    status: status as RequestStatus,
    errorCode: errorCode ?? null,
    errorMessage: typeof errorMessage === 'string' ? truncate(errorMessage, ERROR_MESSAGE_MAX_LENGTH) : null,
  };
}

/** Cuts to at most `max` UTF-16 units, ending in "…", without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
