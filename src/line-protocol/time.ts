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

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses an RFC3339 timestamp into integer nanoseconds since the epoch, exactly (no float).
 * A string without an offset is taken as UTC, as influxdb-python does with naive datetimes.
 */
export function parseRfc3339(text: string, where = 'time'): bigint {
  const m = RFC3339.exec(text);
  if (!m) {
    throw new InfluxValidationError(
      where,
      undefined,
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
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw new InfluxValidationError(where, undefined, `${JSON.stringify(text)} has a field out of range`);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCFullYear() !== year) {
    throw new InfluxValidationError(where, undefined, `${JSON.stringify(text)} is not a valid calendar date`);
  }
  let ns = BigInt(ms) * 1_000_000n;
  if (frac) ns += BigInt(frac.padEnd(9, '0'));
  if (sign) {
    const offset = BigInt(Number(oh) * 60 + Number(om)) * 60_000_000_000n;
    ns = sign === '+' ? ns - offset : ns + offset;
  }
  return ns;
}

/** Floor division for bigint (rounds toward the past for negative times). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * Converts a point's time to the integer text written after the fields, in `precision`.
 * Numbers and bigints are taken as already counted in `precision`; Dates and strings are
 * converted, truncating toward the past when the precision is coarser than the input.
 */
export function formatTime(time: TimeInput, precision: Precision, where: string): string {
  if (typeof time === 'bigint') {
    if (time < INT64_MIN || time > INT64_MAX) {
      throw new InfluxValidationError(where, 'time', `${time} is outside the int64 range InfluxDB stores`);
    }
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
    return String(time);
  }
  if (time instanceof Date) {
    const ms = time.getTime();
    if (Number.isNaN(ms)) throw new InfluxValidationError(where, 'time', 'is an invalid Date');
    switch (precision) {
      case 'n':
      case 'ns':
        return ms === 0 ? '0' : `${ms}000000`;
      case 'u':
        return ms === 0 ? '0' : `${ms}000`;
      case 'ms':
        return String(ms);
      default:
        return floorDiv(BigInt(ms) * 1_000_000n, NANOS_PER_UNIT[precision]).toString();
    }
  }
  if (typeof time === 'string') {
    const ns = parseRfc3339(time, `${where}.time`);
    return (
      precision === 'n' || precision === 'ns' ? ns : floorDiv(ns, NANOS_PER_UNIT[precision])
    ).toString();
  }
  throw new InfluxValidationError(
    where,
    'time',
    `must be a Date, bigint, integer number or RFC3339 string, got ${time === null ? 'null' : typeof time}`,
  );
}

/** Nanoseconds since the epoch of a Date, exactly. */
export function dateToNanos(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}

/**
 * Formats integer nanoseconds since the epoch as RFC3339 with nine fractional digits trimmed of
 * trailing zeros, as InfluxDB does (`2009-11-10T23:00:00.123456789Z`).
 */
export function nanosToRfc3339(ns: bigint): string {
  const ms = floorDiv(ns, 1_000_000n);
  const sub = ns - ms * 1_000_000n; // 0..999999
  const iso = new Date(Number(ms)).toISOString(); // ...T23:00:00.123Z
  const base = iso.slice(0, -5); // drop .123Z
  const frac = (iso.slice(-4, -1) + sub.toString().padStart(6, '0')).replace(/0+$/, '');
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}
