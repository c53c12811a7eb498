import type { QueryOptions, WriteOptions } from '../client/client-options.js';
import { InfluxValidationError } from '../errors.js';
import { compileStatement } from '../influxql/compiler.js';
import { measurementNode } from '../influxql/nodes.js';
import { LineWriter } from '../line-protocol/line-writer.js';
import { getModelMetadata } from '../models/metadata-builder.js';
import type { ModelClass, ModelMetadata } from '../models/model-metadata.js';
import { bufferingRegistry, serializerOf } from '../models/model-runtime.js';
import type { ModelProperty } from './model-types.js';
import type { ConditionNode, SelectNode } from './query-ast.js';
import {
  QueryBuilder,
  type QueryExecutor,
  type StreamOptions,
  templateRegex,
  type WhereObject,
} from './query-builder.js';
import { type CompiledQuery, compileQuery } from './query-compiler.js';
import { mapSeries, type RawSeries } from './row-mapper.js';
import type { RowPlan } from './row-plan.js';
import type { Condition, TimeValue } from './where-condition.js';

/** What a repository needs from a client; `InfluxDBClient` provides it. */
export interface RepositoryClient {
  query(
    q: string,
    options?: QueryOptions,
  ): Promise<{ readonly raw: { readonly series?: readonly RawSeries[] } }>;
  queryStream(
    q: string,
    options?: QueryOptions,
  ): AsyncIterable<{ readonly raw: { readonly series?: readonly RawSeries[] } }>;
  write(data: string, options?: WriteOptions): Promise<void>;
}

/** Options of `find`, `findOne`, `count` and `stream`. */
export interface FindOptions<T> {
  /** `{ host: 'a' }` (arrays mean any of), or a condition made with `cond` / `and` / `or`. */
  where?: WhereObject<T> | Condition<ModelProperty<T> | 'time'>;
  /** Points at or after this time (`time >= from`). */
  from?: TimeValue;
  /** Points strictly before this time (`time < to`). */
  to?: TimeValue;
  /** By time; default `'asc'`. */
  orderBy?: 'asc' | 'desc';
  /** Points per series. */
  limit?: number;
  offset?: number;
}

/**
 * Reads and writes the points of one model class: `find`, `findOne`, `count`, `stream` give frozen
 * model instances (not buffered), `query()` a typed builder, `write` stores instances directly
 * (bypassing the registry buffer), `deleteSeries` drops series by tags.
 *
 * ```ts
 * const repo = createRepository(client, CpuLoad); // or client.repository(CpuLoad)
 * const recent = await repo.find({ where: { host: 'web-1' }, from: ago('1h'), orderBy: 'desc', limit: 10 });
 * // SELECT "host"::tag, "usage"::field FROM "cpu_load" WHERE "host"::tag = $p0 AND time >= now() - 1h
 * //   ORDER BY time DESC LIMIT 10     params: { p0: 'web-1' }
 * ```
 */
export class Repository<T extends object> {
  /** The compiled model description. */
  readonly metadata: ModelMetadata<T>;

  constructor(
    private readonly client: RepositoryClient,
    readonly model: ModelClass<T>,
  ) {
    if (client === null || typeof client !== 'object' || typeof client.query !== 'function') {
      throw new InfluxValidationError('createRepository', 'client', 'expects an InfluxDBClient');
    }
    this.metadata = getModelMetadata(model);
    this.executor = {
      all: (compiled, plan, database) => this.runAll(compiled, plan, database),
      stream: (compiled, plan, database, options) => this.runStream(compiled, plan, database, options),
    };
  }

  private readonly executor: QueryExecutor<T>;

  /**
   * A typed builder over this model, runnable with `all()`, `first()` and `stream()`.
   *
   * ```ts
   * const rows = await repo.query().select(mean('usage').as('avg')).groupBy(time('5m'), 'host').all();
   * // SELECT mean("usage"::field) AS "avg" FROM "cpu" GROUP BY time(5m), "host"
   * // rows: Array<{ time: Date; host: string; avg: number | null }>
   * ```
   */
  query(): QueryBuilder<T> {
    return QueryBuilder.create(this.metadata, this.executor);
  }

