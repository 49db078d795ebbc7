import fs from 'node:fs';
import { PctxError } from '../errors.js';

/**
 * Searches a `vectors.hnsw` file where it lies, reading only the graph nodes a query
 * visits, instead of loading the whole file into hnswlib first.
 *
 * Why: a CLI `search --mode semantic` is a process of its own, so it loaded and hashed the
 * whole file on every call (584 MB for 498k vectors: seconds). A query visits a few
 * thousand nodes; reading those costs milliseconds, whatever the file's size.
 *
 * The file is hnswlib's own (`HierarchicalNSW::saveIndex`, hnswlib 0.8 as bundled by
 * hnswlib-node 3): a header of 96 bytes; `count` level-0 records of `recordBytes` each
 * (a u32 whose low 16 bits count the neighbours and whose third byte holds the deleted
 * mark, `maxM0` u32 neighbour ids, the float32 vector, the u64 label); then, per element,
 * a u32 byte length and its upper-level link lists (`4 + 4 × maxM` bytes a level).
 * The header and the upper levels (about 1% of the file) are read at open.
 *
 * `load` reads the whole file into one buffer instead, for a server's small indexes: an
 * hnswlib index costs 2.5 MiB of native memory whatever its size (65,536 label mutexes),
 * allocated outside V8's heap, so V8 neither counts it nor collects it in time; a server
 * re-indexing small tenants all day loaded a dozen a second and its RSS passed 1.7 GB of
 * mostly freed-but-fragmented malloc memory. A buffer is counted as V8 external memory.
 *
 * The search is hnswlib's `searchKnn` step for step — greedy descent through the upper
 * levels, then the level-0 beam search with the same stop rule, the same filter rule and
 * the same heap discipline as libstdc++'s `std::priority_queue` — and distances are
 * computed in float32 in the order of hnswlib's SSE kernels, so results are the same as
 * hnswlib's, ties included.
 */

const HEADER_BYTES = 96;
const DELETE_MARK = 0x01;

interface Header {
  count: number;
  recordBytes: number;
  labelOffset: number;
  dataOffset: number;
  maxLevel: number;
  entryPoint: number;
  maxM: number;
  maxM0: number;
}

export interface FileHit {
  label: number;
  /** hnswlib's cosine distance, 1 − dot product in float32. */
  distance: number;
}

/** A max-heap on `key` that pushes and pops exactly like libstdc++'s push_heap / pop_heap. */
class StdHeap {
  keys: number[] = [];
  ids: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  topKey(): number {
    return this.keys[0]!;
  }

  topId(): number {
    return this.ids[0]!;
  }

  push(key: number, id: number): void {
    this.keys.push(key);
    this.ids.push(id);
    this.siftUp(this.keys.length - 1, 0, key, id);
  }

  pop(): void {
    const last = this.keys.length - 1;
    if (last > 0) {
      const key = this.keys[last]!;
      const id = this.ids[last]!;
      this.keys[last] = this.keys[0]!;
      this.ids[last] = this.ids[0]!;
      this.adjust(0, last, key, id);
    }
    this.keys.pop();
    this.ids.pop();
  }

  private siftUp(hole: number, top: number, key: number, id: number): void {
    const { keys, ids } = this;
    let parent = Math.floor((hole - 1) / 2);
    while (hole > top && keys[parent]! < key) {
      keys[hole] = keys[parent]!;
      ids[hole] = ids[parent]!;
      hole = parent;
      parent = Math.floor((hole - 1) / 2);
    }
    keys[hole] = key;
    ids[hole] = id;
  }

  /** libstdc++ `__adjust_heap` over the first `len` entries. */
  private adjust(hole: number, len: number, key: number, id: number): void {
    const { keys, ids } = this;
    const top = hole;
    let child = hole;
    while (child < Math.floor((len - 1) / 2)) {
      child = 2 * (child + 1);
      if (keys[child]! < keys[child - 1]!) child--;
      keys[hole] = keys[child]!;
      ids[hole] = ids[child]!;
      hole = child;
    }
    if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
      child = 2 * (child + 1);
      keys[hole] = keys[child - 1]!;
      ids[hole] = ids[child - 1]!;
      hole = child - 1;
    }
    this.siftUp(hole, top, key, id);
  }
}

