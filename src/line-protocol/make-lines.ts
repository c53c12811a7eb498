import { InfluxValidationError } from '../errors.js';
import { escapeFieldKey, escapeMeasurement, escapeTag, quoteStringField, typeOf } from './escape.js';
import { type Head, headOf, Level } from './head-cache.js';
import { LineWriter } from './line-writer.js';
import { NanosWriter } from './nanos.js';
import { checkPrecision, type Precision } from './precision.js';
import { checkSeriesKey } from './series-key.js';
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
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Tag or field key lists remembered per cache (the oldest built is replaced). */
const MAX_SHAPES = 16;
/** Cached heads per cache; when full, the cache starts over (the series written change in time). */
const MAX_HEADS = 8192;
/** Head lookups per check of the hit rate, and points written without the cache after a bad one. */
const HEAD_WINDOW = 4096;
const HEAD_BYPASS = 32768;

/** Escaped field keys: a separator byte, the key and `=`, as bytes; null for a key that is refused. */
const fieldKeyBytes = new Map<string, Uint8Array | null>();

function fieldKeyPrefix(key: string): Uint8Array | null {
  let p = fieldKeyBytes.get(key);
  if (p === undefined) {
    try {
      // The first byte is the separator (a space or a comma), set before each copy.
      p = Buffer.from(` ${escapeFieldKey(key, 'point')}=`, 'utf8');
    } catch {
      p = null; // refused: writing a value under it throws (naming the point)
    }
    if (fieldKeyBytes.size >= 4096) fieldKeyBytes.clear();
    fieldKeyBytes.set(key, p);
  }
  return p;
}

/** The last MAX_SHAPES key lists seen (of tags, or of fields), the oldest replaced first. */
class ShapeList<S extends { readonly keys: readonly string[] }> {
  readonly shapes: S[] = [];
  private next = 0;

  /** The shape whose keys are exactly `ks[0..n)`, if cached. */
  find(ks: readonly string[], n: number): S | undefined {
    const shapes = this.shapes;
    for (let i = 0; i < shapes.length; i++) {
      const s = shapes[i] as S;
      if (sameKeys(s.keys, ks, n)) return s;
    }
    return undefined;
  }

  add(s: S): S {
    if (this.shapes.length < MAX_SHAPES) this.shapes.push(s);
    else this.shapes[this.next++ % MAX_SHAPES] = s;
    return s;
  }
}

/**
 * The key lists and heads an encoder has seen. Encoders without body tags share one (heads and
 * key lists depend on nothing else), so single points and small batches find their series
 * cached; an encoder with body tags has its own.
 */
class Caches {
  readonly tagShapes = new ShapeList<TagShape>();
  heads = 0;
  readonly fieldShapes = new ShapeList<FieldShape>();
  // Hit rate over the current window; while `bypass` > 0, heads are written without the cache
  // (a stream of series never seen again would pay for caching each of them).
  lookups = 0;
  misses = 0;
  bypass = 0;

  /** Drops every cached head. */
  clearHeads(): void {
    for (const s of this.tagShapes.shapes) s.root = new Level();
    this.heads = 0;
  }
}

let sharedCaches = new Caches();
let shareCaches = true;

/**
 * Internal (not exported by the package), for tests: empties the shared caches; `false` gives
 * every encoder fresh caches, so that a single point is encoded by the uncached rules alone.
 *
 * ```ts
 * shareEncoderCaches(false);
 * makeLine(point); // written without any cached head or key list
 * shareEncoderCaches(true);
 * ```
 */
export function shareEncoderCaches(on: boolean): void {
  shareCaches = on;
  sharedCaches = new Caches();
}

/** The own enumerable tag keys of a point, in for-in order, and the heads built with them. */
class TagShape {
  /** measurement → value of keys[0] → … → value of keys[n-1] → Head. */
  root = new Level();
  constructor(readonly keys: readonly string[]) {}
}

/** The own enumerable field keys of a point, in for-in order, with their escaped bytes. */
class FieldShape {
  constructor(
    readonly keys: readonly string[],
    /** Per key (for-in order): a separator byte, the escaped key and `=`; null when the key is refused. */
    readonly prefixes: readonly (Uint8Array | null)[],
    /** for-in indices in sorted key order; undefined when the for-in order is sorted. */
    readonly order: readonly number[] | undefined,
    /** How many leading keys are in order (the fields checked first when `order` is set). */
    readonly inOrder: number,
    /** False when an escaped key is not ASCII. */
    readonly ascii: boolean,
  ) {}
}

function sameKeys(keys: readonly string[], ks: readonly string[], n: number): boolean {
  if (keys.length !== n) return false;
  for (let i = 0; i < n; i++) if (keys[i] !== ks[i]) return false;
  return true;
}

