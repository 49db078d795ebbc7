/**
 * Storage format of one embedding in the `embeddings` table: a little-endian float32
 * scale followed by one int8 per dimension (symmetric scalar quantization). A quarter of
 * float32's size; the cosine error it adds (<1% for normalised vectors) is far below the
 * resolution of the default hashing embedder, and `decodeVector` renormalises.
 */

export function encodeVector(vector: Float32Array): Buffer {
  let maxAbs = 0;
  for (let i = 0; i < vector.length; i++) {
    const a = Math.abs(vector[i]!);
    if (a > maxAbs) maxAbs = a;
  }
  const out = Buffer.allocUnsafe(4 + vector.length);
  const scale = maxAbs === 0 ? 0 : maxAbs / 127;
  out.writeFloatLE(scale, 0);
  for (let i = 0; i < vector.length; i++) {
    out.writeInt8(scale === 0 ? 0 : Math.round(vector[i]! / scale), 4 + i);
  }
  return out;
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
