import type { Data, Field, Table, Vector } from 'apache-arrow';
import { InfluxConfigError, InfluxValidationError } from '../errors.js';
import { escapeFieldKey, escapeMeasurement, escapeTag, quoteStringField } from '../line-protocol/escape.js';
import { formatFloat, INT64_MAX, INT64_MIN, tagText as pointTagText } from '../line-protocol/format.js';
import type { TagValue } from '../line-protocol/point.js';
import { checkPrecision, NANOS_PER_UNIT, type Precision } from '../line-protocol/precision.js';
import { floorDiv, parseRfc3339 } from '../line-protocol/time.js';
import {
  boolAt,
  type ColumnKind,
  columnKind,
  halfToNumber,
  nanosPerUnit,
  utf8Reader,
  validity,
} from './arrow-columns.js';
import type { FrameTagValue, WriteFrameOptions } from './frame-options.js';

/** One body of line protocol produced by {@link FrameLineEncoder.bodies}. */
export interface EncodedBody {
  body: string;
  lines: number;
  skipped: number;
}

interface Column {
  name: string;
  index: number;
  kind: ColumnKind;
  field: Field;
  vector: Vector;
}

interface TagPlan {
  /** `,key=` escaped. */
  prefix: string;
  key: string;
  column: Column | undefined;
  /** Escaped global value used when the row has none. */
  fallback: string | undefined;
  cache: Map<unknown, string | undefined>;
}

interface FieldPlan {
  /** `key=` escaped. */
  prefix: string;
  column: Column;
}

interface TimePlan {
  column: Column;
  mult: bigint;
  div: bigint;
}

/** A cell reader: the formatted text of row i of a chunk, or undefined for a null (or empty tag). */
type Cell = (i: number) => string | undefined;

const TAG_KINDS: ReadonlySet<ColumnKind> = new Set([
  'utf8',
  'string',
  'dictionary',
  'int',
  'int64',
  'uint64',
  'float',
  'float16',
  'bool',
]);
const FIELD_KINDS = TAG_KINDS;
const TIME_KINDS: ReadonlySet<ColumnKind> = new Set([
  'timestamp',
  'date',
  'int',
  'int64',
  'uint64',
  'utf8',
  'string',
]);

/**
 * Encodes an Arrow table as line protocol column by column: each tag value is escaped once per
 * distinct value, numeric columns are formatted in loops over their typed arrays, nulls come from
 * the validity bitmaps, and no object is built per row. Escaping and number formatting are those
 * of `makeLines`, so a frame and the same data as points produce the same lines (but fields keep
 * the column order, as in influxdb-python's DataFrameClient).
 *
 * ```ts
 * const table = tableFromArrays({ time: BigInt64Array.from([1n, 2n]), host: ['a', 'b'], usage: Float64Array.from([0.5, 0.7]) });
 * const enc = new FrameLineEncoder(table, 'cpu', { tagColumns: ['host'] });
 * enc.validate();
 * [...enc.bodies()]; // [{ body: 'cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 2\n', lines: 2, skipped: 0 }]
 * ```
 */
export class FrameLineEncoder {
  private readonly table: Table;
  private readonly measurement: string;
  private readonly tags: TagPlan[] = [];
  private readonly fields: FieldPlan[] = [];
  private readonly time: TimePlan | undefined;
  private readonly precision: Precision;
  private readonly decimals: number | undefined;
  private readonly nanAsNull: boolean;

