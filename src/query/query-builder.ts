import { InfluxValidationError } from '../errors.js';
import { compileStatement } from '../influxql/compiler.js';
import { checkCount, checkDuration, checkTimeZone, validationFail } from '../influxql/literals.js';
import type { ComparisonOperator, SelectNode } from '../influxql/select-ast.js';
import type { ModelMetadata } from '../models/model-metadata.js';
import type {
  CheckGroupItem,
  CheckSelectItem,
  CheckWhereOperator,
  CheckWhereProperty,
  QueryResult,
  TimeGroup,
  WhereObject,
  WhereValueFor,
} from './builder-inputs.js';
import { type FillInput, fillNode, type IntoInput, intoNode, optionalName } from './builder-inputs.js';
import type { ModelProperty } from './model-types.js';
import {
  measurementSource,
  NameResolver,
  objectCondition,
  type QueryTarget,
  templateRegex,
} from './name-resolution.js';
import { type CompiledQuery, type CompileOptions, compileQuery } from './query-compiler.js';
import type { ColumnPlan, QueryExecutor, RowPlan, StreamOptions } from './row-plan.js';
import type { SelectExpr } from './select-expression.js';
import { Condition, type RawCondition } from './where-condition.js';

export type {
  CheckGroupItem,
  CheckSelectItem,
  CheckWhereOperator,
  CheckWhereProperty,
  GroupInput,
  QueryResult,
  RegexOperator,
  SelectInput,
  TimeGroup,
  ValueOperator,
  WhereObject,
  WhereValue,
  WhereValueFor,
} from './builder-inputs.js';
export { time } from './builder-inputs.js';
export { templateRegex, timeValue } from './name-resolution.js';

export type { QueryExecutor, StreamOptions } from './row-plan.js';

/**
 * A builder's state: the SELECT node itself (each method returns a builder over a copy of it with
 * one part replaced) plus what is not part of the statement: the output columns of an explicit
 * `select()` (how rows map back; `undefined` = every tag and field, model instances) and the
 * database and retention policy given to `in()` (the database is also the request's `db`).
 */
interface BuilderState {
  readonly node: SelectNode;
  readonly columns: readonly ColumnPlan[] | undefined;
  readonly target: QueryTarget;
}

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
    const resolver = new NameResolver(meta, false);
    const target: QueryTarget = { database: undefined, retentionPolicy: undefined };
    const node: SelectNode = {
      kind: 'select',
      fields: resolver.defaultItems().map((i) => i.node),
      into: undefined,
      from: resolver.measurementNode(target, undefined),
      where: [],
      groupBy: undefined,
      fill: undefined,
      orderDesc: false,
      limit: undefined,
      offset: undefined,
      slimit: undefined,
      soffset: undefined,
      tz: undefined,
    };
    return new QueryBuilder(meta, { node, columns: undefined, target }, executor);
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
    const resolver = this.resolver;
    if (items.length === 0 || (items.length === 1 && items[0] === '*')) {
      return this.with({ fields: resolver.defaultItems().map((i) => i.node) }, { columns: undefined });
    }
    const resolved = resolver.resolveSelect(items as readonly (string | SelectExpr)[]);
    return this.with({ fields: resolved.map((r) => r.node) }, { columns: resolved.map((r) => r.column) });
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
    return this.with({ where: [...this.state.node.where, this.resolver.resolveCondition(raw)] });
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
    return this.with({ groupBy: this.resolver.resolveGroupBy(items as readonly unknown[]) });
  }

  /**
   * `fill(null | 'none' | 'previous' | 'linear' | number)` for empty GROUP BY time() intervals.
   *
   * ```ts
   * repo.query().select(mean('usage')).where('time', '>=', ago('1h')).groupBy(time('1m')).fill(0);
   * // SELECT mean("usage"::field) AS "mean" FROM "cpu" WHERE time >= now() - 1h GROUP BY time(1m) fill(0)
   * ```
   */
  fill(value: FillInput): QueryBuilder<T, S, G, X> {
    return this.with({ fill: fillNode(value, this.where0) });
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
    return this.with({ tz: checkTimeZone(zone, validationFail(this.where0, 'tz')) });
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
    const target: QueryTarget = {
      database: optionalName(database, this.where0, 'database'),
      retentionPolicy: optionalName(retentionPolicy, this.where0, 'retentionPolicy'),
    };
    const f = this.state.node.from;
    if (f.kind === 'subquery') return this.with({}, { target });
    const from = this.resolver.measurementNode(target, f.name ?? { regex: f.regex as string });
    return this.with({ from }, { target });
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
      const resolver = new NameResolver(this.meta, true);
      return this.with({
        from: { kind: 'subquery', query: (source as QueryBuilder<T>).toNode() },
        ...this.defaultFields(resolver),
      });
    }
    const measurement = measurementSource(source, this.where0);
    if (measurement !== undefined) {
      const resolver = new NameResolver(this.meta, false);
      return this.with({
        from: resolver.measurementNode(this.state.target, measurement),
        ...this.defaultFields(resolver),
      });
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
  into(target: IntoInput): QueryBuilder<T, S, G, X> {
    return this.with({ into: intoNode(target, this.where0) });
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
    return this.state.node;
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
    return this.state.target.database ?? this.meta.database;
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
    if (!this.state.node.into)
      throw new InfluxValidationError(this.where0, 'into', 'a continuous query needs into(...)');
    if (!this.state.node.groupBy?.time) {
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
    const resolver = this.resolver;
    const columns = new Map<string, ColumnPlan>();
    for (const c of s.columns ?? resolver.defaultItems().map((i) => i.column)) columns.set(c.name, c);
    const tagKeys = new Map<string, string>();
    for (const t of this.meta.tags) tagKeys.set(t.key, t.property);
    let template: RegExp | undefined;
    if (this.meta.templateProperties.length > 0 && !resolver.inSubquery)
      template = templateRegex(this.meta.measurement);
    return { meta: this.meta, rows: s.columns !== undefined, columns, tagKeys, template };
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
    const q = this.state.node.limit === undefined ? this.limit(1) : this;
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

  // --- internals --------------------------------------------------------------------------------

  /** A builder over this one's node with `patch` applied (one clone-with per method). */
  private with(patch: Partial<SelectNode>, extra: Partial<Omit<BuilderState, 'node'>> = {}): never {
    return new QueryBuilder(
      this.meta,
      { ...this.state, ...extra, node: { ...this.state.node, ...patch } },
      this.executor,
    ) as never;
  }

  private get where0(): string {
    return `${this.meta.className} query`;
  }

  private get resolver(): NameResolver<T> {
    return new NameResolver(this.meta, this.state.node.from.kind === 'subquery');
  }

  /** Every tag and field (or `*` over a subquery) when nothing was selected. */
  private defaultFields(resolver: NameResolver<T>): Partial<SelectNode> {
    return this.state.columns === undefined ? { fields: resolver.defaultItems().map((i) => i.node) } : {};
  }

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
    return checkCount(n, validationFail(this.where0, what));
  }
}
