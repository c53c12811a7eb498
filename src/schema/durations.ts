import { InfluxConfigError } from '../errors.js';
import { durationPartsNanos } from '../influxql/duration.js';

/**
 * Nanoseconds of an InfluxQL duration as written in a statement (`'7d'`, `'1h30m'`) or as the
 * server reports it (`'168h0m0s'`); `'INF'` and `'0s'` are 0 (infinite). Used to compare durations
 * that are spelled differently.
 *
 * ```ts
 * durationNanos('7d') === durationNanos('168h0m0s'); // true
 * ```
 */
export function durationNanos(text: string, what = 'duration'): bigint {
  if (/^inf$/i.test(text)) return 0n;
  const total = durationPartsNanos(text, true);
  if (total === undefined) {
    throw new InfluxConfigError(
      `${what}: ${JSON.stringify(text)} is not an InfluxQL duration such as '7d' or '1h30m'`,
    );
  }
  return total;
}
