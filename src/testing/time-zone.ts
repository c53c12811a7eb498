/**
 * `GROUP BY time()` windows under `tz('Zone/Name')` as influxd 1.6 computes them
 * (query/iterator.go `IteratorOptions.Window`, the fill iterators' stepping): a window starts at
 * local midnight-aligned boundaries (the interval is added to the time shifted by the zone's UTC
 * offset), a window that spans a daylight-saving change is stretched or shrunk by the change when
 * the change is shorter than the interval, and the empty windows that fill() adds step by the
 * interval with the same correction.
 *
 * Zone offsets come from `Intl` (the ICU time zone data of Node), looked up per second as Go's
 * `time.Time.In(loc).Zone()` does. The engine accepts the zone names Node lists
 * (`Intl.supportedValuesOf('timeZone')`) and their capitalised link names (see `isAlias`), and only
 * times from 1970 to 2037, where Go's zoneinfo (transitions listed up to 2037) and ICU agree;
 * anything else is refused by name.
 */
import { InfluxUnsupportedQueryError } from '../errors.js';
import { MAX_NANO_TIME, MIN_NANO_TIME } from '../line-protocol/time.js';

const NS_PER_SECOND = 1_000_000_000n;
/** 1970-01-01 and 2038-01-01 in nanoseconds: the range in which zone offsets are trusted. */
const TRUSTED_MIN = 0n;
const TRUSTED_MAX = 2_145_916_800n * NS_PER_SECOND;

let zoneNames: Set<string> | undefined;

