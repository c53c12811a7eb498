import type { Table } from 'apache-arrow';
import type { QueryOptions } from '../client/client-options.js';
import { InfluxDBClient, type InfluxDBClientConfig } from '../client/influxdb-client.js';
import { InfluxAbortError, InfluxConfigError } from '../errors.js';
import { compileStatement } from '../influxql/compiler.js';
import { measurementNode } from '../influxql/nodes.js';
import { QueryBuilder } from '../query/query-builder.js';
import type { ResultSet } from '../results/result-set.js';
import { FrameBuilder } from './frame-builder.js';
import { FrameLineEncoder } from './frame-line-encoder.js';
import type {
  FrameColumnType,
  QueryFramesOptions,
  QueryTableOptions,
  WriteFrameOptions,
  WriteFrameResult,
} from './frame-options.js';
import { loadArrow } from './load-arrow.js';

/** A typed query builder (`repo.query()…`) of any model, as `queryFrames`/`queryTable` take it. */
// biome-ignore lint/suspicious/noExplicitAny: a builder of any model, select list and grouping
export type FrameQuery = QueryBuilder<any, any, any, any>;

const FIELD_TYPES: Record<string, FrameColumnType> = {
  float: 'float',
  integer: 'integer',
  unsigned: 'integer',
  string: 'string',
  boolean: 'boolean',
};

/**
 * influxdb-python's `DataFrameClient` on Apache Arrow tables: writes a table's rows as points and
 * reads query results into typed tables (time as `Timestamp(ns, 'UTC')`, exact to the nanosecond;
 * integers `Int64`, floats `Float64`, booleans `Bool`, strings `Utf8`).
 *
 * `apache-arrow` is an optional peer dependency, loaded (dynamically) by this subpath only; when it
 * is missing, `queryFrames` throws an {@link InfluxConfigError} saying to install it.
 *
 * ```ts
 * import { tableFromArrays } from 'apache-arrow';
 * import { FrameClient } from 'influx-models/arrow';
 *
 * const frames = new FrameClient({ host: 'localhost', database: 'demo' });
 * const table = tableFromArrays({ time: BigInt64Array.of(0n, 1n), host: ['a', 'b'], load: Float64Array.of(0.5, 1) });
 * await frames.writeFrame(table, 'cpu', { tagColumns: ['host'] });
 * // POST /write?db=demo&precision=n
 * // cpu,host=a load=0.5 0
 * // cpu,host=b load=1 1
 * const byHost = await frames.queryFrames('SELECT "load" FROM "cpu" GROUP BY "host"');
 * byHost.get('cpu,host=a'); // Table { time: Timestamp<NANOSECOND, UTC>, load: Float64 }
 * await frames.close();
 * ```
 */
export class FrameClient {
  /** The underlying client (for createDatabase, query, …). */
  readonly client: InfluxDBClient;
  #ownsClient: boolean;

  /**
   * Wraps an {@link InfluxDBClient} (left open by {@link close}) or builds one from the same
   * options as `new InfluxDBClient(options)`.
   */
  constructor(clientOrOptions: InfluxDBClient | InfluxDBClientConfig = {}) {
    if (clientOrOptions instanceof InfluxDBClient) {
      this.client = clientOrOptions;
      this.#ownsClient = false;
    } else {
      this.client = new InfluxDBClient(clientOrOptions);
      this.#ownsClient = true;
    }
  }

  /**
   * Builds a FrameClient from a DSN, as `InfluxDBClient.fromDsn`.
   *
   * ```ts
   * const fc = FrameClient.fromDsn('influxdb://u:p@localhost:8086/metrics');
   * String(fc.client); // 'InfluxDBClient(http://localhost:8086, database=metrics, user=u)'
   * ```
   */
  static fromDsn(dsn: string, overrides?: InfluxDBClientConfig): FrameClient {
    const fc = new FrameClient(InfluxDBClient.fromDsn(dsn, overrides));
    fc.#ownsClient = true;
    return fc;
  }

