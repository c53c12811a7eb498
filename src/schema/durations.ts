import { InfluxConfigError } from '../errors.js';

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  u: 1_000n,
  µ: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

const PART = /(\d+)(?:\.(\d+))?(ns|u|µ|ms|s|m|h|d|w)/gy;

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
  let total = 0n;
  PART.lastIndex = 0;
  let at = 0;
  for (let m = PART.exec(text); m !== null; m = PART.exec(text)) {
    const unit = UNIT_NANOS[m[3]!]!;
    total += BigInt(m[1]!) * unit;
    if (m[2] !== undefined) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    at = PART.lastIndex;
  }
  if (at === 0 || at !== text.length) {
    throw new InfluxConfigError(
      `${what}: ${JSON.stringify(text)} is not an InfluxQL duration such as '7d' or '1h30m'`,
    );
  }
  return total;
}