  constructor(table: Table, measurement: string, options: WriteFrameOptions = {}) {
    if (
      table === null ||
      typeof table !== 'object' ||
      !Array.isArray((table as Table).batches) ||
      !(table as Table).schema
    ) {
      throw new InfluxConfigError('writeFrame: table must be an apache-arrow Table');
    }
    this.table = table;
    this.measurement = escapeMeasurement(measurement, 'writeFrame');
    this.precision = checkPrecision(options.timePrecision ?? 'n', 'writeFrame: timePrecision');
    this.nanAsNull = options.nanAsNull === true;
    const np = options.numericPrecision;
    if (np === undefined || np === 'full') this.decimals = undefined;
    else if (typeof np === 'number' && Number.isInteger(np) && np >= 0 && np <= 100) this.decimals = np;
    else {
      throw new InfluxConfigError(
        `writeFrame: numericPrecision must be an integer from 0 to 100 or 'full', got ${JSON.stringify(np)}`,
      );
    }

    const fieldsByName = new Map<string, Column>();
    const names: string[] = [];
    table.schema.fields.forEach((field, index) => {
      if (fieldsByName.has(field.name)) return; // a duplicate name is reported only if used
      const kind = columnKind(field.type);
      fieldsByName.set(field.name, {
        name: field.name,
        index,
        kind: kind as ColumnKind,
        field,
        vector: table.getChildAt(index) as Vector,
      });
      names.push(field.name);
    });
    const duplicates = new Set(
      table.schema.fields.map((f) => f.name).filter((n, i, all) => all.indexOf(n) !== i),
    );
    const column = (name: string, role: string): Column => {
      if (typeof name !== 'string') {
        throw new InfluxConfigError(`writeFrame: ${role} must name columns, got ${JSON.stringify(name)}`);
      }
      const c = fieldsByName.get(name);
      if (c === undefined) {
        throw new InfluxConfigError(
          `writeFrame: ${role} names column ${JSON.stringify(name)}, which the table does not have (columns: ${names.map((n) => JSON.stringify(n)).join(', ')})`,
        );
      }
      if (duplicates.has(name)) {
        throw new InfluxConfigError(
          `writeFrame: the table has more than one column named ${JSON.stringify(name)}`,
        );
      }
      return c;
    };

    // Time column.
    let timeName: string | null | undefined = options.timeColumn;
    if (timeName === undefined) {
      if (fieldsByName.has('time')) timeName = 'time';
      else {
        const candidates = names.filter((n) => {
          const k = fieldsByName.get(n)?.kind;
          return k === 'timestamp' || k === 'date';
        });
        if (candidates.length !== 1) {
          throw new InfluxConfigError(
            `writeFrame: cannot tell which column holds the time (${candidates.length === 0 ? 'no Timestamp or Date column and none named "time"' : `Timestamp/Date columns ${candidates.join(', ')}`}); pass timeColumn, or timeColumn: null to let the server stamp the points`,
          );
        }
        timeName = candidates[0] as string;
      }
    }
    if (timeName !== null) {
      const c = column(timeName, 'timeColumn');
      if (!TIME_KINDS.has(c.kind)) {
        throw new InfluxConfigError(
          `writeFrame: time column ${JSON.stringify(c.name)} has type ${c.field.type}; use a Timestamp, Date, integer or RFC3339 Utf8 column`,
        );
      }
      const precNs = NANOS_PER_UNIT[this.precision];
      let unitNs = precNs; // integer and string columns: already in the write precision / parsed
      if (c.kind === 'timestamp' || c.kind === 'date') unitNs = nanosPerUnit(c.field.type);
      if (c.kind === 'utf8' || c.kind === 'string') unitNs = 1n;
      this.time =
        unitNs >= precNs
          ? { column: c, mult: unitNs / precNs, div: 1n }
          : { column: c, mult: 1n, div: precNs / unitNs };
    }

    // Tag and field columns, by the seed's defaulting rules.
    const others = names.filter((n) => n !== timeName);
    let tagNames: readonly string[];
    let fieldNames: readonly string[];
    const tc = options.tagColumns;
    const fc = options.fieldColumns;
    if (tc !== undefined && !Array.isArray(tc))
      throw new InfluxConfigError('writeFrame: tagColumns must be an array');
    if (fc !== undefined && !Array.isArray(fc)) {
      throw new InfluxConfigError('writeFrame: fieldColumns must be an array');
    }
    if (tc && fc) {
      tagNames = tc;
      fieldNames = fc;
    } else if (tc) {
      tagNames = tc;
      fieldNames = others.filter((n) => !tc.includes(n));
    } else if (fc) {
      fieldNames = fc;
      tagNames = others.filter((n) => !fc.includes(n));
    } else {
      tagNames = [];
      fieldNames = others;
    }
    for (const n of tagNames) {
      if (fieldNames.includes(n)) {
        throw new InfluxConfigError(
          `writeFrame: column ${JSON.stringify(n)} is given both as a tag and a field`,
        );
      }
      if (n === timeName) {
        throw new InfluxConfigError(
          `writeFrame: column ${JSON.stringify(n)} is the time column and cannot be a tag`,
        );
      }
    }
    for (const n of fieldNames) {
      if (n === timeName) {
        throw new InfluxConfigError(
          `writeFrame: column ${JSON.stringify(n)} is the time column and cannot be a field`,
        );
      }
    }

    const tagMap = new Map<string, TagPlan>();
    const globalTags = options.tags ?? {};
    if (typeof globalTags !== 'object' || globalTags === null) {
      throw new InfluxConfigError('writeFrame: tags must be an object of tag values');
    }
    for (const key of Object.keys(globalTags)) {
      const text = tagText(globalTags[key], 'writeFrame.tags', key);
      if (text === undefined || text === '') continue;
      tagMap.set(key, this.tagPlan(key, undefined, escapeTag(text, 'writeFrame.tags', key, 'value')));
    }
    for (const n of tagNames) {
      const c = column(n, 'tagColumns');
      if (!TAG_KINDS.has(c.kind)) {
        throw new InfluxValidationError(
          'writeFrame',
          n,
          `a column of type ${c.field.type} cannot be a tag; tags are strings, numbers or booleans`,
        );
      }
      tagMap.set(n, this.tagPlan(n, c, tagMap.get(n)?.fallback));
    }
    for (const key of [...tagMap.keys()].sort()) this.tags.push(tagMap.get(key) as TagPlan);

    if (fieldNames.length === 0) {
      throw new InfluxConfigError(
        'writeFrame: no field column; InfluxDB cannot store a point without fields',
      );
    }
    for (const n of fieldNames) {
      const c = column(n, 'fieldColumns');
      if (!FIELD_KINDS.has(c.kind)) {
        throw new InfluxValidationError(
          'writeFrame',
          n,
          `a column of type ${c.field.type} cannot be a field; cast it to an integer, float, Bool or Utf8 column${c.kind === 'timestamp' || c.kind === 'date' ? ' (or use it as timeColumn)' : ''}`,
        );
      }
      this.fields.push({ prefix: `${escapeFieldKey(n, 'writeFrame')}=`, column: c });
    }
  }

