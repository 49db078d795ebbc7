import zlib from 'node:zlib';
import type { JSONRPCErrorResponse, JSONRPCResultResponse } from '@modelcontextprotocol/sdk/types.js';
import { responseParts } from '../mcp/json-rpc.js';

/**
 * Response compression for the HTTP transport, negotiated by `Accept-Encoding`.
 *
 * Why: a search answer of 10 hits is ~10 KB of JSON (the hits as MCP `structuredContent`
 * and again as text), and on this kind of guest writing that to the socket costs more CPU
 * than the search (docs/benchmarks.md §5). Compressed it is a fraction of that. Only gzip
 * is offered: every client that asks for deflate or br also asks for gzip (the official
 * MCP SDK client, through Node's fetch, sends `gzip, deflate`), and gzip's framing lets a
 * repeated answer be sent from memoized compressed bytes (see `gzipSpliced`).
 *
 * Compression is synchronous at zlib's fastest level: an answer is at most a few hundred
 * KB, the thread pool would add a hop per request, and level 1 already removes most of
 * JSON's redundancy.
 */

/** Bodies smaller than this are sent as they are: the gzip framing (18 bytes) and the CPU are not worth it. */
export const COMPRESS_MIN_BYTES = 1024;

const LEVEL = zlib.constants.Z_BEST_SPEED;

