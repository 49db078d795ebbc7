/**
 * Converts tree-sitter node indices (UTF-16 code units: web-tree-sitter parses JS strings as
 * UTF-16) to UTF-8 byte offsets, which is what the index stores.
 *
 * Pure-ASCII sources, the vast majority, map index to byte one to one and cost one regex test.
 * Otherwise each line's starting byte is computed once, lazily and in order, so converting the
 * offsets of a whole file costs about one pass over it.
 */
export class ByteOffsets {
  private readonly ascii: boolean;
  private lineStarts: number[] | null = null;
  private lineBytes: number[] = [0];

  constructor(private readonly source: string) {
    // Native and much faster than a regex test for a non-ASCII character.
    this.ascii = Buffer.byteLength(source, 'utf8') === source.length;
  }

  /** UTF-8 byte offset of string index `index`, which lies on 0-based line `row`. */
  toByte(index: number, row: number): number {
    if (this.ascii) return index;
    const starts = this.lineStarts ?? (this.lineStarts = computeLineStarts(this.source));
    const line = Math.min(row, starts.length - 1);
    const bytes = this.lineBytes;
    for (let r = bytes.length; r <= line; r++) {
      bytes.push(bytes[r - 1]! + Buffer.byteLength(this.source.slice(starts[r - 1], starts[r])));
    }
    const lineStart = starts[line]!;
    if (index <= lineStart) return bytes[line]! - Buffer.byteLength(this.source.slice(index, lineStart));
    return bytes[line]! + Buffer.byteLength(this.source.slice(lineStart, index));
  }
}

function computeLineStarts(source: string): number[] {
  const starts = [0];
  let at = source.indexOf('\n');
  while (at !== -1) {
    starts.push(at + 1);
    at = source.indexOf('\n', at + 1);
  }
  return starts;
}
