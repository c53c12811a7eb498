import { InfluxValidationError } from '../errors.js';
import { compileStatement } from '../influxql/compiler.js';
import { checkDuration, regexSource } from '../influxql/literals.js';
import { dateToNanos, parseRfc3339 } from '../line-protocol/time.js';
import type { ModelMetadata } from '../models/model-metadata.js';
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
import type {
  ComparisonOperator,
  ConditionNode,
  ExprNode,
  FillNode,
  IntoNode,
  KeyRefNode,
  MeasurementNode,
  ScalarValue,
  SelectItemNode,
  SelectNode,
  TimeValueNode,
} from './query-ast.js';
import { type CompiledQuery, type CompileOptions, compileQuery } from './query-compiler.js';
import type { ColumnPlan, RowPlan } from './row-plan.js';
import { SelectExpr, type ValueKind } from './select-expression.js';
import { Condition, type RawCondition, type TimeValue } from './where-condition.js';

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

/** Runs compiled queries for a bound builder (implemented by `Repository`). */
export interface QueryExecutor<T extends object> {
  all(compiled: CompiledQuery, plan: RowPlan<T>, database: string | undefined): Promise<unknown[]>;
  stream(
    compiled: CompiledQuery,
    plan: RowPlan<T>,
    database: string | undefined,
    options: StreamOptions,
  ): AsyncIterable<unknown>;
}

/** Options of `stream()`. */
export interface StreamOptions {
  /** Points per chunk the server sends (`chunk_size`). Default 10000. */
  chunkSize?: number;
  signal?: AbortSignal;
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

interface ResolvedItem {
  readonly node: SelectItemNode;
  readonly column: ColumnPlan;
}

interface BuilderState {
  readonly items: readonly ResolvedItem[] | undefined;
  readonly rows: boolean;
  readonly where: readonly ConditionNode[];
  readonly groupTime: TimeGroup | undefined;
  readonly groupTags: readonly string[];
  readonly groupAll: boolean;
  readonly fill: FillNode | undefined;
  readonly orderDesc: boolean;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly slimit: number | undefined;
  readonly soffset: number | undefined;
  readonly tz: string | undefined;
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
  readonly measurement: string | { readonly regex: string } | undefined;
  readonly subquery: QueryBuilder<object, readonly unknown[], string, string> | undefined;
  readonly into: IntoNode | undefined;
}

const INITIAL: BuilderState = {
  items: undefined,
  rows: false,
  where: [],
  groupTime: undefined,
  groupTags: [],
  groupAll: false,
  fill: undefined,
  orderDesc: false,
  limit: undefined,
  offset: undefined,
  slimit: undefined,
  soffset: undefined,
  tz: undefined,
  database: undefined,
  retentionPolicy: undefined,
  measurement: undefined,
  subquery: undefined,
  into: undefined,
};

const TIME_OPS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);
const RELATIVE = /^now\(\)(?:\s*([+-])\s*(.+))?$/;

/**
 * An immutable, typed InfluxQL SELECT builder for one model class. Every method returns a new
 * builder; `toInfluxQL()` shows the text and bound values; `all()`, `first()` and `stream()` run it
 * when the builder comes from a `Repository`.
 *
 * Property names are checked at compile time (`keyof` the model) and at run time against the
 * model's metadata (grouping by a field, comparing an integer field with a string… are refused with
 * an `InfluxValidationError` naming the class and property).
 *
 * ```ts
 * const { query, params } = repo
 *   .query()
 *   .select(mean('usage').as('avgUsage'), max('usage'))
 *   .where('host', '=', 'web-1')
 *   .where('time', '>=', new Date('2024-01-01T00:00:00Z'))
 *   .groupBy(time('5m'), 'region')
 *   .fill('none')
 *   .toInfluxQL();
 * // SELECT mean("usage"::field) AS "avgUsage", max("usage"::field) AS "max" FROM "cpu"
 * //   WHERE "host"::tag = $p0 AND time >= $p1 GROUP BY time(5m), "region" fill(none)
 * // params: { p0: 'web-1', p1: '2024-01-01T00:00:00Z' }
 * const rows = await repo.query()….all(); // [{ time: Date, region: string, avgUsage: number | null, max: number | null }]
 * ```
 */
export class QueryBuilder<
  T extends object,
  S extends readonly unknown[] = [],
  G extends string = never,
  X extends string = never,
