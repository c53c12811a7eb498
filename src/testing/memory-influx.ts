import type { QueryOptions, WriteOptions } from '../client/client-options.js';
import { InfluxConfigError, InfluxDBClientError, InfluxUnsupportedQueryError } from '../errors.js';
import { compileStatement } from '../influxql/compiler.js';
import { parseDuration, parseStatements } from '../influxql/parser.js';
import type { ConditionNode, MeasurementNode } from '../influxql/select-ast.js';
import type { StatementNode } from '../influxql/statement-ast.js';
import { compareUtf8 } from '../line-protocol/line-parser.js';
import { makeLines, type Point, type WriteBody } from '../line-protocol/make-lines.js';
import { checkPrecision, NANOS_PER_UNIT, type Precision } from '../line-protocol/precision.js';
import { dateToNanos, nanosToRfc3339 as nanosText } from '../line-protocol/time.js';
import type { ModelClass } from '../models/model-metadata.js';
import { createRepository, type Repository } from '../query/repository.js';
import { type RawResult, type RawSeries, ResultSet, type ResultValue } from '../results/result-set.js';
import type { CommitBatch } from '../sink.js';
import { MemorySink } from './memory-sink.js';
import {
  MemoryStore,
  StoredDatabase,
  StoredRetentionPolicy,
  type StoredSeries,
  shardGroupDurationFor,
} from './memory-store.js';
import { compileRegex, toRawSeries } from './select-evaluator.js';
import { usesSelectFunctions } from './select-functions.js';
import { selectInto } from './select-into.js';
import { evaluateStatement } from './subquery.js';

/** Options of {@link MemoryInflux}. */
export interface MemoryInfluxOptions {
  /** Default database of writes, commits and queries; created at once. Default `'test'`. */
  database?: string;
  /** More databases to create at once. */
  databases?: readonly string[];
  /** The clock of `now()` and of points written without a time (default: the system clock). */
  now?: () => Date | bigint;
}

/**
 * An in-memory InfluxDB 1.x for unit tests: a `CommitSink` (everything `MemorySink` records, plus
 * the points stored with the server's semantics) and a query target with the client's shape
 * (`query`, `queryMany`, `queryStream`, `write`, `writePoints`), so `createRepository(memory, Model)`,
 * the builder's `all()/first()/stream()`, `find()`, `count()` and NestJS's
 * `InfluxModule.forRoot({ memory })` run with no server. Queries are parsed into the builder's AST
 * and evaluated; what the engine does not support is refused with `InfluxUnsupportedQueryError`
 * naming the part, never answered differently from the server (proven by a differential test
 * against a real influxd).
 *
 * ```ts
 * const memory = new MemoryInflux({ database: 'metrics' });
 * configureSeries({ sink: memory });
 * new Cpu({ host: 'a', usage: 0.5 });
 * await defaultRegistry.flush();
 * const repo = createRepository(memory, Cpu);
 * await repo.find({ where: { host: 'a' } }); // [Cpu { host: 'a', usage: 0.5, … }]
 * (await memory.query('SELECT mean("usage") FROM "cpu"')).raw.series; // [{ name: 'cpu', columns: ['time', 'mean'], … }]
 * ```
 */
export class MemoryInflux extends MemorySink {
  /** The stored data (databases, retention policies, series). */
  readonly data = new MemoryStore();
  readonly #database: string;
  readonly #now: () => Date | bigint;

