import { checkInt, checkName, checkStringMap, describeValue } from '../check-value.js';
import { InfluxClosedError, InfluxConfigError } from '../errors.js';
import { inspectCustom } from '../lazy-require.js';
import type { Point, WriteBody } from '../line-protocol/make-lines.js';
import { ResultSet } from '../results/result-set.js';
import type {
  CommitBatch,
  CommitOptions,
  ReplicaBacklog,
  ReplicaFlushOptions,
  ReplicatingSink,
} from '../sink.js';
import { InfluxAdminApi } from './admin-api.js';
import {
  authorizationHeader,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_REQUEST_TIMEOUT,
  type InfluxDBClientConfig,
  resolveClientConfig,
  timeoutOption,
} from './client-config.js';
import { ClientConnection } from './client-connection.js';
import type {
  CloseReport,
  InfluxResponse,
  QueryOptions,
  RequestOptions,
  WriteOptions,
  WritePointsOptions,
} from './client-options.js';
import { parseDsn } from './dsn.js';
import type { HostState } from './host-pool.js';
import { planQuery, QueryRequester } from './query-request.js';
import type { FlushReport } from './replicated-writer.js';
import type { RetryPolicy } from './retry-policy.js';
import { commitBatch } from './sink-adapter.js';
import { type SendPacketOptions, UdpFront } from './udp-front.js';
import { checkWritePointsOptions, WriteBatcher } from './write-batcher.js';

export {
  CLIENT_OPTION_KEYS,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_REQUEST_TIMEOUT,
  type InfluxDBClientConfig,
} from './client-config.js';
export type { CloseReport, InfluxResponse, RequestOptions } from './client-options.js';
export type { SendPacketOptions } from './udp-front.js';

/**
 * The types of {@link InfluxDBClient.repository}, filled in by the query layer (it augments this
 * interface with `model: ModelClass<T>` and `repository: Repository<T>`): the client does not
 * depend on the query layer, the query layer provides repositories of the client.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an interface (not a type) so that the query layer can augment it
// biome-ignore lint/correctness/noUnusedVariables: T is used by the query layer's augmentation
export interface ClientRepositoryTypes<T extends object> {}

/** The model class `client.repository()` takes (`ModelClass<T>` once the query layer is loaded). */
export type RepositoryModel<T extends object> = ClientRepositoryTypes<T>['model' &
  keyof ClientRepositoryTypes<T>];
/** What `client.repository()` returns (`Repository<T>` once the query layer is loaded). */
export type ClientRepository<T extends object> = ClientRepositoryTypes<T>['repository' &
  keyof ClientRepositoryTypes<T>];

type RepositoryFactory = (client: InfluxDBClient, model: unknown) => unknown;
let repositoryFactory: RepositoryFactory | undefined;

/**
 * Called by the query layer when it is loaded (`import 'influx-models'` loads it): makes
 * `client.repository(Model)` build a `Repository`. Not part of the public API.
 *
 * ```ts
 * provideRepositoryFactory((client, model) => createRepository(client, model));
 * ```
 */
export function provideRepositoryFactory(factory: RepositoryFactory): void {
  repositoryFactory = factory;
}

/**
 * The InfluxDB 1.x HTTP (and UDP) client: influxdb-python's `InfluxDBClient` over an undici pool.
 *
 * ```ts
 * const client = new InfluxDBClient({ host: 'localhost', port: 8086, database: 'metrics' });
 * await client.writePoints([{ measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 0.5 }, time: 1n }]);
 * // POST /write?db=metrics&precision=n   cpu,host=a usage=0.5 1
 * const rs = await client.query('SELECT "usage" FROM "cpu"');
 * // GET /query?db=metrics&q=SELECT+%22usage%22+FROM+%22cpu%22
 * [...rs.getPoints()]; // [{ time: '1970-01-01T00:00:00.000000001Z', usage: 0.5 }]
 * await client.close();
 * ```
 *
 * Credentials go in an `Authorization` header only (Basic for username/password, `Token …` for a
 * token) and never appear in URLs, error messages, `toString()` or `util.inspect`.
 *
 * Retries: connection errors, timeouts, 5xx and 429 are retried by the client's `retry` policy
 * ({@link RetryPolicy}; `retries` attempts in total, 0 = forever) with exponential backoff and
 * jitter, honouring `Retry-After`; when they are used up,
 * 5xx and 429 raise `InfluxDBServerError` (transient), other 4xx raise `InfluxDBClientError` at once
 * (permanent). Writes are retried as
 * a whole body: points with explicit timestamps are idempotent (the same series and time is
 * overwritten), but a point WITHOUT a timestamp gets the server's time on each attempt, so a retry
 * after a lost response may store it twice.
 */
