import { InfluxValidationError } from '../errors.js';
import {
  escapeFieldKey,
  escapeMeasurement,
  escapeTag,
  quoteStringField,
  typeOf,
} from '../line-protocol/escape.js';
import type { LineWriter } from '../line-protocol/line-writer.js';
import { formatFloat, scanLineLength } from '../line-protocol/make-lines.js';
import type { Precision } from '../line-protocol/precision.js';
import { formatTime } from '../line-protocol/time.js';
import type { ModelMetadata } from './model-metadata.js';
import { tick, tickMs, tickSub } from './nano-clock.js';

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
export type ModelSerializer = (instance: Record<string, unknown>, writer: LineWriter) => void;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

interface TagSpec {
  readonly property: string;
  readonly prefix: string;
}
interface FieldSpec {
  readonly property: string;
  readonly prefix: string;
  readonly type: 'float' | 'integer' | 'string' | 'boolean';
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
  const tags: TagSpec[] = [...meta.tags]
    .sort(byKey)
    .map((t) => ({ property: t.property, prefix: `,${escapeTag(t.key, where, t.property, 'key')}=` }));
  const fields: FieldSpec[] = [...meta.fields].sort(byKey).map((f) => ({
    property: f.property,
    prefix: `${escapeFieldKey(f.key, `${where}.${f.property}`)}=`,
    type: f.type,
  }));
  const firstPrefix = fields.map((f) => ` ${f.prefix}`);
  const restPrefix = fields.map((f) => `,${f.prefix}`);
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
        // Whole floats print as their digits (String(4) === '4'); -0 and the rest go through formatFloat.
        if (v !== 0 && Number.isSafeInteger(v)) w.int(v as number);
        else w.ascii7(formatFloat(v as number, where, spec.property));
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
        } else if (typeof v === 'bigint') {
          if (v < INT64_MIN || v > INT64_MAX) {
            throw new InfluxValidationError(
              where,
              spec.property,
              `${v} is outside the int64 range InfluxDB stores`,
            );
          }
          w.ascii7(v.toString());
        } else badType(spec, v);
        w.byte(0x69); // i
        return;
      case 'string':
        if (typeof v !== 'string') badType(spec, v);
        w.str(quoteStringField(v as string, where, spec.property));
        return;
      default:
        if (typeof v !== 'boolean') badType(spec, v);
        w.ascii7(v ? 'true' : 'false');
    }
  };

  const writeTime = (w: LineWriter, inst: Record<string, unknown>): void => {
    if (timestamp === undefined) {
      writeAutoTime(w, precision);
      return;
    }
    const v = inst[timestamp.property];
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
    try {
      w.ascii7(formatTime(v as Date | bigint, precision, where));
    } catch (e) {
      if (e instanceof InfluxValidationError) {
        throw new InfluxValidationError(where, timestamp.property, e.message.replace(/^.*?: /, ''));
      }
      throw e;
    }
  };

  return (inst, w) => {
    const start = w.pos;
    try {
      w.str(measurementOf(inst));
      let suspect = suspectKeys;
      for (let i = 0; i < tags.length; i++) {
        const spec = tags[i] as TagSpec;
        const v = inst[spec.property];
        if (v === undefined || v === null || v === '') continue;
        if (typeof v !== 'string') {
          throw new InfluxValidationError(where, spec.property, `a tag must be a string, got ${typeOf(v)}`);
        }
        w.str(spec.prefix);
        const e = escapeTag(v, where, spec.property, 'value');
        if (e !== v && e.includes('\\\\ ')) suspect = true;
        w.str(e);
      }
      let first = true;
      for (let i = 0; i < fields.length; i++) {
        const spec = fields[i] as FieldSpec;
        const v = inst[spec.property];
        if (v === undefined || v === null) continue;
        w.str((first ? firstPrefix[i] : restPrefix[i]) as string);
        writeField(w, spec, v);
        first = false;
      }
      if (first) {
        throw new InfluxValidationError(
          where,
          undefined,
          `has no field with a value (${fields.map((f) => f.property).join(', ')}); InfluxDB cannot store a point without fields`,
        );
      }
      w.byte(0x20);
      writeTime(w, inst);
      if (suspect) {
        const line = `${w.buf.toString('utf8', start, w.pos)}\n`;
        if (scanLineLength(line) !== line.length - 1) {
          throw new InfluxValidationError(
            where,
            undefined,
            'a tag holding a backslash before a space, combined with the double quotes or newline of a string field, makes InfluxDB 1.x split the line in the wrong place; InfluxDB cannot store this point as it is',
          );
        }
      }
      w.byte(0x0a);
    } catch (e) {
      w.pos = start;
      throw e;
    }
  };
}
