import { InfluxValidationError } from '../errors.js';
import { escapeFieldKey, escapeMeasurement, escapeTag, quoteStringField, typeOf } from './escape.js';
import type { Precision } from './precision.js';
import { formatTime, type TimeInput } from './time.js';

/**
 * A field value: `number` is always a float (never guessed to be an integer), `bigint` an int64
 * integer (`i` suffix), `boolean`, or `string`. `null`/`undefined` fields are left out.
 */
export type FieldValue = number | bigint | boolean | string;

/** A tag value; non-strings are written as `String(value)`; `''`, `null`, `undefined` are left out. */
export type TagValue = string | number | bigint | boolean | null | undefined;

/** One point, as in influxdb-python: `{ measurement, tags?, fields, time? }`. */
export interface Point {
  /** The measurement; may be omitted when the body gives one. */
  measurement?: string;
  tags?: Readonly<Record<string, TagValue>> | undefined;
  fields: Readonly<Record<string, FieldValue | null | undefined>>;
  /** Omitted or null: the server's time of arrival. See {@link TimeInput}. */
  time?: TimeInput | null | undefined;
}

/** A write body, as in influxdb-python: the points plus tags and a measurement shared by all. */
export interface WriteBody {
  points: Iterable<Point>;
  /** Tags added to every point; a point's own tag of the same key wins. */
  tags?: Readonly<Record<string, TagValue>> | undefined;
  /** Measurement of the points that name none. */
  measurement?: string | undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Formats a float as the shortest text that parses back to the same double. */
export function formatFloat(value: number, where: string, key: string): string {
  if (!Number.isFinite(value)) {
    throw new InfluxValidationError(where, key, `${value} cannot be stored: InfluxDB floats must be finite`);
  }
  return String(value);
}

/** Formats an int64 with the `i` suffix; throws outside the int64 range. */
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

/** Formats one field value by its JS type; throws on values InfluxDB cannot store. */
export function formatFieldValue(value: FieldValue, where: string, key: string): string {
  switch (typeof value) {
    case 'number':
      return formatFloat(value, where, key);
    case 'bigint':
      return formatInteger(value, where, key);
    case 'string':
      return quoteStringField(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      throw new InfluxValidationError(
        where,
        key,
        `field value of type ${typeOf(value)} cannot be stored; use number (float), bigint (integer), boolean or string`,
      );
  }
}

/**
 * Per-call memo of escaped names, so the keys and tag values that repeat in every point of a batch
 * are escaped once. Bounded so that a stream of unique values does not grow it without end.
 */
class EscapeCache {
  private readonly measurements = new Map<string, string>();
  private readonly tagKeys = new Map<string, string>();
  private readonly tagValues = new Map<string, string>();
  private readonly fieldKeys = new Map<string, string>();

  measurement(name: string, where: string): string {
    let e = this.measurements.get(name);
    if (e === undefined) {
      e = escapeMeasurement(name, where);
      if (this.measurements.size < 1024) this.measurements.set(name, e);
    }
    return e;
  }
  tagKey(key: string, where: string): string {
    let e = this.tagKeys.get(key);
    if (e === undefined) {
      if (key.length === 0) throw new InfluxValidationError(where, 'tags', 'tag key must not be empty');
      e = escapeTag(key, where, key, 'key');
      if (this.tagKeys.size < 1024) this.tagKeys.set(key, e);
    }
    return e;
  }
  tagValue(value: string, where: string, key: string): string {
    let e = this.tagValues.get(value);
    if (e === undefined) {
      e = escapeTag(value, where, key, 'value');
      if (this.tagValues.size < 65536) this.tagValues.set(value, e);
    }
    return e;
  }
  fieldKey(key: string, where: string): string {
    let e = this.fieldKeys.get(key);
    if (e === undefined) {
      e = escapeFieldKey(key, where);
      if (this.fieldKeys.size < 1024) this.fieldKeys.set(key, e);
    }
    return e;
  }
}

function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort();
  }
  return keys;
}

function tagText(value: TagValue, where: string, key: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value))
        throw new InfluxValidationError(where, key, `tag value ${value} is not finite`);
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

