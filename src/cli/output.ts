import { styleText } from 'node:util';
import { toPctxError } from '../errors.js';

/** Styling for people; plain when the stream is not a terminal or NO_COLOR is set. */
export function style(format: Parameters<typeof styleText>[0], text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return stream.isTTY && !process.env.NO_COLOR ? styleText(format, text) : text;
}

/**
 * C0 and C1 control characters, DEL, and the Unicode bidirectional overrides: a file
 * name, folder name or docstring holding them could move the cursor, retitle the
 * terminal or reorder what people read. Newline and tab are kept only in multi-line text.
 */
const UNSAFE_INLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(char: string): string {
  const code = char.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text from the index or the file system made safe for a terminal: control characters
 * are shown as `\x1b`-style escapes. Use on everything printed for people that was not
 * written by this program; `--json` output needs nothing (JSON escapes them itself).
 * @param multiline keep newlines and tabs (source code); otherwise they are escaped too.
 */
export function printable(text: string, { multiline = false } = {}): string {
  // A lone carriage return would let a line overwrite itself; CRLF is just a line end.
  return multiline ? text.replace(/\r\n/g, '\n').replace(UNSAFE_MULTILINE, escapeChar) : text.replace(UNSAFE_INLINE, escapeChar);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * Renders rows as an aligned table with a header. Cells are converted with String();
 * columns listed in `right` are right-aligned (numbers).
 */
export function table(headers: string[], rows: unknown[][], right: number[] = []): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '—' : printable(String(c)))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [style('bold', line(headers)), ...cells.map(line)].join('\n');
}

/**
 * Reports a failure and sets the exit code. With --json the error is the JSON document
 * on stdout (`{ "error": { code, message, details } }`), so scripts read one stream.
 */
export function reportError(err: unknown, json: boolean): void {
  const e = toPctxError(err);
  if (json) printJson({ error: e.toJSON() });
  else process.stderr.write(`${style('red', 'error:', process.stderr)} ${printable(e.message)} ${style('dim', `(${e.code})`, process.stderr)}\n`);
  process.exitCode = 1;
}
