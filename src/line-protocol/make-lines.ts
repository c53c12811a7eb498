import { InfluxValidationError } from '../errors.js';
import { escapeFieldKey, escapeMeasurement, escapeTag, quoteStringField, typeOf } from './escape.js';
import { LineWriter } from './line-writer.js';
import { checkPrecision, type Precision } from './precision.js';
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

function badFieldType(value: unknown, where: string, key: string): InfluxValidationError {
  return new InfluxValidationError(
    where,
    key,
    `field value of type ${typeOf(value)} cannot be stored; use number (float), bigint (integer), boolean or string`,
  );
}

/**
 * Returns the length of the first line InfluxDB's line splitter (`models.scanLine`) finds in
 * `line`. It tracks double quotes only after the first unescaped space, and it counts a space
 * preceded by an even run of backslashes as that space, so a tag written as `a\\ b` (the tag
 * value `a\ b`) can start the quote tracking early and make a raw newline in a later string field
 * end the line. Exposed so that every encoder can check lines that carry a raw newline.
 *
 * ```ts
 * scanLineLength('cpu v=1 1\ncpu v=2 2');       // 9  ('cpu v=1 1')
 * scanLineLength('cpu s="a\nb" 1\ncpu v=2');   // 13 (the newline inside the string field is kept)
 * ```
 */
export function scanLineLength(line: string): number {
  let i = 0;
  let quoted = false;
  let fields = false;
  let equals = 0;
  let commas = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 0x5c) {
      i += 2;
      continue;
    }
    if (c === 0x20) fields = true;
    if (fields) {
      if (!quoted && c === 0x3d) {
        i++;
        equals++;
        continue;
      }
      if (!quoted && c === 0x2c) {
        i++;
        commas++;
        continue;
      }
      if (c === 0x22 && equals > commas) {
        i++;
        quoted = !quoted;
        continue;
      }
    }
    if (c === 0x0a && !quoted) break;
    i++;
  }
  return i;
}

/** Per-call memo of escaped names: the keys and tag values that repeat in a batch are escaped once. */
class EscapeCache {
  readonly measurements = new Map<string, string>();
  readonly tagKeys = new Map<string, string>();
  readonly tagValues = new Map<string, string>();
  readonly fieldKeys = new Map<string, string>();
}

/** The state of one encoding call. */
class Encoder {
  readonly w: LineWriter;
  readonly cache = new EscapeCache();
  readonly precision: Precision;
  readonly bodyTags: Readonly<Record<string, TagValue>> | undefined;
  readonly bodyTagKeys: string[] | undefined;
  readonly bodyMeasurement: string | undefined;
  /** Index of the point being encoded, or -1 for a single point (makeLine). */
  index = -1;
  /** Set when the point's tags hold a backslash-space, which desynchronises InfluxDB's line splitter. */
  suspect = false;
  /** Escaped tag keys/values whose backslash-space makes the line splitter see an early space. */
  private readonly suspects = new Set<string>();

  constructor(
    w: LineWriter,
    precision: Precision,
    bodyTags: Readonly<Record<string, TagValue>> | undefined,
    bodyMeasurement: string | undefined,
  ) {
    this.w = w;
    this.precision = precision;
    if (bodyTags !== undefined && bodyTags !== null) {
      if (typeof bodyTags !== 'object') {
        throw new InfluxValidationError('body', 'tags', `must be an object, got ${typeOf(bodyTags)}`);
      }
      const keys = Object.keys(bodyTags).sort();
      if (keys.length > 0) {
        this.bodyTags = bodyTags;
        this.bodyTagKeys = keys;
      }
    }
    this.bodyMeasurement = bodyMeasurement ?? undefined;
  }

  where(): string {
    return this.index < 0 ? 'point' : `points[${this.index}]`;
  }

  measurement(name: string): string {
    const m = this.cache.measurements;
    let e = m.get(name);
    if (e === undefined) {
      e = escapeMeasurement(name, this.where());
      if (m.size < 1024) m.set(name, e);
    }
    return e;
  }

  tagKey(key: string): string {
    const m = this.cache.tagKeys;
    let e = m.get(key);
    if (e === undefined) {
      if (key.length === 0)
        throw new InfluxValidationError(this.where(), 'tags', 'tag key must not be empty');
      e = escapeTag(key, this.where(), key, 'key');
      if (e.includes('\\\\ ')) this.suspects.add(e);
      if (m.size < 4096) m.set(key, e);
    }
    if (e.length !== key.length && this.suspects.has(e)) this.suspect = true;
    return e;
  }