/** A null-prototype copy of the key/value pairs read from an object (so each is read once). */
function snapshot(ks: readonly string[], vs: readonly unknown[], n: number): Record<string, TagValue> {
  const o = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < n; i++) o[ks[i] as string] = vs[i];
  return o as Record<string, TagValue>;
}

const TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
const FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);

/**
 * Reads an object's own enumerable keys and values, in for-in order, into `ks`/`vs` (each read
 * once). Returns how many there are, or `-count - 1` when they are not exactly `keys` (no key list
 * counts as a mismatch).
 */
function readEntries(
  obj: Readonly<Record<string, unknown>>,
  ks: string[],
  vs: unknown[],
  keys: readonly string[] | undefined,
): number {
  let match = keys !== undefined;
  let n = 0;
  for (const k in obj) {
    if (!hasOwn.call(obj, k)) continue;
    if (match && (n >= (keys as readonly string[]).length || (keys as readonly string[])[n] !== k))
      match = false;
    ks[n] = k;
    vs[n] = obj[k];
    n++;
  }
  return match ? n : -n - 1;
}

/** The state of one encoding call. */
class Encoder {
  readonly w: LineWriter;
  private escapes: EscapeCache | undefined;
  readonly precision: Precision;
  readonly nanosTime: boolean;
  readonly bodyTags: Readonly<Record<string, TagValue>> | undefined;
  readonly bodyTagKeys: string[] | undefined;
  readonly bodyMeasurement: string | undefined;
  /** The body tags the slow path reads: the user's object, or the values read for this point. */
  private bodyView: Readonly<Record<string, TagValue>> | undefined;
  /** Index of the point being encoded, or -1 for a single point (makeLine). */
  index = -1;
  /** Set when the point's tags hold a backslash-space, which desynchronises InfluxDB's line splitter. */
  suspect = false;
  /** Escaped tag keys/values whose backslash-space makes the line splitter see an early space. */
  private readonly suspects = new Set<string>();

  // The key lists and heads seen (see Caches), the last key lists used, and scratch space for
  // one point's reads.
  private readonly caches: Caches;
  private tagShape: TagShape | undefined;
  private fieldShape: FieldShape | undefined;
  private readonly tks: string[] = [];
  private readonly tvs: unknown[] = [];
  private readonly fks: string[] = [];
  private readonly fvs: unknown[] = [];
  private bodyValues: unknown[] | undefined;

  constructor(
    w: LineWriter,
    precision: Precision,
    bodyTags: Readonly<Record<string, TagValue>> | undefined,
    bodyMeasurement: string | undefined,
  ) {
    this.w = w;
    this.precision = precision;
    this.nanosTime = precision === 'n' || precision === 'ns';
    if (bodyTags !== undefined && bodyTags !== null) {
      if (typeof bodyTags !== 'object') {
        throw new InfluxValidationError('body', 'tags', `must be an object, got ${typeOf(bodyTags)}`);
      }
      const keys = Object.keys(bodyTags).sort();
      if (keys.length > 0) {
        this.bodyTags = bodyTags;
        this.bodyTagKeys = keys;
        this.bodyView = bodyTags;
      }
    }
    this.bodyMeasurement = bodyMeasurement ?? undefined;
    this.caches = this.bodyTagKeys === undefined && shareCaches ? sharedCaches : new Caches();
  }