/** One content-coding from an Accept-Encoding element: name (lower case) and weight. */
interface Coding {
  name: string;
  q: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** The codings of an Accept-Encoding header (RFC 9110 §12.5.3), or null when it is malformed. */
function parseAcceptEncoding(header: string): Coding[] | null {
  const codings: Coding[] = [];
  for (const element of header.split(',')) {
    const parts = element.split(';');
    const name = parts[0]!.trim();
    if (name === '') {
      // The list syntax allows empty elements (`gzip, , br`), but not a bare weight.
      if (parts.length > 1) return null;
      continue;
    }
    if (!TOKEN.test(name)) return null;
    let q = 1;
    for (const param of parts.slice(1)) {
      const eq = param.indexOf('=');
      if (eq < 0) return null;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim();
      if (key !== 'q' || !QVALUE.test(value)) return null;
      q = Number(value);
    }
    codings.push({ name: name.toLowerCase(), q });
  }
  return codings;
}

/** Whether an Accept-Encoding header accepts gzip. */
function parseAcceptsGzip(header: string): boolean {
  const codings = parseAcceptEncoding(header);
  // A header we cannot read gets the identity coding, which every client must accept:
  // never a 4xx for it (RFC 9110 allows ignoring the field).
  if (codings === null) return false;
  const explicit = codings.find((c) => c.name === 'gzip' || c.name === 'x-gzip');
  if (explicit) return explicit.q > 0;
  const star = codings.find((c) => c.name === '*');
  return star !== undefined && star.q > 0;
}

// A client sends the same header on every request: the last answer is kept.
let lastHeader = '';
let lastAccepts = false;

/** Whether the request's Accept-Encoding lets the answer be gzip-coded. Absent or malformed: no. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text !== lastHeader) {
    lastAccepts = parseAcceptsGzip(text);
    lastHeader = text;
  }
  return lastAccepts;
}

/** A whole body gzip-coded. */
export function gzipBody(body: string | Buffer): Buffer {
  return zlib.gzipSync(body, { level: LEVEL });
}

/**
 * A text compressed once on its own, to be framed inside several gzip members: raw
 * deflate ending on a byte boundary (a sync flush) without a final block, the text's
 * CRC-32 and length in bytes, and the operator that shifts a CRC over that many bytes
 * (so the whole member's CRC is had without reading the text again).
 */
export interface DeflatedPart {
  readonly deflated: Buffer;
  readonly length: number;
  readonly crc: number;
  readonly shift: number;
}

export function deflatePart(text: string): DeflatedPart {
  const bytes = Buffer.from(text, 'utf8');
  // Copied out: zlib's output is a view of a 16 KiB chunk, and a memoized 1 KB answer
  // kept the whole chunk alive for as long as the answer stayed cached.
  const deflated = Buffer.from(zlib.deflateRawSync(bytes, { level: LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  return { deflated, length: bytes.length, crc: zlib.crc32(bytes), shift: crc32ShiftOperator(bytes.length) };
}

// CRC-32 combination as zlib's crc32_combine_gen/crc32_combine_op do it (crc32.c):
// polynomials over GF(2), reflected, modulo the CRC-32 polynomial.
const CRC_POLY = 0xedb88320;

/** a * b modulo the CRC polynomial. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ CRC_POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the CRC polynomial, k = 0..31. */
const X2N: number[] = (() => {
  const table: number[] = [];
  let p = 0x40000000; // x^1
  table.push(p);
  for (let k = 1; k < 32; k++) table.push((p = multModP(p, p)));
  return table;
})();

/** x^(8 * bytes) modulo the CRC polynomial: combines a CRC with that of `bytes` more bytes. */
function crc32ShiftOperator(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = multModP(X2N[k & 31]!, p);
  }
  return p;
}

/** The CRC-32 of A followed by B, from crc(A), crc(B) and B's shift operator. */
function crc32Combine(crcA: number, crcB: number, shiftB: number): number {
  return (multModP(shiftB, crcA) ^ crcB) >>> 0;
}

/** gzip member header: magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** Stored blocks hold at most this many bytes. */
const STORED_MAX = 0xffff;

/** A deflate stored block holding `data` (≤ 65,535 bytes), starting on a byte boundary. */
function storedBlock(data: Buffer, final: boolean): Buffer {
  const block = Buffer.allocUnsafe(5 + data.length);
  block[0] = final ? 1 : 0; // BFINAL, BTYPE=00 (stored), then padding to the byte boundary
  block.writeUInt16LE(data.length, 1);
  block.writeUInt16LE(~data.length & 0xffff, 3);
  data.copy(block, 5);
  return block;
}

/**
 * The gzip coding of `prefix + part + suffix`, where `part` was compressed once and is
 * reused: the prefix and suffix (a JSON-RPC envelope with the request's id) go in stored
 * blocks around the memoized deflate data, so a repeated answer costs a copy
 * instead of a compression. Valid because the part's deflate data refers to nothing
 * before it and ends on a byte boundary without a final block; the CRC-32 and length
 * cover the whole text. Null when prefix or suffix do not fit a stored block (an id of
 * 64 KB): the caller compresses the whole instead.
 */
export function gzipSpliced(prefix: string, part: DeflatedPart, suffix: string): Buffer | null {
  const head = Buffer.from(prefix, 'utf8');
  const tail = Buffer.from(suffix, 'utf8');
  if (head.length > STORED_MAX || tail.length > STORED_MAX) return null;
  const crc = zlib.crc32(tail, crc32Combine(zlib.crc32(head), part.crc, part.shift));
  const trailer = Buffer.allocUnsafe(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((head.length + part.length + tail.length) >>> 0, 4);
  return Buffer.concat([GZIP_HEADER, storedBlock(head, false), part.deflated, storedBlock(tail, true), trailer]);
}

/**
 * The JSON text of a JSON-RPC response, gzip-coded. A result's compressed text is made
 * once and kept next to its memoized JSON (json-rpc.ts), so an answer returned again —
 * the answer cache's — costs a copy; only the envelope with the request's id
 * is new each time.
 */
export function gzipResponse(response: JSONRPCResultResponse | JSONRPCErrorResponse): Buffer {
  const parts = responseParts(response);
  if (parts === null) return gzipBody(JSON.stringify(response));
  const part = (parts.result.compressed ??= deflatePart(parts.result.json));
  return gzipSpliced(parts.prefix, part, parts.suffix) ?? gzipBody(parts.prefix + parts.result.json + parts.suffix);
}