  tagValue(value: string, key: string): string {
    const m = this.cache.tagValues;
    let e = m.get(value);
    if (e === undefined) {
      e = escapeTag(value, this.where(), key, 'value');
      if (e.includes('\\\\ ')) this.suspects.add(e);
      if (m.size < 65536) m.set(value, e);
    }
    if (e.length !== value.length && this.suspects.has(e)) this.suspect = true;
    return e;
  }

  fieldKey(key: string): string {
    const m = this.cache.fieldKeys;
    let e = m.get(key);
    if (e === undefined) {
      e = escapeFieldKey(key, this.where());
      if (m.size < 4096) m.set(key, e);
    }
    return e;
  }

  tagText(value: TagValue, key: string): string | undefined {
    if (typeof value === 'string') return value;
    if (value === null || value === undefined) return undefined;
    switch (typeof value) {
      case 'number':
        if (!Number.isFinite(value)) {
          throw new InfluxValidationError(this.where(), key, `tag value ${value} is not finite`);
        }
        return String(value);
      case 'bigint':
      case 'boolean':
        return String(value);
      default:
        throw new InfluxValidationError(
          this.where(),
          key,
          `tag value of type ${typeOf(value)} cannot be stored; tags are strings`,
        );
    }
  }

  writeTag(key: string, value: TagValue): void {
    const text = this.tagText(value, key);
    if (text === undefined || text === '') return;
    const w = this.w;
    w.byte(0x2c);
    w.str(this.tagKey(key));
    w.byte(0x3d);
    w.str(this.tagValue(text, key));
  }

  writeTags(tags: Readonly<Record<string, TagValue>> | undefined | null): void {
    const bodyKeys = this.bodyTagKeys;
    if (tags === undefined || tags === null) {
      if (bodyKeys === undefined) return;
      const body = this.bodyTags as Readonly<Record<string, TagValue>>;
      for (let i = 0; i < bodyKeys.length; i++) {
        const k = bodyKeys[i] as string;
        this.writeTag(k, body[k]);
      }
      return;
    }
    if (typeof tags !== 'object') {
      throw new InfluxValidationError(this.where(), 'tags', `must be an object, got ${typeOf(tags)}`);
    }
    if (bodyKeys === undefined) {
      // Optimistic: most objects list their keys sorted already; for-in reads them without
      // allocating. On the first key out of order, rewind and write them sorted.
      const start = this.w.pos;
      let prev: string | undefined;
      for (const k in tags) {
        if (!Object.hasOwn(tags, k)) continue;
        if (prev !== undefined && k < prev) {
          this.w.pos = start;
          const keys = Object.keys(tags).sort();
          for (let i = 0; i < keys.length; i++) {
            const key = keys[i] as string;
            this.writeTag(key, tags[key]);
          }
          return;
        }
        prev = k;
        this.writeTag(k, tags[k]);
      }
      return;
    }
    const keys = sortedKeys(tags);
    // Merge the two sorted key lists; the point's own tag wins over the body's.
    const body = this.bodyTags as Readonly<Record<string, TagValue>>;
    let i = 0;
    let j = 0;
    while (i < keys.length || j < bodyKeys.length) {
      const a = keys[i];
      const b = bodyKeys[j];
      if (b === undefined || (a !== undefined && a < b)) {
        this.writeTag(a as string, tags[a as string]);
        i++;
      } else if (a === undefined || b < a) {
        this.writeTag(b, body[b]);
        j++;
      } else {
        this.writeTag(a, tags[a]);
        i++;
        j++;
      }
    }
  }

  private sep = 0x20;
  private newlineKey: string | undefined;

  private writeField(key: string, value: FieldValue | null | undefined): void {
    const w = this.w;
    if (value === null || value === undefined) return;
    w.byte(this.sep);
    this.sep = 0x2c;
    w.str(this.fieldKey(key));
    w.byte(0x3d);
    switch (typeof value) {
      case 'number':
        if (value === 0) w.ascii7(1 / value < 0 ? '-0' : '0');
        else if (value - value === 0) w.ascii7(String(value));
        else formatFloat(value, this.where(), key); // throws
        break;
      case 'bigint':
        if (value >= -0x20000000000000n && value <= 0x20000000000000n) w.int(Number(value));
        else {
          if (value < INT64_MIN || value > INT64_MAX) formatInteger(value, this.where(), key); // throws
          w.ascii7(value.toString());
        }
        w.byte(0x69);
        break;
      case 'boolean':
        w.ascii7(value ? 'true' : 'false');
        break;
      case 'string':
        if (value.includes('\n')) this.newlineKey = key;
        w.str(quoteStringField(value, this.where(), key));
        break;
      default:
        throw badFieldType(value, this.where(), key);
    }
  }

