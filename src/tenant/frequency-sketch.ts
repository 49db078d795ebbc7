/**
 * How often each tenant was asked for lately, approximately: a count-min sketch of four
 * rows of 4-bit counters (held in bytes, capped at 15), halved every `10 × capacity`
 * increments so that old popularity fades. This is the admission filter of TinyLFU
 * (Einziger, Friedman, Manes: "TinyLFU: A Highly Efficient Cache Admission Policy"):
 * the pool keeps an evicted handle only when its tenant is asked for more often than
 * the one it would displace. Memory: 4 × width bytes (16 KiB for 256 handles).
 */
export class FrequencySketch {
  private readonly rows: Uint8Array[];
  private readonly mask: number;
  private readonly sampleSize: number;
  private additions = 0;

  /** @param capacity the number of entries the cache in front of it holds */
  constructor(capacity: number) {
    let width = 64;
    while (width < capacity * 16) width *= 2;
    this.mask = width - 1;
    this.rows = [0, 1, 2, 3].map(() => new Uint8Array(width));
    this.sampleSize = Math.max(100, capacity * 10);
  }

  /** Counts one request for `key`. */
  increment(key: string): void {
    const h = hash(key);
    for (let row = 0; row < 4; row++) {
      const counters = this.rows[row]!;
      const slot = index(h, row) & this.mask;
      const count = counters[slot]!;
      if (count < 15) counters[slot] = count + 1;
    }
    if (++this.additions >= this.sampleSize) this.age();
  }

  /** Estimated recent requests for `key` (never below the truth before aging, 0–15). */
  frequency(key: string): number {
    const h = hash(key);
    let least = 15;
    for (let row = 0; row < 4; row++) least = Math.min(least, this.rows[row]![index(h, row) & this.mask]!);
    return least;
  }

  private age(): void {
    this.additions = 0;
    for (const counters of this.rows) for (let slot = 0; slot < counters.length; slot++) counters[slot] = counters[slot]! >> 1;
  }
}

/** FNV-1a over the key's UTF-16 code units. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A different, well-mixed index per row from one hash (murmur3 finalizer with a row seed). */
function index(h: number, row: number): number {
  let x = (h + Math.imul(row + 1, 0x9e3779b9)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
