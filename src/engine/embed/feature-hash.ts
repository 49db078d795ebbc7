/**
 * Signed feature hashing: turns named features (tokens, trigrams) into a fixed-size vector
 * without a vocabulary. Everything is integer arithmetic on the UTF-8 bytes of the feature
 * plus float64 sums in a fixed order, so a vector is bit-for-bit the same on every machine
 * and every run — stored vectors stay comparable with freshly computed queries.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Feeds the UTF-8 encoding of one code point (lone surrogates as U+FFFD, like TextEncoder). */
function feedCodePoint(hash: number, code: number): number {
  if (code < 0x80) return Math.imul(hash ^ code, FNV_PRIME);
  if (code < 0x800) {
    hash = Math.imul(hash ^ (0xc0 | (code >> 6)), FNV_PRIME);
    return Math.imul(hash ^ (0x80 | (code & 0x3f)), FNV_PRIME);
  }
  if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
  if (code < 0x10000) {
    hash = Math.imul(hash ^ (0xe0 | (code >> 12)), FNV_PRIME);
    hash = Math.imul(hash ^ (0x80 | ((code >> 6) & 0x3f)), FNV_PRIME);
    return Math.imul(hash ^ (0x80 | (code & 0x3f)), FNV_PRIME);
  }
  hash = Math.imul(hash ^ (0xf0 | (code >> 18)), FNV_PRIME);
  hash = Math.imul(hash ^ (0x80 | ((code >> 12) & 0x3f)), FNV_PRIME);
  hash = Math.imul(hash ^ (0x80 | ((code >> 6) & 0x3f)), FNV_PRIME);
  return Math.imul(hash ^ (0x80 | (code & 0x3f)), FNV_PRIME);
}

/** Continues an FNV-1a hash over the UTF-8 bytes of `text`. */
function feedString(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    hash = feedCodePoint(hash, code);
  }
  return hash;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  return feedString(FNV_OFFSET, text) >>> 0;
}

/**
 * The starting hash of a feature namespace: the same token hashed in two namespaces
 * lands in unrelated buckets. The NUL separator keeps "ab"+"c" apart from "a"+"bc".
 */
export function namespaceSeed(namespace: string): number {
  return feedCodePoint(feedString(FNV_OFFSET, namespace), 0);
}

/** murmur3's finaliser: FNV's low bits are weak, and both the bucket and the sign come from them. */
function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * Accumulates features into blocks, each block scaled to a chosen share of the final
 * vector. Scaling per block is what lets a 40-word doc comment sit next to a three-token
 * name without drowning it: a block's weight is its L2 norm, however many features it has.
 *
 * Not thread-safe and not re-entrant: one instance per embedder, used by one call at a time.
 */
export class FeatureHasher {
  private readonly block: Float64Array;
  private readonly total: Float64Array;
  /** Buckets the current block touched, so flushing costs its features, not the dimension. */
  private readonly touched: Int32Array;
  private readonly isTouched: Uint8Array;
  private touchedCount = 0;

  constructor(readonly dimension: number) {
    this.block = new Float64Array(dimension);
    this.total = new Float64Array(dimension);
    this.touched = new Int32Array(dimension);
    this.isTouched = new Uint8Array(dimension);
  }

  private addHash(hash: number, weight: number): void {
    const mixed = mix(hash);
    const bucket = mixed % this.dimension;
    // Signed hashing: colliding features cancel out on average instead of piling up.
    this.block[bucket]! += mixed & 0x80000000 ? -weight : weight;
    if (this.isTouched[bucket] === 0) {
      this.isTouched[bucket] = 1;
      this.touched[this.touchedCount++] = bucket;
    }
  }

  /** Adds one occurrence of `feature` in the namespace whose seed is `seed`. */
  add(seed: number, feature: string, weight = 1): void {
    this.addHash(feedString(seed, feature), weight);
  }

  /**
   * Adds the character trigrams of `^word$` (the marks make prefixes and suffixes count),
   * or the whole word when it is shorter. Hashes code points in place, without substrings.
   */
  addTrigrams(seed: number, word: string): void {
    const codes: number[] = [0x5e];
    for (const char of word) codes.push(char.codePointAt(0)!);
    codes.push(0x24);
    if (codes.length < 3) return;
    for (let i = 0; i + 3 <= codes.length; i++) {
      this.addHash(feedCodePoint(feedCodePoint(feedCodePoint(seed, codes[i]!), codes[i + 1]!), codes[i + 2]!), 1);
    }
  }

  /** Closes the current block, adding it to the total scaled to L2 norm `weight`. */
  endBlock(weight: number): void {
    let sum = 0;
    for (let i = 0; i < this.touchedCount; i++) {
      const value = this.block[this.touched[i]!]!;
      sum += value * value;
    }
    const scale = sum > 0 ? weight / Math.sqrt(sum) : 0;
    for (let i = 0; i < this.touchedCount; i++) {
      const bucket = this.touched[i]!;
      this.total[bucket]! += this.block[bucket]! * scale;
      this.block[bucket] = 0;
      this.isTouched[bucket] = 0;
    }
    this.touchedCount = 0;
  }

  /**
   * The unit vector of the blocks ended since the last call, or null if they were all
   * empty; resets. Features added after the last `endBlock` are discarded.
   */
  finish(): Float32Array | null {
    this.endBlock(0);
    let sum = 0;
    for (let i = 0; i < this.dimension; i++) sum += this.total[i]! * this.total[i]!;
    if (sum === 0) return null;
    const scale = 1 / Math.sqrt(sum);
    const out = new Float32Array(this.dimension);
    for (let i = 0; i < this.dimension; i++) {
      out[i] = this.total[i]! * scale;
      this.total[i] = 0;
    }
    return out;
  }
}