function encodePoint(
  point: Point,
  precision: Precision,
  bodyTags: Readonly<Record<string, TagValue>> | undefined,
  bodyMeasurement: string | undefined,
  where: string,
  cache: EscapeCache,
): string {
  if (point === null || typeof point !== 'object') {
    throw new InfluxValidationError(where, undefined, `a point must be an object, got ${typeOf(point)}`);
  }
  const measurement = point.measurement ?? bodyMeasurement;
  if (measurement === undefined || measurement === null) {
    throw new InfluxValidationError(where, 'measurement', 'is missing (give it on the point or on the body)');
  }
  let line = cache.measurement(measurement, where);

  let tags = point.tags;
  if (bodyTags !== undefined)
    tags = tags === undefined || tags === null ? bodyTags : { ...bodyTags, ...tags };
  if (tags !== undefined && tags !== null) {
    for (const key of sortedKeys(tags)) {
      const text = tagText(tags[key], where, key);
      if (text === undefined || text === '') continue;
      line += `,${cache.tagKey(key, where)}=${cache.tagValue(text, where, key)}`;
    }
  }

  const fields = point.fields;
  if (fields === null || typeof fields !== 'object') {
    throw new InfluxValidationError(
      where,
      'fields',
      `must be an object with at least one field, got ${typeOf(fields)}`,
    );
  }
  let sep = ' ';
  for (const key of sortedKeys(fields)) {
    const value = fields[key];
    if (value === null || value === undefined) continue;
    line += `${sep}${cache.fieldKey(key, where)}=${formatFieldValue(value, where, key)}`;
    sep = ',';
  }
  if (sep === ' ') {
    throw new InfluxValidationError(
      where,
      'fields',
      'has no field with a value; InfluxDB cannot store a point without fields',
    );
  }
  const time = point.time;
  if (time !== undefined && time !== null) line += ` ${formatTime(time, precision, where)}`;
  return line;
}

/**
 * Encodes one point as a line of line protocol (without the trailing newline).
 *
 * ```ts
 * makeLine({ measurement: 'cpu', tags: { host: 'a b' }, fields: { usage: 0.5, cores: 4n }, time: 1n }, 'ns');
 * // 'cpu,host=a\ b cores=4i,usage=0.5 1'
 * ```
 */
export function makeLine(point: Point, precision: Precision = 'n'): string {
  return encodePoint(point, precision, undefined, undefined, 'point', new EscapeCache());
}

/**
 * Encodes a body (or an array of points) as line protocol: one line per point, tags and fields
 * sorted by key, body tags merged under the point's tags, every line ending with `\n`.
 * Throws {@link InfluxValidationError} naming the point (`points[i]`) and key for anything that
 * cannot be stored exactly; nothing is returned for a body with a bad point.
 *
 * ```ts
 * makeLines({ tags: { region: 'eu' }, points: [{ measurement: 'cpu', fields: { v: 1 }, time: 0n }] });
 * // 'cpu,region=eu v=1 0\n'
 * ```
 */
export function makeLines(body: WriteBody | Iterable<Point>, precision: Precision = 'n'): string {
  const isBody = !(Symbol.iterator in body) && typeof body === 'object' && body !== null && 'points' in body;
  const points: Iterable<Point> = isBody ? (body as WriteBody).points : (body as Iterable<Point>);
  const tags = isBody ? (body as WriteBody).tags : undefined;
  const measurement = isBody ? (body as WriteBody).measurement : undefined;
  if (points === null || typeof points !== 'object' || !(Symbol.iterator in points)) {
    throw new InfluxValidationError('body', 'points', `must be an iterable of points, got ${typeOf(points)}`);
  }
  const cache = new EscapeCache();
  let out = '';
  let i = 0;
  if (Array.isArray(points)) {
    for (; i < points.length; i++) {
      out += `${encodePoint(points[i], precision, tags, measurement, `points[${i}]`, cache)}\n`;
    }
  } else {
    for (const p of points) {
      out += `${encodePoint(p, precision, tags, measurement, `points[${i}]`, cache)}\n`;
      i++;
    }
  }
  return out;
}

/** Exposed for the client's batching: encodes one point with a shared cache. */
export function createLineEncoder(
  precision: Precision,
  bodyTags?: Readonly<Record<string, TagValue>>,
  bodyMeasurement?: string,
): (point: Point, index: number) => string {
  const cache = new EscapeCache();
  return (point, index) =>
    encodePoint(point, precision, bodyTags, bodyMeasurement, `points[${index}]`, cache);
}