  /**
   * The points matching `options`, as frozen instances. The result is read with `chunked=true`
   * (10000 rows a chunk) and mapped chunk by chunk, so the server streams it as it computes it.
   *
   * ```ts
   * const points = await repo.find({ where: { host: 'a' }, from: ago('1h'), orderBy: 'desc', limit: 10 });
   * // SELECT "host"::tag, "usage"::field, "cores"::field FROM "cpu"
   * //   WHERE "host"::tag = $p0 AND time >= now() - 1h ORDER BY time DESC LIMIT 10   params: { p0: 'a' }
   * ```
   */
  find(options: FindOptions<T> = {}): Promise<T[]> {
    return this.builder(options, 'find').all() as Promise<T[]>;
  }

  /**
   * The first point matching `options` (the newest with `orderBy: 'desc'`), or undefined.
   *
   * ```ts
   * const latest = await repo.findOne({ where: { host: 'a' }, orderBy: 'desc' });
   * // SELECT "host"::tag, "usage"::field, "cores"::field FROM "cpu"
   * //   WHERE "host"::tag = $p0 ORDER BY time DESC LIMIT 1
   * latest?.usage; // number, or undefined when no point matches
   * ```
   */
  async findOne(options: FindOptions<T> = {}): Promise<T | undefined> {
    return (await this.builder({ ...options, limit: 1 }, 'findOne').all())[0] as T | undefined;
  }

  /**
   * Streams the points matching `options` over a chunked query, in flat memory.
   *
   * ```ts
   * for await (const cpu of repo.stream({ from: ago('1d'), chunkSize: 5000 })) total += cpu.usage;
   * // SELECT "host"::tag, "usage"::field, "cores"::field FROM "cpu" WHERE time >= now() - 1d
   * //   (sent with chunked=true&chunk_size=5000)
   * ```
   */
  stream(options: FindOptions<T> & StreamOptions = {}): AsyncIterable<T> {
    return this.builder(options, 'stream').stream(options) as AsyncIterable<T>;
  }

  /**
   * How many points match: `SELECT count(*::field)`, taking per series the largest count over the
   * fields (exact when every point carries that field, as points of a model with a required field
   * do), summed over the series of a templated measurement.
   *
   * ```ts
   * await repo.count({ where: { host: 'a' }, from: ago('1d') }); // e.g. 1440
   * // SELECT count(*::field) FROM "cpu" WHERE "host"::tag = $p0 AND time >= now() - 1d
   * ```
   */
  async count(options: Omit<FindOptions<T>, 'orderBy' | 'limit' | 'offset'> = {}): Promise<number> {
    const node: SelectNode = {
      ...this.builder(options, 'count').toNode(),
      fields: [
        {
          expr: { kind: 'call', name: 'count', args: [{ kind: 'wildcard', cast: 'field' }] },
          alias: undefined,
        },
      ],
    };
    const compiled = compileQuery(node);
    const rs = await this.client.query(compiled.query, {
      bindParams: compiled.params,
      database: this.metadata.database,
    });
    let total = 0;
    for (const s of rs.raw.series ?? []) {
      let best = 0;
      for (const row of s.values ?? []) {
        for (let i = 1; i < row.length; i++) {
          const v = row[i];
          const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
          if (n > best) best = n;
        }
      }
      total += best;
    }
    return total;
  }