  constructor(options: MemoryInfluxOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError('MemoryInflux(options): must be an object');
    }
    for (const k of Object.keys(options)) {
      if (k !== 'database' && k !== 'databases' && k !== 'now') {
        throw new InfluxConfigError(
          `MemoryInflux(options): unknown option "${k}" (database, databases, now)`,
        );
      }
    }
    this.#database = options.database ?? 'test';
    this.#now = options.now ?? (() => new Date());
    for (const name of [this.#database, ...(options.databases ?? [])]) this.createDatabase(name);
  }

  /**
   * The current time in nanoseconds (the `now` option, else the system clock): `now()` of queries
   * and the time of points written without one.
   *
   * ```ts
   * new MemoryInflux({ now: () => 5n }).nowNanos(); // 5n
   * ```
   */
  nowNanos(): bigint {
    const n = this.#now();
    return typeof n === 'bigint' ? n : dateToNanos(n);
  }

  protected override store(batch: CommitBatch): void {
    this.data.write(
      batch.body,
      batch.database ?? this.#database,
      batch.retentionPolicy,
      NANOS_PER_UNIT[batch.precision],
      this.nowNanos(),
    );
  }

  /**
   * Stores line protocol like `client.write`: partial writes, type conflicts and unknown databases
   * fail with the errors the client throws for the server's answers.
   *
   * ```ts
   * await memory.write('cpu,host=a usage=0.5 1700000000000000000\n');
   * ```
   */
  async write(data: string, options: WriteOptions = {}): Promise<void> {
    if (typeof data !== 'string')
      throw new InfluxConfigError('MemoryInflux.write(data): must be a string of line protocol');
    const precision = checkPrecision(options.precision ?? 'n', 'MemoryInflux.write(precision)');
    this.data.write(
      data,
      options.database ?? this.#database,
      options.retentionPolicy,
      NANOS_PER_UNIT[precision],
      this.nowNanos(),
    );
  }

  /**
   * Stores points like `client.writePoints` (encoded with the same `makeLines`).
   *
   * ```ts
   * await memory.writePoints([{ measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 0.5 } }]);
   * ```
   */
  async writePoints(
    points: Point[],
    options: {
      database?: string;
      retentionPolicy?: string;
      timePrecision?: Precision;
      tags?: WriteBody['tags'];
    } = {},
  ): Promise<void> {
    const precision = options.timePrecision ?? 'n';
    const body = makeLines({ points, ...(options.tags ? { tags: options.tags } : {}) }, precision);
    await this.write(body, {
      precision,
      ...(options.database !== undefined ? { database: options.database } : {}),
      ...(options.retentionPolicy !== undefined ? { retentionPolicy: options.retentionPolicy } : {}),
    });
  }

  /**
   * Runs ONE statement, as `client.query`: the same `ResultSet` shape and value types as msgpack
   * from the server (floats as numbers, integers as numbers within ±2^53 and bigint beyond, times
   * as RFC3339 with nanoseconds, or integers with `epoch`).
   *
   * ```ts
   * const rs = await memory.query('SELECT "usage" FROM "cpu" WHERE "host" = $h', { bindParams: { h: 'a' } });
   * [...rs.getPoints()]; // [{ time: '2023-11-14T22:13:20Z', usage: 0.5 }]
   * ```
   */
  async query(q: string, options: QueryOptions = {}): Promise<ResultSet> {
    const results = this.#run(q, options, 'query');
    return new ResultSet(results[0] ?? { statement_id: 0 }, options.raiseErrors !== false);
  }

  /**
   * Runs several `;`-separated statements, as `client.queryMany` (it stops at the first failing one).
   *
   * ```ts
   * const [cpu, keys] = await memory.queryMany('SELECT * FROM "cpu"; SHOW TAG KEYS');
   * ```
   */
  async queryMany(q: string, options: QueryOptions = {}): Promise<ResultSet[]> {
    return this.#run(q, options, 'queryMany').map((r) => new ResultSet(r, options.raiseErrors !== false));
  }

  /**
   * Yields the results in chunks of at most `chunkSize` rows (default 10000), as
   * `client.queryStream` over `chunked=true` (`raw.partial` set while a series continues).
   *
   * ```ts
   * for await (const rs of memory.queryStream('SELECT * FROM "cpu"', { chunkSize: 1000 })) n += rs.raw.series?.[0]?.values?.length ?? 0;
   * ```
   */
  async *queryStream(q: string, options: QueryOptions = {}): AsyncGenerator<ResultSet, void, undefined> {
    const size = options.chunkSize ?? 10_000;
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new InfluxConfigError(`queryStream(chunkSize): must be an integer from 1, got ${String(size)}`);
    }
    for (const result of this.#run(q, options, 'queryStream')) {
      const raise = options.raiseErrors !== false;
      if (result.series === undefined || result.series.length === 0) {
        yield new ResultSet(result, raise);
        continue;
      }
      // influxd sends each series in pieces of at most chunkSize rows, one piece per chunk; a
      // series continued in the next chunk is `partial`, and so is every chunk but the last.
      const series = result.series;
      for (let si = 0; si < series.length; si++) {
        const s = series[si]!;
        const values = s.values ?? [];
        for (let at = 0; at < values.length || at === 0; ) {
          const part: RawSeries = { ...s, values: values.slice(at, at + size) };
          at += size;
          const more = at < values.length;
          if (more) part.partial = true;
          const last = !more && si === series.length - 1;
          const raw: RawResult = { statement_id: result.statement_id ?? 0, series: [part] };
          if (!last) raw.partial = true;
          yield new ResultSet(raw, raise);
          if (!more) break;
        }
      }
    }
  }