> {
  /** @internal */
  private constructor(
    private readonly meta: ModelMetadata<T>,
    private readonly state: BuilderState,
    private readonly executor: QueryExecutor<T> | undefined,
  ) {
    Object.freeze(this);
  }

  /**
   * A builder over `meta`; `executor` runs it (a Repository passes itself).
   *
   * ```ts
   * const qb = QueryBuilder.create(repo.metadata); // no executor: compile only
   * qb.select('usage').toInfluxQL().query; // 'SELECT "usage"::field FROM "cpu"'
   * // (qb.all() throws: it needs a builder from repo.query())
   * ```
   */
  static create<T extends object>(meta: ModelMetadata<T>, executor?: QueryExecutor<T>): QueryBuilder<T> {
    return new QueryBuilder(meta, INITIAL, executor);
  }

  private with(patch: Partial<BuilderState>): never {
    return new QueryBuilder(this.meta, { ...this.state, ...patch }, this.executor) as never;
  }

  private get where0(): string {
    return `${this.meta.className} query`;
  }

  /**
   * The SELECT list. Nothing, or `'*'`: every tag and field; model instances come back. Property
   * names: rows of exactly those properties plus `time` and the group-by tags (an instance never
   * lacks a property). Expressions: typed rows; they are always written with `AS "name"`: the
   * function's name by default, or `.as()`. A tag inside a function, a misspelled property… are
   * compile errors naming the mistake (README, "Types that follow the query").
   *
   * ```ts
   * repo.query().select();                             // all() → Cpu[]
   * repo.query().select('usage', 'host');              // SELECT "usage"::field, "host"::tag FROM "cpu"
   * //   all() → { time: Date; usage: number; host: Tag }[]
   * repo.query().select(mean('usage').as('avg'));      // SELECT mean("usage"::field) AS "avg" FROM "cpu"
   * repo.query().select(mul('usage', 100).as('pct'));  // SELECT ("usage"::field * 100) AS "pct" FROM "cpu"
   * ```
   */
  select<const S2 extends readonly (string | SelectExpr)[]>(
    ...items: { [I in keyof S2]: CheckSelectItem<T, X, S2[I]> }
  ): QueryBuilder<T, S2, G, X> {
    if (items.length === 0 || (items.length === 1 && items[0] === '*')) {
      return this.with({ items: undefined, rows: false });
    }
    // A list of properties gives plain rows too (not instances: an instance never lacks a property).
    const rows = true;
    const plainOnly = items.every((i) => typeof i === 'string');
    const seen = new Set<string>();
    const resolved: ResolvedItem[] = [];
    for (const item of items) {
      const r =
        typeof item === 'string' ? this.resolvePlain(item as string) : this.resolveExpr(item as SelectExpr);
      const name = r.column.name;
      if (seen.has(name)) {
        throw new InfluxValidationError(
          this.where0,
          name,
          `two select items are named ${JSON.stringify(name)}; give one another name with .as()`,
        );
      }
      seen.add(name);
      resolved.push(r);
    }
    if (
      plainOnly &&
      !resolved.some((r) => r.column.property && this.meta.fieldsByProperty.has(r.column.property))
    ) {
      if (!this.state.subquery) {
        throw new InfluxValidationError(
          this.where0,
          undefined,
          'select at least one field: InfluxDB returns nothing for a query that selects only tags',
        );
      }
    }
    return this.with({ items: resolved, rows });
  }

  /**
   * Adds a WHERE condition (several calls are ANDed). See {@link cond}, {@link and}, {@link or}.
   *
   * ```ts
   * repo.query().select('usage').where('host', '=', 'a').where('usage', '>', 0.5);
   * // SELECT "usage"::field FROM "cpu" WHERE "host"::tag = $p0 AND "usage"::field > $p1
   * //   params: { p0: 'a', p1: 0.5 }
   * repo.query().select('usage').where('time', '>=', ago('1h')); // … WHERE time >= now() - 1h
   * repo.query().select('usage').where({ host: ['a', 'b'] }); // … WHERE ("host"::tag = $p0 OR "host"::tag = $p1)
   * ```
   */
  where<K extends string, O extends string>(
    property: CheckWhereProperty<T, X, K>,
    op: CheckWhereOperator<T, X, K, O>,
    value: WhereValueFor<T, X, K, O>,
  ): QueryBuilder<T, S, G, X>;
  where(condition: Condition<ModelProperty<T> | 'time' | X> | WhereObject<T>): QueryBuilder<T, S, G, X>;
  where(a: unknown, op?: ComparisonOperator, value?: unknown): QueryBuilder<T, S, G, X> {
    let raw: RawCondition;
    if (typeof a === 'string') raw = { kind: 'cmp', property: a, op: op as ComparisonOperator, value };
    else if (a instanceof Condition) raw = a.raw;
    else if (a !== null && typeof a === 'object' && !Array.isArray(a)) raw = objectCondition(a as object);
    else {
      throw new InfluxValidationError(
        this.where0,
        undefined,
        'where() takes (property, op, value), a condition made with cond()/and()/or(), or { property: value }',
      );
    }
    return this.with({ where: [...this.state.where, this.resolveCondition(raw)] });
  }

  /**
   * GROUP BY `time(interval[, offset])`, tags, or `'*'` (all tags). Grouping by a field is refused.
   * Group tags come back in each row under their property names.
   *
   * ```ts
   * repo.query().select(mean('usage')).groupBy(time('5m'), 'host');
   * // SELECT mean("usage"::field) AS "mean" FROM "cpu" GROUP BY time(5m), "host"
   * repo.query().select(mean('usage')).groupBy(time('1h', '15m'), '*');
   * // … GROUP BY time(1h, 15m), *
   * ```
   */
  groupBy<const G2 extends readonly (string | TimeGroup)[]>(
    ...items: { [I in keyof G2]: CheckGroupItem<T, G2[I]> }
  ): QueryBuilder<T, S, G | Extract<G2[number], string>, X> {
    let groupTime: TimeGroup | undefined;
    let groupAll = false;
    const tags: string[] = [];
    for (const item of items) {
      if (typeof item === 'object' && item !== null && (item as TimeGroup).kind === 'timeGroup') {
        if (groupTime) throw new InfluxValidationError(this.where0, 'groupBy', 'time() may appear only once');
        groupTime = item as TimeGroup;
      } else if (item === '*') groupAll = true;
      else if (typeof item === 'string') {
        const tag = this.meta.tagsByProperty.get(item);
        if (!tag) {
          const reason = this.meta.fieldsByProperty.has(item)
            ? `is a field of ${this.meta.className}; InfluxDB groups by tags only`
            : `is not a tag of ${this.meta.className}`;
          throw new InfluxValidationError(this.meta.className, item, `cannot group by it: ${reason}`);
        }
        tags.push(item);
      } else {
        throw new InfluxValidationError(this.where0, 'groupBy', 'takes tag property names, time(...) or "*"');
      }
    }
    if (items.length === 0)
      throw new InfluxValidationError(this.where0, 'groupBy', 'needs at least one item');
    return this.with({ groupTime, groupAll, groupTags: tags });
  }

  /**
   * `fill(null | 'none' | 'previous' | 'linear' | number)` for empty GROUP BY time() intervals.
   *
   * ```ts
   * repo.query().select(mean('usage')).where('time', '>=', ago('1h')).groupBy(time('1m')).fill(0);
   * // SELECT mean("usage"::field) AS "mean" FROM "cpu" WHERE time >= now() - 1h GROUP BY time(1m) fill(0)
   * ```
   */
  fill(value: null | 'null' | 'none' | 'previous' | 'linear' | number | bigint): QueryBuilder<T, S, G, X> {
    let fill: FillNode;
    if (value === null || value === 'null') fill = 'null';
    else if (value === 'none' || value === 'previous' || value === 'linear') fill = value;
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint')
      fill = { value };
    else {
      throw new InfluxValidationError(
        this.where0,
        'fill',
        `must be null, 'none', 'previous', 'linear' or a finite number, got ${String(value)}`,
      );
    }
    return this.with({ fill });
  }

  /**
   * `ORDER BY time ASC|DESC` (InfluxDB orders by time only).
   *
   * ```ts
   * repo.query().select('usage').orderBy('time', 'desc').limit(10);
   * // SELECT "usage"::field FROM "cpu" ORDER BY time DESC LIMIT 10
   * ```
   */
  orderBy(column: 'time', direction: 'asc' | 'desc' | 'ASC' | 'DESC' = 'asc'): QueryBuilder<T, S, G, X> {
    if (column !== 'time') {
      throw new InfluxValidationError(
        this.where0,
        'orderBy',
        `InfluxDB orders by time only, got ${String(column)}`,
      );
    }
    const d = String(direction).toLowerCase();
    if (d !== 'asc' && d !== 'desc') {
      throw new InfluxValidationError(
        this.where0,
        'orderBy',
        `direction must be 'asc' or 'desc', got ${direction}`,
      );
    }
    return this.with({ orderDesc: d === 'desc' });
  }

  /**
   * `LIMIT n` points per series.
   *
   * ```ts
   * repo.query().select('usage').limit(10); // SELECT "usage"::field FROM "cpu" LIMIT 10
   * ```
   */
  limit(n: number): QueryBuilder<T, S, G, X> {
    return this.with({ limit: this.count(n, 'limit') });
  }
  /**
   * `OFFSET n` points per series.
   *
   * ```ts
   * repo.query().select('usage').limit(10).offset(20);
   * // SELECT "usage"::field FROM "cpu" LIMIT 10 OFFSET 20
   * ```
   */
  offset(n: number): QueryBuilder<T, S, G, X> {
    return this.with({ offset: this.count(n, 'offset') });
  }
  /**
   * `SLIMIT n` series.
   *
   * ```ts
   * repo.query().select(mean('usage')).groupBy('host').slimit(5);
   * // SELECT mean("usage"::field) AS "mean" FROM "cpu" GROUP BY "host" SLIMIT 5
   * ```
   */
  slimit(n: number): QueryBuilder<T, S, G, X> {
    return this.with({ slimit: this.count(n, 'slimit') });
  }
  /**
   * `SOFFSET n` series.
   *
   * ```ts
   * repo.query().select(mean('usage')).groupBy('host').slimit(5).soffset(5);
   * // SELECT mean("usage"::field) AS "mean" FROM "cpu" GROUP BY "host" SLIMIT 5 SOFFSET 5
   * ```
   */
  soffset(n: number): QueryBuilder<T, S, G, X> {
    return this.with({ soffset: this.count(n, 'soffset') });
  }

  /**
   * `tz('Europe/Paris')`: the time zone of GROUP BY time() boundaries and returned times.
   *
   * ```ts
   * repo.query().select(mean('usage')).groupBy(time('1d')).tz('Europe/Paris');
   * // SELECT mean("usage"::field) AS "mean" FROM "cpu" GROUP BY time(1d) tz('Europe/Paris')
   * ```
   */
  tz(zone: string): QueryBuilder<T, S, G, X> {
    if (typeof zone !== 'string' || zone.length === 0) {
      throw new InfluxValidationError(
        this.where0,
        'tz',
        'must be an IANA time zone name such as "Europe/Paris"',
      );
    }
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      throw new InfluxValidationError(
        this.where0,
        'tz',
        `${JSON.stringify(zone)} is not a known IANA time zone`,
      );
    }
    return this.with({ tz: zone });
  }

  /**
   * Qualifies the measurement with a database and/or retention policy (defaults: the model's).
   * `database` also becomes the query's `db` parameter.
   *
   * ```ts
   * repo.query().select('usage').in('metrics', 'autogen');
   * // SELECT "usage"::field FROM "metrics"."autogen"."cpu"   (db=metrics)
   * repo.query().select('usage').in(undefined, 'one_week'); // … FROM "one_week"."cpu"
   * ```
   */
  in(database: string | undefined, retentionPolicy?: string): QueryBuilder<T, S, G, X> {
    return this.with({
      database: this.ident(database, 'database'),
      retentionPolicy: this.ident(retentionPolicy, 'retentionPolicy'),
    });
  }

  /**
   * The measurement to read: a name (for a model with a templated name, e.g. `'events.stats.web1'`),
   * a `RegExp` / `{ regex }` over names, or a subquery (another builder of the same model; its
   * output names may then be selected).
   *
   * ```ts
   * repo.query().from(repo.query().select(mean('usage').as('m')).groupBy(time('1m'))).select(max('m'));
   * // SELECT max("m") AS "max" FROM (SELECT mean("usage"::field) AS "m" FROM "cpu" GROUP BY time(1m))
   * ```
   */
  from<S3 extends readonly unknown[], G3 extends string, X3 extends string>(
    source: QueryBuilder<T, S3, G3, X3>,
  ): QueryBuilder<T, S, G, X | (keyof QueryResult<T, S3, G3> & string)>;
  from(source: string | RegExp | { regex: string }): QueryBuilder<T, S, G, X>;
  from(source: unknown): unknown {
    if (source instanceof QueryBuilder) {
      return this.with({ subquery: source as never, measurement: undefined });
    }
    if (typeof source === 'string' && source.length > 0)
      return this.with({ measurement: source, subquery: undefined });
    if (source instanceof RegExp) {
      return this.with({
        measurement: { regex: regexSource(source, this.where0, 'from') },
        subquery: undefined,
      });
    }
    if (
      source !== null &&
      typeof source === 'object' &&
      typeof (source as { regex: unknown }).regex === 'string'
    ) {
      return this.with({ measurement: { regex: (source as { regex: string }).regex }, subquery: undefined });
    }
    throw new InfluxValidationError(
      this.where0,
      'from',
      'takes a measurement name, a RegExp or a query builder',
    );
  }

  /**
   * `INTO`: write the results to another measurement (`SELECT … INTO`, or the body of a continuous
   * query; see {@link toContinuousQuery}). Without `measurement`, `:MEASUREMENT` keeps the source
   * name.
   *
   * ```ts
   * repo.query().select(mean('usage').as('usage')).into('cpu_5m').groupBy(time('5m'), '*');
   * // SELECT mean("usage"::field) AS "usage" INTO "cpu_5m" FROM "cpu" GROUP BY time(5m), *
   * repo.query().select(mean('usage').as('usage')).into({ retentionPolicy: 'one_year' }).groupBy(time('5m'), '*');
   * // … INTO "one_year".:MEASUREMENT FROM "cpu" …
   * ```
   */
  into(
    target: string | { measurement?: string; database?: string; retentionPolicy?: string },
  ): QueryBuilder<T, S, G, X> {
    const t = typeof target === 'string' ? { measurement: target } : target;
    if (t === null || typeof t !== 'object') {
      throw new InfluxValidationError(
        this.where0,
        'into',
        'takes a measurement name or { measurement, database, retentionPolicy }',
      );
    }
    return this.with({
      into: {
        measurement: this.ident(t.measurement, 'into.measurement'),
        database: this.ident(t.database, 'into.database'),
        retentionPolicy: this.ident(t.retentionPolicy, 'into.retentionPolicy'),
      },
    });
  }

  /**
   * The statement tree (for tools; see `compileQuery`).
   *
   * ```ts
   * const node = repo.query().select('usage').where('host', '=', 'a').toNode();
   * node.where; // [{ kind: 'comparison', left: { kind: 'key', key: 'host', cast: 'tag' }, op: '=', value: 'a' }]
   * compileQuery(node).query; // 'SELECT "usage"::field FROM "cpu" WHERE "host"::tag = $p0'
   * ```
   */
  toNode(): SelectNode {
    const s = this.state;
    const items: readonly ResolvedItem[] = s.items ?? this.defaultItems();
    return {
      kind: 'select',
      fields: items.map((i) => i.node),
      into: s.into,
      from: s.subquery ? { kind: 'subquery', query: s.subquery.toNode() } : this.measurementNode(),
      where: s.where,
      groupBy:
        s.groupTime || s.groupTags.length > 0 || s.groupAll
          ? {
              time: s.groupTime ? { interval: s.groupTime.interval, offset: s.groupTime.offset } : undefined,
              tags: s.groupTags.map((p) => this.meta.tagsByProperty.get(p)!.key),
              all: s.groupAll,
            }
          : undefined,
      fill: s.fill,
      orderDesc: s.orderDesc,
      limit: s.limit,
      offset: s.offset,
      slimit: s.slimit,
      soffset: s.soffset,
      tz: s.tz,
    };
  }

  /**
   * The InfluxQL text and the values bound to its `$pN` placeholders. Values are never spliced
   * into the text unless `inline` is asked for (then they are quoted with `quoteLiteral`).
   *
   * ```ts
   * repo.query().select('usage').where('host', '=', 'a').toInfluxQL();
   * // { query: 'SELECT "usage"::field FROM "cpu" WHERE "host"::tag = $p0', params: { p0: 'a' } }
   * repo.query().select('usage').where('host', '=', 'a').toInfluxQL({ inline: true }).query;
   * // 'SELECT "usage"::field FROM "cpu" WHERE "host"::tag = \'a\''
   * ```
   */
  toInfluxQL(options: CompileOptions = {}): CompiledQuery {
    return compileQuery(this.toNode(), options);
  }

  /**
   * The database the query runs in: the one given to {@link in}, else the model's; `undefined`
   * means the client's default. (What `all()` and `FrameClient.queryFrames(builder)` send as `db`.)
   *
   * ```ts
   * repo.query().in('metrics').targetDatabase(); // 'metrics'
   * ```
   */
  targetDatabase(): string | undefined {
    return this.state.database ?? this.meta.database;
  }

  /**
   * `CREATE CONTINUOUS QUERY` text from this builder (values inlined and quoted, since the server
   * stores the statement; the builder needs `into()` and `groupBy(time(...))`).
   *
   * ```ts
   * repo.query().select(mean('usage').as('usage')).into('cpu_5m').groupBy(time('5m'), '*')
   *   .toContinuousQuery('cpu_5m', { database: 'metrics' });
   * // CREATE CONTINUOUS QUERY "cpu_5m" ON "metrics" BEGIN SELECT mean("usage"::field) AS "usage"
   * //   INTO "cpu_5m" FROM "cpu" GROUP BY time(5m), * END
   * ```
   */
  toContinuousQuery(
    name: string,
    options: { database: string; resampleEvery?: string; resampleFor?: string },
  ): string {
    if (!this.state.into)
      throw new InfluxValidationError(this.where0, 'into', 'a continuous query needs into(...)');
    if (!this.state.groupTime) {
      throw new InfluxValidationError(this.where0, 'groupBy', 'a continuous query needs groupBy(time(...))');
    }
    const { resampleEvery: every, resampleFor: forPart } = options;
    return compileStatement({
      kind: 'createContinuousQuery',
      name,
      database: options.database,
      resample:
        every === undefined && forPart === undefined
          ? undefined
          : {
              every: every === undefined ? undefined : checkDuration(every, this.where0, 'resampleEvery'),
              for: forPart === undefined ? undefined : checkDuration(forPart, this.where0, 'resampleFor'),
            },
      query: this.toNode(),
    }).query;
  }

  /**
   * How result rows map back to instances or row objects.
   *
   * ```ts
   * repo.query().rowPlan().rows; // false: model instances come back
   * const plan = repo.query().select(mean('usage').as('avg')).rowPlan();
   * plan.rows; // true: typed row objects
   * [...plan.columns.keys()]; // ['avg']
   * ```
   */
  rowPlan(): RowPlan<T> {
    const s = this.state;
    const items = s.items ?? this.defaultItems();
    const columns = new Map<string, ColumnPlan>();
    for (const i of items) columns.set(i.column.name, i.column);
    const tagKeys = new Map<string, string>();
    for (const t of this.meta.tags) tagKeys.set(t.key, t.property);
    let template: RegExp | undefined;
    if (this.meta.templateProperties.length > 0 && !s.subquery)
      template = templateRegex(this.meta.measurement);
    return { meta: this.meta, rows: s.rows, columns, tagKeys, template };
  }

  /**
   * Runs the query: instances for a plain select, typed rows for aggregates.
   *
   * ```ts
   * const cpus = await repo.query().where('host', '=', 'a').all(); // Cpu[]
   * const rows = await repo.query().select(max('usage').as('peak')).groupBy(time('1h')).all();
   * // SELECT max("usage"::field) AS "peak" FROM "cpu" GROUP BY time(1h)
   * // rows: Array<{ time: Date; peak: number | null }>
   * ```
   */
  async all(): Promise<QueryResult<T, S, G>[]> {
    const ex = this.requireExecutor('all');
    return (await ex.all(this.toInfluxQL(), this.rowPlan(), this.targetDatabase())) as never;
  }

  /**
   * Runs the query with `LIMIT 1` (unless a limit is set) and returns the first result, if any.
   *
   * ```ts
   * const latest = await repo.query().where('host', '=', 'a').orderBy('time', 'desc').first();
   * // SELECT "host"::tag, "usage"::field, "cores"::field FROM "cpu"
   * //   WHERE "host"::tag = $p0 ORDER BY time DESC LIMIT 1
   * ```
   */
  async first(): Promise<QueryResult<T, S, G> | undefined> {
    const q = this.state.limit === undefined ? this.limit(1) : this;
    return (await q.all())[0];
  }

  /**
   * Streams the results over a chunked query (`chunked=true`), one instance or row at a time, in
   * flat memory: only one chunk is held at once.
   *
   * ```ts
   * for await (const cpu of repo.query().select('usage').stream({ chunkSize: 1000 })) {
   *   console.log(cpu.usage);
   * }
   * // SELECT "usage"::field FROM "cpu"   (sent with chunked=true&chunk_size=1000)
   * ```
   */
  stream(options: StreamOptions = {}): AsyncIterable<QueryResult<T, S, G>> {
    const ex = this.requireExecutor('stream');
    return ex.stream(this.toInfluxQL(), this.rowPlan(), this.targetDatabase(), options) as AsyncIterable<
      QueryResult<T, S, G>
    >;
  }

  // --- internals --------------------------------------------------------------------------------

  private requireExecutor(method: string): QueryExecutor<T> {
    if (!this.executor) {
      throw new InfluxValidationError(
        this.where0,
        undefined,
        `${method}() needs a builder from a repository (client.repository(Model).query())`,
      );
    }
    return this.executor;
  }

  private count(n: unknown, what: string): number {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new InfluxValidationError(this.where0, what, `must be a non-negative integer, got ${String(n)}`);
    }
    return n;
  }

  private ident(v: string | undefined, what: string): string | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) {
      throw new InfluxValidationError(this.where0, what, 'must be a non-empty string');
    }
    return v;
  }

  private measurementNode(): MeasurementNode {
    const s = this.state;
    const database = s.database ?? this.meta.database;
    const retentionPolicy = s.retentionPolicy ?? this.meta.retentionPolicy;
    const m = s.measurement;
    if (typeof m === 'string')
      return { kind: 'measurement', database, retentionPolicy, name: m, regex: undefined };
    if (m) return { kind: 'measurement', database, retentionPolicy, name: undefined, regex: m.regex };
    if (this.meta.templateProperties.length > 0) {
      return {
        kind: 'measurement',
        database,
        retentionPolicy,
        name: undefined,
        regex: templateRegex(this.meta.measurement).source,
      };
    }
    return { kind: 'measurement', database, retentionPolicy, name: this.meta.measurement, regex: undefined };
  }

  /** Every tag and field of the model, for `find()` and a builder without `select`. */
  private defaultItems(): ResolvedItem[] {
    if (this.state.subquery) {
      return [
        { node: { expr: { kind: 'wildcard', cast: undefined }, alias: undefined }, column: plainColumn('*') },
      ];
    }
    const out: ResolvedItem[] = [];
    for (const t of this.meta.tags) out.push(this.resolvePlain(t.property));
    for (const f of this.meta.fields) out.push(this.resolvePlain(f.property));
    return out;
  }

  private keyRef(property: string): KeyRefNode | undefined {
    const tag = this.meta.tagsByProperty.get(property);
    if (tag) return { kind: 'key', key: tag.key, cast: 'tag' };
    const field = this.meta.fieldsByProperty.get(property);
    if (field) return { kind: 'key', key: field.key, cast: 'field' };
    return undefined;
  }

  private unknown(property: string, where = this.meta.className): never {
    const ts = this.meta.timestamp?.property;
    const reason =
      property === ts || property === 'time'
        ? 'time cannot be selected or compared here (it is always returned; use where("time", …))'
        : `is not a tag or field of ${this.meta.className}`;
    throw new InfluxValidationError(where, property, reason);
  }

  private resolvePlain(property: string): ResolvedItem {
    const ref = this.keyRef(property);
    if (!ref) {
      if (this.state.subquery) {
        return {
          node: { expr: { kind: 'key', key: property, cast: undefined }, alias: property },
          column: plainColumn(property),
        };
      }
      return this.unknown(property);
    }
    const column: ColumnPlan = { name: property, kind: 'same', property, raw: false };
    // Plain columns keep InfluxDB's name when it equals the property (readable, hand-written-like).
    const alias = ref.key === property ? undefined : property;
    return { node: { expr: ref, alias }, column };
  }

  private resolveExpr(e: SelectExpr): ResolvedItem {
    if (!(e instanceof SelectExpr)) {
      throw new InfluxValidationError(
        this.where0,
        undefined,
        'select() takes property names or expressions (mean(...), …)',
      );
    }
    if (e.name === '') {
      throw new InfluxValidationError(
        this.where0,
        undefined,
        'an arithmetic expression needs a name: add .as("name")',
      );
    }
    if (e.node.kind !== 'key' && !this.state.subquery) {
      for (const ref of keyRefs(e.node)) {
        if (this.meta.tagsByProperty.has(ref)) {
          throw new InfluxValidationError(
            this.meta.className,
            ref,
            `is a tag; functions and arithmetic take fields (InfluxDB returns nothing for ${e.name || 'it'}() of a tag; count/distinct of a tag work over a subquery that selects it)`,
          );
        }
      }
    }
    const expr = this.resolveNode(e.node);
    const source = e.source !== undefined && this.meta.fieldsByProperty.has(e.source) ? e.source : undefined;
    const column: ColumnPlan = {
      name: e.name,
      kind: e.kind,
      property:
        e.kind === 'same'
          ? (source ?? (this.meta.tagsByProperty.has(e.source ?? '') ? e.source : undefined))
          : undefined,
      raw: e.kind === 'same' && source === undefined && !this.meta.tagsByProperty.has(e.source ?? ''),
    };
    return { node: { expr, alias: e.name }, column };
  }

  private resolveNode(n: ExprNode): ExprNode {
    switch (n.kind) {
      case 'key': {
        const ref = this.keyRef(n.key);
        if (ref) return ref;
        if (this.state.subquery) return n;
        return this.unknown(n.key);
      }
      case 'call':
        return { ...n, args: n.args.map((a) => this.resolveNode(a)) };
      case 'arithmetic':
        return { ...n, left: this.resolveNode(n.left), right: this.resolveNode(n.right) };
      default:
        return n;
    }
  }

  private resolveCondition(raw: RawCondition): ConditionNode {
    if (raw.kind !== 'cmp') {
      return { kind: raw.kind, operands: raw.operands.map((o) => this.resolveCondition(o)) };
    }
    const { property, op, value } = raw;
    const where = this.meta.className;
    if (typeof property !== 'string')
      throw new InfluxValidationError(this.where0, undefined, 'where() needs a property name');
    if (property === 'time' || property === this.meta.timestamp?.property) {
      if (!TIME_OPS.has(op)) {
        throw new InfluxValidationError(where, property, `time supports =, !=, <, <=, >, >=, not ${op}`);
      }
      return { kind: 'time', op: op as '=', value: timeValue(value, where, property) };
    }
    let left = this.keyRef(property);
    if (!left) {
      if (!this.state.subquery) this.unknown(property);
      left = { kind: 'key', key: property, cast: undefined };
    }
    if (op === '=~' || op === '!~') {
      if (!(value instanceof RegExp) && typeof value !== 'string') {
        throw new InfluxValidationError(
          where,
          property,
          `${op} needs a RegExp or a regex string, got ${typeOf(value)}`,
        );
      }
      return { kind: 'regex', left, op, source: regexSource(value, where, property) };
    }
    if (!TIME_OPS.has(op))
      throw new InfluxValidationError(where, property, `unknown operator ${JSON.stringify(op)}`);
    if (left.cast === 'tag') {
      if (op !== '=' && op !== '!=' && op !== '<>') {
        throw new InfluxValidationError(
          where,
          property,
          `is a tag; tags are compared with =, !=, <>, =~, !~ (InfluxDB returns nothing for ${op})`,
        );
      }
      if (typeof value === 'string') return { kind: 'comparison', left, op, value };
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
        if (typeof value === 'number' && !Number.isFinite(value)) {
          throw new InfluxValidationError(where, property, `${value} is not a tag value`);
        }
        return { kind: 'comparison', left, op, value: String(value) };
      }
      throw new InfluxValidationError(
        where,
        property,
        `a tag is compared with a string, got ${typeOf(value)}`,
      );
    }
    const field = this.meta.fieldsByProperty.get(property);
    const type = field?.type;
    const ok =
      type === undefined
        ? ['string', 'number', 'bigint', 'boolean'].includes(typeof value)
        : type === 'string'
          ? typeof value === 'string'
          : type === 'boolean'
            ? typeof value === 'boolean'
            : typeof value === 'number' || typeof value === 'bigint';
    if (!ok) {
      throw new InfluxValidationError(
        where,
        property,
        `is a ${type ?? 'column'} field and cannot be compared with ${typeOf(value)}`,
      );
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InfluxValidationError(where, property, `${value} cannot be compared (not a finite number)`);
    }
    return { kind: 'comparison', left, op, value: value as string };
  }
}

