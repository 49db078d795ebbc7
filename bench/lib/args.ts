/**
 * An integer command-line option, or `fallback` when absent. A bad value stops the run
 * with a message naming the option: a typo must never silently run the default size.
 */
export function intOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name}: expected an integer >= ${min}, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}
