import { InfluxValidationError } from '../errors.js';
import { canGenerateCode, compileFunction, withoutGeneratedCode } from '../generated-code.js';
import { floorDiv, parseRfc3339 } from '../line-protocol/time.js';
import type { FieldMetadata } from '../models/model-metadata.js';
import type { ColumnPlan, RowPlan } from './row-plan.js';

/** One series of a query result, as in InfluxDB's JSON (`ResultSet.raw.series[i]`). */
export interface RawSeries {
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly columns: readonly string[];
  readonly values?: readonly (readonly unknown[])[];
}

type Convert = (v: unknown) => unknown;
interface Setter {
  readonly target: string;
  readonly convert: Convert;
  /** In rows, what a null becomes: `''` for a tag (InfluxDB does not tell empty from missing), else null. */
  readonly missing?: '' | undefined;
}

/**
 * Maps the series of one result to model instances (frozen, not buffered, via `hydrate`) or to row
 * objects, converting every value by the model's declared types:
 *
 * - time: the query asks for `epoch=ns`, so it arrives as an exact integer; it becomes the model's
 *   timestamp type (`bigint` nanoseconds, or a `Date`, truncated to the millisecond toward the past).
 *   Rows always carry it as `time`.
 * - integer fields: `bigint` when declared so (exact over the whole int64 range), else `number`
 *   (a value beyond 2^53 is refused rather than rounded); float fields: `number`.
 * - tags: from the columns, or from the series tags of a GROUP BY; a templated measurement name is
 *   parsed back into its properties.
 * - null (a field missing in that point): left out of instances (`undefined`), `null` in rows.
 * - columns the model does not know: ignored for instances, kept unchanged in rows.
 */
export function mapSeries<T extends object>(plan: RowPlan<T>, series: RawSeries, out: unknown[]): void {
  const values = series.values;
  if (!values || values.length === 0) return;
  const { meta } = plan;
  const setters: (Setter | undefined)[] = series.columns.map((c) => cachedSetter(plan, c));
  // Constant per series: group-by tags and template properties.
  const constants: [string, unknown][] = [];
  if (series.tags) {
    for (const [key, value] of Object.entries(series.tags)) {
      const property = plan.tagKeys.get(key);
      if (property !== undefined) {
        if (value !== '' || plan.rows)
          constants.push([property, plan.rows ? value : value === '' ? undefined : value]);
      } else if (plan.rows) constants.push([key, value]);
    }
  }
  if (plan.template && series.name !== undefined) {
    const m = plan.template.exec(series.name);
    if (m) {
      meta.templateProperties.forEach((p, i) => {
        constants.push([p, m[i + 1]]);
      });
    }
  }
  const compiled = compiledMapper(plan, setters, constants);
  if (compiled === undefined) {
    loop(plan, values, setters, constants, out);
    return;
  }
  compiled(
    values,
    out,
    setters.map((s) => s?.convert),
    constants.map((c) => c[1]),
  );
}

/**
 * {@link mapSeries} without generated code: the reference the generated mappers must match (used
 * where code cannot be generated, or a target is written twice). Exported for the tests.
 */
export function mapSeriesLoop<T extends object>(plan: RowPlan<T>, series: RawSeries, out: unknown[]): void {
  withoutGeneratedCode(() => mapSeries(plan, series, out));
}

function loop<T extends object>(
  plan: RowPlan<T>,
  values: readonly (readonly unknown[])[],
  setters: readonly (Setter | undefined)[],
  constants: readonly [string, unknown][],
  out: unknown[],
): void {
  const n = setters.length;
  const rows = plan.rows;
  const { meta } = plan;
  for (const row of values) {
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const s = setters[i];
      if (s === undefined) continue;
      const v = row[i];
      if (v === null || v === undefined) {
        if (rows) obj[s.target] = s.missing ?? null;
      } else obj[s.target] = s.convert(v);
    }
    for (let i = 0; i < constants.length; i++) {
      const c = constants[i]!;
      if (c[1] !== undefined) obj[c[0]] = c[1];
    }
    out.push(rows ? obj : meta.hydrate(obj));
  }
}