  /**
   * Writes every row of an Arrow table as a point of `measurement` (see {@link WriteFrameOptions}
   * for the column roles). The whole table is checked first: a value InfluxDB cannot store (NaN,
   * Infinity, a Uint64 beyond int64, a newline in a tag, a null time) is refused with an
   * `InfluxValidationError` naming `rows[i]` and the column, before anything is sent. Rows whose
   * fields are all null are skipped and counted. Batches of `batchSize` lines are sent with up to
   * `concurrency` requests in flight (the next batch is encoded meanwhile); if one fails, no further
   * batch is sent, the ones in flight are awaited, and the first error is thrown (the batches that
   * succeeded were stored; `written` is then unknown to the caller, as with writePoints).
   *
   * ```ts
   * await frames.writeFrame(table, 'weather', { tagColumns: ['city'], tags: { source: 'sensor' }, timePrecision: 's' });
   * // weather,city=Paris,source=sensor temp=21.5,humidity=40i 1700000000
   * ```
   */
  async writeFrame(
    table: Table,
    measurement: string,
    options: WriteFrameOptions = {},
  ): Promise<WriteFrameResult> {
    const encoder = new FrameLineEncoder(table, measurement, options);
    encoder.validate();
    const writeOptions = {
      ...(options.database !== undefined ? { database: options.database } : {}),
      ...(options.retentionPolicy !== undefined ? { retentionPolicy: options.retentionPolicy } : {}),
      precision: options.timePrecision ?? 'n',
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    };
    const concurrency = options.concurrency ?? 4;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new InfluxConfigError(`writeFrame: concurrency must be a positive integer, got ${concurrency}`);
    }
    const result: WriteFrameResult = { written: 0, skipped: 0, requests: 0 };
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    for (const b of encoder.bodies(options.batchSize ?? 5000)) {
      result.skipped += b.skipped;
      if (b.lines === 0) continue;
      while (inFlight.size >= concurrency && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
      if (options.signal?.aborted) throw new InfluxAbortError('writeFrame: aborted');
      const lines = b.lines;
      const p: Promise<void> = this.client.write(b.body, writeOptions).then(
        () => {
          result.written += lines;
          result.requests++;
          inFlight.delete(p);
        },
        (error: unknown) => {
          failure ??= { error };
          inFlight.delete(p);
        },
      );
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    return result;
  }

  /**
   * Runs one query with `chunked=true` and `epoch=ns` and returns one table per series, keyed as
   * influxdb-python's DataFrameClient keys its dict: by measurement, or by measurement and GROUP BY
   * tags (`frameKey('cpu', { host: 'a' })` = `'cpu,host=a'`); each table's schema metadata holds
   * `influx.measurement` and `influx.tags`. Chunks become record batches as they arrive, so the rows
   * of the response are never all held as JS values. An empty result gives an empty map.
   *
   * ```ts
   * const frames = await fc.queryFrames('SELECT mean("value") FROM "cpu" WHERE time > now() - 1h GROUP BY time(1m), "host"');
   * // GET /query?db=…&epoch=ns&chunked=true&chunk_size=10000&q=SELECT+mean(%22value%22)+…
   * frames.get('cpu,host=a')?.getChild('mean')?.toArray(); // Float64Array [...]
   *
   * // or a typed query builder: its bound values, database and field types come along
   * await fc.queryFrames(repo.query().select(mean('usage')).where('host', '=~', /^web-/).groupBy(time('1m'), 'host'));
   * // GET /query?db=…&epoch=ns&chunked=true&q=SELECT+mean(%22usage%22%3A%3Afield)+…&params={"p0":…}
   * ```
   */
  async queryFrames(q: string | FrameQuery, options: QueryFramesOptions = {}): Promise<Map<string, Table>> {
    const [text, o] = this.#fromBuilder(q, options, 'queryFrames');
    const builder = await this.#collect(text, o, undefined);
    return builder.tables(o.dropna ?? true);
  }

  /**
   * Like {@link queryFrames}, but one table for the whole result, with the GROUP BY tags as
   * Dictionary columns (and the measurement, when `measurementColumn` is given).
   *
   * ```ts
   * const t = await fc.queryTable('SELECT "value" FROM "cpu" GROUP BY "host"');
   * t.schema.fields.map((f) => f.name); // ['time', 'host', 'value']
   * const u = await fc.queryTable(repo.query().select('usage', 'cores').where('host', '=', 'a'));
   * // SELECT "usage"::field, "cores"::field FROM "cpu" WHERE "host"::tag = $p0   params: { p0: 'a' }
   * u.getChild('cores')?.type; // Int64 (an integer field of the model)
   * ```
   */
  async queryTable(q: string | FrameQuery, options: QueryTableOptions = {}): Promise<Table> {
    const [text, o] = this.#fromBuilder(q, options, 'queryTable');
    const builder = await this.#collect(text, o, { measurementColumn: o.measurementColumn });
    return builder.table(o.dropna ?? true);
  }

  /**
   * Runs several `;`-separated statements (not chunked) and returns one map of frames each, as
   * the seed's DataFrameClient does for a multi-statement query.
   *
   * ```ts
   * const [cpu, mem] = await fc.queryFramesMany('SELECT "usage" FROM "cpu"; SELECT "used" FROM "mem"');
   * cpu?.get('cpu')?.numRows; // rows of the first statement's "cpu" series
   * mem?.get('mem')?.getChild('used')?.toArray();
   * ```
   */
  async queryFramesMany(q: string, options: QueryFramesOptions = {}): Promise<Map<string, Table>[]> {
    const A = await loadArrow();
    const results = await this.client.queryMany(q, this.#queryOptions(options));
    const out: Map<string, Table>[] = [];
    for (const rs of results) {
      const builder = new FrameBuilder(A, undefined);
      await this.#addResult(builder, rs, options, new Map());
      out.push(builder.tables(options.dropna ?? true));
    }
    return out;
  }

  /**
   * Closes the underlying client if this FrameClient built it.
   *
   * ```ts
   * const fc = new FrameClient({ database: 'metrics' }); // builds (and owns) its client
   * await fc.close(); // fc.client.closed === true
   * await new FrameClient(client).close(); // a given client stays open
   * ```
   */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.client.close();
  }

  /**
   * A builder's text, bound values (as `bindParams`), database (unless `options.database` is given)
   * and the column types its model declares (unless `options.columnTypes` names the column).
   */
  #fromBuilder<O extends QueryFramesOptions>(
    q: string | FrameQuery,
    options: O,
    method: string,
  ): [string, O] {
    if (!(q instanceof QueryBuilder)) return [q, options];
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`${method}(options): must be an object`);
    }
    const { query, params } = q.toInfluxQL();
    const bindParams = { ...(options.bindParams ?? {}) };
    for (const [name, value] of Object.entries(params)) {
      if (Object.hasOwn(bindParams, name)) {
        throw new InfluxConfigError(
          `${method}(bindParams): $${name} is bound by the query builder; give your own values other names`,
        );
      }
      bindParams[name] = value;
    }
    const plan = q.rowPlan();
    const columnTypes: Record<string, FrameColumnType> = {};
    for (const column of plan.columns.values()) {
      if (column.raw) continue;
      if (column.kind === 'float') columnTypes[column.name] = 'float';
      else if (column.kind === 'count') columnTypes[column.name] = 'integer';
      else {
        const field =
          column.property === undefined ? undefined : plan.meta.fieldsByProperty.get(column.property);
        if (field) columnTypes[column.name] = field.type;
      }
    }
    const database = options.database ?? q.targetDatabase();
    return [
      query,
      {
        ...options,
        bindParams,
        columnTypes: { ...columnTypes, ...(options.columnTypes ?? {}) },
        ...(database !== undefined ? { database } : {}),
      },
    ];
  }

  #queryOptions(options: QueryFramesOptions): QueryOptions {
    const o: QueryOptions = { epoch: 'ns' };
    if (options.database !== undefined) o.database = options.database;
    if (options.retentionPolicy !== undefined) o.retentionPolicy = options.retentionPolicy;
    if (options.bindParams !== undefined) o.bindParams = options.bindParams;
    if (options.params !== undefined) o.params = options.params;
    if (options.signal !== undefined) o.signal = options.signal;
    return o;
  }

  async #collect(
    q: string,
    options: QueryFramesOptions,
    combined: { measurementColumn: string | undefined } | undefined,
  ): Promise<FrameBuilder> {
    if (
      options.chunkSize !== undefined &&
      (!Number.isSafeInteger(options.chunkSize) || options.chunkSize < 1)
    ) {
      throw new InfluxConfigError(
        `queryFrames: chunkSize must be a positive integer, got ${options.chunkSize}`,
      );
    }
    const A = await loadArrow();
    const builder = new FrameBuilder(A, combined);
    const fieldTypes = new Map<string, Map<string, FrameColumnType>>();
    const qo = { ...this.#queryOptions(options), chunkSize: options.chunkSize ?? 10_000 };
    for await (const rs of this.client.queryStream(q, qo)) {
      await this.#addResult(builder, rs, options, fieldTypes);
    }
    return builder;
  }

  async #addResult(
    builder: FrameBuilder,
    rs: ResultSet,
    options: QueryFramesOptions,
    fieldTypes: Map<string, Map<string, FrameColumnType>>,
  ): Promise<void> {
    const declared = options.columnTypes ?? {};
    for (const series of rs.raw.series ?? []) {
      const measurement = series.measurement ?? series.name ?? 'results';
      let known = fieldTypes.get(measurement);
      if (known === undefined) {
        known = options.fieldTypeLookup === false ? new Map() : await this.#fieldTypes(measurement, options);
        fieldTypes.set(measurement, known);
      }
      const types = known;
      builder.add(series, (column) => {
        const d = Object.hasOwn(declared, column) ? declared[column] : undefined;
        if (d !== undefined) return d;
        const t = types.get(column);
        if (t !== undefined) return t;
        // COUNT always returns integers (`count`, or `count_<field>` for count(*)).
        if (column === 'count' || column.startsWith('count_')) return 'integer';
        return undefined;
      });
    }
  }

  /** Field types of a measurement from `SHOW FIELD KEYS`; empty when the server cannot tell. */
  async #fieldTypes(measurement: string, options: QueryFramesOptions): Promise<Map<string, FrameColumnType>> {
    const out = new Map<string, FrameColumnType>();
    try {
      const qo: QueryOptions = {};
      if (options.database !== undefined) qo.database = options.database;
      if (options.retentionPolicy !== undefined) qo.retentionPolicy = options.retentionPolicy;
      if (options.signal !== undefined) qo.signal = options.signal;
      const show = compileStatement({
        kind: 'showFieldKeys',
        database: undefined,
        from: measurementNode(measurement),
        where: [],
      });
      const rs = await this.client.query(show.query, qo);
      const conflicts = new Set<string>();
      for (const s of rs.raw.series ?? []) {
        const k = s.columns.indexOf('fieldKey');
        const t = s.columns.indexOf('fieldType');
        for (const row of s.values ?? []) {
          const key = row[k];
          const type = FIELD_TYPES[String(row[t])];
          if (typeof key !== 'string' || type === undefined) continue;
          const prev = out.get(key);
          if (prev !== undefined && prev !== type) conflicts.add(key);
          out.set(key, type);
        }
      }
      for (const key of conflicts) out.delete(key); // a type conflict across shards: infer per value
    } catch (err) {
      if (options.signal?.aborted) throw err;
      // No database, no permission, a measurement of another database: infer from the values.
    }
    return out;
  }
}