/** The property names an expression reads. */
function keyRefs(n: ExprNode): string[] {
  switch (n.kind) {
    case 'key':
      return [n.key];
    case 'call':
      return n.args.flatMap(keyRefs);
    case 'arithmetic':
      return [...keyRefs(n.left), ...keyRefs(n.right)];
    default:
      return [];
  }
}

function plainColumn(name: string): ColumnPlan {
  return { name, kind: 'same', property: undefined, raw: true };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Date) return 'a Date';
  if (v instanceof RegExp) return 'a RegExp';
  return typeof v;
}

function objectCondition(o: object): RawCondition {
  const operands: RawCondition[] = [];
  for (const [property, value] of Object.entries(o)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        throw new InfluxValidationError(
          'where',
          property,
          'an empty list matches nothing; leave the property out instead',
        );
      }
      operands.push({
        kind: 'or',
        operands: value.map((v) => ({ kind: 'cmp', property, op: '=', value: v })),
      });
    } else operands.push({ kind: 'cmp', property, op: '=', value });
  }
  if (operands.length === 0)
    throw new InfluxValidationError('where', undefined, 'the condition object is empty');
  return { kind: 'and', operands };
}

/** Converts a time bound to an absolute nanosecond value or a validated `now() ± duration`. */
export function timeValue(value: unknown, where: string, property: string): TimeValueNode {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InfluxValidationError(where, property, 'is an invalid Date');
    return { kind: 'absolute', nanos: dateToNanos(value) };
  }
  if (typeof value === 'bigint') return { kind: 'absolute', nanos: value };
  if (typeof value === 'string') {
    const m = RELATIVE.exec(value.trim());
    if (m) {
      const [, sign, duration] = m;
      return {
        kind: 'now',
        sign: sign === '+' ? '+' : '-',
        offset: duration === undefined ? undefined : checkDuration(duration, where, property),
      };
    }
    return { kind: 'absolute', nanos: parseRfc3339(value, `${where}.${property}`) };
  }
  throw new InfluxValidationError(
    where,
    property,
    `a time bound must be a Date, a bigint of nanoseconds, an RFC3339 string or 'now() - 1h', got ${typeOf(value)}`,
  );
}

/** `^events\.stats\.(.+)$` from `events.stats.{serverName}`. */
export function templateRegex(template: string): RegExp {
  let src = '^';
  let last = 0;
  for (const m of template.matchAll(/\{[^{}]+\}/g)) {
    src += template.slice(last, m.index).replace(/[\\.+*?()|[\]{}^$/]/g, '\\$&');
    src += '(.+)';
    last = m.index + m[0].length;
  }
  src += `${template.slice(last).replace(/[\\.+*?()|[\]{}^$/]/g, '\\$&')}$`;
  return new RegExp(src);
}
