import { styleText } from 'node:util';
import { toPctxError } from '../errors.js';

/** Styling for people; plain when the stream is not a terminal or NO_COLOR is set. */
export function style(format: Parameters<typeof styleText>[0], text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return stream.isTTY && !process.env.NO_COLOR ? styleText(format, text) : text;
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
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))));
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
  else process.stderr.write(`${style('red', 'error:', process.stderr)} ${e.message} ${style('dim', `(${e.code})`, process.stderr)}\n`);
  process.exitCode = 1;
}
