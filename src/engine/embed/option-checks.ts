/**
 * Checks shared by the embedder factories. Each throws `INVALID_CONFIG` naming the option,
 * because embedder options come from configuration files and environment variables.
 */

import { PctxError } from '../../errors.js';

export function invalidConfig(option: string, reason: string): PctxError {
  return new PctxError('INVALID_CONFIG', { option, reason });
}

export function checkInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidConfig(option, `must be an integer, got ${describe(value)}`);
  if (value < min || value > max) throw invalidConfig(option, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function checkString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidConfig(option, `must be a non-empty string, got ${describe(value)}`);
  return value;
}

/** An http(s) URL without a trailing slash, ready to have `/embeddings` appended. */
export function checkBaseUrl(option: string, value: unknown): string {
  const text = checkString(option, value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidConfig(option, 'must be an absolute http(s) URL such as http://127.0.0.1:11434/v1');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidConfig(option, `must use http or https, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw invalidConfig(option, 'must not embed credentials; use apiKey');
  return text.replace(/\/+$/, '');
}

/** Names the type of a bad value without echoing it: it might be a secret. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}
