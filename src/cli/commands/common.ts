import { Command, InvalidArgumentError } from 'commander';
import { reportError } from '../output.js';
import type { CommonOptions } from '../context.js';
import { reportDone } from '../supervisor.js';

/** Adds the options every subcommand takes. */
export function withCommonOptions(cmd: Command, { tenant = true } = {}): Command {
  cmd.option('--json', 'machine-readable output (see docs/cli.md)').option('--data-dir <dir>', 'data folder (default: env PCTX_DATA_DIR, else ./data)');
  if (tenant) cmd.option('--tenant <id|name>', 'tenant to act for (default: local)');
  return cmd;
}

/** Wraps an action so every failure is reported in the command's output mode. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // commander passes (…positionals, options, command): options are second to last.
    const options = args[args.length - 2] as CommonOptions;
    try {
      await fn(...args);
    } catch (err) {
      reportError(err, options?.json === true);
    }
    reportDone();
  };
}

export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}