export class InfluxDBClient extends InfluxAdminApi implements ReplicatingSink {
  /** The retry policy of this client's requests (see {@link RetryPolicy}). */
  readonly retryPolicy: RetryPolicy;
  readonly #connection: ClientConnection;
  readonly #queries: QueryRequester;
  readonly #writer: WriteBatcher;
  /** The UDP side: made for `useUdp` and on the first `sendPacket`. */
  readonly #udp: UdpFront;
  readonly #useUdp: boolean;
  readonly #udpPort: number;
  readonly #baseUrl: string;
  /** Every server's base URL, comma-separated (for toString and toJSON). */
  readonly #urlList: string;
  #database: string | undefined;
  #username: string | undefined;
  #closed = false;
  #closing: Promise<CloseReport> | undefined;

  /**
   * Builds a client; nothing is sent until the first call. Throws {@link InfluxConfigError} for a
   * bad option, naming it.
   */
  constructor(options: InfluxDBClientConfig = {}) {
    super();
    const config = resolveClientConfig(options);
    this.retryPolicy = config.retry;
    this.#baseUrl = config.baseUrl;
    this.#urlList = config.urlList;
    this.#database = config.database;
    this.#username = config.username;
    this.#useUdp = config.useUdp;
    this.#udpPort = config.udpPort;
    const first = config.hosts[0] as { host: string };
    this.#udp = new UdpFront({
      host: first.host,
      port: config.udpPort,
      precision: config.udpPrecision,
      maxDatagramBytes: config.maxDatagramBytes,
    });
    this.#connection = new ClientConnection(config);
    const { transport, replicas } = this.#connection;
    this.#queries = new QueryRequester(transport, config.responseFormat, config.maxChunkBytes);
    this.#writer = new WriteBatcher(
      transport,
      replicas,
      config.gzip,
      config.writeConcurrency,
      config.maxBatchBytes,
      () => this.#database,
    );
  }

  /**
   * A client from a DSN: `influxdb://`, `https+influxdb://` or `udp+influxdb://`
   * `[user[:password]@]host[:port][/database]`; `overrides` win over the DSN.
   *
   * ```ts
   * InfluxDBClient.fromDsn('https+influxdb://user:pass@db.example.com:8086/metrics', { timeout: 5000 });
   * ```
   */
  static fromDsn(dsn: string, overrides?: InfluxDBClientConfig): InfluxDBClient {
    return new InfluxDBClient(parseDsn(dsn, overrides));
  }

  /**
   * Each server's state, in the order of `hosts` (one entry for a single-host client): healthy or
   * unhealthy, failures in a row, the last error, when it is probed next, its version once known.
   *
   * ```ts
   * const client = new InfluxDBClient({ hosts: [{ host: 'influx-a' }, { host: 'influx-b', port: 8087 }] });
   * client.hosts();
   * // [{ url: 'http://influx-a:8086', host: 'influx-a', port: 8086, ssl: false, state: 'healthy', failures: 0 },
   * //  { url: 'http://influx-b:8087', …, state: 'unhealthy', failures: 2, lastError: '… ECONNREFUSED …', retryAt: Date }]
   * ```
   */
  hosts(): HostState[] {
    const states = this.#connection.hosts.states();
    const backlog = this.#connection.replicas?.backlog();
    if (backlog !== undefined) {
      for (let i = 0; i < states.length; i++) (states[i] as HostState).backlog = backlog[i] as ReplicaBacklog;
    }
    return states;
  }

  /**
   * With `replicate: 'all'`: waits until every server's write queue is empty, or `timeout` ms
   * (default {@link DEFAULT_REQUEST_TIMEOUT}; 0 = no limit), and reports each server's backlog
   * (`pending`, `written`, `failed`, `dropped`, `failing`, `lastError`). With `waitForDown: false`
   * a server whose queue is failing is tried once at once (its back-off cut short) and not waited
   * for if that attempt fails too (the registry's `flush()` uses it). Without replication every
   * write has settled when its call did: the report is `{ drained: true, hosts: [] }`.
   *
   * ```ts
   * await defaultRegistry.flush(); // hand the buffered points to the client
   * const report = await client.flush({ timeout: 10_000 });
   * for (const h of report.hosts) if (h.pending > 0) console.warn(`${h.url}: ${h.pending} batches behind (${h.lastError})`);
   * ```
   */
  async flush(options: ReplicaFlushOptions = {}): Promise<FlushReport> {
    const timeout = timeoutOption(options, 'flush', DEFAULT_REQUEST_TIMEOUT, ['waitForDown']);
    const { waitForDown } = options;
    if (waitForDown !== undefined && typeof waitForDown !== 'boolean') {
      throw new InfluxConfigError(`flush(waitForDown): must be a boolean, got ${describeValue(waitForDown)}`);
    }
    const replicas = this.#connection.replicas;
    if (replicas === undefined) return { drained: true, hosts: [] };
    return replicas.flush(timeout, waitForDown ?? true);
  }

  /**
   * {@link ReplicatingSink}: the base URLs every write goes to with `replicate: 'all'`, in the order
   * of `hosts`; empty without replication.
   *
   * ```ts
   * new InfluxDBClient({ hosts: [{ host: 'a' }, { host: 'b' }], replicate: 'all' }).replicaUrls();
   * // ['http://a:8086', 'http://b:8086']
   * ```
   */
  replicaUrls(): readonly string[] {
    return this.replicaBacklog().map((b) => b.url);
  }

  /**
   * {@link ReplicatingSink}: each server's write queue now, without waiting (what `flush()` reports;
   * also `hosts()[i].backlog`); empty without replication.
   *
   * ```ts
   * pair.replicaBacklog();
   * // [{ url: 'http://a:8086', pending: 0, pendingBytes: 0, written: 12, failed: 0, dropped: 0, failing: false }, …]
   * ```
   */
  replicaBacklog(): ReplicaBacklog[] {
    return this.#connection.replicas?.backlog() ?? [];
  }

  /**
   * Pings every server now (`GET /ping`, one attempt each, within `timeout`), updates their states
   * and returns them: a server that answers becomes healthy, one that does not is backed off.
   *
   * ```ts
   * const states = await client.checkHosts();
   * states.filter((h) => h.state === 'healthy').length; // servers up right now
   * ```
   */
  async checkHosts(): Promise<HostState[]> {
    this.#checkOpen('checkHosts');
    return this.#connection.hosts.check();
  }

  /** The base URL requests go to (no credentials); the first server's with `hosts`. */
  get url(): string {
    return this.#baseUrl;
  }

  /** The current default database. */
  get database(): string | undefined {
    return this.#database;
  }

  protected currentDatabase(): string | undefined {
    return this.#database;
  }

  #checkOpen(method: string): void {
    if (this.#closed) throw new InfluxClosedError(`${method}: the client is closed`);
  }

  /**
   * Changes the default database of later queries and writes.
   *
   * ```ts
   * client.switchDatabase('other');
   * client.toString(); // 'InfluxDBClient(http://localhost:8086, database=other)'
   * await client.query('SHOW MEASUREMENTS'); // GET /query?db=other&q=SHOW+MEASUREMENTS
   * ```
   */
  switchDatabase(database: string): void {
    this.#checkOpen('switchDatabase');
    this.#database = checkName(database, 'switchDatabase(database)');
  }

  /**
   * Changes the credentials of later requests (Basic auth). Requests already sent keep theirs.
   *
   * ```ts
   * client.switchUser('reader', 'secret');
   * ```
   */
  switchUser(username: string, password: string): void {
    this.#checkOpen('switchUser');
    const auth = authorizationHeader(checkName(username, 'switchUser(username)'), password);
    if (typeof password !== 'string') throw new InfluxConfigError('switchUser(password): must be a string');
    this.#connection.transport.setAuthorization(auth);
    this.#username = username;
  }

  /**
   * Checks that the server answers and returns its version (the `X-Influxdb-Version` header).
   *
   * ```ts
   * await client.ping(); // '1.6.7~rc0'   (GET /ping)
   * ```
   */
  async ping(options: { signal?: AbortSignal } = {}): Promise<string> {
    this.#checkOpen('ping');
    const res = await this.#connection.transport.send({
      method: 'GET',
      path: '/ping',
      signal: options.signal,
    });
    const v = res.headers['x-influxdb-version'];
    return (Array.isArray(v) ? v[0] : v) ?? '';
  }

  /**
   * Sends a raw HTTP request below the client's base URL (with its auth and headers), as
   * influxdb-python's `request`. Raises like the other methods when the status is not expected.
   *
   * ```ts
   * const res = await client.request('/debug/vars'); // GET /debug/vars
   * JSON.parse(res.body.toString());
   * ```
   */
  async request(path: string, options: RequestOptions = {}): Promise<InfluxResponse> {
    this.#checkOpen('request');
    if (typeof path !== 'string' || !path.startsWith('/') || /[\s?#]/.test(path)) {
      throw new InfluxConfigError(
        `request(path): must be an absolute path like '/ping', got ${describeValue(path)}`,
      );
    }
    if (options.data !== undefined && typeof options.data !== 'string' && !Buffer.isBuffer(options.data)) {
      throw new InfluxConfigError(
        `request(data): must be a string or Buffer, got ${describeValue(options.data)}`,
      );
    }
    const method = options.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      throw new InfluxConfigError(`request(method): must be 'GET' or 'POST', got ${describeValue(method)}`);
    }
    return this.#connection.transport.send({
      method,
      path,
      query: checkStringMap(options.params, 'request(params)'),
      ...(options.data !== undefined ? { body: options.data } : {}),
      headers: checkStringMap(options.headers, 'request(headers)'),
      signal: options.signal,
      ...(options.expectedResponseCode !== undefined
        ? {
            expectedStatus: checkInt(options.expectedResponseCode, 'request(expectedResponseCode)', 100, 599),
          }
        : {}),
    });
  }

  // ---- queries (planned and decoded by query-request.ts) -----------------------------------------

  /**
   * Runs ONE InfluxQL statement and returns its {@link ResultSet}. A text with several statements
   * is refused before anything is sent (use {@link queryMany}). Reads go by GET, statements that
   * change state (`CREATE`, `DROP`, `SELECT … INTO`, …) by POST.
   *
   * ```ts
   * const rs = await client.query('SELECT * FROM "cpu" WHERE "host" = $host', { bindParams: { host: 'a' } });
   * // GET /query?db=…&q=SELECT+*+FROM+%22cpu%22+WHERE+%22host%22+%3D+%24host&params={"host":"a"}
   * ```
   *
   * Throws {@link InfluxDBClientError} for a statement error (unless `raiseErrors: false`, then the
   * error is in `rs.error`) and for 4xx; `InfluxDBServerError`, `InfluxConnectionError`,
   * `InfluxTimeoutError` after the retries.
   */
  async query(q: string, options: QueryOptions = {}): Promise<ResultSet> {
    this.#checkOpen('query');
    const plan = planQuery('query', q, options, false, this.#database);
    const results = await this.#queries.run(plan, options.signal, true);
    return new ResultSet(results[0] ?? { statement_id: 0 }, plan.raise);
  }

  /**
   * Runs several `;`-separated statements in one request and returns one {@link ResultSet} each.
   *
   * ```ts
   * const [cpu, mem] = await client.queryMany('SELECT * FROM cpu; SELECT * FROM mem');
   * ```
   */
  async queryMany(q: string, options: QueryOptions = {}): Promise<ResultSet[]> {
    this.#checkOpen('queryMany');
    const plan = planQuery('queryMany', q, options, false, this.#database);
    const results = await this.#queries.run(plan, options.signal, false);
    return results.map((r) => new ResultSet(r, plan.raise));
  }

  /**
   * Streams a query's results with `chunked=true`: yields a {@link ResultSet} per chunk of at most
   * `chunkSize` rows (default 10000) as they arrive, so memory stays flat for any result size.
   * A statement error in the stream throws (unless `raiseErrors: false`); leaving the loop early
   * stops the HTTP request. With several statements, `rs.raw.statement_id` tells which one a chunk
   * belongs to; `rs.raw.partial` is true while more chunks of the same series follow.
   *
   * ```ts
   * let n = 0;
   * for await (const rs of client.queryStream('SELECT * FROM "cpu"', { chunkSize: 5000 })) {
   *   for (const row of rs.getPoints()) n++;
   * }
   * // GET /query?db=…&chunked=true&chunk_size=5000&q=SELECT+*+FROM+%22cpu%22
   * ```
   */
  queryStream(q: string, options: QueryOptions = {}): AsyncGenerator<ResultSet, void, undefined> {
    this.#checkOpen('queryStream');
    const plan = planQuery('queryStream', q, options, true, this.#database);
    return this.#queries.stream(plan, options.signal);
  }

  // ---- writes (batched by write-batcher.ts, UDP by udp-front.ts) ----------------------------------

  /**
   * Writes line protocol as is (a string or Buffer, one point per line), or a write body of points
   * with `protocol: 'json'`. Resolves when the server answered `expectedResponseCode` (204).
   *
   * ```ts
   * await client.write('cpu,host=a usage=0.5 1257894000000000000\n', { database: 'metrics' });
   * // POST /write?db=metrics&precision=n
   * ```
   *
   * A partial write raises {@link InfluxDBPartialWriteError} (its other lines WERE stored).
   */
  async write(data: string | Buffer | WriteBody, options: WriteOptions = {}): Promise<void> {
    this.#checkOpen('write');
    await this.#writer.write(data, options);
  }

  /**
   * Writes points (objects or line strings) in batches of `batchSize` (default 5000, and at most
   * `maxBatchBytes` per request), a few requests in flight at once. Resolves when every batch is
   * stored; on the first failure no new batch is started and the error is thrown once the batches
   * in flight are settled (the batches before the failing one were stored). Points are encoded as
   * the batches are built, so a point that cannot be written (NaN, a newline in a tag, …) throws
   * {@link InfluxValidationError} naming it, after the batches before it were sent, never its own.
   *
   * ```ts
   * await client.writePoints(
   *   [{ measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 0.5, cores: 4n }, time: new Date(0) }],
   *   { database: 'metrics', tags: { region: 'eu' }, timePrecision: 'ms' },
   * );
   * // POST /write?db=metrics&precision=ms   cpu,host=a,region=eu cores=4i,usage=0.5 0
   * ```
   *
   * With `useUdp`, the points go to the UDP listener instead (no acknowledgement).
   * Line strings are sent as they are, a newline is added when missing (the `tags` option does not
   * apply to them; a string holding several lines counts as one point for `batchSize`).
   */
  async writePoints(points: Iterable<Point | string>, options: WritePointsOptions = {}): Promise<void> {
    this.#checkOpen('writePoints');
    const { precision, batchSize } = checkWritePointsOptions(points, options);
    if (this.#useUdp) await this.#udp.writePoints(points, precision, options.tags, batchSize);
    else await this.#writer.writePoints(points, options, precision, batchSize);
  }

  /**
   * {@link CommitSink}: writes a registry batch to `batch.database` (or the default database) with
   * its retention policy, precision and `consistency`, over UDP when the client was built with `useUdp` (then the
   * listener's own database and retention policy apply, and a precision other than `udpPrecision`
   * is refused). Rejects with `InfluxDBClientError` (permanent: bad data, unknown database, auth)
   * or a transient error (`InfluxDBServerError`, `InfluxConnectionError`, `InfluxTimeoutError`).
   * With `replicate: 'all'`, `options.hosts`, `onHost` and `queueOnly` pick the servers' queues and
   * report each server's copy (see {@link CommitOptions}); without replication they are ignored.
   *
   * ```ts
   * configureSeries({ sink: client }); // the registry calls client.commit(batch) for each batch
   * await client.commit({ body: 'cpu,host=a usage=0.5 1\n', lineCount: 1, precision: 'n' });
   * // POST /write?db=metrics&precision=n   cpu,host=a usage=0.5 1
   * ```
   */
  async commit(batch: CommitBatch, options: CommitOptions = {}): Promise<void> {
    this.#checkOpen('commit');
    await commitBatch(batch, options, this.#writer, this.#useUdp ? this.#udp : undefined);
  }

  /**
   * Sends a packet to the server's UDP listener (`udpPort`), as influxdb-python's `send_packet`:
   * line protocol text, an array of lines, or a write body with `protocol: 'json'`. Large packets are
   * split into several datagrams at line boundaries. The listener reads times in ITS precision
   * (`udpPrecision`, default 'n'); a `timePrecision` that differs is refused.
   *
   * ```ts
   * await client.sendPacket({ points: [{ measurement: 'cpu', fields: { v: 1 }, time: 1n }] }, { protocol: 'json' });
   * // datagram: 'cpu v=1 1\n'
   * ```
   */
  async sendPacket(
    packet: string | readonly string[] | WriteBody,
    options: SendPacketOptions = {},
  ): Promise<void> {
    this.#checkOpen('sendPacket');
    await this.#udp.sendPacket(packet, options);
  }

  /**
   * A typed repository of a model class, reading and writing through this client.
   *
   * ```ts
   * const cpu = client.repository(CpuLoad);
   * const rows = await cpu.query().select(mean('usage').as('avg')).groupBy(time('1m'), 'host').all();
   * // SELECT mean("usage") AS "avg" FROM "cpu_load" GROUP BY time(1m), "host"
   * ```
   */
  repository<T extends object>(model: RepositoryModel<T>): ClientRepository<T> {
    if (repositoryFactory === undefined) {
      throw new InfluxConfigError(
        "repository(model): the query layer is not loaded; import from 'influx-models' (or use createRepository(client, Model))",
      );
    }
    return repositoryFactory(this, model) as ClientRepository<T>;
  }

  /**
   * Closes the client: refuses new calls at once, stops open streams, gives the requests in flight
   * up to `timeout` ms (default {@link DEFAULT_CLOSE_TIMEOUT}, 5 s; 0 = abort at once) to finish,
   * then aborts the rest (they reject with {@link InfluxClosedError}), closes the connection pool
   * (unless it was given as `dispatcher`) and the UDP socket. Resolves with what it aborted, so a
   * shutdown can log it. Every later call throws {@link InfluxClosedError}. Idempotent: a second
   * call returns the first one's report.
   *
   * ```ts
   * await defaultRegistry.close(); // write the buffered points first
   * const { aborted } = await client.close({ timeout: 2000 });
   * for (const a of aborted) console.warn(`aborted ${a.method} ${a.path} after ${a.elapsedMs} ms`);
   * client.closed; // true
   * await client.ping(); // rejects with InfluxClosedError
   * ```
   */
  close(options: { timeout?: number } = {}): Promise<CloseReport> {
    if (this.#closing !== undefined) return this.#closing;
    const grace = timeoutOption(options, 'close', DEFAULT_CLOSE_TIMEOUT);
    this.#closed = true;
    this.#closing = this.#connection.shutdown(grace, () => this.#udp.close() ?? Promise.resolve());
    return this.#closing;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A short description without credentials (the password or token never appears).
   *
   * ```ts
   * new InfluxDBClient({ database: 'metrics', username: 'u', password: 'p' }).toString();
   * // 'InfluxDBClient(http://localhost:8086, database=metrics, user=u)'
   * ```
   */
  override toString(): string {
    const user = this.#username === undefined ? '' : `, user=${this.#username}`;
    const db = this.#database === undefined ? '' : `, database=${this.#database}`;
    return `InfluxDBClient(${this.#urlList}${db}${user}${this.#useUdp ? `, udp=${this.#udpPort}` : ''}${this.#closed ? ', closed' : ''})`;
  }

  /**
   * What `util.inspect` and `console.log` show: the same text as {@link toString}, no credentials.
   *
   * ```ts
   * console.log(client); // InfluxDBClient(http://localhost:8086, database=metrics)
   * ```
   */
  [inspectCustom](): string {
    return this.toString();
  }

  /**
   * The JSON form (for logs): URL, database, user name and state; never the password or token.
   *
   * ```ts
   * JSON.stringify(new InfluxDBClient({ database: 'metrics' }));
   * // '{"url":"http://localhost:8086","database":"metrics","closed":false}'
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { url: this.#urlList, database: this.#database, username: this.#username, closed: this.#closed };
  }
}
