import { InfluxValidationError } from '../errors.js';
import { checkDuration } from '../influxql/literals.js';
import type { FillNode, IntoNode, ScalarValue } from '../influxql/select-ast.js';
import type {
  FieldProperty,
  GroupProperty,
  JoinNames,
  ModelProperty,
  ModelTime,
  QueryTypeError,
  Simplify,
  TagProperty,
  TagValueOf,
  TimeProperty,
} from './model-types.js';
import type { SelectExpr, ValueKind } from './select-expression.js';
import type { TimeValue } from './where-condition.js';

/*
 * What the query builder's methods accept: `time()` for `groupBy`, and the types with which the
 * TypeScript compiler checks each argument against the model (a misspelled property, a tag inside
 * a function, grouping by a field… are compile errors naming the mistake) and types each result row.
 */

/** `time(interval[, offset])` in `groupBy`. */
export interface TimeGroup {
  readonly kind: 'timeGroup';
  readonly interval: string;
  readonly offset: string | undefined;
}

/**
 * A `GROUP BY time(interval[, offset])` item; `offset` may be negative (`'-15m'`).
 *
 * ```ts
 * repo.query().select(mean('usage')).groupBy(time('5m', '1m'), 'host');
 * // … GROUP BY time(5m, 1m), "host"
 * ```
 */
export function time(interval: string, offset?: string): TimeGroup {
  return Object.freeze({
    kind: 'timeGroup' as const,
    interval: checkDuration(interval, 'time()', 'interval'),
    offset: offset === undefined ? undefined : checkDuration(offset, 'time()', 'offset', true),
  });
}

/** Comparison operators taking a value. */
export type ValueOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';
/** Regex operators. */
export type RegexOperator = '=~' | '!~';

/** The value a property may be compared with in `where`. */
export type WhereValue<V> = [NonNullable<V>] extends [Date]
  ? TimeValue
  : [NonNullable<V>] extends [bigint]
    ? bigint | number | TimeValue
    : TagValueOf<V>;

/** `{ host: 'a', region: ['eu', 'us'] }`: equality per property, an array meaning any of its values. */
export type WhereObject<T> = { [K in ModelProperty<T>]?: WhereValue<T[K]> | readonly WhereValue<T[K]>[] };

/** What `select` accepts: a property name or an expression over properties (and subquery columns). */
export type SelectInput<P extends string> = P | SelectExpr<P, string, ValueKind>;

/** What `groupBy` accepts. */
export type GroupInput<P extends string> = P | TimeGroup | '*';

type TagOperator = '=' | '!=' | '<>' | RegexOperator;

/**
 * One `select` argument as the compiler checks it: unchanged when it is right, else a
 * {@link QueryTypeError} message naming the mistake (an unknown property, a tag inside a function…).
 */
export type CheckSelectItem<T, X extends string, E> = E extends string
  ? E extends ModelProperty<T> | X | '*'
    ? E extends TimeProperty<T>
      ? QueryTypeError<`select('${E}'): the time is always returned (as 'time'); select tags and fields`>
      : E
    : QueryTypeError<`select('${E}'): not a tag or field of the model; use one of: ${JoinNames<Exclude<ModelProperty<T>, TimeProperty<T>> | X>}`>
  : E extends SelectExpr<infer R, string, ValueKind, infer P>
    ? [Exclude<R, FieldProperty<T> | X | (P extends true ? TagProperty<T> : never)>] extends [never]
      ? E
      : QueryTypeError<`select(): ${BadRefs<T, Exclude<R, FieldProperty<T> | X>>}; functions and arithmetic take fields: ${JoinNames<FieldProperty<T> | X>}`>
    : QueryTypeError<'select() takes property names or expressions (mean(...), field(...), …)'>;

type BadRefs<T, R extends string> =
  R extends TagProperty<T>
    ? `'${R}' is a tag`
    : R extends TimeProperty<T>
      ? `'${R}' is the time`
      : `'${R}' is not a field of the model`;

/** One `groupBy` argument as the compiler checks it (tags, `time(...)` or `'*'`). */
export type CheckGroupItem<T, E> = E extends string
  ? E extends GroupProperty<T> | '*'
    ? E
    : QueryTypeError<`groupBy('${E}'): ${E extends FieldProperty<T> ? 'a field' : E extends TimeProperty<T> ? 'the time' : 'not a tag of the model'}; group by tags (${JoinNames<GroupProperty<T>>}), time(...) or '*'`>
  : E extends TimeGroup
    ? E
    : QueryTypeError<"groupBy() takes tag names, time(...) or '*'">;

/** The property argument of `where(property, op, value)`, checked. */
export type CheckWhereProperty<T, X extends string, K extends string> = K extends 'time'
  ? K
  : K extends ModelProperty<T> | X
    ? K
    : QueryTypeError<`where('${K}'): not a property of the model; use one of: ${JoinNames<ModelProperty<T> | 'time' | X>}`>;

