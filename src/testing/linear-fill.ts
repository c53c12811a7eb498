/**
 * `fill(linear)` as influxd 1.6's fill iterators compute it (query/iterator.gen.go, linear.go):
 * an empty window between two windows that hold a value gets the point on the line between them;
 * windows before the first or after the last value stay null, and strings and booleans are never
 * interpolated. Each function of the query is filled on its own, per series, in output order (with
 * `ORDER BY time DESC` the "previous" value is the later window).
 *
 * The server computes on window numbers, not times: `time / interval` with Go's truncating
 * integer division for the window, the previous and the next value, then `m * x + b` in float64
 * (no fused multiply-add on amd64). Integers subtract with int64 wrap-around and convert back with
 * Go's float → int64 conversion (truncation; on amd64 NaN and out-of-range values become -2^63).
 */
import type { StoredFieldValue } from '../line-protocol/line-parser.js';

type Value = StoredFieldValue | null;

const INT64_MIN = -(2n ** 63n);
const TWO_63 = 2 ** 63;

/** A window that holds a value (before filling). */
export interface FilledPoint {
  readonly time: bigint;
  readonly value: Value;
}

/**
 * The value of the empty window at `time` between `prev` and `next` (both windows with a value),
 * or null when the values are not numbers of one type.
 *
 * ```ts
 * linearValue(20n, { time: 0n, value: 10n }, { time: 30n, value: 21n }, 10n); // 17n
 * ```
 */
export function linearValue(time: bigint, prev: FilledPoint, next: FilledPoint, interval: bigint): Value {
  const a = prev.value;
  const b = next.value;
  // BigInt division truncates toward zero, as Go's integer division does.
  const windowN = time / interval;
  const prevN = prev.time / interval;
  const nextN = next.time / interval;
  const x = Number(windowN - prevN);
  const span = Number(nextN - prevN);
  if (typeof a === 'number' && typeof b === 'number') {
    const m = (b - a) / span;
    return m * x + a;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const m = Number(BigInt.asIntN(64, b - a)) / span;
    return goFloatToInt64(m * x + Number(a));
  }
  return null;
}

/** Go's `int64(f)` on amd64: truncation; NaN and values outside int64 give -2^63. */
function goFloatToInt64(f: number): bigint {
  if (Number.isNaN(f) || f >= TWO_63 || f < -TWO_63) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/**
 * Fills the empty windows of one function's column in output order: `values[k]` is the reduced
 * value of `times[k]`, or `undefined` for an empty window. Returns the column with linear fill.
 *
 * ```ts
 * fillLinear([0n, 10n, 20n, 30n], [10n, undefined, undefined, 21n], 10n); // [10n, 13n, 17n, 21n]
 * ```
 */
export function fillLinear(
  times: readonly bigint[],
  values: ReadonlyArray<Value | undefined>,
  interval: bigint,
): Value[] {
  const out: Value[] = new Array(times.length).fill(null);
  let prev: FilledPoint | undefined;
  let next = -1;
  for (let k = 0; k < times.length; k++) {
    const v = values[k];
    if (v !== undefined) {
      out[k] = v;
      prev = { time: times[k]!, value: v };
      continue;
    }
    if (prev === undefined || prev.value === null) continue;
    if (next < k) {
      next = k + 1;
      while (next < times.length && values[next] === undefined) next++;
    }
    if (next >= times.length) continue;
    out[k] = linearValue(times[k]!, prev, { time: times[next]!, value: values[next]! }, interval);
  }
  return out;
}