// ---- compiled mappers ---------------------------------------------------------------------------
//
// The loop above builds an intermediate object with keys only known at run time (megamorphic stores)
// and, for instances, `hydrate` copies it again. For the usual series (every target written by one
// column or one constant) a function is generated once per plan and series shape that reads each
// column into a local (converting in column order, as above) and builds the row or instance with
// fixed property names, so each store is monomorphic. Instances are what ModelMetadata.hydrate
// builds: an object whose prototype is the model's, every tag, field and timestamp property
// assigned in that order (undefined when the result has no value), then frozen; a test compares
// both. Where code cannot be generated (a runtime that forbids it) the loop above is used.

type Mapper = (
  values: readonly (readonly unknown[])[],
  out: unknown[],
  converts: (Convert | undefined)[],
  constants: unknown[],
) => void;

const setterCache = new WeakMap<RowPlan<object>, Map<string, Setter | undefined>>();
const mapperCache = new WeakMap<RowPlan<object>, Map<string, Mapper | null>>();
const MAX_SHAPES = 64;

function cachedSetter<T extends object>(plan: RowPlan<T>, column: string): Setter | undefined {
  let byColumn = setterCache.get(plan);
  if (byColumn === undefined) {
    byColumn = new Map();
    setterCache.set(plan, byColumn);
  }
  if (byColumn.has(column)) return byColumn.get(column);
  const s = setterFor(plan, column);
  if (byColumn.size < 4096) byColumn.set(column, s);
  return s;
}

function compiledMapper<T extends object>(
  plan: RowPlan<T>,
  setters: readonly (Setter | undefined)[],
  constants: readonly [string, unknown][],
): Mapper | undefined {
  if (!canGenerateCode()) return undefined;
  // instances skip undefined constants (an empty GROUP BY tag): part of the shape
  const shape = `${plan.rows ? 'r' : 'i'}\u0000${setters.map((s) => (s ? `${s.target}${s.missing === '' ? '\u0003' : ''}` : '\u0001')).join('\u0000')}\u0002${constants.map((c) => (c[1] === undefined ? '\u0001' : c[0])).join('\u0000')}`;
  let byShape = mapperCache.get(plan);
  if (byShape === undefined) {
    byShape = new Map();
    mapperCache.set(plan, byShape);
  }
  const cached = byShape.get(shape);
  if (cached !== undefined) return cached ?? undefined;
  const mapper = generate(plan, setters, constants);
  if (mapper === null && !canGenerateCode()) return undefined; // refused: not remembered per shape
  if (byShape.size < MAX_SHAPES) byShape.set(shape, mapper);
  return mapper ?? undefined;
}

/** The source of each target: `v<i>` (column i) or `k<j>` (constant j); null when two write it. */
function sources(
  setters: readonly (Setter | undefined)[],
  constants: readonly [string, unknown][],
): Map<string, string> | null {
  const by = new Map<string, string>();
  for (let i = 0; i < setters.length; i++) {
    const s = setters[i];
    if (s === undefined) continue;
    if (by.has(s.target)) return null;
    by.set(s.target, `v${i}`);
  }
  for (let j = 0; j < constants.length; j++) {
    const [key, value] = constants[j] as [string, unknown];
    if (value === undefined) continue; // not written, as in the loop
    if (by.has(key)) return null;
    by.set(key, `k${j}`);
  }
  return by;
}