const f32 = Math.fround;

/**
 * hnswlib's inner-product distance for this dimension, as its SSE build computes it: four
 * float32 lanes over the largest multiple of 16 (or 4) that its kernel covers, lanes summed
 * in order, then a sequential float32 tail.
 */
function distanceFunction(dim: number): (q: Float32Array, v: Float32Array) => number {
  const simd = dim % 16 === 0 || dim % 4 === 0 ? dim : dim > 16 ? dim - (dim % 16) : dim > 4 ? dim - (dim % 4) : 0;
  return (q, v) => {
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    for (let i = 0; i < simd; i += 4) {
      l0 = f32(l0 + f32(q[i]! * v[i]!));
      l1 = f32(l1 + f32(q[i + 1]! * v[i + 1]!));
      l2 = f32(l2 + f32(q[i + 2]! * v[i + 2]!));
      l3 = f32(l3 + f32(q[i + 3]! * v[i + 3]!));
    }
    const sum = f32(f32(f32(l0 + l1) + l2) + l3);
    if (simd === dim) return f32(1 - sum);
    let tail = 0;
    for (let i = simd; i < dim; i++) tail = f32(tail + f32(q[i]! * v[i]!));
    return simd === 0 ? f32(1 - tail) : f32(1 - f32(sum + tail));
  };
}

/** hnswlib-node's `normalizePoint` for cosine space, in float32. */
export function normalizeLikeHnswlib(query: ArrayLike<number>): Float32Array {
  const v = Float32Array.from(query);
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot = f32(dot + f32(v[i]! * v[i]!));
  const norm = f32(Math.sqrt(Math.abs(dot)));
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = f32(v[i]! / norm);
  return v;
}

interface NodeRecord {
  neighbours: Uint32Array;
  deleted: boolean;
  vector: Float32Array;
  label: number;
}

/** Where the level-0 records come from: positional reads of an open file, or the whole file in memory. */
type Source = { kind: 'fd'; fd: number } | { kind: 'bytes'; bytes: Uint8Array };

export class HnswFileReader {
  private readonly distance: (q: Float32Array, v: Float32Array) => number;
  private closed = false;
  /** In memory: the records made so far, kept across queries. */
  private readonly memoryNodes: Map<number, NodeRecord> | null;

  private constructor(
    private readonly source: Source,
    readonly dimension: number,
    private readonly header: Header,
    /** Byte offset of each element's upper-level lists inside `upper`, or -1 when it has none. */
    private readonly upperAt: Int32Array,
    private readonly upper: Buffer,
    private readonly tenantId: string,
  ) {
    this.distance = distanceFunction(dimension);
    this.memoryNodes = source.kind === 'bytes' ? new Map() : null;
  }

  /** Elements in the file, deleted ones included (hnswlib's `getCurrentCount()`). */
  get count(): number {
    return this.header.count;
  }

