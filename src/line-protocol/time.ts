import { InfluxValidationError } from '../errors.js';
import { NANOS_PER_UNIT, type Precision } from './precision.js';

/**
 * A point's time: a `Date` (millisecond resolution), a `bigint` or safe-integer `number` counted in
 * the write precision (as influxdb-python does with ints), or an RFC3339 string with up to nine
 * fractional digits and any offset (`2009-11-10T23:00:00.123456789Z`, `...+01:00`).
 */
export type TimeInput = Date | bigint | number | string;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Earliest time InfluxDB 1.x stores, in nanoseconds (`models.MinNanoTime`).
 *
 * ```ts
 * MIN_NANO_TIME; // -9223372036854775806n
 * nanosToRfc3339(MIN_NANO_TIME); // '1677-09-21T00:12:43.145224194Z'
 * ```
 */
export const MIN_NANO_TIME = -(2n ** 63n) + 2n;
/**
 * Latest time InfluxDB 1.x stores, in nanoseconds (`models.MaxNanoTime`).
 *
 * ```ts
 * MAX_NANO_TIME; // 9223372036854775806n
 * nanosToRfc3339(MAX_NANO_TIME); // '2262-04-11T23:47:16.854775806Z'
 * ```
 */
export const MAX_NANO_TIME = 2n ** 63n - 2n;

/** Per precision, the smallest and largest count of units the server accepts. */
const BOUNDS: Readonly<Record<Precision, readonly [bigint, bigint, number, number]>> = Object.fromEntries(
  (Object.keys(NANOS_PER_UNIT) as Precision[]).map((p) => {
    const unit = NANOS_PER_UNIT[p];
    // SafeCalcTime multiplies by the unit and checks the result; dividing toward zero gives the
    // largest counts whose product stays inside the range.
    const lo = MIN_NANO_TIME / unit;
    const hi = MAX_NANO_TIME / unit;
    return [p, [lo, hi, Number(lo), Number(hi)] as const];
  }),
) as unknown as Readonly<Record<Precision, readonly [bigint, bigint, number, number]>>;

function outOfRange(where: string, shown: string, precision: Precision): never {
  throw new InfluxValidationError(
    where,
    'time',
    `${shown} (precision '${precision}') is outside the range InfluxDB stores: ${nanosToRfc3339(MIN_NANO_TIME)} to ${nanosToRfc3339(MAX_NANO_TIME)}`,
  );
}

/**
 * Parses an RFC3339 timestamp into integer nanoseconds since the epoch, exactly (no float).
 * A string without an offset is taken as UTC, as influxdb-python does with naive datetimes.
 *
 * ```ts
 * parseRfc3339('2009-11-10T23:00:00.123456789Z'); // 1257894000123456789n
 * parseRfc3339('2009-11-10T23:00:00+01:00');      // 1257890400000000000n
 * parseRfc3339('2009-11-10T23:00:00');            // 1257894000000000000n (UTC)
 * parseRfc3339('yesterday'); // throws InfluxValidationError
 * ```
 */
export function parseRfc3339(text: string, where = 'time', property?: string): bigint {
  const m = RFC3339.exec(text);
  if (!m) {
    throw new InfluxValidationError(
      where,
      property,
      `${JSON.stringify(text)} is not an RFC3339 timestamp (e.g. 2009-11-10T23:00:00.123456789Z)`,
    );
  }
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    (oh !== undefined && (Number(oh) > 23 || Number(om) > 59))
  ) {
    // Seconds stop at 59: InfluxDB (Go's time package) refuses leap seconds too.
    throw new InfluxValidationError(where, property, `${JSON.stringify(text)} has a field out of range`);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, 0);
  const ms = date.getTime();
  if (date.getUTCDate() !== day || date.getUTCFullYear() !== year) {
    throw new InfluxValidationError(where, property, `${JSON.stringify(text)} is not a valid calendar date`);
  }
  let ns = BigInt(ms) * 1_000_000n;
  if (frac) ns += BigInt(frac.padEnd(9, '0'));
  if (sign) {
    const offset = BigInt(Number(oh) * 60 + Number(om)) * 60_000_000_000n;
    ns = sign === '+' ? ns - offset : ns + offset;
  }
  return ns;
}

