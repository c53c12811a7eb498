/*
 * The value formatters of line protocol, shared by every encoder: floats, int64 integers (and
 * their bounds), field values by JS type, tag values as text. The `write*` functions write into a
 * LineWriter without building strings; they return false instead of throwing, so that a caller
 * builds its error's location (`points[i]`, `Class.property`) only when there is an error.
 */
import { InfluxValidationError } from '../errors.js';
import { quoteStringField, typeOf } from './escape.js';
import type { LineWriter } from './line-writer.js';
import type { FieldValue, TagValue } from './point.js';

/**
 * The smallest int64, the lower bound of an InfluxDB integer field.
 *
 * ```ts
 * INT64_MIN; // -9223372036854775808n
 * ```
 */
export const INT64_MIN = -(2n ** 63n);
/**
 * The largest int64, the upper bound of an InfluxDB integer field.
 *
 * ```ts
 * value <= INT64_MAX; // storable as an integer field (with value >= INT64_MIN)
 * ```
 */
export const INT64_MAX = 2n ** 63n - 1n;

/** `true` and `false` as bytes. */
export const TRUE_BYTES = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
export const FALSE_BYTES = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);

/**
 * Formats a float as the shortest text that parses back to the same double (`-0` keeps its sign:
 * InfluxDB stores and returns it). Throws on NaN and Infinity, which InfluxDB cannot store.
 *
 * ```ts
 * formatFloat(1, 'point', 'v');    // '1'      (line protocol `v=1` is a FLOAT)
 * formatFloat(0.1, 'point', 'v');  // '0.1'
 * formatFloat(1e21, 'point', 'v'); // '1e+21'
 * ```
 */
export function formatFloat(value: number, where: string, key: string): string {
  if (value === 0) return 1 / value < 0 ? '-0' : '0';
  if (value - value !== 0) {
    throw new InfluxValidationError(where, key, `${value} cannot be stored: InfluxDB floats must be finite`);
  }
  return String(value);
}

/**
 * Formats an int64 with the `i` suffix; throws outside the int64 range (or for an unsafe number).
 *
 * ```ts
 * formatInteger(-(2n ** 63n), 'point', 'v'); // '-9223372036854775808i'
 * ```
 */
export function formatInteger(value: bigint | number, where: string, key: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new InfluxValidationError(
        where,
        key,
        `${value} is not a safe integer; pass a bigint for integers beyond 2^53`,
      );
    }
    return `${value}i`;
  }
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new InfluxValidationError(where, key, `${value} is outside the int64 range InfluxDB stores`);
  }
  return `${value}i`;
}

/**
 * Formats one field value by its JS type; throws on values InfluxDB cannot store.
 *
 * ```ts
 * formatFieldValue(0.5, 'point', 'usage');   // '0.5'   (number → float)
 * formatFieldValue(4n, 'point', 'cores');    // '4i'    (bigint → integer)
 * formatFieldValue('up', 'point', 'state');  // '"up"'
 * formatFieldValue(true, 'point', 'ok');     // 'true'
 * formatFieldValue(Number.NaN, 'points[0]', 'usage'); // throws InfluxValidationError
 * ```
 */
export function formatFieldValue(value: FieldValue, where: string, key: string): string {
  switch (typeof value) {
    case 'number':
      return formatFloat(value, where, key);
    case 'bigint':
      return formatInteger(value, where, key);
    case 'string':
      return quoteStringField(value, where, key);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      throw badFieldType(value, where, key);
  }
}

/** The error for a field value of a type line protocol has no field type for. */
export function badFieldType(value: unknown, where: string, key: string): InfluxValidationError {
  return new InfluxValidationError(
    where,
    key,
    `field value of type ${typeOf(value)} cannot be stored; use number (float), bigint (integer), boolean or string`,
  );
}

/**
 * Writes a float as {@link formatFloat} formats it. Returns false, writing nothing, for NaN and
 * ±Infinity (the caller throws with `formatFloat`).
 *
 * ```ts
 * if (!writeFloat(w, v)) formatFloat(v, where, key); // throws
 * ```
 */
export function writeFloat(w: LineWriter, value: number): boolean {
  if (value === 0) w.ascii7(1 / value < 0 ? '-0' : '0');
  else if (value - value === 0) {
    // Whole floats print as their digits (String(4) === '4').
    if (Number.isSafeInteger(value)) w.int(value);
    else w.float(value);
  } else return false;
  return true;
}

/**
 * Writes an int64 integer with its `i` suffix. Returns false, writing nothing, outside the int64
 * range (the caller throws with `formatInteger`).
 *
 * ```ts
 * if (!writeBigInt(w, v)) formatInteger(v, where, key); // throws
 * ```
 */
export function writeBigInt(w: LineWriter, value: bigint): boolean {
  // A number strictly inside +-2^53 comes from a bigint inside it (rounding is monotone).
  const n = Number(value);
  if (n < 9007199254740992 && n > -9007199254740992) w.int(n);
  else {
    if (value < INT64_MIN || value > INT64_MAX) return false;
    w.ascii7(value.toString());
  }
  w.byte(0x69); // i
  return true;
}

/**
 * The text of a tag value of a point: strings as they are, finite numbers, bigints and booleans
 * as `String(value)`; undefined for `null`/`undefined` (left out). Throws for other types and for
 * NaN/Infinity.
 *
 * ```ts
 * tagText(3, 'point', 'rack'); // '3'
 * ```
 */
export function tagText(value: TagValue, where: string, key: string): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InfluxValidationError(where, key, `tag value ${value} is not finite`);
      }
      return String(value);
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      throw new InfluxValidationError(
        where,
        key,
        `tag value of type ${typeOf(value)} cannot be stored; tags are strings`,
      );
  }
}
