/**
 * Storage format of one embedding in the `embeddings` table: a little-endian float32
 * scale followed by one int8 per dimension (symmetric scalar quantization). A quarter of
 * float32's size; the cosine error it adds (<1% for normalised vectors) is far below the
 * resolution of the default hashing embedder, and `decodeVector` renormalises.
 */

export function encodeVector(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(4 + vector.length);
  encodeVectorInto(vector, out, 0);
  return out;
}

/**
 * Writes the encoding of `vector` into `out` at `offset` (4 + dimension bytes), the same
 * bytes as `encodeVector`. The parse workers encode every symbol of a file into one
 * buffer this way: per-byte Buffer writes cost more than the embedding itself.
 */
export function encodeVectorInto(vector: Float32Array, out: Uint8Array, offset: number): void {
  let maxAbs = 0;
  for (let i = 0; i < vector.length; i++) {
    const a = Math.abs(vector[i]!);
    if (a > maxAbs) maxAbs = a;
  }
  const scale = maxAbs === 0 ? 0 : maxAbs / 127;
  new DataView(out.buffer, out.byteOffset + offset, 4).setFloat32(0, scale, true);
  const body = new Int8Array(out.buffer, out.byteOffset + offset + 4, vector.length);
  // Math.round of the float32 quotient, as Buffer.writeInt8 stored it; 0 for a zero vector.
  if (scale === 0) body.fill(0);
  else for (let i = 0; i < vector.length; i++) body[i] = Math.round(vector[i]! / scale);
}

/** The stored vector's dimension, from its byte length. */
export function encodedDimension(blob: Uint8Array): number {
  return blob.length - 4;
}

/** Decodes into a plain array (what hnswlib-node takes), L2-normalised. */
export function decodeVector(blob: Uint8Array): number[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const scale = view.getFloat32(0, true);
  const dim = blob.length - 4;
  const out = new Array<number>(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    const v = view.getInt8(4 + i) * scale;
    out[i] = v;
    norm += v * v;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) out[i]! *= inv;
  }
  return out;
}
