import { InfluxValidationError } from '../errors.js';
import {
  escapeFieldKey,
  escapeMeasurement,
  escapeTag,
  quoteStringField,
  typeOf,
} from '../line-protocol/escape.js';
import { NANOS_PER_UNIT, type Precision } from '../line-protocol/precision.js';
import { floorDiv, formatTime } from '../line-protocol/time.js';
import type { ModelMetadata } from './model-metadata.js';
import { tick, tickMs, tickSub } from './nano-clock.js';

/**
 * Turns a (not yet frozen) model instance into one line of line protocol, without the trailing
 * newline. Checks every value's type on the way (built-in validation), and assigns the current
 * time to the timestamp property when it holds none.
 */
export type ModelSerializer = (instance: Record<string, unknown>) => string;

const TAG_SPECIAL = /[\\, =\n]/;
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

function autoTimeText(precision: Precision): string {
  tick();
  const ms = tickMs();
  const sub = tickSub();
  switch (precision) {
    case 'n':
    case 'ns':
      return sub === 0 ? `${ms}000000` : `${ms}${String(sub).padStart(6, '0')}`;
    case 'u':
      return String(ms * 1000 + Math.floor(sub / 1000));
    case 'ms':
      return String(ms);
    case 's':
      return String(Math.floor(ms / 1000));
    case 'm':
      return String(Math.floor(ms / 60_000));
    default:
      return String(Math.floor(ms / 3_600_000));
  }
}

/** Compiles the serializer of a model class: keys escaped and sorted once. */
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
  const timestamp = meta.timestamp;
  const template = meta.templateProperties.length > 0 ? meta.measurement : undefined;
  const fixedName = template === undefined ? escapeMeasurement(meta.measurement, where) : '';
  const names = new Map<string, string>();

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

  const fieldText = (spec: FieldSpec, v: unknown): string => {
    switch (spec.type) {
      case 'float':
        if (typeof v === 'number') {
          if (Number.isFinite(v)) return String(v);
          throw new InfluxValidationError(
            where,
            spec.property,
            `${v} cannot be stored: InfluxDB floats must be finite`,
          );
        }
        break;
      case 'integer':
        if (typeof v === 'number') {
          if (Number.isSafeInteger(v)) return `${v}i`;
          throw new InfluxValidationError(
            where,
            spec.property,
            `${v} is not a safe integer; an integer field takes a whole number up to 2^53 or a bigint`,
          );
        }
        if (typeof v === 'bigint') {
          if (v >= INT64_MIN && v <= INT64_MAX) return `${v}i`;
          throw new InfluxValidationError(
            where,
            spec.property,
            `${v} is outside the int64 range InfluxDB stores`,
          );
        }
        break;
      case 'string':
        if (typeof v === 'string') return quoteStringField(v);
        break;
      case 'boolean':
        if (typeof v === 'boolean') return v ? 'true' : 'false';
        break;
    }
    throw new InfluxValidationError(
      where,
      spec.property,
      `expected ${spec.type === 'integer' ? 'an integer (number or bigint)' : spec.type === 'float' ? 'a number (float)' : `a ${spec.type}`}, got ${typeOf(v)}`,
    );
  };

  const timeText = (inst: Record<string, unknown>): string => {
    if (timestamp === undefined) return autoTimeText(precision);
    const v = inst[timestamp.property];
    if (v === undefined || v === null) {
      const text = autoTimeText(precision);
      if (timestamp.type === 'date') inst[timestamp.property] = new Date(tickMs());
      else inst[timestamp.property] = BigInt(tickMs()) * 1_000_000n + BigInt(tickSub());
      return text;
    }
    if (timestamp.type === 'date') {
      if (!(v instanceof Date)) {
        throw new InfluxValidationError(where, timestamp.property, `expected a Date, got ${typeOf(v)}`);
      }
      if (Number.isNaN(v.getTime()))
        throw new InfluxValidationError(where, timestamp.property, 'is an invalid Date');
      return formatTime(v, precision, where);
    }
    if (typeof v !== 'bigint') {
      throw new InfluxValidationError(
        where,
        timestamp.property,
        `expected a bigint (nanoseconds since the epoch), got ${typeOf(v)}`,
      );
    }
    if (v < INT64_MIN || v > INT64_MAX) {
      throw new InfluxValidationError(
        where,
        timestamp.property,
        `${v} is outside the int64 range InfluxDB stores`,
      );
    }
    return precision === 'n' || precision === 'ns'
      ? v.toString()
      : floorDiv(v, NANOS_PER_UNIT[precision]).toString();
  };

  return (inst) => {
    let line = measurementOf(inst);
    for (let i = 0; i < tags.length; i++) {
      const spec = tags[i] as TagSpec;
      const v = inst[spec.property];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string') {
        throw new InfluxValidationError(where, spec.property, `a tag must be a string, got ${typeOf(v)}`);
      }
      line += spec.prefix + (TAG_SPECIAL.test(v) ? escapeTag(v, where, spec.property, 'value') : v);
    }
    let sep = ' ';
    for (let i = 0; i < fields.length; i++) {
      const spec = fields[i] as FieldSpec;
      const v = inst[spec.property];
      if (v === undefined || v === null) continue;
      line += sep + spec.prefix + fieldText(spec, v);
      sep = ',';
    }
    if (sep === ' ') {
      throw new InfluxValidationError(
        where,
        undefined,
        `has no field with a value (${fields.map((f) => f.property).join(', ')}); InfluxDB cannot store a point without fields`,
      );
    }
    return `${line} ${timeText(inst)}`;
  };
}
