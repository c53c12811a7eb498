import type { Dispatcher } from 'undici';
import {
  InfluxClosedError,
  InfluxConfigError,
  InfluxDBClientError,
  InfluxDBPartialWriteError,
  InfluxDBServerError,
  InfluxValidationError,
} from '../errors.js';
import { type LexedStatement, splitStatements } from '../influxql/lexer.js';
import { inspectCustom, lazyRequire } from '../lazy-require.js';
import {
  createLineEncoder,
  makeLines,
  makeLinesBytes,
  type Point,
  type WriteBody,
} from '../line-protocol/make-lines.js';
import { checkPrecision, type Precision } from '../line-protocol/precision.js';
import type { ModelClass } from '../models/model-metadata.js';
import { createRepository, type Repository } from '../query/repository.js';
import { chunkDecoderFor, responseDecoder, wireFormat } from '../results/chunk-parser.js';
import {
  DEFAULT_MAX_CHUNK_BYTES,
  type RawResponse,
  type ResponseFormat,
} from '../results/response-format.js';
import { type RawResult, ResultSet } from '../results/result-set.js';
import type { CommitBatch, CommitOptions, ReplicaFlushOptions, ReplicatingSink } from '../sink.js';
import { InfluxAdminApi } from './admin-api.js';
import type {
  InfluxDBClientOptions,
  QueryOptions,
  WriteOptions,
  WritePointsOptions,
} from './client-options.js';
import { parseDsn } from './dsn.js';
import { checkHosts, type HostEndpoint, HostPool, type HostState } from './host-pool.js';
import {
  type AbortedRequest,
  HttpTransport,
  type TransportRequest,
  type TransportResponse,
} from './http-transport.js';
import {
  type FlushReport,
  type ReplicaBacklog,
  ReplicatedWriter,
  type ReplicaWriteOptions,
} from './replicated-writer.js';
import { RetryPolicy } from './retry-policy.js';
import { UdpSender } from './udp-sender.js';
import { refuseUnknownKeys } from './unknown-options.js';
import { checkConsistency } from './write-consistency.js';

/**
 * Options of `new InfluxDBClient(...)`: {@link InfluxDBClientOptions} plus tuning that influxdb-python
 * does not have.
 */
export interface InfluxDBClientConfig extends InfluxDBClientOptions {
  /**
   * Wire format of query responses. Default 'msgpack' (exact types, faster; see src/results).
   * 'json' cannot tell an integral float of 16+ digits from an integer: such float values come
   * back as `bigint` (its `Number()` is the stored double).
   */
  responseFormat?: ResponseFormat;
  /** First retry backoff in ms (doubles per attempt, with jitter). Default 100. */
  retryBaseDelay?: number;
  /** Largest retry backoff in ms, also the cap on a server's Retry-After. Default 30000. */
  retryMaxDelay?: number;
  /** Write requests in flight at once for `writePoints`. Default min(poolSize, 4). */
  writeConcurrency?: number;
  /** Largest write body in bytes before a batch is cut (besides `batchSize`). Default 10 MiB. */
  maxBatchBytes?: number;
  /** Precision of the server's UDP listener (its `[[udp]] precision`). Default 'n'. */
  udpPrecision?: Precision;
  /** Largest UDP datagram in bytes. Default 1400 (see UdpSender). */
  maxDatagramBytes?: number;
  /**
   * `'all'`: every write goes to every server of `hosts` (as influxdb-relay does), through a queue
   * per server; a write resolves once one server stored it, a server that is down gets its copies
   * in order when it is back. See `client.flush()` and README "Several servers".
   */
  replicate?: 'all';
  /** Largest backlog of one server in bytes with `replicate: 'all'`. Default 268435456 (256 MiB). */
  maxReplicaBacklog?: number;
}

/**
 * Every option `new InfluxDBClient(...)` takes (the type makes sure none is missing): any other key
 * is refused with the nearest one suggested.
 */
const CLIENT_OPTION_KEYS = Object.keys({
  host: true,
  port: true,
  hosts: true,
  username: true,
  password: true,
  token: true,
  database: true,
  ssl: true,
  verifySsl: true,
  ca: true,
  cert: true,
  key: true,
  timeout: true,
  retries: true,
  retry: true,
  useUdp: true,
  udpPort: true,
  proxy: true,
  poolSize: true,
  path: true,
  gzip: true,
  headers: true,
  dispatcher: true,
  requestTimeout: true,
  maxResponseBytes: true,
  maxChunkBytes: true,
  responseFormat: true,
  retryBaseDelay: true,
  retryMaxDelay: true,
  writeConcurrency: true,
  maxBatchBytes: true,
  udpPrecision: true,
  maxDatagramBytes: true,
  replicate: true,
  maxReplicaBacklog: true,
} satisfies Record<keyof InfluxDBClientConfig, true>);

/**
 * Default `requestTimeout`: 5 minutes for one whole call.
 *
 * ```ts
 * new InfluxDBClient({ requestTimeout: DEFAULT_REQUEST_TIMEOUT / 10 }); // 30 s per call
 * ```
 */
export const DEFAULT_REQUEST_TIMEOUT = 300_000;
/**
 * Default `maxResponseBytes`: 256 MiB for a whole (not streamed) response body.
 *
 * ```ts
 * new InfluxDBClient({ maxResponseBytes: 2 * DEFAULT_MAX_RESPONSE_BYTES }); // allow 512 MiB
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/**
 * Default grace period of `close()`: 5 s for requests in flight to finish before they are aborted.
 *
 * ```ts
 * await client.close({ timeout: DEFAULT_CLOSE_TIMEOUT * 2 }); // wait up to 10 s
 * ```
 */