  private tagPlan(key: string, column: Column | undefined, fallback: string | undefined): TagPlan {
    if (key.length === 0) throw new InfluxValidationError('writeFrame', 'tags', 'tag key must not be empty');
    return {
      prefix: `,${escapeTag(key, 'writeFrame', key, 'key')}=`,
      key,
      column,
      fallback,
      cache: new Map(),
    };
  }

  /** Rows in the table. */
  get numRows(): number {
    return this.table.numRows;
  }

  /**
   * Checks every value before anything is sent: floats must be finite (NaN may be skipped with
   * `nanAsNull`), Uint64 values must fit int64, tag values must be storable, times present and in
   * range. Throws an {@link InfluxValidationError} naming `rows[i]` and the column.
   *
   * ```ts
   * const t = tableFromArrays({ time: BigInt64Array.from([1n]), usage: Float64Array.from([Number.NaN]) });
   * new FrameLineEncoder(t, 'cpu').validate();
   * // throws InfluxValidationError: rows[0].usage: NaN cannot be stored: … (pass nanAsNull: true …)
   * new FrameLineEncoder(t, 'cpu', { nanAsNull: true }).validate(); // fine: the NaN is skipped
   * ```
   */
  validate(): void {
    let base = 0;
    for (const batch of this.table.batches) {
      const n = batch.numRows;
      for (const tag of this.tags) {
        if (tag.column === undefined) continue;
        const cell = this.tagCell(tag, childData(batch, tag.column), base);
        for (let i = 0; i < n; i++) cell(i);
      }
      for (const f of this.fields) this.validateField(f.column, childData(batch, f.column), n, base);
      if (this.time) {
        const cell = this.timeCell(this.time, childData(batch, this.time.column), base, true);
        for (let i = 0; i < n; i++) cell(i);
      }
      base += n;
    }
  }