  /** Writes the fields; returns the key of a string field holding a raw newline, if any. */
  writeFields(fields: Readonly<Record<string, FieldValue | null | undefined>>): string | undefined {
    if (fields === null || typeof fields !== 'object') {
      throw new InfluxValidationError(
        this.where(),
        'fields',
        `must be an object with at least one field, got ${typeOf(fields)}`,
      );
    }
    const w = this.w;
    const start = w.pos;
    this.sep = 0x20;
    this.newlineKey = undefined;
    let prev: string | undefined;
    for (const key in fields) {
      if (!Object.hasOwn(fields, key)) continue;
      if (prev !== undefined && key < prev) {
        // Out of order: rewind and write the fields sorted.
        w.pos = start;
        this.sep = 0x20;
        this.newlineKey = undefined;
        const keys = Object.keys(fields).sort();
        for (let i = 0; i < keys.length; i++) this.writeField(keys[i] as string, fields[keys[i] as string]);
        break;
      }
      prev = key;
      this.writeField(key, fields[key]);
    }
    const sep = this.sep;
    const newlineKey = this.newlineKey;
    if (sep === 0x20) {
      throw new InfluxValidationError(
        this.where(),
        'fields',
        'has no field with a value; InfluxDB cannot store a point without fields',
      );
    }
    return newlineKey;
  }

  // The last positive nanosecond time written, split as hi * 1e9 + lo: consecutive points are
  // usually close in time, so the next one is written from the difference with plain numbers
  // instead of BigInt#toString (which is several times slower).
  private lastNs = -1n;
  private lastHi = 0;
  private lastLo = 0;

  private nanos(t: bigint): void {
    const w = this.w;
    const d = t - this.lastNs;
    let hi: number;
    let lo: number;
    if (d < 1_000_000_000n && d > -1_000_000_000n && this.lastNs >= 0n) {
      hi = this.lastHi;
      lo = this.lastLo + Number(d);
      if (lo >= 1e9) {
        lo -= 1e9;
        hi++;
      } else if (lo < 0) {
        lo += 1e9;
        hi--;
      }
    } else if (t >= 1_000_000_000n) {
      hi = Number(t / 1_000_000_000n);
      lo = Number(t - BigInt(hi) * 1_000_000_000n);
    } else {
      w.ascii7(t.toString());
      return;
    }
    if (hi <= 0) {
      w.ascii7(t.toString());
      return;
    }
    this.lastNs = t;
    this.lastHi = hi;
    this.lastLo = lo;
    w.digits(hi);
    w.digits(lo, 9);
  }

  /** Encodes one point (without its newline). On error, the writer is left at the line start. */
  point(point: Point): void {
    const w = this.w;
    const start = w.pos;
    this.suspect = false;
    try {
      if (point === null || typeof point !== 'object') {
        throw new InfluxValidationError(
          this.where(),
          undefined,
          `a point must be an object, got ${typeOf(point)}`,
        );
      }
      const measurement = point.measurement ?? this.bodyMeasurement;
      if (measurement === undefined || measurement === null) {
        throw new InfluxValidationError(
          this.where(),
          'measurement',
          'is missing (give it on the point or on the body)',
        );
      }
      w.str(this.measurement(measurement));
      this.writeTags(point.tags);
      const newlineKey = this.writeFields(point.fields);
      const time = point.time;
      if (time !== undefined && time !== null) {
        w.byte(0x20);
        if (typeof time === 'bigint' && (this.precision === 'n' || this.precision === 'ns')) {
          if (time < MIN_NS || time > MAX_NS) formatTime(time, this.precision, this.where()); // throws
          this.nanos(time);
        } else {
          w.ascii7(formatTime(time, this.precision, this.where()));
        }
      }
      if (this.suspect) this.checkSingleLine(start, newlineKey);
    } catch (e) {
      w.pos = start;
      throw e;
    }
  }

  /**
   * A tag holding a backslash before a space (written `\\ `) makes InfluxDB's line splitter
   * start tracking double quotes inside the tags; then a `"` in the tags, field keys or strings can
   * make it end the line at a newline inside a string, or run past this line's end and merge the
   * next line into it. Checks the line the way the server will split it.
   */
  private checkSingleLine(start: number, newlineKey: string | undefined): void {
    const line = `${this.w.buf.toString('utf8', start, this.w.pos)}\n`;
    if (scanLineLength(line) !== line.length - 1) {
      throw new InfluxValidationError(
        this.where(),
        newlineKey ?? 'tags',
        `a tag holding a backslash before a space, combined with the double quotes${newlineKey === undefined ? '' : ' and the newline'} in this point, makes InfluxDB 1.x split the line in the wrong place; InfluxDB cannot store this point as it is`,
      );
    }
  }
}