/** The operator argument of `where(property, op, value)`, checked against the property's kind. */
export type CheckWhereOperator<T, X extends string, K extends string, O extends string> = [K] extends ['time']
  ? O extends ValueOperator
    ? O
    : QueryTypeError<`where('${K}', '${O}'): time is compared with =, !=, <>, <, <=, >, >=`>
  : K extends TimeProperty<T>
    ? O extends ValueOperator
      ? O
      : QueryTypeError<`where('${K}', '${O}'): time is compared with =, !=, <>, <, <=, >, >=`>
    : K extends TagProperty<T>
      ? O extends TagOperator
        ? O
        : QueryTypeError<`where('${K}', '${O}'): '${K}' is a tag; tags are compared with =, !=, <>, =~, !~`>
      : K extends X
        ? O
        : O extends ValueOperator | RegexOperator
          ? O
          : QueryTypeError<`where('${K}', '${O}'): unknown operator`>;

/** The value argument of `where(property, op, value)`: the property's value type (or a regex). */
export type WhereValueFor<T, X extends string, K extends string, O extends string> = [K] extends ['time']
  ? TimeValue
  : K extends TimeProperty<T>
    ? TimeValue
    : O extends RegexOperator
      ? RegExp | string
      : K extends ModelProperty<T>
        ? WhereValue<T[K]>
        : K extends X
          ? ScalarValue
          : never;

type ItemName<E> = E extends string ? E : E extends SelectExpr<string, infer N, ValueKind> ? N : never;
type ItemValue<T, E> = E extends string
  ? E extends keyof T
    ? NonNullable<T[E]> | null
    : unknown
  : E extends SelectExpr<infer R, string, infer K>
    ? K extends 'same'
      ? (R extends keyof T ? NonNullable<T[R]> : number) | null
      : number | null
    : never;
type GroupTags<T, G extends string> = [G] extends [never]
  ? {}
  : '*' extends G
    ? Partial<{ [K in ModelProperty<T>]: T[K] }>
    : { [K in Exclude<G, '*'> & keyof T]: Defined<T[K]> };

/**
 * A row of a partial select (`select('usage', 'host')`): exactly the selected properties, plus
 * `time` and the group-by tags. A tag missing in a point comes back as `''` (InfluxDB does not tell
 * an empty tag from a missing one). A field is never null when it is the only field selected
 * (InfluxDB returns only the points that have it); with several fields, each may be null in a row.
 */
type PartialRow<T, P extends string, G extends string> = Simplify<
  { time: ModelTime<T> } & GroupTags<T, G> & {
      -readonly [K in keyof T as K extends P ? K : never]-?: K extends TagProperty<T>
        ? Defined<T[K]>
        : IsUnion<Exclude<P, TagProperty<T>>> extends true
          ? Defined<T[K]> | null
          : Defined<T[K]>;
    }
>;
/** `V` without `undefined`/`null` (unlike `NonNullable`, keeps a `Tag` type as it is written). */
type Defined<V> = V extends null | undefined ? never : V;
type IsUnion<U, A = U> = U extends unknown ? ([A] extends [U] ? false : true) : never;

/**
 * The type of what `all()` returns for a select list `S` and grouping `G`: model instances when
 * nothing (or `'*'`) is selected; for a partial select, rows with exactly the selected properties
 * plus `time` and the group-by tags; for aggregates, rows `{ time, ...groupTags, ...outputs }`.
 */
export type QueryResult<T, S extends readonly unknown[], G extends string> = S extends readonly []
  ? T
  : S extends readonly ['*']
    ? T
    : S extends readonly string[]
      ? PartialRow<T, S[number], G>
      : Simplify<
          { time: ModelTime<T> } & GroupTags<T, G> & { [E in S[number] as ItemName<E>]: ItemValue<T, E> }
        >;

/** What `fill()` accepts. */
export type FillInput = null | 'null' | 'none' | 'previous' | 'linear' | number | bigint;

/** The FILL node of `fill(value)`; `where` names the query in an error. */
export function fillNode(value: FillInput, where: string): FillNode {
  if (value === null || value === 'null') return 'null';
  if (value === 'none' || value === 'previous' || value === 'linear') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return { value };
  throw new InfluxValidationError(
    where,
    'fill',
    `must be null, 'none', 'previous', 'linear' or a finite number, got ${String(value)}`,
  );
}

/** A name argument that may be left out: a non-empty string or `undefined`. */
export function optionalName(v: unknown, where: string, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) {
    throw new InfluxValidationError(where, what, 'must be a non-empty string');
  }
  return v;
}

/** What `into()` accepts: a measurement name, or where to write (`:MEASUREMENT` without a name). */
export type IntoInput = string | { measurement?: string; database?: string; retentionPolicy?: string };

/** The INTO node of `into(target)`. */
export function intoNode(target: IntoInput, where: string): IntoNode {
  const t = typeof target === 'string' ? { measurement: target } : target;
  if (t === null || typeof t !== 'object') {
    throw new InfluxValidationError(
      where,
      'into',
      'takes a measurement name or { measurement, database, retentionPolicy }',
    );
  }
  return {
    measurement: optionalName(t.measurement, where, 'into.measurement'),
    database: optionalName(t.database, where, 'into.database'),
    retentionPolicy: optionalName(t.retentionPolicy, where, 'into.retentionPolicy'),
  };
}