  /**
   * A repository of `Model` reading and writing this engine (`createRepository(memory, Model)`).
   *
   * ```ts
   * const repo = memory.repository(Cpu);
   * await repo.query().select(mean('usage').as('avg')).groupBy(time('5m'), 'host').fill(0).all();
   * ```
   */
  repository<T extends object>(Model: ModelClass<T>): Repository<T> {
    return createRepository(this, Model);
  }

  /**
   * `CREATE DATABASE` (no error when it exists, as the server).
   *
   * ```ts
   * memory.createDatabase('archive'); // same as await memory.query('CREATE DATABASE "archive"')
   * ```
   */
  createDatabase(name: string): void {
    if (typeof name !== 'string' || name === '')
      throw new InfluxConfigError('MemoryInflux.createDatabase(name): must be a non-empty string');
    if (!this.data.databases.has(name)) this.data.databases.set(name, new StoredDatabase(name));
  }

  /**
   * `DROP DATABASE` (no error when it does not exist).
   *
   * ```ts
   * memory.dropDatabase('archive');
   * ```
   */
  dropDatabase(name: string): void {
    this.data.databases.delete(name);
  }

  // --- statements ---------------------------------------------------------------------------------

  #run(q: string, options: QueryOptions, method: string): RawResult[] {
    if (typeof q !== 'string') throw new InfluxConfigError(`${method}(q): must be an InfluxQL string`);
    const statements = parseStatements(q, options.bindParams ?? {});
    if (statements.length === 0) throw new InfluxConfigError(`${method}(q): the query has no statement`);
    if (method === 'query' && statements.length > 1) {
      throw new InfluxConfigError(
        `query(q): the text holds ${statements.length} statements; query() runs one, use queryMany() for several`,
      );
    }
    const epoch = options.epoch === undefined ? undefined : checkPrecision(options.epoch, `${method}(epoch)`);
    const timeOut = epochFormatter(epoch);
    const now = this.nowNanos();
    const database = options.database ?? this.#database;
    const results: RawResult[] = [];
    for (let i = 0; i < statements.length; i++) {
      try {
        const series = this.#statement(statements[i]!, database, options.retentionPolicy, now, timeOut);
        // msgpack from influxd carries `series: []` for every statement that returned none.
        results.push({ statement_id: i, series });
      } catch (e) {
        if (!(e instanceof InfluxDBClientError) || e.status !== undefined) throw e;
        if (e.name === 'InfluxUnsupportedQueryError') throw e;
        results.push({ statement_id: i, error: e.content });
        // The server stops at the first failing statement.
        break;
      }
    }
    return results;
  }

  #statement(
    s: StatementNode,
    database: string,
    retentionPolicy: string | undefined,
    now: bigint,
    timeOut: (t: bigint) => ResultValue,
  ): RawSeries[] {
    const data = this.data;
    switch (s.kind) {
      case 'select': {
        const from =
          s.from.kind === 'measurement' &&
          s.from.retentionPolicy === undefined &&
          retentionPolicy !== undefined
            ? { ...s, from: { ...s.from, retentionPolicy } }
            : s;
        if (from.into !== undefined) {
          // What influxd writes for these (rows, nulls, types) is not proven equal: refused.
          if (usesSelectFunctions(from)) {
            throw new InfluxUnsupportedQueryError(
              'an INTO clause with distinct, integral, sample, top, bottom or a transformation',
            );
          }
          return selectInto(
            data,
            from,
            database,
            now,
            (n) => evaluateStatement(data, n, database, now),
            timeOut,
          );
        }
        return evaluateStatement(data, from, database, now).map((r) => toRawSeries(r, timeOut));
      }
      case 'showDatabases':
        return [{ name: 'databases', columns: ['name'], values: [...data.databases.keys()].map((n) => [n]) }];
      case 'createDatabase':
        this.createDatabase(s.name);
        return [];
      case 'dropDatabase':
        this.dropDatabase(s.name);
        return [];
      case 'showRetentionPolicies': {
        const db = data.database(s.database ?? database);
        return [
          {
            columns: ['name', 'duration', 'shardGroupDuration', 'replicaN', 'default'],
            values: [...db.retentionPolicies.values()].map((rp) => [
              rp.name,
              goDuration(rp.duration),
              goDuration(rp.shardGroupDuration),
              rp.replication,
              rp.name === db.defaultRetentionPolicy,
            ]),
          },
        ];
      }
      case 'createRetentionPolicy': {
        const db = data.database(s.database);
        const duration = s.duration === 'INF' ? 0n : parseDuration(s.duration);
        if (duration !== 0n && duration < 3_600_000_000_000n) {
          throw new InfluxDBClientError('retention policy duration must be at least 1h0m0s');
        }
        const existing = db.retentionPolicies.get(s.name);
        const given = s.shardDuration === undefined ? 0n : parseDuration(s.shardDuration);
        const shard = given === 0n ? shardGroupDurationFor(duration) : given;
        if (
          existing &&
          (existing.duration !== duration ||
            existing.shardGroupDuration !== shard ||
            existing.replication !== s.replication)
        ) {
          throw new InfluxDBClientError('retention policy already exists');
        }
        if (!existing)
          db.retentionPolicies.set(s.name, new StoredRetentionPolicy(s.name, duration, shard, s.replication));
        if (s.makeDefault) db.defaultRetentionPolicy = s.name;
        return [];
      }
      case 'dropRetentionPolicy': {
        const db = data.database(s.database);
        db.retentionPolicies.delete(s.name);
        return [];
      }
      case 'showMeasurements': {
        const rp = this.#rp(s.database ?? database, undefined);
        let names = [...rp.measurements.values()].filter((m) => !m.isEmpty()).map((m) => m.name);
        if (s.name !== undefined) {
          const { op, value } = s.name;
          const re = op === '=~' || op === '!~' ? compileRegex(value) : undefined;
          names = names.filter((n) => (re ? re.test(n) === (op === '=~') : (n === value) === (op === '=')));
        }
        names.sort(compareUtf8);
        const start = s.offset ?? 0;
        names = names.slice(start, s.limit ? start + s.limit : undefined);
        return names.length === 0
          ? []
          : [{ name: 'measurements', columns: ['name'], values: names.map((n) => [n]) }];
      }
      case 'showTagKeys':
      case 'showFieldKeys':
      case 'showTagValues':
      case 'showSeries': {
        const rp = this.#rp(s.database ?? database, s.from?.retentionPolicy);
        const ms = [...rp.measurements.values()]
          .filter((m) => matchesSource(m.name, s.from) && !m.isEmpty())
          .sort((a, b) => compareUtf8(a.name, b.name));
        if (s.kind === 'showSeries') {
          const keys: string[] = [];
          for (const m of ms) {
            const pred = seriesPredicate(s.where);
            for (const series of m.sortedSeries())
              if (series.rows.size > 0 && pred(series)) keys.push(series.key);
          }
          return keys.length === 0 ? [] : [{ columns: ['key'], values: keys.map((k) => [k]) }];
        }
        const out: RawSeries[] = [];
        for (const m of ms) {
          if (s.kind === 'showTagKeys') {
            const keys = m.tagKeys();
            if (keys.length > 0)
              out.push({ name: m.name, columns: ['tagKey'], values: keys.map((k) => [k]) });
          } else if (s.kind === 'showFieldKeys') {
            const types = [...m.fieldTypes()].sort((a, b) => compareUtf8(a[0], b[0]));
            out.push({
              name: m.name,
              columns: ['fieldKey', 'fieldType'],
              values: types.map(([k, t]) => [k, t]),
            });
          } else if (s.kind === 'showTagValues') {
            const key = s.key;
            const re = key.op === '=~' || key.op === '!~' ? compileRegex(key.regex) : undefined;
            const wanted = (k: string): boolean => {
              if (key.op === '=~' || key.op === '!~') return re!.test(k) === (key.op === '=~');
              return (key as { names: readonly string[] }).names.includes(k) === (key.op !== '!=');
            };
            const pred = seriesPredicate(s.where);
            const pairs = new Map<string, [string, string]>();
            for (const series of m.sortedSeries()) {
              if (series.rows.size === 0 || !pred(series)) continue;
              for (const [k, v] of series.tags) if (wanted(k)) pairs.set(`${k}\u0000${v}`, [k, v]);
            }
            const values = [...pairs.values()].sort(
              (a, b) => compareUtf8(a[0], b[0]) || compareUtf8(a[1], b[1]),
            );
            if (values.length > 0) out.push({ name: m.name, columns: ['key', 'value'], values });
          }
        }
        return out;
      }
      case 'dropMeasurement': {
        const db = data.database(database);
        for (const rp of db.retentionPolicies.values()) rp.measurements.delete(s.name);
        return [];
      }
      case 'dropSeries':
      case 'delete': {
        const db = data.database(database);
        const time = s.kind === 'delete' ? deleteRange(s.where, now) : undefined;
        const where = s.where.filter((c) => c.kind !== 'time');
        if (s.kind === 'dropSeries' && where.length !== s.where.length) {
          throw new InfluxDBClientError("DROP SERIES doesn't support time in WHERE clause");
        }
        const pred = seriesPredicate(where);
        for (const rp of db.retentionPolicies.values()) {
          for (const m of rp.measurements.values()) {
            if (!matchesSource(m.name, s.from)) continue;
            for (const [key, series] of m.series) {
              if (!pred(series)) continue;
              if (time === undefined) m.series.delete(key);
              else {
                series.deleteRange(time.min, time.max);
                if (series.rows.size === 0) m.series.delete(key);
              }
            }
            if (m.series.size === 0) rp.measurements.delete(m.name);
          }
        }
        return [];
      }
      default:
        // Users, privileges, continuous queries, ALTER RETENTION POLICY, KILL QUERY and the
        // server-state SHOWs parse (the compiler writes them) but the engine keeps no such state.
        throw new InfluxUnsupportedQueryError(`statement ${compileStatement(s).query.split(/ ["'$(]/)[0]}`);
    }
  }

  #rp(database: string, name: string | undefined): StoredRetentionPolicy {
    return this.data.retentionPolicy(this.data.database(database), name);
  }
}