  private validateField(c: Column, data: Data, n: number, base: number): void {
    const valid = validity(data);
    if (c.kind === 'float' || c.kind === 'float16') {
      const values = data.values as Float64Array | Float32Array | Uint16Array;
      const half = c.kind === 'float16';
      for (let i = 0; i < n; i++) {
        const v = half ? halfToNumber(values[i] as number) : (values[i] as number);
        if (v - v !== 0 && (valid === undefined || valid(i))) {
          if (Number.isNaN(v) && this.nanAsNull) continue;
          throw new InfluxValidationError(
            `rows[${base + i}]`,
            c.name,
            `${v} cannot be stored: InfluxDB floats must be finite${Number.isNaN(v) ? ' (pass nanAsNull: true to skip NaN as null, as pandas does)' : ''}`,
          );
        }
      }
    } else if (c.kind === 'uint64') {
      const values = data.values as BigUint64Array;
      for (let i = 0; i < n; i++) {
        if ((values[i] as bigint) > INT64_MAX && (valid === undefined || valid(i))) {
          throw new InfluxValidationError(
            `rows[${base + i}]`,
            c.name,
            `${values[i]} (Uint64) is beyond the int64 range InfluxDB stores`,
          );
        }
      }
    } else if (c.kind === 'dictionary') {
      const cell = this.fieldCell(c, data, base);
      for (let i = 0; i < n; i++) cell(i);
    }
  }

