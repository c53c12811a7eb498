import { InfluxConfigError } from '../errors.js';

/**
 * Time precision of a write or of `epoch` in a query. `n` and `ns` are the same (nanoseconds);
 * `u` is microseconds, `ms` milliseconds, `s` seconds, `m` minutes, `h` hours.
 */
export type Precision = 'n' | 'ns' | 'u' | 'ms' | 's' | 'm' | 'h';

/**
 * Nanoseconds in one unit of each precision.
 *
 * ```ts
 * NANOS_PER_UNIT.ms; // 1000000n
 * floorDiv(nowNanos(), NANOS_PER_UNIT.s); // the current time in seconds
 * ```
 */
export const NANOS_PER_UNIT: Readonly<Record<Precision, bigint>> = Object.freeze({
  n: 1n,
  ns: 1n,
  u: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
});

/**
 * Checks a precision given by a user and returns it; throws {@link InfluxConfigError} otherwise.
 *
 * ```ts
 * checkPrecision('ms'); // 'ms'
 * checkPrecision('sec', 'write(precision)');
 * // throws InfluxConfigError: write(precision): "sec" is not a time precision; use one of 'n', 'ns', …
 * ```
 */
export function checkPrecision(value: unknown, where = 'precision'): Precision {
  if (typeof value === 'string' && Object.hasOwn(NANOS_PER_UNIT, value)) return value as Precision;
  throw new InfluxConfigError(
    `${where}: ${JSON.stringify(value)} is not a time precision; use one of 'n', 'ns', 'u', 'ms', 's', 'm', 'h'`,
  );
}