/** A `Window(t)` function and the fill stepping of one GROUP BY time() under one zone. */
export interface ZonedWindows {
  /** `[start, end)` of the window of `t` (IteratorOptions.Window). */
  window(t: bigint): { start: bigint; end: bigint };
  /**
   * Records a window a point falls in and refuses the query when the windows are not one
   * partition of time: influxd computes windows at several levels (per series, then over their
   * partial results, once more over the raw points for some functions) and in output order, so
   * around a DST change where the window of a window's start is another window, or windows
   * overlap, its answer depends on which point opens a window; the engine answers only where every
   * level agrees.
   */
  partition(w: { start: bigint; end: bigint }): void;
  /** Refuses when windows recorded by {@link partition} overlap. */
  verify(): void;
  /**
   * The windows one call's fill iterator emits (query/iterator.gen.go, fill iterators): it steps
   * from the window of `from` to the window of `to` (in output order: descending when
   * `descending`), emits a real window (one of `real`) when it reaches or passes its time and an
   * empty one otherwise, and after each step corrects the next time by a DST change smaller than
   * the interval. Real windows off the steps are emitted where they come.
   */
  fillSequence(
    real: readonly bigint[],
    from: bigint,
    to: bigint,
    descending: boolean,
    max: number,
  ): Set<bigint>;
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/**
 * The windows of `interval` (with `offset`, already within [0, interval)) in `zone`.
 *
 * ```ts
 * zonedWindows('Europe/Paris', 86_400_000_000_000n, 0n).window(1_600_000_000_000_000_000n).start;
 * // 1599948000000000000n (2020-09-13T00:00:00+02:00)
 * ```
 */
export function zonedWindows(zone: string, interval: bigint, offset: bigint): ZonedWindows {
  const zoneOf = zoneOffset(zone);
  const window = (t0: bigint): { start: bigint; end: bigint } => {
    const t = t0 - offset;
    const zone0 = zoneOf(t);
    let dt = (t + zone0) % interval;
    if (dt < 0n) dt += interval;
    let start = MIN_NANO_TIME + dt >= t ? MIN_NANO_TIME : t - dt;
    const startOffset = zoneOf(start);
    const o1 = zone0 - startOffset;
    if (o1 !== 0n && abs(o1) < interval) start += o1;
    start += offset;
    const rest = interval - dt;
    let end = MAX_NANO_TIME - rest <= t ? MAX_NANO_TIME : t + rest;
    const endOffset = zoneOf(end);
    const o2 = zone0 - endOffset;
    if (o2 !== 0n && abs(o2) < interval) {
      if (o2 > 0n) end += o2;
      else if (zoneOf(end + o2) === endOffset) end += o2;
    }
    end += offset;
    return { start, end };
  };
  const fillSequence = (
    real: readonly bigint[],
    from: bigint,
    to: bigint,
    descending: boolean,
    max: number,
  ): Set<bigint> => {
    const points = [...real].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    if (descending) points.reverse();
    const last = window(descending ? from : to).start;
    const out = new Set<bigint>();
    let time = window(descending ? to : from).start;
    let current = zoneOf(time);
    let k = 0;
    for (;;) {
      const p = points[k];
      if (p === undefined) {
        if (descending ? time < last : time > last) break;
        out.add(time);
      } else if (descending ? p < time : p > time) out.add(time);
      else {
        out.add(p);
        k++;
      }
      if (out.size > max)
        throw new InfluxUnsupportedQueryError(`GROUP BY time with more than ${max} windows`);
      time += descending ? -interval : interval;
      const next = zoneOf(time - 1n);
      if (next !== current) {
        const diff = current - next;
        if (abs(diff) < interval) time += diff;
        current = next;
      }
    }
    return out;
  };
  const ends = new Map<bigint, bigint>();
  const partition = (w: { start: bigint; end: bigint }): void => {
    if (ends.has(w.start)) return;
    const again = window(w.start);
    if (again.start !== w.start || again.end !== w.end) irregular(zone);
    ends.set(w.start, w.end);
  };
  const verify = (): void => {
    const starts = [...ends.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (let k = 1; k < starts.length; k++) {
      if (ends.get(starts[k - 1]!)! > starts[k]!) irregular(zone);
    }
  };
  return { window, partition, verify, fillSequence };
}

/**
 * Refuses a `tz()` zone name the engine cannot vouch for (see the module comment).
 *
 * ```ts
 * checkZone('Europe/Paris'); // ok
 * checkZone('europe/paris'); // throws InfluxUnsupportedQueryError
 * ```
 */
export function checkZone(zone: string): void {
  zoneNames ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (!zoneNames.has(zone) && !isAlias(zone)) {
    throw new InfluxUnsupportedQueryError(
      `tz('${zone}') (not a canonical zone name of Node's time zone data, so not checked against the server's)`,
    );
  }
}

function irregular(zone: string): never {
  throw new InfluxUnsupportedQueryError(
    `tz('${zone}') where GROUP BY time() windows around a DST change overlap (influxd's answer depends on its iterator levels)`,
  );
}

/**
 * A link name of the zone database that ICU lists under another canonical name (`Asia/Kolkata`,
 * `Asia/Kathmandu`, `Europe/Kyiv`, `UTC`…): Intl knows it, every part starts with a capital (zone
 * files are case-sensitive on the server) and it is not merely another spelling of its target.
 */
function isAlias(zone: string): boolean {
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(zone)) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  return resolved.toLowerCase() !== zone.toLowerCase() && zoneNames!.has(resolved);
}

/** The UTC offset (ns) of a zone at a time (ns), as Go's `Zone()` (per whole second). */
function zoneOffset(zone: string): (t: bigint) => bigint {
  checkZone(zone);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const cache = new Map<bigint, bigint>();
  return (t) => {
    if (t < TRUSTED_MIN || t >= TRUSTED_MAX) {
      throw new InfluxUnsupportedQueryError(
        `tz('${zone}') for times before 1970 or after 2037 (where Go's zoneinfo and ICU may differ)`,
      );
    }
    // Go looks the zone up for the second that holds t (floor).
    const seconds = t / NS_PER_SECOND;
    const hit = cache.get(seconds);
    if (hit !== undefined) return hit;
    const ms = Number(seconds) * 1000;
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(new Date(ms))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const local = Date.UTC(
      parts.year!,
      parts.month! - 1,
      parts.day!,
      parts.hour!,
      parts.minute!,
      parts.second!,
    );
    const off = BigInt((local - ms) / 1000) * NS_PER_SECOND;
    if (cache.size > 10_000) cache.clear();
    cache.set(seconds, off);
    return off;
  };
}