  /**
   * Yields bodies of at most `batchSize` lines (each line ends with `\n`). Call {@link validate}
   * first to refuse a bad table before anything is sent.
   *
   * ```ts
   * for (const { body, lines } of enc.bodies(2)) await client.write(body); // 2 lines per request
   * // 'cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 2\n'
   * ```
   */
  *bodies(batchSize = 5000): Generator<EncodedBody> {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new InfluxConfigError(`writeFrame: batchSize must be a positive integer, got ${batchSize}`);
    }
    let out: string[] = [];
    let skipped = 0;
    let base = 0;
    for (const batch of this.table.batches) {
      const n = batch.numRows;
      const tagData = this.tags.map((t) => (t.column ? childData(batch, t.column) : undefined));
      const fieldData = this.fields.map((f) => childData(batch, f.column));
      const timeData = this.time ? childData(batch, this.time.column) : undefined;
      for (let start = 0; start < n; ) {
        const end = Math.min(n, start + (batchSize - out.length));
        skipped += this.encodeSegment(tagData, fieldData, timeData, base, start, end, out);
        start = end;
        if (out.length >= batchSize) {
          yield { body: `${out.join('\n')}\n`, lines: out.length, skipped };
          out = [];
          skipped = 0;
        }
      }
      base += n;
    }
    if (out.length > 0 || skipped > 0) {
      yield { body: out.length > 0 ? `${out.join('\n')}\n` : '', lines: out.length, skipped };
    }
  }

  /** Encodes rows start..end of one record batch, appending the lines to `out`; returns rows skipped. */
  private encodeSegment(
    tagData: (Data | undefined)[],
    fieldData: Data[],
    timeData: Data | undefined,
    base: number,
    start: number,
    end: number,
    out: string[],
  ): number {
    const len = end - start;
    const lines = new Array<string>(len);
    // Leading global-only tags are constant: fold them into the prefix.
    let prefix = this.measurement;
    let t = 0;
    for (; t < this.tags.length && this.tags[t]?.column === undefined; t++) {
      const tag = this.tags[t] as TagPlan;
      prefix += tag.prefix + tag.fallback;
    }
    lines.fill(prefix);
    for (; t < this.tags.length; t++) {
      const tag = this.tags[t] as TagPlan;
      const data = tagData[t];
      const p = tag.prefix;
      if (data === undefined) {
        const whole = p + tag.fallback;
        for (let j = 0; j < len; j++) lines[j] += whole;
        continue;
      }
      const cell = this.tagCell(tag, data, base);
      const fb = tag.fallback;
      for (let j = 0; j < len; j++) {
        const v = cell(start + j) ?? fb;
        if (v !== undefined) lines[j] += p + v;
      }
    }
    const has = new Uint8Array(len);
    for (let f = 0; f < this.fields.length; f++) {
      const plan = this.fields[f] as FieldPlan;
      const data = fieldData[f] as Data;
      const key = plan.prefix;
      const valid = validity(data);
      if (plan.column.kind === 'float' && this.decimals === undefined) {
        // The hot path: a tight loop over the Float64Array/Float32Array.
        const values = data.values as Float64Array;
        for (let j = 0; j < len; j++) {
          const i = start + j;
          if (valid !== undefined && !valid(i)) continue;
          const v = values[i] as number;
          if (Number.isNaN(v)) continue; // NaN reaches here only with nanAsNull (validate refused it otherwise)
          lines[j] += (has[j] ? ',' : ' ') + key + formatFloat(v, `rows[${base + i}]`, plan.column.name);
          has[j] = 1;
        }
      } else if (plan.column.kind === 'int64') {
        const values = data.values as BigInt64Array;
        for (let j = 0; j < len; j++) {
          const i = start + j;
          if (valid !== undefined && !valid(i)) continue;
          lines[j] += `${has[j] ? ',' : ' '}${key}${values[i]}i`;
          has[j] = 1;
        }
      } else {
        const cell = this.fieldCell(plan.column, data, base);
        for (let j = 0; j < len; j++) {
          const v = cell(start + j);
          if (v === undefined) continue;
          lines[j] += (has[j] ? ',' : ' ') + key + v;
          has[j] = 1;
        }
      }
    }
    const timeCell = this.time && timeData ? this.timeCell(this.time, timeData, base, false) : undefined;
    let skipped = 0;
    for (let j = 0; j < len; j++) {
      if (!has[j]) {
        skipped++;
        continue;
      }
      out.push(timeCell === undefined ? (lines[j] as string) : `${lines[j]} ${timeCell(start + j)}`);
    }
    return skipped;
  }

  /** Escaped tag values of one chunk; undefined for null or empty values. */
  private tagCell(tag: TagPlan, data: Data, base: number): Cell {
    const c = tag.column as Column;
    const valid = validity(data);
    const cache = tag.cache;
    const escapeCached = (text: string, i: number): string | undefined => {
      let e = cache.get(text);
      if (e === undefined && !cache.has(text)) {
        e = text === '' ? undefined : escapeTag(text, `rows[${base + i}]`, c.name, 'value');
        if (cache.size < 65536) cache.set(text, e);
      }
      return e;
    };
    const withNulls = (cell: Cell): Cell =>
      valid === undefined ? cell : (i) => (valid(i) ? cell(i) : undefined);
    switch (c.kind) {
      case 'utf8': {
        const read = utf8Reader(data);
        return withNulls((i) => escapeCached(read(i), i));
      }
      case 'string': {
        const v = vectorOf(c, data);
        return withNulls((i) => {
          const s = v.get(i);
          return s === null || s === undefined ? undefined : escapeCached(String(s), i);
        });
      }
      case 'dictionary': {
        const indices = data.values as Int32Array;
        const dict = data.dictionary as Vector;
        const texts = new Array<string | undefined | null>(dict.length);
        return withNulls((i) => {
          const k = Number(indices[i]);
          let e = texts[k];
          if (e === undefined) {
            const raw = dict.get(k);
            e =
              raw === null || raw === undefined
                ? null
                : (escapeCached(tagText(raw, `rows[${base + i}]`, c.name, this.nanAsNull) ?? '', i) ?? null);
            texts[k] = e;
          }
          return e ?? undefined;
        });
      }
      case 'bool':
        return withNulls((i) => (boolAt(data, i) ? 'true' : 'false'));
      case 'float':
      case 'float16': {
        const values = data.values as Float64Array;
        const half = c.kind === 'float16';
        return withNulls((i) => {
          const v = half ? halfToNumber(values[i] as number) : (values[i] as number);
          return tagText(v, `rows[${base + i}]`, c.name, this.nanAsNull);
        });
      }
      default: {
        // int, int64, uint64
        const values = data.values as Int32Array | BigInt64Array;
        return withNulls((i) => String(values[i]));
      }
    }
  }

  /** Formatted field values of one chunk; undefined for nulls. */
  private fieldCell(c: Column, data: Data, base: number): Cell {
    const valid = validity(data);
    const withNulls = (cell: Cell): Cell =>
      valid === undefined ? cell : (i) => (valid(i) ? cell(i) : undefined);
    const decimals = this.decimals;
    const float = (v: number, i: number): string | undefined => {
      if (Number.isNaN(v) && this.nanAsNull) return undefined;
      if (decimals !== undefined && Number.isFinite(v)) v = Number(v.toFixed(decimals));
      return formatFloat(v, `rows[${base + i}]`, c.name);
    };
    switch (c.kind) {
      case 'float':
      case 'float16': {
        const values = data.values as Float64Array;
        const half = c.kind === 'float16';
        return withNulls((i) => float(half ? halfToNumber(values[i] as number) : (values[i] as number), i));
      }
      case 'int':
      case 'int64':
        return withNulls(
          (
            (values) => (i: number) =>
              `${values[i]}i`
          )(data.values as Int32Array),
        );
      case 'uint64': {
        const values = data.values as BigUint64Array;
        return withNulls((i) => {
          const v = values[i] as bigint;
          if (v > INT64_MAX) {
            throw new InfluxValidationError(
              `rows[${base + i}]`,
              c.name,
              `${v} (Uint64) is beyond the int64 range`,
            );
          }
          return `${v}i`;
        });
      }
      case 'bool':
        return withNulls((i) => (boolAt(data, i) ? 'true' : 'false'));
      case 'utf8': {
        const read = utf8Reader(data);
        return withNulls((i) => quoteStringField(read(i)));
      }
      case 'string': {
        const v = vectorOf(c, data);
        return withNulls((i) => {
          const s = v.get(i);
          return s === null || s === undefined ? undefined : quoteStringField(String(s));
        });
      }
      default: {
        // dictionary: format each entry once, by the type of its values
        const indices = data.values as Int32Array;
        const dict = data.dictionary as Vector;
        const texts = new Array<string | null | undefined>(dict.length);
        return withNulls((i) => {
          const k = Number(indices[i]);
          let e = texts[k];
          if (e === undefined) {
            const raw: unknown = dict.get(k);
            if (raw === null || raw === undefined) e = null;
            else if (typeof raw === 'string') e = quoteStringField(raw);
            else if (typeof raw === 'number') e = float(raw, i) ?? null;
            else if (typeof raw === 'bigint') {
              if (raw < INT64_MIN || raw > INT64_MAX) {
                throw new InfluxValidationError(
                  `rows[${base + i}]`,
                  c.name,
                  `${raw} is beyond the int64 range`,
                );
              }
              e = `${raw}i`;
            } else if (typeof raw === 'boolean') e = raw ? 'true' : 'false';
            else {
              throw new InfluxValidationError(
                `rows[${base + i}]`,
                c.name,
                `dictionary values of type ${dict.type} cannot be fields`,
              );
            }
            texts[k] = e;
          }
          return e ?? undefined;
        });
      }
    }
  }

  /** Integer time text of each row, in the write precision. */
  private timeCell(plan: TimePlan, data: Data, base: number, checking: boolean): (i: number) => string {
    const c = plan.column;
    const valid = validity(data);
    const { mult, div } = plan;
    const where = (i: number) => `rows[${base + i}]`;
    const scale = (v: bigint, i: number): string => {
      if (mult !== 1n) {
        v *= mult;
        if (checking && (v < INT64_MIN || v > INT64_MAX)) {
          throw new InfluxValidationError(
            where(i),
            c.name,
            `time ${v} ns is outside the int64 range InfluxDB stores`,
          );
        }
      } else if (div !== 1n) v = floorDiv(v, div);
      return v.toString();
    };
    let read: (i: number) => string;
    switch (c.kind) {
      case 'utf8':
      case 'string': {
        const r =
          c.kind === 'utf8'
            ? utf8Reader(data)
            : (
                (v) => (i: number) =>
                  String(v.get(i))
              )(vectorOf(c, data));
        read = (i) => scale(parseRfc3339(r(i), `${where(i)}.${c.name}`), i);
        break;
      }
      case 'uint64': {
        const values = data.values as BigUint64Array;
        read = (i) => {
          const v = values[i] as bigint;
          if (v > INT64_MAX) {
            throw new InfluxValidationError(
              where(i),
              c.name,
              `time ${v} is outside the int64 range InfluxDB stores`,
            );
          }
          return v.toString();
        };
        break;
      }
      default: {
        const values = data.values as BigInt64Array | Int32Array;
        if (values instanceof BigInt64Array) {
          read =
            mult === 1n && div === 1n
              ? (i) => (values[i] as bigint).toString()
              : (i) => scale(values[i] as bigint, i);
        } else {
          read = (i) => scale(BigInt(values[i] as number), i);
        }
      }
    }
    if (valid === undefined) return read;
    return (i) => {
      if (!valid(i)) {
        throw new InfluxValidationError(
          where(i),
          c.name,
          'time is null; give every row a time, or pass timeColumn: null to let the server stamp all points',
        );
      }
      return read(i);
    };
  }
}