function matchesSource(name: string, from: MeasurementNode | undefined): boolean {
  if (from === undefined) return true;
  if (from.regex !== undefined) return compileRegex(from.regex).test(name);
  return from.name === name;
}

/** A predicate over a series' tags for SHOW/DROP/DELETE WHERE (tag conditions only). */
function seriesPredicate(where: readonly ConditionNode[]): (s: StoredSeries) => boolean {
  const one = (c: ConditionNode): ((s: StoredSeries) => boolean) => {
    switch (c.kind) {
      case 'and': {
        const ps = c.operands.map(one);
        return (s) => ps.every((p) => p(s));
      }
      case 'or': {
        const ps = c.operands.map(one);
        return (s) => ps.some((p) => p(s));
      }
      case 'regex': {
        const re = compileRegex(c.source);
        return (s) => re.test(s.tagMap[c.left.key] ?? '') === (c.op === '=~');
      }
      case 'comparison': {
        if (c.left.cast === 'field')
          throw new InfluxDBClientError('fields not supported in WHERE clause during deletion');
        if (typeof c.value !== 'string')
          throw new InfluxDBClientError(`unsupported tag comparison with a ${typeof c.value}`);
        const eq = c.op === '=';
        if (!eq && c.op !== '!=' && c.op !== '<>')
          throw new InfluxDBClientError(`unsupported operator ${c.op} on a tag`);
        return (s) => ((s.tagMap[c.left.key] ?? '') === c.value) === eq;
      }
      default:
        throw new InfluxDBClientError('time is not supported here');
    }
  };
  const ps = where.map(one);
  return (s) => ps.every((p) => p(s));
}

