import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERRORS, PctxError, errorFromJSON, toPctxError } from '../src/errors.js';

const docs = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/errors.md'), 'utf8');

describe('error registry', () => {
  it('documents every code in docs/errors.md with its HTTP status', () => {
    for (const entry of Object.values(ERRORS)) {
      const heading = new RegExp(`^### \`${entry.code}\`\\s*$`, 'm');
      expect(docs, `${entry.code} is missing from docs/errors.md`).toMatch(heading);
      const section = docs.slice(docs.search(heading)).split(/\n### /)[0]!;
      expect(section, `${entry.code} documents the wrong status`).toContain(`HTTP ${entry.status}`);
    }
  });

  it('documents no code that the registry lacks', () => {
    const documented = [...docs.matchAll(/^### `(PCTX_ERR_[A-Z_]+)`/gm)].map((m) => m[1]);
    const known = new Set(Object.values(ERRORS).map((e) => e.code));
    expect(documented.filter((c) => !known.has(c as never))).toEqual([]);
  });

  it('has unique codes, all PCTX_ERR_ prefixed, with 4xx/5xx statuses', () => {
    const codes = Object.values(ERRORS).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of Object.values(ERRORS)) {
      expect(e.code).toMatch(/^PCTX_ERR_[A-Z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.status).toBeLessThan(600);
    }
  });

  it('fills message templates from details and survives a JSON round trip', () => {
    const err = new PctxError('QUOTA_EXCEEDED', { tenantId: 'd5991e4f', used: 10, limit: 20, attempted: 15 });
    expect(err.message).toBe('Storage quota exceeded for tenant d5991e4f: 10 bytes used of 20');
    expect(err.status).toBe(507);
    const back = errorFromJSON(JSON.parse(JSON.stringify(err.toJSON())));
    expect(back).toBeInstanceOf(PctxError);
    expect(back.toJSON()).toEqual(err.toJSON());
  });

  it('wraps unknown failures as INTERNAL without losing the cause', () => {
    const cause = new TypeError('boom');
    const wrapped = toPctxError(cause);
    expect(wrapped.code).toBe('PCTX_ERR_INTERNAL');
    expect(wrapped.cause).toBe(cause);
  });
});
