/*
 * The encoder of point objects (makeLines, makeLine, createLineEncoder): one point at a time into
 * a LineWriter, by the rules of line protocol (tags and fields sorted by key, body tags merged
 * under the point's own), with the fast paths of key-shapes.ts and head-cache.ts. Every fast path
 * writes what the rules write (test/encode-fastpaths.test.ts checks them against each other).
 */
import { InfluxValidationError } from '../errors.js';
import { escapeFieldKey, escapeMeasurement, escapeTag, quoteStringField, typeOf } from './escape.js';
import {
  badFieldType,
  FALSE_BYTES,
  formatFloat,
  formatInteger,
  INT64_MAX,
  INT64_MIN,
  TRUE_BYTES,
  tagText,
  writeBigInt,
  writeFloat,
} from './format.js';
import { headOf } from './head-cache.js';
import type { EncoderCaches, FieldShape, TagShape } from './key-shapes.js';
import { readEntries, snapshot } from './key-shapes.js';
import { isOneLine } from './line-scanner.js';
import type { LineWriter } from './line-writer.js';
import { NanosWriter } from './nanos.js';
import type { FieldValue, Point, TagValue } from './point.js';
import type { Precision } from './precision.js';
import { checkSeriesKey } from './series-key.js';
import { formatTime } from './time.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** Per-call memo of escaped names: the keys and tag values that repeat in a batch are escaped once. */
class EscapeCache {
  readonly measurements = new Map<string, string>();
  readonly tagKeys = new Map<string, string>();
  readonly tagValues = new Map<string, string>();
}

/**
 * The state of one encoding call (or of one createLineEncoder function): the writer, the body's
 * tags and measurement, the caches, and scratch space for one point's reads.
 *
 * ```ts
 * const enc = new Encoder(writer, 'n', undefined, undefined, caches);
 * enc.point({ measurement: 'cpu', fields: { v: 1 } }); // writes 'cpu v=1' (no newline)
 * ```
 */
export class Encoder {
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

  // The key lists and heads seen (see EncoderCaches), the last key lists used, and scratch space
  // for one point's reads.
  private readonly caches: EncoderCaches;
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
    /** The caches to use when there are no body tags (an encoder with body tags has its own). */
    shared: EncoderCaches,
    newCaches: () => EncoderCaches,
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
    this.caches = this.bodyTagKeys === undefined ? shared : newCaches();
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
    if (key.length === 0) throw new InfluxValidationError(this.where(), 'tags', 'tag key must not be empty');
    return this.escapedTag(this.cache.tagKeys, 4096, key, key, 'key');
  }

  tagValue(value: string, key: string): string {
    return this.escapedTag(this.cache.tagValues, 65536, value, key, 'value');
  }

  /** `text` escaped as a tag key or value, memoised in `memo` (up to `max` entries). */
  private escapedTag(
    memo: Map<string, string>,
    max: number,
    text: string,
    key: string,
    what: 'key' | 'value',
  ): string {
    let e = memo.get(text);
    if (e === undefined) {
      e = escapeTag(text, this.where(), key, what);
      if (e.includes('\\\\ ')) this.suspects.add(e);
      if (memo.size < max) memo.set(text, e);
    }
    if (e.length !== text.length && this.suspects.has(e)) this.suspect = true;
    return e;
  }

  writeTag(key: string, value: TagValue): void {
    const text = typeof value === 'string' ? value : tagText(value, this.where(), key);
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
    const heads = this.caches.heads;
    if ((tags !== undefined && tags !== null && typeof tags !== 'object') || !heads.enabled()) {
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
    if (!match || (keys as readonly string[]).length !== n) {
      shape = this.tagShape = this.caches.tagShape(ks, n);
    }
    const bodyKeys = this.bodyTagKeys;
    if (bodyKeys !== undefined) this.readBodyTags(bodyKeys);
    const head = heads.find(shape, measurement, vs, n);
    const w = this.w;
    if (head !== undefined) {
      w.raw(head.bytes);
      if (!head.ascii) w.ascii = false;
      this.suspect = head.suspect;
      return;
    }
    // Not seen yet: write it by the rules, from the values read above, and remember it.
    const start = w.pos;
    this.slowHead(measurement, n === 0 ? undefined : snapshot(ks, vs, n));
    heads.store(shape, measurement, vs, n, headOf(w.buf, start, w.pos, this.suspect));
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
    this.caches.heads.clear(); // (an encoder with body tags has caches of its own)
  }

  private newlineKey: string | undefined;

  /** Writes one field value (its key is written). Throws for values InfluxDB cannot store. */
  private fieldValue(key: string, value: unknown): void {
    const w = this.w;
    switch (typeof value) {
      case 'number':
        if (!writeFloat(w, value)) formatFloat(value, this.where(), key); // throws
        break;
      case 'bigint':
        if (!writeBigInt(w, value)) formatInteger(value, this.where(), key); // throws
        break;
      case 'boolean':
        w.raw(value ? TRUE_BYTES : FALSE_BYTES);
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
        if (sep === 0x20) throw this.noFields();
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
    if (r < 0 || (keys as readonly string[]).length !== n) {
      shape = this.fieldShape = this.caches.fieldShape(ks, n);
    }
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
    if (sep === 0x20) throw this.noFields();
    return this.newlineKey;
  }

  private noFields(): InfluxValidationError {
    return new InfluxValidationError(
      this.where(),
      'fields',
      'has no field with a value; InfluxDB cannot store a point without fields',
    );
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
    const w = this.w;
    w.byte(0x0a);
    const one = isOneLine(w.buf, start, w.pos - 1);
    w.pos--;
    if (!one) {
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