const MIN_NS = -(2n ** 63n) + 2n;
const MAX_NS = 2n ** 63n - 2n;

function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort();
  }
  return keys;
}

/** One writer reused by non-overlapping calls; a nested call (from a user iterator) gets its own. */
let sharedWriter: LineWriter | undefined;
let sharedBusy = false;

function withWriter<T>(fn: (w: LineWriter) => T): T {
  if (sharedBusy) return fn(new LineWriter(1 << 12));
  sharedBusy = true;
  if (sharedWriter === undefined) sharedWriter = new LineWriter();
  const w = sharedWriter;
  w.reset();
  try {
    return fn(w);
  } finally {
    sharedBusy = false;
    // Do not keep a huge buffer alive after a one-off giant batch.
    if (w.buf.length > 1 << 24) sharedWriter = undefined;
  }
}

function isWriteBody(body: unknown): body is WriteBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    !(Symbol.iterator in body) &&
    'points' in (body as Record<string, unknown>)
  );
}

function encodeBody(w: LineWriter, body: WriteBody | Iterable<Point>, precision: Precision): void {
  if (body === null || typeof body !== 'object') {
    throw new InfluxValidationError(
      'body',
      undefined,
      `must be a body or an iterable of points, got ${typeOf(body)}`,
    );
  }
  const isBody = isWriteBody(body);
  const points: Iterable<Point> = isBody ? body.points : (body as Iterable<Point>);
  if (points === null || typeof points !== 'object' || !(Symbol.iterator in points)) {
    throw new InfluxValidationError('body', 'points', `must be an iterable of points, got ${typeOf(points)}`);
  }
  const enc = new Encoder(
    w,
    precision,
    isBody ? body.tags : undefined,
    isBody ? body.measurement : undefined,
  );
  if (Array.isArray(points)) {
    for (let i = 0; i < points.length; i++) {
      enc.index = i;
      enc.point(points[i]);
      w.byte(0x0a);
    }
  } else {
    let i = 0;
    for (const p of points) {
      enc.index = i++;
      enc.point(p);
      w.byte(0x0a);
    }
  }
}

/**
 * Encodes one point as a line of line protocol (without the trailing newline). Throws
 * {@link InfluxValidationError} (where `point`) for anything InfluxDB cannot store exactly.
 *
 * ```ts
 * makeLine({ measurement: 'cpu', tags: { host: 'a b' }, fields: { usage: 0.5, cores: 4n }, time: 1n }, 'ns');
 * // 'cpu,host=a\ b cores=4i,usage=0.5 1'
 * ```
 */
export function makeLine(point: Point, precision: Precision = 'n'): string {
  checkPrecision(precision, 'precision');
  return withWriter((w) => {
    new Encoder(w, precision, undefined, undefined).point(point);
    return w.text();
  });
}

/**
 * Encodes a body (or an iterable of points) as line protocol: one line per point, tags and fields
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
  checkPrecision(precision, 'precision');
  return withWriter((w) => {
    encodeBody(w, body, precision);
    return w.text();
  });
}

/**
 * Like {@link makeLines}, but returns the UTF-8 bytes, ready to be sent as a request body
 * (skips building a string).
 *
 * ```ts
 * new TextDecoder().decode(makeLinesBytes([{ measurement: 'm', fields: { s: 'é' } }])); // 'm s="é"\n'
 * ```
 */
export function makeLinesBytes(body: WriteBody | Iterable<Point>, precision: Precision = 'n'): Uint8Array {
  checkPrecision(precision, 'precision');
  return withWriter((w) => {
    encodeBody(w, body, precision);
    return w.bytes();
  });
}

/**
 * For the client's batching: returns a function that encodes one point (without newline), sharing
 * one escape cache across calls. `index` names the point in errors (`points[index]`).
 *
 * ```ts
 * const encode = createLineEncoder('s', { region: 'eu' });
 * encode({ measurement: 'cpu', fields: { v: 1 }, time: 10 }, 0); // 'cpu,region=eu v=1 10'
 * ```
 */
export function createLineEncoder(
  precision: Precision,
  bodyTags?: Readonly<Record<string, TagValue>>,
  bodyMeasurement?: string,
): (point: Point, index: number) => string {
  const w = new LineWriter(1 << 10);
  const enc = new Encoder(w, precision, bodyTags, bodyMeasurement);
  return (point, index) => {
    w.reset();
    enc.index = index;
    enc.point(point);
    return w.text();
  };
}
