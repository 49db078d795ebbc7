/**
 * Validation of tenant input, shared by every TenantStore implementation so that SQLite
 * and a future PostgreSQL store accept and refuse exactly the same values.
 */

import { PctxError, invalidArgument } from '../errors.js';
import { isPlainObject, whyNotJson } from './json-value.js';
import type { CreateTenantInput, EnsureTenantInput, TenantPatch } from './tenant-store.js';

import { LOCAL_TENANT_ID, LOCAL_TENANT_NAME, assertTenantId, isTenantId } from '../tenant-id.js';

/** The id format lives in one place; only `ensure` may create the local tenant. */
export { LOCAL_TENANT_ID, LOCAL_TENANT_NAME, TENANT_ID_PATTERN, isTenantId } from '../tenant-id.js';

/** Names appear on command lines, so they stay shell-safe and cannot look like an option. */
export const TENANT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const TENANT_NAME_MAX_LENGTH = 64;

/** Settings live in every tenant row and are read on every lookup, so they stay small. */
export const TENANT_SETTINGS_MAX_BYTES = 16 * 1024;

export function checkTenantId(value: unknown): string {
  assertTenantId(value);
  return value;
}

export function checkTenantName(value: unknown, option = 'name'): string {
  if (typeof value !== 'string') throw invalidArgument(option, 'expected a string');
  if (value.length < 1 || value.length > TENANT_NAME_MAX_LENGTH) {
    throw invalidArgument(option, `must be 1 to ${TENANT_NAME_MAX_LENGTH} characters long`);
  }
  if (!TENANT_NAME_PATTERN.test(value)) {
    throw invalidArgument(option, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"');
  }
  return value;
}

export function checkQuotaBytes(value: unknown, option = 'quotaBytes'): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument(option, 'expected a positive integer number of bytes, or null for unlimited');
  }
  return value;
}

/** Returns a detached copy, so later changes to the caller's object cannot leak in. */
export function checkSettings(value: unknown, option = 'settings'): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidArgument(option, 'expected a plain JSON object');
  const reason = whyNotJson(value);
  if (reason !== null) throw invalidArgument(option, reason.replace(/^\$/, option));
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > TENANT_SETTINGS_MAX_BYTES) {
    throw invalidArgument(option, `must serialize to at most ${TENANT_SETTINGS_MAX_BYTES} bytes of JSON`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

export interface ValidCreateInput {
  name: string;
  quotaBytes: number | null;
  settings: Record<string, unknown>;
  id: string | undefined;
}

/**
 * The name `local` belongs to the local tenant, which the CLI recreates under that name
 * whenever it is missing: another tenant holding it would lock every start-up out.
 */
export function checkNameFor(id: string | undefined, name: string): void {
  if (name === LOCAL_TENANT_NAME && id !== LOCAL_TENANT_ID) {
    throw invalidArgument('name', `"${LOCAL_TENANT_NAME}" is reserved for the local tenant (${LOCAL_TENANT_ID})`);
  }
}

export function checkCreateInput(input: unknown): ValidCreateInput {
  const fields = checkKnownKeys<CreateTenantInput>(input, ['name', 'quotaBytes', 'settings', 'id']);
  const name = checkTenantName(fields.name);
  checkNameFor(undefined, name);
  const quotaBytes = fields.quotaBytes === undefined ? null : checkQuotaBytes(fields.quotaBytes);
  const settings = fields.settings === undefined ? {} : checkSettings(fields.settings);
  const id = fields.id === undefined ? undefined : checkTenantId(fields.id);
  if (id === LOCAL_TENANT_ID) {
    throw invalidArgument('id', `${LOCAL_TENANT_ID} is reserved for the local tenant`);
  }
  return { name, quotaBytes, settings, id };
}

export function checkEnsureInput(input: unknown): EnsureTenantInput {
  const fields = checkKnownKeys<EnsureTenantInput>(input, ['id', 'name']);
  return { id: checkTenantId(fields.id), name: checkTenantName(fields.name) };
}

/** A patch whose absent keys stay absent, so the store knows what to keep. */
export function checkPatch(patch: unknown): TenantPatch {
  const fields = checkKnownKeys<TenantPatch>(patch, ['name', 'quotaBytes', 'settings']);
  const valid: TenantPatch = {};
  if (fields.name !== undefined) valid.name = checkTenantName(fields.name);
  if (fields.quotaBytes !== undefined) valid.quotaBytes = checkQuotaBytes(fields.quotaBytes);
  if (fields.settings !== undefined) valid.settings = checkSettings(fields.settings);
  return valid;
}

/**
 * Input also arrives from JSON request bodies; a misspelt or read-only key (`quota`,
 * `status`) must fail loudly rather than be ignored.
 */
function checkKnownKeys<T>(input: unknown, known: readonly (keyof T & string)[]): Partial<Record<keyof T, unknown>> {
  if (!isPlainObject(input)) throw invalidArgument('input', 'expected an object');
  for (const key of Object.keys(input)) {
    if (!(known as readonly string[]).includes(key)) {
      throw invalidArgument(key, `unknown option; expected one of ${known.join(', ')}`);
    }
  }
  return input as Partial<Record<keyof T, unknown>>;
}
