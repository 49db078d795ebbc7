/**
 * Tells binary content from text, for files whose name looked like source. Discovery cannot
 * do this (it never reads content); the indexer calls it on the bytes it has just read.
 */

/** How much of the file is examined; the same budget git uses for its own check. */
const SAMPLE_BYTES = 8192;

/**
 * More than this share of control characters and the content is not text anyone would
 * search. Plain text has almost none: tabs, newlines, form feeds and ANSI escapes are not
 * counted.
 */
const MAX_CONTROL_RATIO = 0.1;

function isTextControl(code: number): boolean {
  // \b \t \n \v \f \r and ESC (colour codes in logs and fixtures).
  return (code >= 0x08 && code <= 0x0d) || code === 0x1b;
}

function isSuspicious(code: number): boolean {
  return (code < 0x20 && !isTextControl(code)) || code === 0x7f;
}

function looksBinaryUtf16(buf: Uint8Array, littleEndian: boolean): boolean {
  const end = Math.min(buf.length, SAMPLE_BYTES) & ~1;
  let units = 0;
  let suspicious = 0;
  for (let i = 2; i < end; i += 2) {
    const unit = littleEndian ? buf[i]! | (buf[i + 1]! << 8) : (buf[i]! << 8) | buf[i + 1]!;
    if (unit === 0) return true;
    units++;
    if (isSuspicious(unit)) suspicious++;
  }
  return units > 0 && suspicious / units > MAX_CONTROL_RATIO;
}

/**
 * True when `buf` (the start of a file; more than 8 KiB is never looked at) is binary:
 * it contains a NUL byte, or more than 10% of its bytes are control characters other than
 * tab, newline, carriage return, form feed, vertical tab, backspace and escape.
 *
 * Byte-order marks: a UTF-8 BOM is skipped and the rest checked as above. A UTF-16 BOM
 * (`FF FE` or `FE FF`) means the NUL bytes are part of the encoding, so the check runs on
 * 16-bit code units instead: such a file is text unless it holds a NUL character or too many
 * control characters. Decoding UTF-16 is then the caller's job. UTF-32 files are reported as
 * binary (their BOM reads as UTF-16 and their padding as NUL characters). Bytes above 0x7F
 * are never held against the content, so Latin-1 and other legacy encodings count as text.
 * An empty buffer is text.
 */
export function looksBinary(buf: Uint8Array): boolean {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return looksBinaryUtf16(buf, true);
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return looksBinaryUtf16(buf, false);
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const end = Math.min(buf.length, SAMPLE_BYTES);
  let suspicious = 0;
  for (let i = start; i < end; i++) {
    const byte = buf[i]!;
    if (byte === 0) return true;
    if (isSuspicious(byte)) suspicious++;
  }
  const examined = end - start;
  return examined > 0 && suspicious / examined > MAX_CONTROL_RATIO;
}