export const DEFAULT_CLOSE_TIMEOUT = 5_000;

/** What {@link InfluxDBClient.close} did. */
export interface CloseReport {
  /**
   * Requests and streams that were still running and were aborted (with {@link InfluxClosedError}):
   * open streams at once, requests when the grace period (`close({ timeout })`) ended.
   */
  aborted: AbortedRequest[];
  /**
   * With `replicate: 'all'`: the servers whose queue still held batches when the grace period
   * ended (those batches were NOT written to them). Absent without replication.
   */
  unsent?: ReplicaBacklog[];
}

/** Options of {@link InfluxDBClient.request}. */
export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Query-string parameters. */
  params?: Record<string, string>;
  /** Request body. */
  data?: string | Buffer;
  headers?: Record<string, string>;
  /** Status that counts as success; any other raises. Default: any 2xx. */
  expectedResponseCode?: number;
  signal?: AbortSignal;
}

/** A raw HTTP response of {@link InfluxDBClient.request}. */
export interface InfluxResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Options of {@link InfluxDBClient.sendPacket}. */
export interface SendPacketOptions {
  /** 'line' (default): the packet is line protocol or an array of lines; 'json': a write body. */
  protocol?: 'line' | 'json';
  /** Precision to encode a 'json' packet in; must match the UDP listener's precision. */
  timePrecision?: Precision;
}

/** A validated query request. */
interface QueryPlan {
  statements: LexedStatement[];
  httpMethod: 'GET' | 'POST';
  query: Record<string, string>;
  body: string | undefined;
  epoch: Precision | undefined;
  raise: boolean;
  expectedStatus: number | undefined;
}

const PARTIAL_WRITE = /partial write:\s*([\s\S]*?)(?:\s+dropped=(\d+))?\s*$/;
const DEFAULT_BATCH = 5000;
/** undici loads on the first client built (see lazy-require.ts), not on `import 'influx-models'`. */
const loadUndici = lazyRequire<typeof import('undici')>('undici');

function checkInt(value: unknown, where: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InfluxConfigError(`${where}: must be an integer from ${min} to ${max}, got ${kindOf(value)}`);
  }
  return value;
}

