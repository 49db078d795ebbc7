/**
 * Turns a source file's bytes into text by its byte-order mark: UTF-8 (BOM dropped),
 * UTF-16LE and UTF-16BE (what Windows editors write as "Unicode"); without a BOM, UTF-8.
 * Invalid sequences become U+FFFD rather than failing: the file is still worth indexing.
 * `looksBinary` has already refused UTF-32 and binary content.
 */

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
const utf16le = new TextDecoder('utf-16le', { fatal: false, ignoreBOM: false });

function decodeUtf16be(bytes: Uint8Array): string {
  // Swapping into little-endian needs no ICU data, which small Node builds lack for UTF-16BE.
  const swapped = new Uint8Array(bytes.length & ~1);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1]!;
    swapped[i + 1] = bytes[i]!;
  }
  return utf16le.decode(swapped);
}

export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return utf16le.decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16be(bytes);
  return utf8.decode(bytes);
}
