import { InfluxValidationError } from '../errors.js';
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
  const setters: (Setter | undefined)[] = series.columns.map((c) => setterFor(plan, c));
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
  const n = setters.length;
  const rows = plan.rows;
  for (const row of values) {
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const s = setters[i];
      if (s === undefined) continue;
      const v = row[i];
      if (v === null || v === undefined) {
        if (rows) obj[s.target] = null;
      } else obj[s.target] = s.convert(v);
    }
    for (let i = 0; i < constants.length; i++) {
      const c = constants[i]!;
      if (c[1] !== undefined) obj[c[0]] = c[1];
    }
    out.push(rows ? obj : meta.hydrate(obj));
  }
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
  return { target: c.name, convert: toStringValue };
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
