import { invalidArgument } from '../errors.js';

/** Where the control plane reads the current time; tests inject a fixed or stepping clock. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/**
 * Every control-plane timestamp is stored as `Date#toISOString()` (UTC, millisecond
 * precision, fixed width) so that plain string comparison orders them in time; pruning and
 * stats rely on that.
 */
export function toIsoTimestamp(value: unknown, option: string): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw invalidArgument(option, 'expected a valid Date');
  }
  const iso = value.toISOString();
  // Years outside 0000–9999 get a sign and extra digits, which would break string ordering.
  if (iso.length !== 24) throw invalidArgument(option, 'year must be between 0 and 9999');
  return iso;
}