  /**
   * Writes instances now, in one request per 5000 points, bypassing the registry buffer; resolves
   * when the server stored them. Goes to the model's database, retention policy and precision.
   * An instance still waiting in its class's buffer (`new Cpu(...)` buffers it) is taken out of the
   * buffer and written here with its buffered line, so it is stored once, not also autocommitted;
   * other instances (from queries, already committed, or plain objects of the model's shape) are
   * serialized by the model's serializer, the same function that fills the buffers.
   *
   * ```ts
   * await repo.write([a, b]); // POST /write?db=…&precision=n  cpu_load,host=a usage=0.5 1704067200000000000
   * ```
   */
  async write(instances: Iterable<T> | T, options: { signal?: AbortSignal } = {}): Promise<void> {
    const list =
      instances !== null && typeof instances === 'object' && Symbol.iterator in instances
        ? [...(instances as Iterable<T>)]
        : [instances as T];
    const { metadata: meta } = this;
    const serialize = serializerOf(this.model);
    for (let i = 0; i < list.length; i++) {
      const o = list[i];
      if (o === null || typeof o !== 'object') {
        throw new InfluxValidationError(
          `${meta.className}[${i}]`,
          undefined,
          `expected an instance, got ${o === null ? 'null' : typeof o}`,
        );
      }
    }
    // Serialize everything first (a bad instance throws before anything is taken or sent).
    const writer = new LineWriter(1 << 12);
    const pending = new Set<object>();
    const ends: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const o = list[i] as object;
      // A frozen instance keeps its time; an object that is not frozen is copied, so that the
      // time a missing timestamp gets is not written into the caller's object.
      const inst = Object.isFrozen(o) ? o : Object.assign(Object.create(Object.getPrototypeOf(o)), o);
      try {
        serialize(inst as Record<string, unknown>, writer);
      } catch (e) {
        if (e instanceof InfluxValidationError) {
          throw new InfluxValidationError(
            `${meta.className}[${i}]`,
            e.property,
            e.message.replace(/^.*?: /, ''),
          );
        }
        throw e;
      }
      ends.push(writer.pos);
      pending.add(o);
    }
    // Instances still in the buffer: their buffered line (same text, same time) replaces the one
    // just made, and they leave the buffer, so that the registry does not write them as well.
    const taken =
      bufferingRegistry(this.model)?.withdraw(this.model, [...pending]) ?? new Map<object, Buffer>();
    const enc = writer.ascii ? 'latin1' : 'utf8';
    const BATCH = 5000;
    let start = 0;
    for (let from = 0; from < list.length; from += BATCH) {
      const to = Math.min(list.length, from + BATCH);
      let body = '';
      for (let i = from; i < to; i++) {
        const line = taken.get(list[i] as object);
        const end = ends[i] as number;
        body += line !== undefined ? line.toString('utf8') : writer.buf.toString(enc, start, end);
        start = end;
      }
      await this.client.write(body, {
        ...(meta.database !== undefined ? { database: meta.database } : {}),
        ...(meta.retentionPolicy !== undefined ? { retentionPolicy: meta.retentionPolicy } : {}),
        precision: meta.precision,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
  }

  /**
   * Drops the series whose tags match (`DROP SERIES FROM … WHERE …`); conditions on fields or time
   * are refused (InfluxDB drops whole series, by tags only).
   *
   * ```ts
   * await repo.deleteSeries({ host: 'web-1' }); // DROP SERIES FROM "cpu_load" WHERE "host"::tag = $p0
   * ```
   */
  async deleteSeries(where: WhereObject<T> | Condition<ModelProperty<T>>): Promise<void> {
    if (where === undefined || where === null) {
      throw new InfluxValidationError(
        this.metadata.className,
        undefined,
        'deleteSeries() needs a tag condition',
      );
    }
    const conditions = this.query()
      .where(where as never)
      .toNode().where;
    for (const c of conditions) this.checkTagsOnly(c);
    const meta = this.metadata;
    const from = measurementNode(
      meta.templateProperties.length > 0
        ? { regex: templateRegex(meta.measurement).source }
        : meta.measurement,
    );
    const { query, params } = compileStatement({ kind: 'dropSeries', from, where: conditions });
    await this.client.query(query, {
      bindParams: params,
      method: 'POST',
      ...(meta.database !== undefined ? { database: meta.database } : {}),
    });
  }

  // --- QueryExecutor ------------------------------------------------------------------------------

  private async runAll(
    compiled: CompiledQuery,
    plan: RowPlan<T>,
    database: string | undefined,
  ): Promise<unknown[]> {
    // Read with chunked=true and map chunk by chunk: influxd streams the result as it computes it
    // (a whole response is built in full before the first byte is sent, with about 1.5x the server
    // CPU), decoding and mapping overlap the server's work, and only one chunk of raw rows is held.
    // The instances are the same as from one whole response.
    const out: unknown[] = [];
    const chunks = this.client.queryStream(compiled.query, {
      bindParams: compiled.params,
      epoch: 'ns',
      chunkSize: ALL_CHUNK_SIZE,
      ...(database !== undefined ? { database } : {}),
    });
    for await (const rs of chunks) {
      for (const s of rs.raw.series ?? []) mapSeries(plan, s, out);
    }
    return out;
  }

  private runStream(
    compiled: CompiledQuery,
    plan: RowPlan<T>,
    database: string | undefined,
    options: StreamOptions,
  ): AsyncIterableIterator<unknown> {
    return new InstanceStream(
      () =>
        this.client.queryStream(compiled.query, {
          bindParams: compiled.params,
          epoch: 'ns',
          chunkSize: options.chunkSize ?? 10_000,
          ...(database !== undefined ? { database } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      plan,
    );
  }

  // --- internals ----------------------------------------------------------------------------------

  private builder(options: FindOptions<T>, method: string): QueryBuilder<T> {
    if (options === null || typeof options !== 'object') {
      throw new InfluxValidationError(
        `${this.metadata.className}.${method}`,
        undefined,
        'options must be an object',
      );
    }
    let q: QueryBuilder<T> = this.query();
    if (options.where !== undefined) q = q.where(options.where as never);
    if (options.from !== undefined) q = q.where('time', '>=', options.from);
    if (options.to !== undefined) q = q.where('time', '<', options.to);
    if (options.orderBy !== undefined) q = q.orderBy('time', options.orderBy);
    if (options.limit !== undefined) q = q.limit(options.limit);
    if (options.offset !== undefined) q = q.offset(options.offset);
    return q;
  }

  private checkTagsOnly(c: ConditionNode): void {
    if ('operands' in c) {
      for (const o of c.operands) this.checkTagsOnly(o);
      return;
    }
    if (c.kind === 'time' || c.left.cast !== 'tag') {
      const name = c.kind === 'time' ? 'time' : c.left.key;
      throw new InfluxValidationError(
        this.metadata.className,
        name,
        'deleteSeries() takes conditions on tags only (InfluxDB drops whole series)',
      );
    }
  }
}

/**
 * A {@link Repository} of `Model` over `client` (what `client.repository(Model)` returns).
 *
 * ```ts
 * const repo = createRepository(client, CpuLoad);
 * const rows = await repo.query().select(mean('usage').as('avg')).groupBy(time('5m'), 'host').all();
 * ```
 */
export function createRepository<T extends object>(
  client: RepositoryClient,
  Model: ModelClass<T>,
): Repository<T> {
  return new Repository(client, Model);
}

/** Rows per chunk when `find`/`all()` read a whole result. */
const ALL_CHUNK_SIZE = 10_000;

type Chunk = { readonly raw: { readonly series?: readonly RawSeries[] } };

/**
 * The instances (or rows) of a chunked query, one at a time. Each chunk is mapped at once and its
 * instances handed out from a buffer: an async generator would cost a promise and several
 * microtask turns per instance (`yield*` over an array awaits every element). Leaving the loop
 * early (or an error) closes the chunk stream, which stops the HTTP request.
 */
class InstanceStream<T extends object> implements AsyncIterableIterator<unknown> {
  #open: (() => AsyncIterable<Chunk>) | undefined;
  #chunks: AsyncIterator<Chunk> | undefined;
  #buffer: unknown[] = [];
  #next = 0;
  #done = false;
  #pending: Promise<IteratorResult<unknown>> | undefined;

  constructor(
    open: () => AsyncIterable<Chunk>,
    private readonly plan: RowPlan<T>,
  ) {
    this.#open = open;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#pending !== undefined) return this.#pending.then(() => this.next());
    if (this.#next < this.#buffer.length) {
      const value = this.#buffer[this.#next];
      this.#buffer[this.#next++] = undefined;
      return Promise.resolve({ value, done: false });
    }
    const p = this.#fill();
    this.#pending = p;
    const clear = () => {
      if (this.#pending === p) this.#pending = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  async #fill(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.#done) return { value: undefined, done: true };
      if (this.#chunks === undefined) {
        const open = this.#open as () => AsyncIterable<Chunk>;
        this.#open = undefined;
        try {
          this.#chunks = open()[Symbol.asyncIterator]();
        } catch (err) {
          this.#done = true;
          throw err;
        }
      }
      let r: IteratorResult<Chunk>;
      try {
        r = await this.#chunks.next();
      } catch (err) {
        this.#done = true;
        throw err;
      }
      if (r.done) {
        this.#done = true;
        return { value: undefined, done: true };
      }
      const out: unknown[] = [];
      try {
        for (const s of r.value.raw.series ?? []) mapSeries(this.plan, s, out);
      } catch (err) {
        await this.#close();
        throw err;
      }
      if (out.length > 0) {
        this.#buffer = out;
        this.#next = 1;
        const value = out[0];
        out[0] = undefined;
        return { value, done: false };
      }
    }
  }

  async #close(): Promise<void> {
    this.#done = true;
    this.#buffer = [];
    this.#next = 0;
    this.#open = undefined;
    const chunks = this.#chunks;
    this.#chunks = undefined;
    await chunks?.return?.();
  }

  async return(value?: unknown): Promise<IteratorResult<unknown>> {
    await this.#pending?.catch(() => {});
    await this.#close();
    return { value, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<unknown>> {
    await this.#pending?.catch(() => {});
    await this.#close();
    throw err;
  }
}