function generate<T extends object>(
  plan: RowPlan<T>,
  setters: readonly (Setter | undefined)[],
  constants: readonly [string, unknown][],
): Mapper | null {
  const rows = plan.rows;
  const by = sources(setters, constants);
  if (by === null || by.has('__proto__')) return null;
  const { meta } = plan;
  const properties = [
    ...meta.tags.map((t) => t.property),
    ...meta.fields.map((f) => f.property),
    ...(meta.timestamp ? [meta.timestamp.property] : []),
  ];
  if (!rows && properties.includes('__proto__')) return null;
  const lines: string[] = ["'use strict';", 'return function (prototype) {'];
  if (!rows) {
    // `new Instance(...)` makes the same object as Object.create(prototype) plus the assignments,
    // with room for every property in the object itself (no separate property array)
    lines.push(`function Instance(${properties.map((_, k) => `a${k}`).join(', ')}) {`);
    properties.forEach((p, k) => {
      lines.push(`this[${JSON.stringify(p)}] = a${k};`);
    });
    lines.push('}', 'Instance.prototype = prototype;');
  }
  lines.push('return function map(values, out, C, K) {');
  const missing = rows ? 'null' : 'undefined';
  setters.forEach((s, i) => {
    if (s !== undefined) lines.push(`const c${i} = C[${i}];`);
  });
  constants.forEach((_, j) => {
    lines.push(`const k${j} = K[${j}];`);
  });
  lines.push('const freeze = Object.freeze;');
  lines.push('for (let r = 0, n = values.length; r < n; r++) {');
  lines.push('const row = values[r];');
  setters.forEach((s, i) => {
    if (s === undefined) return;
    lines.push(`let v${i} = row[${i}];`);
    const none = rows && s.missing === '' ? "''" : missing;
    lines.push(`v${i} = v${i} === null || v${i} === undefined ? ${none} : c${i}(v${i});`);
  });
  if (rows) {
    const entries = [...by].map(([target, src]) => `${JSON.stringify(target)}: ${src}`);
    lines.push(`out.push({ ${entries.join(', ')} });`);
  } else {
    const args = properties.map((p) => by.get(p) ?? 'undefined');
    lines.push(`out.push(freeze(new Instance(${args.join(', ')})));`);
  }
  lines.push('}', '};', '};');
  const prototype = (meta.model as { prototype: object }).prototype;
  const factory = compileFunction<() => (prototype: object) => Mapper>([], lines.join('\n'));
  return factory === undefined ? null : factory()(prototype);
}

function setterFor<T extends object>(plan: RowPlan<T>, column: string): Setter | undefined {
  const { meta } = plan;
  const where = meta.className;
  if (column === 'time') {
    const type = meta.timestamp?.type ?? 'date';
    const target = plan.rows ? 'time' : meta.timestamp?.property;
    if (target === undefined) return undefined;
    return { target, convert: type === 'bigint' ? toNanos : toDate };
  }
  const c: ColumnPlan | undefined = plan.columns.get(column);
  if (!c) return plan.rows ? { target: column, convert: identity } : undefined;
  if (c.raw) return { target: c.name, convert: identity };
  if (c.kind === 'float' || c.kind === 'count') return { target: c.name, convert: toNumber };
  const property = c.property;
  if (property === undefined) return { target: c.name, convert: identity };
  const field = meta.fieldsByProperty.get(property);
  if (field) return { target: c.name, convert: fieldConverter(field, where) };
  // a tag: a point without it comes back as null, read as '' in rows (InfluxDB's own view of it)
  return {
    target: c.name,
    convert: toStringValue,
    missing: meta.tagsByProperty.has(property) ? '' : undefined,
  };
}

function identity(v: unknown): unknown {
  return v;
}

function toNumber(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

function toStringValue(v: unknown): unknown {
  return typeof v === 'string' ? v : String(v);
}

function toNanos(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      throw new InfluxValidationError('query result', 'time', `${v} is not an exact time`);
    return BigInt(v);
  }
  if (typeof v === 'string') return parseRfc3339(v, 'query result');
  throw new InfluxValidationError('query result', 'time', `unexpected time value ${String(v)}`);
}

function toDate(v: unknown): Date {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    return new Date(Math.floor(v / 1_000_000));
  }
  return new Date(Number(floorDiv(toNanos(v), 1_000_000n)));
}

function fieldConverter(field: FieldMetadata, where: string): Convert {
  switch (field.type) {
    case 'float':
      return toNumber;
    case 'integer':
      if (field.integerAs === 'bigint') {
        return (v) => {
          if (typeof v === 'bigint') return v;
          if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
          return v;
        };
      }
      return (v) => {
        if (typeof v === 'bigint') {
          const n = Number(v);
          if (!Number.isSafeInteger(n)) {
            throw new InfluxValidationError(
              where,
              field.property,
              `the stored integer ${v} is beyond 2^53 and cannot be a number exactly; declare the field with integerAs 'bigint'`,
            );
          }
          return n;
        }
        return v;
      };
    default:
      return identity;
  }
}
