import type { Performance } from 'node:perf_hooks';

/*
 * The time given to a point built without one: wall-clock milliseconds (Date.now(), read once
 * at the first reading) plus the monotonic high-resolution time elapsed since then, so it has
 * nanosecond resolution and never goes back when the wall clock is adjusted.
 *
 * Successive readings are strictly increasing in the process (a reading that would equal or
 * precede the last one is moved 1 ns after it), so two points of the same series built in a row
 * never share a timestamp and never overwrite each other. A retried write carries the same times
 * and so stays idempotent. At a precision coarser than `n`, two points built within the same unit
 * do share a time; give such points explicit times.
 *
 * The reading is kept as two integers (epoch milliseconds, and 0..999_999 ns within the
 * millisecond) so that no bigint is allocated per point.
 */
// Set at the first reading, so node:perf_hooks is not loaded with the package (lazy-require.ts).
let perf: Performance | undefined;
let anchorMs = 0;
let anchorPerf = 0;

let lastMs = 0;
let lastSub = 0;

/** The epoch milliseconds of the last {@link tick}. */
export function tickMs(): number {
  return lastMs;
}

/** Nanoseconds (0..999_999) within the millisecond of the last {@link tick}. */
export function tickSub(): number {
  return lastSub;
}

/** Takes a new reading; read it with {@link tickMs} and {@link tickSub}. */
export function tick(): void {
  if (perf === undefined) {
    perf = process.getBuiltinModule('node:perf_hooks').performance;
    anchorMs = Date.now();
    anchorPerf = perf.now();
  }
  const elapsed = perf.now() - anchorPerf;
  const whole = Math.floor(elapsed);
  let ms = anchorMs + whole;
  let sub = Math.floor((elapsed - whole) * 1e6);
  if (sub > 999_999) sub = 999_999;
  if (ms < lastMs || (ms === lastMs && sub <= lastSub)) {
    ms = lastMs;
    sub = lastSub + 1;
    if (sub === 1_000_000) {
      ms += 1;
      sub = 0;
    }
  }
  lastMs = ms;
  lastSub = sub;
}

/**
 * The current time as integer nanoseconds since the epoch (strictly increasing, as above).
 *
 * ```ts
 * const a = nowNanos(); // e.g. 1732550400123456789n
 * const b = nowNanos(); // b > a, even within the same millisecond
 * ```
 */
export function nowNanos(): bigint {
  tick();
  return BigInt(lastMs) * 1_000_000n + BigInt(lastSub);
}
