/**
 * Scales `vector` in place to unit length and returns it; returns null for a vector of
 * zeros (or one holding NaN or Infinity), which has no direction to keep. Sums in float64
 * so the result does not depend on the order rounding errors pile up in.
 */
export function normalizeInPlace(vector: Float32Array): Float32Array | null {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  if (!(sum > 0) || !Number.isFinite(sum)) return null;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! * scale;
  return vector;
}

/** Dot product; for unit vectors this is their cosine similarity. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
