import type { LineWriter } from './line-writer.js';
import { MAX_NANO_TIME, MIN_NANO_TIME } from './time.js';

/**
 * Writes bigint nanosecond times as decimal text without BigInt#toString (several times slower):
 * the last time written is kept split as hi * 1e9 + lo, and consecutive points are usually close
 * in time, so the next one is written from the difference with plain numbers. `near` is true
 * while the last time is at least 1e9 ns inside the range InfluxDB stores, so that a time within
 * 1e9 ns of it needs no range check. Internal to the encoders.
 *
 * ```ts
 * const nanos = new NanosWriter();
 * nanos.write(writer, 1_700_000_000_000_000_000n); // true: 1700000000000000000
 * nanos.write(writer, 1_700_000_000_000_001_000n); // true: 1700000000000001000, from the difference
 * nanos.write(writer, 2n ** 63n); // false: out of range, nothing written
 * ```
 */
export class NanosWriter {
  private last = 0n;
  private hi = 0;
  private lo = 0;
  private near = false;

  /**
   * Writes `t` (nanoseconds) and returns true; returns false, writing nothing, when `t` is outside
   * the range InfluxDB stores (the caller throws, with `formatTime`'s message).
   */
  write(w: LineWriter, t: bigint): boolean {
    let hi: number;
    let lo: number;
    const d = this.near ? Number(t - this.last) : 1e9;
    if (d < 1e9 && d > -1e9) {
      hi = this.hi;
      lo = this.lo + d;
      if (lo >= 1e9) {
        lo -= 1e9;
        hi++;
      } else if (lo < 0) {
        lo += 1e9;
        hi--;
      }
    } else {
      if (t < MIN_NANO_TIME || t > MAX_NANO_TIME) return false;
      if (t < 1_000_000_000n) {
        this.near = false;
        w.ascii7(t.toString());
        return true;
      }
      hi = Number(t / 1_000_000_000n);
      lo = Number(t - BigInt(hi) * 1_000_000_000n);
    }
    this.last = t;
    this.hi = hi;
    this.lo = lo;
    // t in [2e9, MAX - 1e9]: the next time within 1e9 ns stays inside (1e9, MAX].
    this.near = hi >= 2 && hi <= 9_223_372_034;
    w.digits(hi);
    w.digits(lo, 9);
    return true;
  }
}
