export type Cell = string | number | boolean | null | undefined;

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toPrecision(3)));
  }
  return String(value);
}

/**
 * A Markdown table: readable on a terminal and pasted as is into docs/benchmarks.md.
 * Numbers are right-aligned and rounded (3 significant digits, thousands separators).
 */
export function markdownTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((row) => row[i] === undefined || row[i] === null || typeof row[i] === 'number'));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(headers), rule, ...text.map(line)].join('\n');
}

export function printTable(title: string, headers: string[], rows: Cell[][]): void {
  process.stdout.write(`\n### ${title}\n\n${markdownTable(headers, rows)}\n`);
}