/**
 * Floor division for bigint (rounds toward the past for negative times).
 *
 * ```ts
 * floorDiv(1999n, 1000n); // 1n
 * floorDiv(-1n, 1000n);   // -1n  (plain `-1n / 1000n` gives 0n)
 * ```
 */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Converts nanoseconds to `precision` (toward the past) and checks the server's range. */
function coarse(ns: bigint, precision: Precision, where: string, shown: string): string {
  const v = precision === 'n' || precision === 'ns' ? ns : floorDiv(ns, NANOS_PER_UNIT[precision]);
  const b = BOUNDS[precision];
  if (v < b[0] || v > b[1]) outOfRange(where, shown, precision);
  return v.toString();
}

/**
 * Converts a point's time to the integer text written after the fields, in `precision`.
 * Numbers and bigints are taken as already counted in `precision`; Dates and strings are
 * converted, truncating toward the past when the precision is coarser than the input.
 * Throws {@link InfluxValidationError} for a time InfluxDB cannot store
 * (outside 1677-09-21T00:12:43.145224194Z .. 2262-04-11T23:47:16.854775806Z).
 *
 * ```ts
 * formatTime(new Date('2009-11-10T23:00:00.123Z'), 's', 'point'); // '1257894000'
 * formatTime('1969-12-31T23:59:59.999999999Z', 'ms', 'point');    // '-1' (toward the past)
 * ```
 */
export function formatTime(time: TimeInput, precision: Precision, where: string): string {
  if (typeof time === 'bigint') {
    const b = BOUNDS[precision];
    if (time < b[0] || time > b[1]) outOfRange(where, `${time}`, precision);
    return time.toString();
  }
  if (typeof time === 'number') {
    if (!Number.isSafeInteger(time)) {
      throw new InfluxValidationError(
        where,
        'time',
        `${time} is not a safe integer; pass a bigint for times beyond 2^53 (nanoseconds after 1970-04-15) or a Date`,
      );
    }
    const b = BOUNDS[precision];
    if (time < b[2] || time > b[3]) outOfRange(where, `${time}`, precision);
    return String(time);
  }
  if (time instanceof Date) {
    const ms = time.getTime();
    if (Number.isNaN(ms)) throw new InfluxValidationError(where, 'time', 'is an invalid Date');
    // Dates reach +-8.64e15 ms; InfluxDB stops at about +-9.2e12 ms.
    if (ms < -9223372036854 || ms > 9223372036854) outOfRange(where, time.toISOString(), precision);
    switch (precision) {
      case 'n':
      case 'ns':
        return ms === 0 ? '0' : `${ms}000000`;
      case 'u':
        return ms === 0 ? '0' : `${ms}000`;
      case 'ms':
        return String(ms);
      default:
        return coarse(BigInt(ms) * 1_000_000n, precision, where, time.toISOString());
    }
  }
  if (typeof time === 'string') {
    const ns = parseRfc3339(time, where, 'time');
    return coarse(ns, precision, where, JSON.stringify(time));
  }
  throw new InfluxValidationError(
    where,
    'time',
    `must be a Date, bigint, integer number or RFC3339 string, got ${time === null ? 'null' : typeof time}`,
  );
}

/**
 * Nanoseconds since the epoch of a Date, exactly.
 *
 * ```ts
 * dateToNanos(new Date('2009-11-10T23:00:00.123Z')); // 1257894000123000000n
 * ```
 */
export function dateToNanos(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}

/**
 * Formats integer nanoseconds since the epoch as RFC3339 with nine fractional digits trimmed of
 * trailing zeros, as InfluxDB does (`2009-11-10T23:00:00.123456789Z`).
 *
 * ```ts
 * nanosToRfc3339(1257894000123456789n); // '2009-11-10T23:00:00.123456789Z'
 * nanosToRfc3339(0n);                   // '1970-01-01T00:00:00Z'
 * nanosToRfc3339(-1n);                  // '1969-12-31T23:59:59.999999999Z'
 * ```
 */
export function nanosToRfc3339(ns: bigint): string {
  const ms = floorDiv(ns, 1_000_000n);
  const sub = ns - ms * 1_000_000n; // 0..999999
  const iso = new Date(Number(ms)).toISOString(); // ...T23:00:00.123Z
  const base = iso.slice(0, -5); // drop .123Z
  const frac = (iso.slice(-4, -1) + sub.toString().padStart(6, '0')).replace(/0+$/, '');
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}