/** The Data of one column in one record batch. */
function childData(batch: { data: Data }, c: Column): Data {
  return batch.data.children[c.index] as Data;
}

const oneChunkVectors = new WeakMap<Data, Vector>();
/** A Vector over one Data chunk, made from the column's own Vector class (no apache-arrow import). */
function vectorOf(c: Column, data: Data): Vector {
  let v = oneChunkVectors.get(data);
  if (v === undefined) {
    const Ctor = c.vector.constructor as new (data: Data[]) => Vector;
    v = new Ctor([data]);
    oneChunkVectors.set(data, v);
  }
  return v;
}

/** A tag value's text as makeLines writes it; undefined for null, NaN (with nanAsNull). */
function tagText(
  value: FrameTagValue | unknown,
  where: string,
  key: string,
  nanAsNull = false,
): string | undefined {
  if (nanAsNull && typeof value === 'number' && Number.isNaN(value)) return undefined;
  return pointTagText(value as TagValue, where, key);
}

/**
 * Encodes a whole table as one line-protocol string (for small tables, tests and inspection; use
 * `FrameClient.writeFrame` to send large ones in batches). Rows whose fields are all null are left out.
 *
 * ```ts
 * const table = tableFromArrays({ time: BigInt64Array.of(0n), host: ['a b'], usage: Float64Array.of(0.5) });
 * frameToLines(table, 'cpu', { tagColumns: ['host'] }); // an Int64 `time` is counted in timePrecision
 * // 'cpu,host=a\ b usage=0.5 0\n'
 * ```
 */
export function frameToLines(table: Table, measurement: string, options: WriteFrameOptions = {}): string {
  const enc = new FrameLineEncoder(table, measurement, options);
  enc.validate();
  let out = '';
  for (const b of enc.bodies(Number.MAX_SAFE_INTEGER)) out += b.body;
  return out;
}