  /**
   * Opens the file and reads its header and upper levels; level-0 records are read as a
   * query visits them. Throws PCTX_ERR_TENANT_CORRUPT for a file that is not an index of
   * this dimension (the caller then rebuilds it).
   */
  static open(file: string, dimension: number, tenantId: string): HnswFileReader {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const read = (at: number, length: number): Buffer => {
        const out = Buffer.alloc(length);
        fs.readSync(fd, out, 0, length, at);
        return out;
      };
      return HnswFileReader.parse({ kind: 'fd', fd }, size, read, dimension, tenantId);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /**
   * Reads the whole file into memory (asynchronously) and searches it there: no file
   * descriptor stays open and no native memory is allocated. Same checks as `open`.
   */
  static async load(file: string, dimension: number, tenantId: string): Promise<HnswFileReader> {
    let bytes: Uint8Array = await fs.promises.readFile(file);
    // Level-0 records are viewed in place as Uint32Array / Float32Array: 4-byte alignment.
    if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
    const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return HnswFileReader.parse({ kind: 'bytes', bytes }, bytes.byteLength, (at, length) => whole.subarray(at, at + length), dimension, tenantId);
  }

  private static parse(source: Source, size: number, read: (at: number, length: number) => Buffer, dimension: number, tenantId: string): HnswFileReader {
    const corrupt = (reason: string) => new PctxError('TENANT_CORRUPT', { tenantId, reason: `vectors.hnsw: ${reason}` });
    if (size < HEADER_BYTES) throw corrupt('shorter than its header');
    const head = read(0, HEADER_BYTES);
    const u64 = (at: number) => Number(head.readBigUInt64LE(at));
    const header: Header = {
      count: u64(16),
      recordBytes: u64(24),
      labelOffset: u64(32),
      dataOffset: u64(40),
      maxLevel: head.readInt32LE(48),
      entryPoint: head.readUInt32LE(52),
      maxM: u64(56),
      maxM0: u64(64),
    };
    if (u64(0) !== 0 || header.dataOffset !== 4 + 4 * header.maxM0 || header.labelOffset !== header.dataOffset + 4 * dimension) {
      throw corrupt(`record layout does not match dimension ${dimension}`);
    }
    if (header.recordBytes !== header.labelOffset + 8 || header.maxLevel < 0 || header.maxLevel > 64) throw corrupt('bad header');
    if (header.count > 0 && header.entryPoint >= header.count) throw corrupt('entry point out of range');
    const tailStart = HEADER_BYTES + header.count * header.recordBytes;
    if (tailStart + 4 * header.count > size) throw corrupt('truncated');
    const upper = read(tailStart, size - tailStart);
    const upperAt = new Int32Array(header.count).fill(-1);
    const levelBytes = 4 + 4 * header.maxM;
    let at = 0;
    for (let i = 0; i < header.count; i++) {
      if (at + 4 > upper.length) throw corrupt('truncated upper levels');
      const bytes = upper.readUInt32LE(at);
      at += 4;
      if (bytes > 0) {
        if (bytes % levelBytes !== 0 || at + bytes > upper.length) throw corrupt('bad upper-level list');
        upperAt[i] = at;
        at += bytes;
      }
    }
    return new HnswFileReader(source, dimension, header, upperAt, upper, tenantId);
  }

  /** Whether the records are in memory (`load`) rather than read from the file (`open`). */
  get inMemory(): boolean {
    return this.source.kind === 'bytes';
  }

  /**
   * The largest label in the file, deleted elements included (as hnswlib's `getIdsList`),
   * 0 when empty. Reads every record's label: cheap in memory, a read per element from a file.
   */
  maxLabel(): number {
    let max = 0;
    for (let id = 0; id < this.header.count; id++) {
      const label = this.readNode(id).label;
      if (label > max) max = label;
    }
    return max;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.source.kind === 'fd') fs.closeSync(this.source.fd);
  }