  private get cache(): EscapeCache {
    if (this.escapes === undefined) this.escapes = new EscapeCache();
    return this.escapes;
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
      const body = this.bodyView as Readonly<Record<string, TagValue>>;
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
        if (!hasOwn.call(tags, k)) continue;
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
    const body = this.bodyView as Readonly<Record<string, TagValue>>;
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

  /** Writes `measurement` and the tags by the rules above (no cache). */
  private slowHead(measurement: unknown, tags: unknown): void {
    this.w.str(this.measurement(measurement as string));
    this.writeTags(tags as Readonly<Record<string, TagValue>> | undefined | null);
  }

  /**
   * Writes `measurement,tags`. Each tag value (and body tag value) is read once; the escaped and
   * sorted text is cached under the measurement and the values read, per list of tag keys, so a
   * series seen before costs a few map lookups and a copy.
   */
  private head(measurement: unknown, tags: unknown): void {
    const caches = this.caches;
    if (caches.bypass > 0 || (tags !== undefined && tags !== null && typeof tags !== 'object')) {
      if (caches.bypass > 0) caches.bypass--;
      const bodyKeys = this.bodyTagKeys;
      if (bodyKeys !== undefined) this.readBodyTags(bodyKeys);
      this.slowHead(measurement, tags);
      return;
    }
    const ks = this.tks;
    const vs = this.tvs;
    let shape = this.tagShape;
    const keys = shape === undefined ? undefined : shape.keys;
    let n = 0;
    let match = keys !== undefined;
    if (tags !== undefined && tags !== null) {
      const r = readEntries(tags as Record<string, unknown>, ks, vs, keys);
      n = r < 0 ? -r - 1 : r;
      match = r >= 0;
    }
    if (!match || (keys as readonly string[]).length !== n) shape = this.findTagShape(ks, n);
    const bodyKeys = this.bodyTagKeys;
    if (bodyKeys !== undefined) this.readBodyTags(bodyKeys);
    let node = (shape as TagShape).root.get(measurement);
    for (let i = 0; i < n && node !== undefined; i++) node = (node as Level).get(vs[i]);
    const w = this.w;
    if (++caches.lookups === HEAD_WINDOW) {
      if (caches.misses * 2 > HEAD_WINDOW) caches.bypass = HEAD_BYPASS;
      caches.lookups = 0;
      caches.misses = 0;
    }
    if (node !== undefined) {
      const head = node as Head;
      w.raw(head.bytes);
      if (!head.ascii) w.ascii = false;
      this.suspect = head.suspect;
      return;
    }
    // Not seen yet: write it by the rules, from the values read above, and remember it.
    caches.misses++;
    const start = w.pos;
    this.slowHead(measurement, n === 0 ? undefined : snapshot(ks, vs, n));
    if (caches.heads >= MAX_HEADS) caches.clearHeads();
    const head = headOf(w.buf, start, w.pos, this.suspect);
    const s = shape as TagShape;
    let level = s.root;
    let key: unknown = measurement;
    for (let i = 0; i < n; i++) {
      let next = level.get(key) as Level | undefined;
      if (next === undefined) {
        next = new Level();
        level.set(key, next);
      }
      level = next;
      key = vs[i];
    }
    level.set(key, head);
    caches.heads++;
  }

  private findTagShape(ks: readonly string[], n: number): TagShape {
    const shapes = this.caches.tagShapes;
    const s = shapes.find(ks, n) ?? shapes.add(new TagShape(ks.slice(0, n)));
    this.tagShape = s;
    return s;
  }

  /** Reads the body tags for this point; when one changed, the cached heads are dropped. */
  private readBodyTags(bodyKeys: readonly string[]): void {
    const body = this.bodyTags as Readonly<Record<string, TagValue>>;
    let values = this.bodyValues;
    let changed = values === undefined;
    if (values === undefined) values = this.bodyValues = new Array<unknown>(bodyKeys.length);
    for (let j = 0; j < bodyKeys.length; j++) {
      const v = body[bodyKeys[j] as string];
      const was = values[j];
      if (v !== was && !(Number.isNaN(v) && Number.isNaN(was))) {
        values[j] = v;
        changed = true;
      }
    }
    if (!changed) return;
    this.bodyView = snapshot(bodyKeys, values, bodyKeys.length);
    this.caches.clearHeads(); // (an encoder with body tags has caches of its own)
  }

  private newlineKey: string | undefined;

  /** Writes one field value (its key is written). Throws for values InfluxDB cannot store. */
  private fieldValue(key: string, value: unknown): void {
    const w = this.w;
    switch (typeof value) {
      case 'number':
        if (value === 0) w.ascii7(1 / value < 0 ? '-0' : '0');
        else if (value - value === 0) {
          if (Number.isSafeInteger(value)) w.int(value);
          else w.float(value);
        } else formatFloat(value, this.where(), key); // throws
        break;
      case 'bigint': {
        // A number strictly inside +-2^53 comes from a bigint inside it (rounding is monotone).
        const n = Number(value);
        if (n < 9007199254740992 && n > -9007199254740992) w.int(n);
        else {
          if (value < INT64_MIN || value > INT64_MAX) formatInteger(value, this.where(), key); // throws
          w.ascii7(value.toString());
        }
        w.byte(0x69);
        break;
      }
      case 'boolean':
        w.raw(value ? TRUE : FALSE);
        break;
      case 'string':
        if (value.includes('\n')) this.newlineKey = key;
        w.str(quoteStringField(value, this.where(), key));
        break;
      default:
        throw badFieldType(value, this.where(), key);
    }
  }

  /** Throws what writing the field would throw, writing nothing. */
  private checkField(key: string, prefix: Uint8Array | null, value: unknown): void {
    if (value === null || value === undefined) return;
    if (prefix === null) escapeFieldKey(key, this.where()); // throws
    switch (typeof value) {
      case 'number':
        if (value - value !== 0) formatFloat(value, this.where(), key); // throws
        return;
      case 'bigint':
        if (value < INT64_MIN || value > INT64_MAX) formatInteger(value, this.where(), key); // throws
        return;
      case 'boolean':
        return;
      case 'string':
        quoteStringField(value, this.where(), key);
        return;
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
    // While the keys are those of the previous point and sorted, each field is written as it is
    // read (errors come in the same order as on the general path below).
    const w = this.w;
    const start = w.pos;
    this.newlineKey = undefined;
    let shape = this.fieldShape;
    if (shape !== undefined && shape.order === undefined) {
      const keys = shape.keys;
      const prefixes = shape.prefixes;
      if (!shape.ascii) w.ascii = false;
      let n = 0;
      let sep = 0x20;
      for (const k in fields) {
        if (!hasOwn.call(fields, k)) continue;
        if (n >= keys.length || keys[n] !== k) {
          n = -1;
          break;
        }
        const v = fields[k];
        if (v !== null && v !== undefined) {
          const prefix = prefixes[n] as Uint8Array | null;
          if (prefix === null) escapeFieldKey(k, this.where()); // throws
          (prefix as Uint8Array)[0] = sep;
          sep = 0x2c;
          w.raw(prefix as Uint8Array);
          this.fieldValue(k, v);
        }
        n++;
      }
      if (n === keys.length) {
        if (sep === 0x20) {
          throw new InfluxValidationError(
            this.where(),
            'fields',
            'has no field with a value; InfluxDB cannot store a point without fields',
          );
        }
        return this.newlineKey;
      }
      // Other keys: start over on the general path (which reads the values again).
      w.pos = start;
      this.newlineKey = undefined;
    }
    const ks = this.fks;
    const vs = this.fvs;
    const keys = shape === undefined ? undefined : shape.keys;
    const r = readEntries(fields, ks, vs, keys);
    const n = r < 0 ? -r - 1 : r;
    if (r < 0 || (keys as readonly string[]).length !== n) shape = this.findFieldShape(ks, n);
    const s = shape as FieldShape;
    const skeys = s.keys;
    const prefixes = s.prefixes;
    const order = s.order;
    if (order !== undefined) {
      // The keys are not sorted. Errors are reported as if the fields were written in for-in
      // order until the first key out of order, then all of them sorted.
      for (let i = 0; i < s.inOrder; i++)
        this.checkField(skeys[i] as string, prefixes[i] as Uint8Array | null, vs[i]);
    }
    if (!s.ascii) w.ascii = false;
    let sep = 0x20;
    for (let j = 0; j < n; j++) {
      const i = order === undefined ? j : (order[j] as number);
      const v = vs[i];
      if (v === null || v === undefined) continue;
      const prefix = prefixes[i] as Uint8Array | null;
      if (prefix === null) escapeFieldKey(skeys[i] as string, this.where()); // throws
      (prefix as Uint8Array)[0] = sep;
      sep = 0x2c;
      w.raw(prefix as Uint8Array);
      this.fieldValue(skeys[i] as string, v);
    }
    if (sep === 0x20) {
      throw new InfluxValidationError(
        this.where(),
        'fields',
        'has no field with a value; InfluxDB cannot store a point without fields',
      );
    }
    return this.newlineKey;
  }

  private findFieldShape(ks: readonly string[], n: number): FieldShape {
    const shapes = this.caches.fieldShapes;
    const found = shapes.find(ks, n);
    if (found !== undefined) {
      this.fieldShape = found;
      return found;
    }
    const keys = ks.slice(0, n);
    const prefixes = keys.map(fieldKeyPrefix);
    let inOrder = 1;
    while (inOrder < n && !((keys[inOrder] as string) < (keys[inOrder - 1] as string))) inOrder++;
    let order: number[] | undefined;
    if (inOrder < n) {
      order = keys
        .map((_, i) => i)
        .sort((a, b) => {
          const x = keys[a] as string;
          const y = keys[b] as string;
          return x < y ? -1 : x > y ? 1 : 0;
        });
    }
    const ascii = prefixes.every((p) => p === null || p.every((b) => b < 0x80));
    const s = shapes.add(new FieldShape(keys, prefixes, order, inOrder, ascii));
    this.fieldShape = s;
    return s;
  }

  private readonly nanos = new NanosWriter();

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
      this.head(measurement, point.tags);
      checkSeriesKey(w.buf, start, w.pos, this.where());
      const newlineKey = this.writeFields(point.fields);
      const time = point.time;
      if (time !== undefined && time !== null) {
        w.byte(0x20);
        if (typeof time === 'bigint' && this.nanosTime) {
          if (!this.nanos.write(w, time)) formatTime(time, this.precision, this.where()); // throws
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
