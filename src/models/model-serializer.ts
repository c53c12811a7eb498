import { InfluxValidationError } from '../errors.js';
import {
  escapeFieldKey,
  escapeMeasurement,
  escapeTag,
  quoteStringField,
  typeOf,
} from '../line-protocol/escape.js';
import {
  FALSE_BYTES,
  formatFloat,
  formatInteger,
  TRUE_BYTES,
  writeBigInt,
  writeFloat,
} from '../line-protocol/format.js';
import { HeadCache, headOf } from '../line-protocol/head-cache.js';
import { isOneLine } from '../line-protocol/line-scanner.js';
import type { LineWriter } from '../line-protocol/line-writer.js';
import { NanosWriter } from '../line-protocol/nanos.js';
import type { Precision } from '../line-protocol/precision.js';
import { formatTime } from '../line-protocol/time.js';
import type { ModelMetadata } from './model-metadata.js';
import { tick, tickMs, tickSub } from './nano-clock.js';
import { compileSerializerCode } from './serializer-codegen.js';

/**
 * Writes one model instance (not yet frozen) as a line of line protocol, `\n` included, into a
 * {@link LineWriter}. Checks every value's type on the way (the built-in validation) and assigns
 * the current time to the timestamp property when it holds none. On an error nothing is left in
 * the writer (its position is restored) and {@link InfluxValidationError} names the class and
 * property.
 *
 * Keys are escaped and sorted once, when the serializer is compiled; values go through the same
 * escaping rules as `makeLines` (src/line-protocol/escape.ts). Bytes are written directly (no
 * string rope per line), which keeps the garbage of a million points short-lived.
 */
export type ModelSerializer = (
  instance: Record<string, unknown>,
  writer: LineWriter,
  /**
   * The values already read for the instance, by index in tags, fields, timestamp order (see
   * ModelRuntime.properties); `undefined` entries are read from the instance.
   */
  values?: readonly unknown[],
) => void;

const ZEROS6 = new Uint8Array([0x30, 0x30, 0x30, 0x30, 0x30, 0x30]);

interface TagSpec {
  readonly property: string;
  readonly prefix: string;
  /** Index of the property in tags, fields, timestamp order. */
  readonly index: number;
}
interface FieldSpec {
  readonly property: string;
  readonly prefix: string;
  readonly type: 'float' | 'integer' | 'string' | 'boolean';
  readonly index: number;
  /** ` key=` and `,key=` as bytes. */
  readonly first: Uint8Array;
  readonly rest: Uint8Array;
}