  /**
   * The `k` nearest labels to `query` (already normalised, see normalizeLikeHnswlib),
   * nearest first, as hnswlib's `searchKnn(query, k, accept)` with `ef` would return them.
   * `hasDeleted` must say whether the file holds deleted elements (hnswlib's
   * `num_deleted_ > 0`), which changes the stop rule.
   */
  search(query: Float32Array, k: number, ef: number, hasDeleted: boolean, accept?: (label: number) => boolean): FileHit[] {
    if (this.closed) throw new PctxError('INTERNAL', { reason: 'vector file reader used after close' });
    const { header } = this;
    if (header.count === 0 || k <= 0) return [];
    // In memory, a node's views are made once and kept for later queries (a few hundred
    // bytes of heap per node visited); from a file, read once per query.
    const nodes = this.memoryNodes ?? new Map<number, NodeRecord>();
    const node = (id: number): NodeRecord => {
      let rec = nodes.get(id);
      if (rec === undefined) {
        rec = this.readNode(id);
        nodes.set(id, rec);
      }
      return rec;
    };

    let current = header.entryPoint;
    let currentDist = this.distance(query, node(current).vector);
    for (let level = header.maxLevel; level > 0; level--) {
      let changed = true;
      while (changed) {
        changed = false;
        for (const cand of this.upperNeighbours(current, level)) {
          const d = this.distance(query, node(cand).vector);
          if (d < currentDist) {
            currentDist = d;
            current = cand;
            changed = true;
          }
        }
      }
    }

    const bareBone = !hasDeleted && accept === undefined;
    const allowed = (rec: NodeRecord) => bareBone || (!rec.deleted && (accept === undefined || accept(rec.label)));
    const width = Math.max(ef, k);
    const top = new StdHeap();
    const candidates = new StdHeap();
    const visited = new Set<number>([current]);
    let lowerBound: number;
    const entry = node(current);
    if (allowed(entry)) {
      const d = this.distance(query, entry.vector);
      lowerBound = d;
      top.push(d, current);
      candidates.push(-d, current);
    } else {
      lowerBound = 3.4028234663852886e38;
      candidates.push(-lowerBound, current);
    }
    while (candidates.size > 0) {
      const candidateDist = -candidates.topKey();
      const stop = bareBone ? candidateDist > lowerBound : candidateDist > lowerBound && top.size === width;
      if (stop) break;
      const id = candidates.topId();
      candidates.pop();
      for (const cand of node(id).neighbours) {
        if (visited.has(cand)) continue;
        visited.add(cand);
        const rec = node(cand);
        const d = this.distance(query, rec.vector);
        if (top.size < width || lowerBound > d) {
          candidates.push(-d, cand);
          if (allowed(rec)) top.push(d, cand);
          while (top.size > width) top.pop();
          if (top.size > 0) lowerBound = top.topKey();
        }
      }
    }
    while (top.size > k) top.pop();
    const hits: FileHit[] = [];
    while (top.size > 0) {
      hits.push({ label: node(top.topId()).label, distance: top.topKey() });
      top.pop();
    }
    // hnswlib hands them over through a priority_queue of (distance, label): nearest
    // first, equal distances by label.
    return hits.sort((a, b) => a.distance - b.distance || a.label - b.label);
  }

  private readNode(id: number): NodeRecord {
    const { header } = this;
    if (!Number.isInteger(id) || id < 0 || id >= header.count) throw this.corrupt(`neighbour ${id} out of range`);
    const { source } = this;
    let buffer: ArrayBufferLike;
    let base: number;
    if (source.kind === 'bytes') {
      // Views into the loaded file (4-byte aligned, see load); the header check bounds id.
      buffer = source.bytes.buffer;
      base = source.bytes.byteOffset + HEADER_BYTES + id * header.recordBytes;
    } else {
      // A fresh, aligned buffer per node: the neighbour ids and the vector are views into it.
      const bytes = new Uint8Array(header.recordBytes);
      if (fs.readSync(source.fd, bytes, 0, header.recordBytes, HEADER_BYTES + id * header.recordBytes) !== header.recordBytes) {
        throw this.corrupt('short read');
      }
      buffer = bytes.buffer;
      base = 0;
    }
    const view = new DataView(buffer, base, header.recordBytes);
    return {
      neighbours: new Uint32Array(buffer, base + 4, Math.min(view.getUint16(0, true), header.maxM0)),
      deleted: (view.getUint8(2) & DELETE_MARK) !== 0,
      vector: new Float32Array(buffer, base + header.dataOffset, this.dimension),
      label: Number(view.getBigUint64(header.labelOffset, true)),
    };
  }

  private corrupt(reason: string): PctxError {
    return new PctxError('TENANT_CORRUPT', { tenantId: this.tenantId, reason: `vectors.hnsw: ${reason}` });
  }

  private upperNeighbours(id: number, level: number): Uint32Array {
    const at = this.upperAt[id]!;
    if (at < 0) return new Uint32Array(0);
    const start = at + (level - 1) * (4 + 4 * this.header.maxM);
    if (start + 4 > this.upper.length) return new Uint32Array(0);
    const count = Math.min(this.upper.readUInt16LE(start), this.header.maxM);
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.upper.readUInt32LE(start + 4 + 4 * i);
    return out;
  }
}
