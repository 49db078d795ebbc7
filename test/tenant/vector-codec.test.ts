import { describe, expect, it } from 'vitest';
import { decodeVector, encodeVector, encodeVectorInto } from '../../src/tenant/vector-codec.js';

/** The encoding as first written, one Buffer write per byte: the format's reference. */
function referenceEncoding(vector: Float32Array): Buffer {
  let maxAbs = 0;
  for (const v of vector) maxAbs = Math.max(maxAbs, Math.abs(v));
  const out = Buffer.alloc(4 + vector.length);
  const scale = maxAbs === 0 ? 0 : maxAbs / 127;
  out.writeFloatLE(scale, 0);
  for (let i = 0; i < vector.length; i++) out.writeInt8(scale === 0 ? 0 : Math.round(vector[i]! / scale), 4 + i);
  return out;
}

describe('vector codec', () => {
  it('encodes byte for byte as the reference, alone or into a shared buffer at an offset', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const vectors = [new Float32Array(64), Float32Array.from({ length: 64 }, next), Float32Array.from({ length: 50 }, () => next() * 1e-6)];
    for (let n = 0; n < 200; n++) vectors.push(Float32Array.from({ length: 64 }, () => Math.round(next() * 4) / 4));
    const shared = new Uint8Array(3 + vectors.length * 68);
    for (const [i, v] of vectors.entries()) {
      const expected = referenceEncoding(v);
      expect(encodeVector(v).equals(expected)).toBe(true);
      if (v.length === 64) {
        encodeVectorInto(v, shared, 3 + i * 68);
        expect(Buffer.from(shared.subarray(3 + i * 68, 3 + (i + 1) * 68)).equals(expected)).toBe(true);
      }
    }
  });

  it('decodes to a unit vector pointing the same way', () => {
    const v = Float32Array.from([3, -4, 0, 0]);
    const d = decodeVector(encodeVector(v));
    expect(d[0]).toBeCloseTo(0.6, 2);
    expect(d[1]).toBeCloseTo(-0.8, 2);
  });
});