function byKey<T extends { key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function writeAutoTime(w: LineWriter, precision: Precision): void {
  tick();
  const ms = tickMs();
  const sub = tickSub();
  switch (precision) {
    case 'n':
    case 'ns':
      w.digits(ms);
      w.digits(sub, 6);
      return;
    case 'u':
      w.int(ms * 1000 + Math.floor(sub / 1000));
      return;
    case 'ms':
      w.int(ms);
      return;
    case 's':
      w.int(Math.floor(ms / 1000));
      return;
    case 'm':
      w.int(Math.floor(ms / 60_000));
      return;
    default:
      w.int(Math.floor(ms / 3_600_000));
  }
}

/** Compiles the serializer of a model class. */
export function compileSerializer(meta: ModelMetadata): ModelSerializer {
  const where = meta.className;
  const precision = meta.precision;
  const tags: TagSpec[] = meta.tags
    .map((t, index) => ({ t, index }))
    .sort((a, b) => byKey(a.t, b.t))
    .map(({ t, index }) => ({
      property: t.property,
      prefix: `,${escapeTag(t.key, where, t.property, 'key')}=`,
      index,
    }));
  const fields: FieldSpec[] = meta.fields
    .map((f, i) => ({ f, index: meta.tags.length + i }))
    .sort((a, b) => byKey(a.f, b.f))
    .map(({ f, index }) => {
      const prefix = `${escapeFieldKey(f.key, `${where}.${f.property}`)}=`;
      return {
        property: f.property,
        prefix,
        type: f.type,
        index,
        first: Buffer.from(` ${prefix}`, 'utf8'),
        rest: Buffer.from(`,${prefix}`, 'utf8'),
      };
    });
  const fieldsAscii = fields.every((f) => !f.first.some((b) => b >= 0x80));
  const timeIndex = meta.tags.length + meta.fields.length;
  const timestamp = meta.timestamp;
  const template = meta.templateProperties.length > 0 ? meta.measurement : undefined;
  const fixedName = template === undefined ? escapeMeasurement(meta.measurement, where) : '';
  const names = new Map<string, string>();
  const suspectKeys = tags.some((t) => t.prefix.includes('\\\\ '));

  const measurementOf = (inst: Record<string, unknown>): string => {
    if (template === undefined) return fixedName;
    let raw = template;
    for (const p of meta.templateProperties) {
      const v = inst[p];
      if (v === undefined || v === null || v === '') {
        throw new InfluxValidationError(
          where,
          p,
          `is empty, but the measurement name ${JSON.stringify(template)} needs it`,
        );
      }
      raw = raw.replace(`{${p}}`, String(v));
    }
    let escaped = names.get(raw);
    if (escaped === undefined) {
      escaped = escapeMeasurement(raw, `${where} (measurement from ${JSON.stringify(template)})`);
      if (names.size < 4096) names.set(raw, escaped);
    }
    return escaped;
  };

  const badType = (spec: FieldSpec, v: unknown): never => {
    const expected =
      spec.type === 'integer'
        ? 'an integer (number or bigint)'
        : spec.type === 'float'
          ? 'a number (float)'
          : `a ${spec.type}`;
    throw new InfluxValidationError(where, spec.property, `expected ${expected}, got ${typeOf(v)}`);
  };

  const writeField = (w: LineWriter, spec: FieldSpec, v: unknown): void => {
    switch (spec.type) {
      case 'float':
        if (typeof v !== 'number') badType(spec, v);
        // 0, -0, NaN and +-Infinity go through formatFloat (which throws for the last ones); whole
        // floats print as their digits (String(4) === '4'); the rest as String(v) would.
        if (!writeFloat(w, v as number)) formatFloat(v as number, where, spec.property); // throws
        return;
      case 'integer':
        if (typeof v === 'number') {
          if (!Number.isSafeInteger(v)) {
            throw new InfluxValidationError(
              where,
              spec.property,
              `${v} is not a safe integer; an integer field takes a whole number up to 2^53 or a bigint`,
            );
          }
          w.int(v);
          w.byte(0x69); // i
        } else if (typeof v === 'bigint') {
          if (!writeBigInt(w, v)) formatInteger(v, where, spec.property); // throws
        } else badType(spec, v);
        return;
      case 'string':
        if (typeof v !== 'string') badType(spec, v);
        w.str(quoteStringField(v as string, where, spec.property));
        return;
      default:
        if (typeof v !== 'boolean') badType(spec, v);
        w.raw(v ? TRUE_BYTES : FALSE_BYTES);
    }
  };

  const nanosPrecision = precision === 'n' || precision === 'ns';
  const nanos = new NanosWriter();

  /** Writes the time: `v`, the value read (undefined: none, the current time is assigned). */
  const writeTime = (w: LineWriter, inst: Record<string, unknown>, v: unknown): void => {
    if (timestamp === undefined) {
      writeAutoTime(w, precision);
      return;
    }
    if (v === undefined || v === null) {
      writeAutoTime(w, precision);
      if (timestamp.type === 'date') inst[timestamp.property] = new Date(tickMs());
      else inst[timestamp.property] = BigInt(tickMs()) * 1_000_000n + BigInt(tickSub());
      return;
    }
    if (timestamp.type === 'date') {
      if (!(v instanceof Date)) {
        throw new InfluxValidationError(where, timestamp.property, `expected a Date, got ${typeOf(v)}`);
      }
      if (Number.isNaN(v.getTime()))
        throw new InfluxValidationError(where, timestamp.property, 'is an invalid Date');
    } else if (typeof v !== 'bigint') {
      throw new InfluxValidationError(
        where,
        timestamp.property,
        `expected a bigint (nanoseconds since the epoch), got ${typeOf(v)}`,
      );
    }
    if (nanosPrecision) {
      // What formatTime writes, without building strings.
      if (typeof v === 'bigint') {
        if (nanos.write(w, v)) return;
      } else {
        const ms = (v as Date).getTime();
        if (ms >= -9223372036854 && ms <= 9223372036854) {
          if (ms === 0) w.byte(0x30);
          else {
            w.int(ms);
            w.raw(ZEROS6);
          }
          return;
        }
      }
    }
    try {
      w.ascii7(formatTime(v as Date | bigint, precision, where));
    } catch (e) {
      if (e instanceof InfluxValidationError) {
        throw new InfluxValidationError(where, timestamp.property, e.message.replace(/^.*?: /, ''));
      }
      throw e;
    }
  };

  // The head (measurement and tags) of each series seen, cached by the raw tag values.
  const heads = new HeadCache();
  const scratch: unknown[] = new Array(tags.length);
  let scratchBusy = false;

  /** Writes `measurement,tags`; returns true when the line needs the line-splitting check. */
  const writeHead = (
    w: LineWriter,
    inst: Record<string, unknown>,
    values: readonly unknown[] | undefined,
  ): boolean => {
    const m = measurementOf(inst);
    // Each tag value is read once: from `values` when the constructor read it already, else from
    // the instance (a getter could even construct another instance of this class: then the
    // scratch array is in use and a new one is taken).
    const vals = scratchBusy ? new Array<unknown>(tags.length) : scratch;
    scratchBusy = true;
    try {
      for (let i = 0; i < tags.length; i++) {
        const spec = tags[i] as TagSpec;
        let v = values === undefined ? undefined : values[spec.index];
        if (v === undefined) v = inst[spec.property];
        vals[i] = v;
      }
      if (!heads.enabled()) return buildHead(w, m, vals, false);
      const head = heads.find(meta, m, vals, tags.length);
      if (head !== undefined) {
        w.raw(head.bytes);
        if (!head.ascii) w.ascii = false;
        return head.suspect;
      }
      return buildHead(w, m, vals, true);
    } finally {
      if (vals === scratch) scratchBusy = false;
    }
  };

  /** Writes (and caches, with `store`) the head of a series not seen yet; returns its `suspect`. */
  const buildHead = (w: LineWriter, m: string, vals: readonly unknown[], store: boolean): boolean => {
    const start = w.pos;
    w.str(m);
    let suspect = suspectKeys;
    for (let i = 0; i < tags.length; i++) {
      const spec = tags[i] as TagSpec;
      const v = vals[i];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string') {
        throw new InfluxValidationError(where, spec.property, `a tag must be a string, got ${typeOf(v)}`);
      }
      w.str(spec.prefix);
      const e = escapeTag(v, where, spec.property, 'value');
      if (e !== v && e.includes('\\\\ ')) suspect = true;
      w.str(e);
    }
    if (store) heads.store(meta, m, vals, tags.length, headOf(w.buf, start, w.pos, suspect));
    return suspect;
  };

  const noField = (): never => {
    throw new InfluxValidationError(
      where,
      undefined,
      `has no field with a value (${fields.map((f) => f.property).join(', ')}); InfluxDB cannot store a point without fields`,
    );
  };

  const checkSplit = (w: LineWriter, start: number): void => {
    if (!isOneLine(w.buf, start, w.pos - 1)) {
      throw new InfluxValidationError(
        where,
        undefined,
        'a tag holding a backslash before a space, combined with the double quotes or newline of a string field, makes InfluxDB 1.x split the line in the wrong place; InfluxDB cannot store this point as it is',
      );
    }
  };

  /** The serializer where code cannot be generated (and what the generated one does, step by step). */
  const generic: ModelSerializer = (inst, w, values) => {
    const start = w.pos;
    try {
      const suspect = writeHead(w, inst, values);
      if (!fieldsAscii) w.ascii = false;
      let first = true;
      for (let i = 0; i < fields.length; i++) {
        const spec = fields[i] as FieldSpec;
        let v = values === undefined ? undefined : values[spec.index];
        if (v === undefined) v = inst[spec.property];
        if (v === undefined || v === null) continue;
        w.raw(first ? spec.first : spec.rest);
        writeField(w, spec, v);
        first = false;
      }
      if (first) noField();
      w.byte(0x20);
      let t = values === undefined ? undefined : values[timeIndex];
      if (t === undefined && timestamp !== undefined) t = inst[timestamp.property];
      writeTime(w, inst, t);
      w.byte(0x0a);
      if (suspect) checkSplit(w, start);
    } catch (e) {
      w.pos = start;
      throw e;
    }
  };

  return (
    compileSerializerCode(
      {
        tags: tags.map((t) => ({ property: t.property, index: t.index })),
        fields: fields.map((f) => ({ property: f.property, type: f.type, index: f.index, rest: f.rest })),
        timeIndex,
        timeProperty: timestamp?.property,
        fieldsAscii,
        templated: template !== undefined,
      },
      {
        heads,
        scope: meta,
        name: fixedName,
        measurementOf,
        buildHead,
        badType: (k, v) => badType(fields[k] as FieldSpec, v),
        writeField: (w, k, v) => writeField(w, fields[k] as FieldSpec, v),
        noField,
        writeTime,
        checkSplit,
        writeFloat,
      },
    ) ?? generic
  );
}