/** A wrong value's number or kind, never its text (a misplaced option may hold a secret). */
function kindOf(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The `{ timeout }` options object of `close` and `flush`: checked, with its default. */
function timeoutOption(options: unknown, method: string, fallback: number, more: string[] = []): number {
  if (options === null || typeof options !== 'object') {
    throw new InfluxConfigError(`${method}(options): must be an object, got ${describe(options)}`);
  }
  refuseUnknownKeys(options as Record<string, unknown>, ['timeout', ...more], method);
  const { timeout } = options as { timeout?: unknown };
  return timeout === undefined ? fallback : checkInt(timeout, `${method}(timeout)`, 0, 2_147_483_647);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function checkName(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '' || /[\0\n\r]/.test(value)) {
    throw new InfluxConfigError(
      `${where}: must be a non-empty string without control characters, got ${describe(value)}`,
    );
  }
  return value;
}

function checkStringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InfluxConfigError(`${where}: must be an object of strings, got ${describe(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new InfluxConfigError(`${where}.${k}: must be a string, got ${describe(v)}`);
    out[k] = v;
  }
  return out;
}

/** The `epoch` query parameter InfluxDB 1.x understands for a precision. */
function epochParam(p: Precision): string {
  return p === 'n' ? 'ns' : p;
}

/** The `precision` write parameter for a precision. */
function precisionParam(p: Precision): string {
  return p === 'ns' ? 'n' : p;
}

/** Encodes `bindParams` as the JSON object InfluxDB binds to `$name` (bigints exact). */
function encodeBindParams(values: Record<string, unknown>, where: string): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    let text: string;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        text = JSON.stringify(v);
        break;
      case 'number':
        if (!Number.isFinite(v))
          throw new InfluxConfigError(`${where}.${k}: ${v} cannot be bound; use a finite number`);
        text = JSON.stringify(v);
        break;
      case 'bigint':
        text = v.toString();
        break;
      default:
        throw new InfluxConfigError(
          `${where}.${k}: must be a string, number, boolean or bigint, got ${describe(v)}`,
        );
    }
    parts.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function gzipAsync(body: string | Buffer): Promise<Buffer> {
  const { gzip } = process.getBuiltinModule('node:zlib');
  return new Promise((resolve, reject) => gzip(body, (err, out) => (err ? reject(err) : resolve(out))));
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
  readonly #transport: HttpTransport;
  readonly #hosts: HostPool;
  /** The per-server write queues with `replicate: 'all'`. */
  readonly #replicas: ReplicatedWriter | undefined;
  /** The connection pools the client made (closed by close()); none when `dispatcher` was given. */
  readonly #ownDispatchers: Dispatcher[] = [];
  readonly #host: string;
  readonly #port: number;
  readonly #baseUrl: string;
  /** Every server's base URL, comma-separated (for toString and toJSON). */
  readonly #urlList: string;
  readonly #format: ResponseFormat;
  readonly #gzip: boolean;
  readonly #useUdp: boolean;
  readonly #udpPort: number;
  readonly #udpPrecision: Precision;
  readonly #maxDatagramBytes: number | undefined;
  readonly #writeConcurrency: number;
  readonly #maxBatchBytes: number;
  readonly #maxChunkBytes: number;
  readonly #headers: Record<string, string>;
  #database: string | undefined;
  #username: string | undefined;
  #udp: UdpSender | undefined;
  #closed = false;
  #closing: Promise<CloseReport> | undefined;

  /**
   * Builds a client; nothing is sent until the first call. Throws {@link InfluxConfigError} for a
   * bad option, naming it.
   */
  constructor(options: InfluxDBClientConfig = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`InfluxDBClient(options): must be an object, got ${describe(options)}`);
    }
    const o = options;
    refuseUnknownKeys(o, CLIENT_OPTION_KEYS, 'InfluxDBClient');
    for (const k of ['ssl', 'verifySsl', 'useUdp', 'gzip'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean') {
        throw new InfluxConfigError(`InfluxDBClient(${k}): must be true or false, got ${kindOf(o[k])}`);
      }
    }
    const checkHost = (value: unknown, where: string): string => {
      const h = checkName(value, where);
      if (/[\s/?#@]/.test(h)) {
        throw new InfluxConfigError(`${where}: must be a host name or IP address, got ${describe(h)}`);
      }
      return h;
    };
    const checkPort = (value: unknown, where: string) => checkInt(value, where, 1, 65535);
    if (o.hosts !== undefined && (o.host !== undefined || o.port !== undefined)) {
      throw new InfluxConfigError(
        'InfluxDBClient: give either host/port or hosts (a list of { host, port, ssl }), not both',
      );
    }
    const hostList =
      o.hosts !== undefined
        ? checkHosts(o.hosts, o.ssl === true, checkHost, checkPort)
        : [
            {
              host: o.host === undefined ? 'localhost' : checkHost(o.host, 'InfluxDBClient(host)'),
              port: o.port === undefined ? 8086 : checkPort(o.port, 'InfluxDBClient(port)'),
              ssl: o.ssl === true,
            },
          ];
    const originOf = (h: { host: string; port: number; ssl: boolean }) => {
      const bare = h.host.startsWith('[') ? h.host : h.host.includes(':') ? `[${h.host}]` : h.host;
      return `${h.ssl ? 'https' : 'http'}://${bare}:${h.port}`;
    };
    const first = hostList[0] as { host: string; port: number; ssl: boolean };
    this.#host = first.host;
    this.#port = first.port;
    const origin = originOf(first);
    if (!hostList.some((h) => h.ssl) && (o.cert !== undefined || o.key !== undefined)) {
      // influxdb-python raises here too: a client certificate over plain HTTP would go unused.
      throw new InfluxConfigError(
        `InfluxDBClient(${o.cert !== undefined ? 'cert' : 'key'}): a client certificate needs ssl: true (https); it would be unused over http`,
      );
    }
    let pathPrefix = '';
    if (o.path !== undefined && o.path !== '') {
      if (typeof o.path !== 'string' || !/^\/?[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(o.path)) {
        throw new InfluxConfigError(
          `InfluxDBClient(path): must be a URL path like '/influx', got ${describe(o.path)}`,
        );
      }
      pathPrefix = `/${o.path.replace(/^\/+|\/+$/g, '')}`;
      if (pathPrefix === '/') pathPrefix = '';
    }
    this.#baseUrl = `${origin}${pathPrefix}`;
    this.#urlList = hostList.map((h) => `${originOf(h)}${pathPrefix}`).join(',');
    const timeout = o.timeout === undefined ? 30_000 : checkInt(o.timeout, 'InfluxDBClient(timeout)', 0);
    const requestTimeout =
      o.requestTimeout === undefined
        ? DEFAULT_REQUEST_TIMEOUT
        : checkInt(o.requestTimeout, 'InfluxDBClient(requestTimeout)', 0, 2_147_483_647);
    const maxResponseBytes =
      o.maxResponseBytes === undefined
        ? DEFAULT_MAX_RESPONSE_BYTES
        : checkInt(o.maxResponseBytes, 'InfluxDBClient(maxResponseBytes)', 1);
    this.#maxChunkBytes =
      o.maxChunkBytes === undefined
        ? DEFAULT_MAX_CHUNK_BYTES
        : checkInt(o.maxChunkBytes, 'InfluxDBClient(maxChunkBytes)', 1);
    const retries = o.retries === undefined ? 3 : checkInt(o.retries, 'InfluxDBClient(retries)', 0);
    const poolSize =
      o.poolSize === undefined ? 10 : checkInt(o.poolSize, 'InfluxDBClient(poolSize)', 1, 1024);
    this.#udpPort = o.udpPort === undefined ? 4444 : checkInt(o.udpPort, 'InfluxDBClient(udpPort)', 1, 65535);
    this.#useUdp = o.useUdp === true;
    this.#udpPrecision =
      o.udpPrecision === undefined ? 'n' : checkPrecision(o.udpPrecision, 'InfluxDBClient(udpPrecision)');
    this.#maxDatagramBytes = o.maxDatagramBytes;
    this.#gzip = o.gzip === true;
    if (o.responseFormat !== undefined && o.responseFormat !== 'json' && o.responseFormat !== 'msgpack') {
      throw new InfluxConfigError(
        `InfluxDBClient(responseFormat): must be 'msgpack' or 'json', got ${describe(o.responseFormat)}`,
      );
    }
    this.#format = o.responseFormat ?? 'msgpack';
    this.#writeConcurrency =
      o.writeConcurrency === undefined
        ? Math.min(poolSize, 4)
        : checkInt(o.writeConcurrency, 'InfluxDBClient(writeConcurrency)', 1, 1024);
    this.#maxBatchBytes =
      o.maxBatchBytes === undefined
        ? 10 * 1024 * 1024
        : checkInt(o.maxBatchBytes, 'InfluxDBClient(maxBatchBytes)', 1024);
    const retryBaseDelay =
      o.retryBaseDelay === undefined
        ? undefined
        : checkInt(o.retryBaseDelay, 'InfluxDBClient(retryBaseDelay)', 0);
    const retryMaxDelay =
      o.retryMaxDelay === undefined
        ? undefined
        : checkInt(o.retryMaxDelay, 'InfluxDBClient(retryMaxDelay)', 0);
    this.retryPolicy = new RetryPolicy(
      o.retry ?? {},
      RetryPolicy.CLIENT_DEFAULTS,
      'InfluxDBClient(retry)',
    ).with({
      maxAttempts: o.retries === undefined ? undefined : retries === 0 ? Number.POSITIVE_INFINITY : retries,
      minDelay: retryBaseDelay,
      maxDelay: retryMaxDelay,
    });
    if (o.database !== undefined) this.#database = checkName(o.database, 'InfluxDBClient(database)');

    const headers = checkStringMap(o.headers, 'InfluxDBClient(headers)');
    for (const [k, v] of Object.entries(headers)) {
      if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) {
        throw new InfluxConfigError(
          `InfluxDBClient(headers): header ${JSON.stringify(k)} contains a line break`,
        );
      }
    }
    const userHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) userHeaders[k.toLowerCase()] = v;
    this.#headers = userHeaders;
    if (o.token !== undefined && (o.username !== undefined || o.password !== undefined)) {
      throw new InfluxConfigError('InfluxDBClient: give either token or username/password, not both');
    }
    const auth = this.#authHeader(o.username, o.password, o.token);
    this.#username = o.username;

    let dispatcherFor: (origin: string) => Dispatcher;
    if (o.dispatcher !== undefined) {
      if (o.dispatcher === null || typeof (o.dispatcher as Dispatcher).request !== 'function') {
        throw new InfluxConfigError('InfluxDBClient(dispatcher): must be an undici Dispatcher');
      }
      const given = o.dispatcher;
      dispatcherFor = () => given;
    } else {
      const tls = {
        rejectUnauthorized: o.verifySsl !== false,
        ...(o.ca !== undefined ? { ca: o.ca } : {}),
        ...(o.cert !== undefined ? { cert: o.cert } : {}),
        ...(o.key !== undefined ? { key: o.key } : {}),
      };
      if (o.proxy !== undefined) {
        let proxyUrl: URL;
        try {
          proxyUrl = new URL(checkName(o.proxy, 'InfluxDBClient(proxy)'));
        } catch {
          throw new InfluxConfigError('InfluxDBClient(proxy): must be a URL like http://proxy:3128');
        }
        if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') {
          throw new InfluxConfigError(
            `InfluxDBClient(proxy): scheme must be http or https, got ${proxyUrl.protocol}`,
          );
        }
        const { ProxyAgent } = loadUndici();
        const agent = new ProxyAgent({ uri: o.proxy, requestTls: tls, connections: poolSize });
        this.#ownDispatchers.push(agent);
        dispatcherFor = () => agent;
      } else {
        // one connection pool per server
        dispatcherFor = (origin) => {
          const { Pool } = loadUndici();
          const pool = new Pool(origin, { connections: poolSize, connect: tls });
          this.#ownDispatchers.push(pool);
          return pool;
        };
      }
    }
    const endpoints: HostEndpoint[] = hostList.map((h) => {
      const at = originOf(h);
      return { origin: at, host: h.host, port: h.port, ssl: h.ssl, dispatcher: dispatcherFor(at) };
    });
    const retry = this.retryPolicy;
    this.#hosts = new HostPool(endpoints, retry);
    this.#transport = new HttpTransport({
      hosts: this.#hosts,
      pathPrefix,
      headers: auth === undefined ? userHeaders : { ...userHeaders, authorization: auth },
      timeout,
      requestTimeout,
      maxResponseBytes,
      retry,
      acceptGzip: this.#gzip,
    });
    const transport = this.#transport;
    this.#hosts.setProbe((endpoint) => transport.probe(endpoint));
    if (o.replicate !== undefined && o.replicate !== 'all') {
      throw new InfluxConfigError(`InfluxDBClient(replicate): must be 'all', got ${describe(o.replicate)}`);
    }
    if (this.#useUdp && (o.replicate !== undefined || hostList.length > 1)) {
      throw new InfluxConfigError(
        'InfluxDBClient(useUdp): UDP writes go to one server; not with several hosts or replicate',
      );
    }
    const maxBacklog =
      o.maxReplicaBacklog === undefined
        ? 256 * 1024 * 1024
        : checkInt(o.maxReplicaBacklog, 'InfluxDBClient(maxReplicaBacklog)', 1);
    this.#replicas =
      o.replicate === 'all'
        ? new ReplicatedWriter(
            this.#hosts,
            (req, host) => transport.send({ ...req, host, retry: false }),
            retry,
            maxBacklog,
            requestTimeout,
          )
        : undefined;
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

  #authHeader(username?: unknown, password?: unknown, token?: unknown): string | undefined {
    if (token !== undefined) {
      if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token)) {
        throw new InfluxConfigError('InfluxDBClient(token): must be a non-empty string without line breaks');
      }
      return `Token ${token}`;
    }
    if (username === undefined && password === undefined) return undefined;
    if (typeof username !== 'string' || username === '' || username.includes(':')) {
      throw new InfluxConfigError(
        `InfluxDBClient(username): must be a non-empty string without ':' when a password is given`,
      );
    }
    if (password !== undefined && typeof password !== 'string') {
      throw new InfluxConfigError('InfluxDBClient(password): must be a string');
    }
    return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
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
    const states = this.#hosts.states();
    const backlog = this.#replicas?.backlog();
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
      throw new InfluxConfigError(`flush(waitForDown): must be a boolean, got ${describe(waitForDown)}`);
    }
    if (this.#replicas === undefined) return { drained: true, hosts: [] };
    return this.#replicas.flush(timeout, waitForDown ?? true);
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
    return this.#replicas === undefined ? [] : this.#replicas.backlog().map((b) => b.url);
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
    return this.#hosts.check();
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
    const auth = this.#authHeader(checkName(username, 'switchUser(username)'), password);
    if (typeof password !== 'string') throw new InfluxConfigError('switchUser(password): must be a string');
    this.#transport.setAuthorization(auth);
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
    const res = await this.#transport.send({ method: 'GET', path: '/ping', signal: options.signal });
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
        `request(path): must be an absolute path like '/ping', got ${describe(path)}`,
      );
    }
    if (options.data !== undefined && typeof options.data !== 'string' && !Buffer.isBuffer(options.data)) {
      throw new InfluxConfigError(`request(data): must be a string or Buffer, got ${describe(options.data)}`);
    }
    const method = options.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      throw new InfluxConfigError(`request(method): must be 'GET' or 'POST', got ${describe(method)}`);
    }
    const res: TransportResponse = await this.#transport.send({
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
    return res;
  }

  // ---- queries ----------------------------------------------------------------------------------

  #queryRequest(method: string, q: unknown, options: QueryOptions, chunked: boolean): QueryPlan {
    this.#checkOpen(method);
    if (typeof q !== 'string')
      throw new InfluxConfigError(`${method}(q): must be an InfluxQL string, got ${describe(q)}`);
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`${method}(options): must be an object, got ${describe(options)}`);
    }
    const statements = splitStatements(q);
    if (statements.length === 0) throw new InfluxConfigError(`${method}(q): the query has no statement`);
    const epoch = options.epoch === undefined ? undefined : checkPrecision(options.epoch, `${method}(epoch)`);
    const params = checkStringMap(options.params, `${method}(params)`);
    const form: Record<string, string> = { q };
    const qs: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) {
      if (k === 'q' || k === 'params') form[k] = v;
      else qs[k] = v;
    }
    const db =
      options.database === undefined ? this.#database : checkName(options.database, `${method}(database)`);
    if (db !== undefined) qs.db = db;
    if (options.retentionPolicy !== undefined)
      qs.rp = checkName(options.retentionPolicy, `${method}(retentionPolicy)`);
    if (epoch !== undefined) qs.epoch = epochParam(epoch);
    if (chunked) {
      qs.chunked = 'true';
      qs.chunk_size = String(
        options.chunkSize === undefined ? 10_000 : checkInt(options.chunkSize, `${method}(chunkSize)`, 1),
      );
    }
    if (options.bindParams !== undefined) {
      if (options.bindParams === null || typeof options.bindParams !== 'object') {
        throw new InfluxConfigError(
          `${method}(bindParams): must be an object, got ${describe(options.bindParams)}`,
        );
      }
      let merged: Record<string, unknown> = {};
      if (form.params !== undefined) {
        try {
          merged = JSON.parse(form.params);
        } catch {
          throw new InfluxConfigError(`${method}(params.params): must be a JSON object`);
        }
      }
      form.params = encodeBindParams({ ...merged, ...options.bindParams }, `${method}(bindParams)`);
    }
    let httpMethod = options.method ?? (statements.some((s) => s.kind === 'write') ? 'POST' : 'GET');
    if (httpMethod !== 'GET' && httpMethod !== 'POST') {
      throw new InfluxConfigError(`${method}(method): must be 'GET' or 'POST', got ${describe(httpMethod)}`);
    }
    // Long reads go in a POST body (URLs are limited); InfluxDB runs reads sent by POST too.
    const formText = new URLSearchParams(form).toString();
    if (httpMethod === 'GET' && formText.length > 6000) httpMethod = 'POST';
    // A password never goes in a URL (URLs end up in proxy and server logs): such text goes in a body.
    if (httpMethod === 'GET' && /\bPASSWORD\b/i.test(q)) httpMethod = 'POST';
    let body: string | undefined;
    if (httpMethod === 'GET') Object.assign(qs, form);
    else body = formText;
    if (options.raiseErrors !== undefined && typeof options.raiseErrors !== 'boolean') {
      throw new InfluxConfigError(`${method}(raiseErrors): must be a boolean`);
    }
    const expectedStatus =
      options.expectedResponseCode === undefined
        ? undefined
        : checkInt(options.expectedResponseCode, `${method}(expectedResponseCode)`, 100, 599);
    return {
      statements,
      httpMethod,
      query: qs,
      body,
      epoch,
      raise: options.raiseErrors !== false,
      expectedStatus,
    };
  }

  /** The HTTP request of a planned query (the body, when any, holds the form-encoded statement). */
  #queryHttpRequest(r: QueryPlan, signal: AbortSignal | undefined): TransportRequest {
    const headers: Record<string, string> = {
      accept: this.#format === 'msgpack' ? 'application/x-msgpack' : 'application/json',
    };
    if (r.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return {
      method: r.httpMethod,
      path: '/query',
      query: r.query,
      ...(r.body !== undefined ? { body: r.body } : {}),
      ...(r.expectedStatus !== undefined ? { expectedStatus: r.expectedStatus } : {}),
      headers,
      signal,
    };
  }

  async #runQuery(
    method: string,
    q: unknown,
    options: QueryOptions,
  ): Promise<{ results: RawResult[]; raise: boolean }> {
    const r = this.#queryRequest(method, q, options, false);
    if (method === 'query' && r.statements.length > 1) {
      throw new InfluxConfigError(
        `query(q): the text holds ${r.statements.length} statements; query() runs one, use queryMany() for several`,
      );
    }
    // The body is decoded as it arrives (msgpack), never held whole.
    const res = await this.#transport.receive(this.#queryHttpRequest(r, options.signal), (headers) => {
      refuseCsvForSeveral(headers, r);
      return responseDecoder(String(headers['content-type'] ?? ''), { epoch: r.epoch });
    });
    const decoded: RawResponse = res.value;
    if (typeof decoded.error === 'string') throw new InfluxDBClientError(decoded.error, res.status);
    const results = decoded.results ?? [];
    if (results.length === 0) {
      // The shape is checked by the decoder; an answer without any result is not one either.
      throw new InfluxDBServerError(
        `the server's response has no result for the ${r.statements.length === 1 ? 'statement' : `${r.statements.length} statements`} (an empty "results" list)`,
      );
    }
    return { results, raise: r.raise };
  }

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
    const { results, raise } = await this.#runQuery('query', q, options);
    return new ResultSet(results[0] ?? { statement_id: 0 }, raise);
  }

  /**
   * Runs several `;`-separated statements in one request and returns one {@link ResultSet} each.
   *
   * ```ts
   * const [cpu, mem] = await client.queryMany('SELECT * FROM cpu; SELECT * FROM mem');
   * ```
   */
  async queryMany(q: string, options: QueryOptions = {}): Promise<ResultSet[]> {
    const { results, raise } = await this.#runQuery('queryMany', q, options);
    return results.map((r) => new ResultSet(r, raise));
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
    const r = this.#queryRequest('queryStream', q, options, true);
    return this.#stream(r, options);
  }

  async *#stream(r: QueryPlan, options: QueryOptions): AsyncGenerator<ResultSet, void, undefined> {
    const res = await this.#transport.stream(this.#queryHttpRequest(r, options.signal), (headers) => {
      refuseCsvForSeveral(headers, r);
      return chunkDecoderFor(headers['content-type'], { epoch: r.epoch, maxChunkBytes: this.#maxChunkBytes });
    });
    let finished = false;
    try {
      for await (const chunk of res.items) {
        if (typeof chunk.error === 'string') throw new InfluxDBClientError(chunk.error, res.status);
        for (const result of chunk.results ?? []) yield new ResultSet(result, r.raise);
      }
      finished = true;
    } finally {
      if (!finished) res.abort();
    }
  }

  // ---- writes -----------------------------------------------------------------------------------

  #writeQuery(
    method: string,
    database: unknown,
    retentionPolicy: unknown,
    precision: Precision,
    consistency: unknown,
  ): Record<string, string> {
    const db = database === undefined ? this.#database : checkName(database, `${method}(database)`);
    if (db === undefined) {
      throw new InfluxConfigError(
        `${method}: no database given and the client has no default database; pass { database }`,
      );
    }
    const qs: Record<string, string> = { db };
    if (retentionPolicy !== undefined) qs.rp = checkName(retentionPolicy, `${method}(retentionPolicy)`);
    qs.precision = precisionParam(precision);
    if (consistency !== undefined) qs.consistency = checkConsistency(consistency, `${method}(consistency)`);
    return qs;
  }

  async #post(
    query: Record<string, string>,
    body: string | Buffer,
    signal: AbortSignal | undefined,
    expectedStatus?: number,
    retry = true,
    replica?: ReplicaWriteOptions,
  ): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      accept: 'application/json',
    };
    let payload = body;
    if (this.#gzip) {
      payload = await gzipAsync(body);
      headers['content-encoding'] = 'gzip';
    }
    const req: TransportRequest = {
      method: 'POST',
      path: '/write',
      query,
      body: payload,
      headers,
      signal,
      retry,
      ...(expectedStatus !== undefined ? { expectedStatus } : {}),
    };
    try {
      if (this.#replicas === undefined) await this.#transport.send(req);
      // queued copies outlive this call: they get their own bytes (the caller may reuse its buffer)
      else
        await this.#replicas.write(
          Buffer.isBuffer(payload) ? { ...req, body: Buffer.from(payload) } : req,
          replica,
        );
    } catch (err) {
      if (err instanceof InfluxDBClientError && err.code === 400) {
        const m = PARTIAL_WRITE.exec(err.content);
        if (m) {
          throw new InfluxDBPartialWriteError(
            err.content,
            400,
            (m[1] ?? '').trim(),
            m[2] === undefined ? undefined : Number(m[2]),
          );
        }
      }
      throw err;
    }
  }

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
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`write(options): must be an object, got ${describe(options)}`);
    }
    const precision =
      options.precision === undefined ? 'n' : checkPrecision(options.precision, 'write(precision)');
    let body: string | Buffer;
    if (options.protocol === 'json') {
      if (data === null || typeof data !== 'object' || Buffer.isBuffer(data)) {
        throw new InfluxValidationError(
          'write(data)',
          undefined,
          'with protocol json, data must be a write body { points }',
        );
      }
      body = makeLines(data as WriteBody, precision);
    } else if (options.protocol === undefined || options.protocol === 'line') {
      if (typeof data !== 'string' && !Buffer.isBuffer(data)) {
        throw new InfluxValidationError(
          'write(data)',
          undefined,
          `must be line protocol text (string or Buffer), got ${describe(data)}; use protocol: 'json' or writePoints() for points`,
        );
      }
      body = data;
    } else {
      throw new InfluxConfigError(
        `write(protocol): must be 'line' or 'json', got ${describe(options.protocol)}`,
      );
    }
    if (body.length === 0) throw new InfluxValidationError('write(data)', undefined, 'is empty');
    const qs = this.#writeQuery(
      'write',
      options.database,
      options.retentionPolicy,
      precision,
      options.consistency,
    );
    Object.assign(qs, checkStringMap(options.params, 'write(params)'));
    const expected =
      options.expectedResponseCode === undefined
        ? 204
        : checkInt(options.expectedResponseCode, 'write(expectedResponseCode)', 100, 599);
    await this.#post(qs, body, options.signal, expected);
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
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`writePoints(options): must be an object, got ${describe(options)}`);
    }
    if (
      points === null ||
      typeof points !== 'object' ||
      typeof (points as Iterable<Point>)[Symbol.iterator] !== 'function'
    ) {
      throw new InfluxValidationError(
        'writePoints(points)',
        undefined,
        `must be an iterable of points, got ${describe(points)}`,
      );
    }
    const precision =
      options.timePrecision === undefined
        ? 'n'
        : checkPrecision(options.timePrecision, 'writePoints(timePrecision)');
    const batchSize =
      options.batchSize === undefined
        ? DEFAULT_BATCH
        : checkInt(options.batchSize, 'writePoints(batchSize)', 1);
    if (options.protocol !== undefined && options.protocol !== 'line' && options.protocol !== 'json') {
      throw new InfluxConfigError(
        `writePoints(protocol): must be 'line' or 'json', got ${describe(options.protocol)}`,
      );
    }
    if (options.tags !== undefined && (options.tags === null || typeof options.tags !== 'object')) {
      throw new InfluxConfigError(`writePoints(tags): must be an object, got ${describe(options.tags)}`);
    }
    if (this.#useUdp) {
      // UDP: batches of `batchSize` points, each split into datagrams at line boundaries
      const udp = this.#udpSender();
      udp.checkPrecision(precision);
      const encode = createLineEncoder(precision, options.tags);
      let body = '';
      let count = 0;
      let i = 0;
      for (const p of points) {
        body += typeof p === 'string' ? lineOf(p, i) : `${encode(p, i)}\n`;
        i++;
        if (++count >= batchSize) {
          await udp.send(body, { precision });
          body = '';
          count = 0;
        }
      }
      if (body !== '') await udp.send(body, { precision });
      return;
    }
    const qs = this.#writeQuery(
      'writePoints',
      options.database,
      options.retentionPolicy,
      precision,
      options.consistency,
    );
    const maxBytes = this.#maxBatchBytes;
    const tags = options.tags;
    // A batch is encoded at once into bytes (no per-point strings), so a bad point is found before
    // its batch is sent; errors name the point by its index in `points`.
    const encodeRun = (run: Point[], base: number): Buffer => {
      try {
        const bytes = makeLinesBytes(tags === undefined ? run : { points: run, tags }, precision);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (err) {
        throw reindex(err, base);
      }
    };
    const encodeBatch = (items: (Point | string)[], base: number): Buffer[] => {
      let out: Buffer;
      if (!items.some((x) => typeof x === 'string')) {
        out = encodeRun(items as Point[], base);
      } else {
        const parts: Buffer[] = [];
        let run: Point[] = [];
        let runBase = base;
        items.forEach((item, k) => {
          if (typeof item === 'string') {
            if (run.length > 0) parts.push(encodeRun(run, runBase));
            run = [];
            runBase = base + k + 1;
            parts.push(Buffer.from(lineOf(item, base + k), 'utf8'));
          } else {
            run.push(item);
          }
        });
        if (run.length > 0) parts.push(encodeRun(run, runBase));
        out = Buffer.concat(parts);
      }
      if (out.length > maxBytes && items.length > 1) {
        const half = Math.ceil(items.length / 2);
        return [...encodeBatch(items.slice(0, half), base), ...encodeBatch(items.slice(half), base + half)];
      }
      return [out];
    };
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const launch = (body: Buffer) => {
      const p: Promise<void> = this.#post(qs, body, options.signal).then(
        () => {
          inFlight.delete(p);
        },
        (error: unknown) => {
          inFlight.delete(p);
          failure ??= { error };
        },
      );
      inFlight.add(p);
    };
    const send = async (items: (Point | string)[], base: number) => {
      for (const body of encodeBatch(items, base)) {
        // the batch was built while the previous ones were in flight; wait for a slot only now
        while (inFlight.size >= this.#writeConcurrency && !failure) await Promise.race(inFlight);
        if (failure) return;
        launch(body);
        // let the event loop flush the request body while the next batch is collected
        await yieldToEventLoop();
      }
    };
    let items: (Point | string)[] = [];
    let base = 0;
    let i = 0;
    try {
      for (const p of points) {
        if (failure) break;
        items.push(p);
        i++;
        if (items.length >= batchSize) {
          const batch = items;
          items = [];
          await send(batch, base);
          base = i;
        }
      }
      if (items.length > 0 && !failure) await send(items, base);
    } finally {
      await Promise.allSettled([...inFlight]);
    }
    if (failure) throw failure.error;
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
    if (batch === null || typeof batch !== 'object') {
      throw new InfluxValidationError('commit(batch)', 'body', 'must be a batch with a line protocol body');
    }
    // Prefer the bytes when the batch carries them (registry batches do): no decode, no re-encode.
    const bytes = batch.bytes;
    if (bytes !== undefined && !(bytes instanceof Uint8Array)) {
      throw new InfluxValidationError(
        'commit(batch)',
        'bytes',
        `must be a Uint8Array, got ${describe(bytes)}`,
      );
    }
    if (bytes === undefined && typeof batch.body !== 'string') {
      throw new InfluxValidationError('commit(batch)', 'body', 'must be a batch with a line protocol body');
    }
    const precision = checkPrecision(batch.precision, 'commit(batch.precision)');
    if (bytes !== undefined ? bytes.byteLength === 0 : batch.body === '') return;
    if (this.#useUdp) {
      await this.#udpSender().send(batch.body, { precision });
      return;
    }
    const qs = this.#writeQuery(
      'commit',
      batch.database ?? undefined,
      batch.retentionPolicy ?? undefined,
      precision,
      batch.consistency ?? undefined,
    );
    await this.#post(
      qs,
      bytes !== undefined ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : batch.body,
      options.signal,
      undefined,
      options.retry !== false,
      options,
    );
  }

  #udpSender(): UdpSender {
    this.#udp ??= new UdpSender({
      host: this.#host,
      port: this.#udpPort,
      precision: this.#udpPrecision,
      ...(this.#maxDatagramBytes !== undefined ? { maxDatagramBytes: this.#maxDatagramBytes } : {}),
    });
    return this.#udp;
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
    const udp = this.#udpSender();
    const precision =
      options.timePrecision === undefined
        ? udp.precision
        : checkPrecision(options.timePrecision, 'sendPacket(timePrecision)');
    udp.checkPrecision(precision);
    let body: string;
    if (options.protocol === 'json') {
      if (packet === null || typeof packet !== 'object' || Array.isArray(packet)) {
        throw new InfluxValidationError(
          'sendPacket(packet)',
          undefined,
          'with protocol json, packet must be a write body { points }',
        );
      }
      body = makeLines(packet as WriteBody, precision);
    } else if (options.protocol === undefined || options.protocol === 'line') {
      if (typeof packet === 'string') body = packet;
      else if (Array.isArray(packet)) body = packet.map((l, i) => lineOf(l, i)).join('');
      else {
        throw new InfluxValidationError(
          'sendPacket(packet)',
          undefined,
          `must be line protocol text or an array of lines, got ${describe(packet)}`,
        );
      }
    } else {
      throw new InfluxConfigError(
        `sendPacket(protocol): must be 'line' or 'json', got ${describe(options.protocol)}`,
      );
    }
    if (body === '') return;
    await udp.send(body, { precision });
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
  repository<T extends object>(model: ModelClass<T>): Repository<T> {
    return createRepository(this, model);
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
    this.#closing = this.#shutdown(grace);
    return this.#closing;
  }

  async #shutdown(grace: number): Promise<CloseReport> {
    const transport = this.#transport;
    // With replication, the servers' queues get the grace period first (new writes are refused).
    let unsent: ReplicaBacklog[] | undefined;
    if (this.#replicas !== undefined) {
      const started = Date.now();
      const report = grace > 0 ? await this.#replicas.flush(grace) : { hosts: this.#replicas.backlog() };
      this.#replicas.stop();
      unsent = report.hosts.filter((h) => h.pending > 0);
      grace = Math.max(0, grace - (Date.now() - started));
    }
    transport.markClosed();
    const closed = (what: string) => new InfluxClosedError(`the client was closed ${what}`);
    // Streams are stopped at once: their consumer decides how long they run, not close().
    const aborted = transport.abortAll(closed('during the stream'), (call) => call.stream);
    await transport.waitIdle(grace);
    aborted.push(
      ...transport.abortAll(closed(`while this request was in flight (close timeout ${grace} ms)`)),
    );
    this.#hosts.close();
    const tasks: Promise<unknown>[] = [];
    for (const d of this.#ownDispatchers) tasks.push(aborted.length > 0 ? d.destroy() : d.close());
    if (this.#udp) tasks.push(this.#udp.close());
    await Promise.allSettled(tasks);
    return unsent === undefined ? { aborted } : { aborted, unsent };
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

/**
 * A CSV answer (from a server or proxy that ignores the msgpack/JSON `Accept`) cannot say which
 * statement a series belongs to, and leaves out statements without rows: with several statements
 * it is refused rather than misattributed.
 */
function refuseCsvForSeveral(headers: Record<string, string | string[] | undefined>, r: QueryPlan): void {
  if (r.statements.length > 1 && wireFormat(headers['content-type']) === 'csv') {
    throw new InfluxDBServerError(
      `the server answered ${r.statements.length} statements in CSV, which cannot tell them apart; send them one by one (query) or use a server that answers JSON or msgpack`,
    );
  }
}

/** An InfluxValidationError from encoding a batch, renamed to the point's index in the whole input. */
function reindex(err: unknown, base: number): unknown {
  if (!(err instanceof InfluxValidationError) || base === 0) return err;
  const m = /^points\[(\d+)\]$/.exec(err.where);
  if (!m) return err;
  const prefix = `${err.where}${err.property === undefined ? '' : `.${err.property}`}: `;
  const reason = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new InfluxValidationError(`points[${base + Number(m[1])}]`, err.property, reason, err.constraint);
}

function lineOf(line: unknown, index: number): string {
  if (typeof line !== 'string') {
    throw new InfluxValidationError(
      `points[${index}]`,
      undefined,
      `must be a point object or a line string, got ${describe(line)}`,
    );
  }
  if (line === '') throw new InfluxValidationError(`points[${index}]`, undefined, 'is an empty line');
  // A line string is sent as given (a newline inside a quoted string field is part of the line).
  return line.endsWith('\n') ? line : `${line}\n`;
}
