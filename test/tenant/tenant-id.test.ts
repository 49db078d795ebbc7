import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPctxError } from '../../src/errors.js';
import { assertTenantId, isTenantId } from '../../src/tenant-id.js';
import { tenantPaths, tenantsRoot } from '../../src/tenant/tenant-paths.js';

const SPEC = /^[0-9a-f]{8}$/;

/** Near misses: hex-ish strings around length 8, uppercase, look-alike digits, separators, NUL. */
const hexish = fc.string({
  unit: fc.constantFrom('0', '1', '9', 'a', 'f', 'F', 'g', '٣', '０', '/', '.', '\0', '\n', ' '),
  minLength: 6,
  maxLength: 10,
});

describe('tenant id validation', () => {
  it('accepts exactly ^[0-9a-f]{8}$, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), hexish, fc.stringMatching(SPEC), fc.anything()), (value) => {
        const valid = typeof value === 'string' && SPEC.test(value) && value.length === 8;
        expect(isTenantId(value)).toBe(valid);
        let threw: unknown = null;
        try {
          assertTenantId(value);
        } catch (err) {
          threw = err;
        }
        expect(threw === null).toBe(valid);
        if (threw !== null) expect(isPctxError(threw, 'INVALID_TENANT_ID')).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects a valid id followed by a newline, which a bare $ in another regex flavour would let through', () => {
    expect(isTenantId('0a0b0c0d\n')).toBe(false);
  });

  it('turns every valid id into a direct child of the tenants folder, and refuses the rest before building a path', () => {
    const root = tenantsRoot('/srv/data');
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(SPEC), hexish), (id) => {
        if (!isTenantId(id)) {
          expect(() => tenantPaths('/srv/data', id)).toThrow(/Invalid tenant id/);
          return;
        }
        const paths = tenantPaths('/srv/data', id);
        expect(path.dirname(paths.dir)).toBe(root);
        expect(path.dirname(paths.uploads)).toBe(paths.dir);
      }),
      { numRuns: 2000 },
    );
  });
});