function deleteRange(where: readonly ConditionNode[], now: bigint): { min: bigint; max: bigint } {
  let min = -(2n ** 63n);
  let max = 2n ** 63n - 1n;
  for (const c of where) {
    if (c.kind !== 'time') continue;
    const t =
      c.value.kind === 'absolute'
        ? c.value.nanos
        : c.value.offset === undefined
          ? now
          : c.value.sign === '+'
            ? now + parseDuration(c.value.offset)
            : now - parseDuration(c.value.offset);
    if (c.op === '>') min = t + 1n > min ? t + 1n : min;
    else if (c.op === '>=') min = t > min ? t : min;
    else if (c.op === '<') max = t - 1n < max ? t - 1n : max;
    else if (c.op === '<=') max = t < max ? t : max;
    else if (c.op === '=') {
      min = t;
      max = t;
    } else throw new InfluxDBClientError(`unsupported time operator ${c.op} in DELETE`);
  }
  return { min, max };
}

/** Time column formatter for an `epoch` (bigint for n/u as the client's decoder, number coarser). */
function epochFormatter(epoch: Precision | undefined): (t: bigint) => ResultValue {
  if (epoch === undefined) return nanosText;
  const unit = NANOS_PER_UNIT[epoch];
  const big = epoch === 'n' || epoch === 'ns' || epoch === 'u';
  // Go divides toward zero, as BigInt division does.
  return big ? (t) => t / unit : (t) => Number(t / unit);
}

/** A duration as Go's time.Duration.String() prints it (`168h0m0s`, `0s`). */
function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const h = ns / 3_600_000_000_000n;
  const m = (ns / 60_000_000_000n) % 60n;
  const s = (ns / 1_000_000_000n) % 60n;
  return `${h > 0n ? `${h}h` : ''}${h > 0n || m > 0n ? `${m}m` : ''}${s}s`;
}
