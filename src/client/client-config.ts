/**
 * The client's configuration, checked and resolved in ONE function ({@link resolveClientConfig}, as
 * the registry's `resolveRegistryOptions`): every option of `new InfluxDBClient(...)` is read here,
 * refused with a typed error naming it when it is wrong, and given its default. Nothing here opens
 * a connection; `client-connection.ts` builds the pools and the transport from the result.
 */
import type { Dispatcher } from 'undici';
import { checkInt, checkName, checkStringMap, describeValue } from '../check-value.js';
import { InfluxConfigError } from '../errors.js';
import { checkPrecision, type Precision } from '../line-protocol/precision.js';
import { DEFAULT_MAX_CHUNK_BYTES, type ResponseFormat } from '../results/response-format.js';
import type { InfluxDBClientOptions } from './client-options.js';
import { checkHosts } from './host-pool.js';
import { RetryPolicy } from './retry-policy.js';
import { refuseUnknownKeys } from './unknown-options.js';

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
export const CLIENT_OPTION_KEYS = Object.keys({
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

/** One server of a resolved configuration. */
export interface ResolvedHost {
  host: string;
  port: number;
  ssl: boolean;
  /** `http(s)://host:port` (an IPv6 address in brackets). */
  origin: string;
}

/** How the client reaches its servers: a given dispatcher, a proxy, or its own pool per server. */
export type ConnectionPlan =
  | { kind: 'dispatcher'; dispatcher: Dispatcher }
  | { kind: 'proxy'; uri: string; tls: TlsOptions; poolSize: number }
  | { kind: 'pools'; tls: TlsOptions; poolSize: number };

/** TLS options of the client's own pools. */
export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** Every option of the client, checked, with its default applied. */
export interface ResolvedClientConfig {
  hosts: ResolvedHost[];
  /** `/influx` for `path: 'influx'`, '' without a path. */
  pathPrefix: string;
  /** The first server's origin and path (the client's `url`). */
  baseUrl: string;
  /** Every server's origin and path, comma-separated (for toString and toJSON). */
  urlList: string;
  database: string | undefined;
  username: string | undefined;
  /** The user's headers, lower-cased names. */
  headers: Record<string, string>;
  /** The `Authorization` value (Basic or Token), when credentials were given. */
  authorization: string | undefined;
  connection: ConnectionPlan;
  timeout: number;
  requestTimeout: number;
  maxResponseBytes: number;
  maxChunkBytes: number;
  retry: RetryPolicy;
  responseFormat: ResponseFormat;
  gzip: boolean;
  writeConcurrency: number;
  maxBatchBytes: number;
  useUdp: boolean;
  udpPort: number;
  udpPrecision: Precision;
  maxDatagramBytes: number | undefined;
  /** `replicate: 'all'`: the largest backlog per server; undefined without replication. */
  replicaBacklog: number | undefined;
}

/** `http(s)://host:port` of a server (an IPv6 address in brackets). */
export function originOf(h: { host: string; port: number; ssl: boolean }): string {
  const bare = h.host.startsWith('[') ? h.host : h.host.includes(':') ? `[${h.host}]` : h.host;
  return `${h.ssl ? 'https' : 'http'}://${bare}:${h.port}`;
}

function checkHost(value: unknown, where: string): string {
  const h = checkName(value, where);
  if (/[\s/?#@]/.test(h)) {
    throw new InfluxConfigError(`${where}: must be a host name or IP address, got ${describeValue(h)}`);
  }
  return h;
}

const checkPort = (value: unknown, where: string): number => checkInt(value, where, 1, 65535);

/**
 * Checks and resolves the options of `new InfluxDBClient(options)`. Throws
 * {@link InfluxConfigError} for the first bad option, naming it (an unknown key with the nearest
 * known one suggested). The order of the checks is the order of the options in the README.
 *
 * ```ts
 * resolveClientConfig({ port: 8087, database: 'metrics' }).baseUrl; // 'http://localhost:8087'
 * resolveClientConfig({ hots: 'db' }); // throws InfluxConfigError: … unknown option "hots" (did you mean "host"?)
 * ```
 */
export function resolveClientConfig(options: InfluxDBClientConfig): ResolvedClientConfig {
  if (options === null || typeof options !== 'object') {
    throw new InfluxConfigError(`InfluxDBClient(options): must be an object, got ${describeValue(options)}`);
  }
  const o = options;
  refuseUnknownKeys(o, CLIENT_OPTION_KEYS, 'InfluxDBClient');
  for (const k of ['ssl', 'verifySsl', 'useUdp', 'gzip'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') {
      throw new InfluxConfigError(
        `InfluxDBClient(${k}): must be true or false, got ${describeValue(o[k], 'secret')}`,
      );
    }
  }
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
  const hosts = hostList.map((h) => ({ ...h, origin: originOf(h) }));
  if (!hosts.some((h) => h.ssl) && (o.cert !== undefined || o.key !== undefined)) {
    // influxdb-python raises here too: a client certificate over plain HTTP would go unused.
    throw new InfluxConfigError(
      `InfluxDBClient(${o.cert !== undefined ? 'cert' : 'key'}): a client certificate needs ssl: true (https); it would be unused over http`,
    );
  }
  let pathPrefix = '';
  if (o.path !== undefined && o.path !== '') {
    if (typeof o.path !== 'string' || !/^\/?[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(o.path)) {
      throw new InfluxConfigError(
        `InfluxDBClient(path): must be a URL path like '/influx', got ${describeValue(o.path)}`,
      );
    }
    pathPrefix = `/${o.path.replace(/^\/+|\/+$/g, '')}`;
    if (pathPrefix === '/') pathPrefix = '';
  }
  const timeout = o.timeout === undefined ? 30_000 : checkInt(o.timeout, 'InfluxDBClient(timeout)', 0);
  const requestTimeout =
    o.requestTimeout === undefined
      ? DEFAULT_REQUEST_TIMEOUT
      : checkInt(o.requestTimeout, 'InfluxDBClient(requestTimeout)', 0, 2_147_483_647);
  const maxResponseBytes =
    o.maxResponseBytes === undefined
      ? DEFAULT_MAX_RESPONSE_BYTES
      : checkInt(o.maxResponseBytes, 'InfluxDBClient(maxResponseBytes)', 1);
  const maxChunkBytes =
    o.maxChunkBytes === undefined
      ? DEFAULT_MAX_CHUNK_BYTES
      : checkInt(o.maxChunkBytes, 'InfluxDBClient(maxChunkBytes)', 1);
  const retries = o.retries === undefined ? 3 : checkInt(o.retries, 'InfluxDBClient(retries)', 0);
  const poolSize = o.poolSize === undefined ? 10 : checkInt(o.poolSize, 'InfluxDBClient(poolSize)', 1, 1024);
  const udpPort = o.udpPort === undefined ? 4444 : checkInt(o.udpPort, 'InfluxDBClient(udpPort)', 1, 65535);
  const udpPrecision =
    o.udpPrecision === undefined ? 'n' : checkPrecision(o.udpPrecision, 'InfluxDBClient(udpPrecision)');
  if (o.responseFormat !== undefined && o.responseFormat !== 'json' && o.responseFormat !== 'msgpack') {
    throw new InfluxConfigError(
      `InfluxDBClient(responseFormat): must be 'msgpack' or 'json', got ${describeValue(o.responseFormat)}`,
    );
  }
  const writeConcurrency =
    o.writeConcurrency === undefined
      ? Math.min(poolSize, 4)
      : checkInt(o.writeConcurrency, 'InfluxDBClient(writeConcurrency)', 1, 1024);
  const maxBatchBytes =
    o.maxBatchBytes === undefined
      ? 10 * 1024 * 1024
      : checkInt(o.maxBatchBytes, 'InfluxDBClient(maxBatchBytes)', 1024);
  const retryBaseDelay =
    o.retryBaseDelay === undefined
      ? undefined
      : checkInt(o.retryBaseDelay, 'InfluxDBClient(retryBaseDelay)', 0);
  const retryMaxDelay =
    o.retryMaxDelay === undefined ? undefined : checkInt(o.retryMaxDelay, 'InfluxDBClient(retryMaxDelay)', 0);
  const retry = new RetryPolicy(o.retry ?? {}, RetryPolicy.CLIENT_DEFAULTS, 'InfluxDBClient(retry)').with({
    maxAttempts: o.retries === undefined ? undefined : retries === 0 ? Number.POSITIVE_INFINITY : retries,
    minDelay: retryBaseDelay,
    maxDelay: retryMaxDelay,
  });
  const database = o.database === undefined ? undefined : checkName(o.database, 'InfluxDBClient(database)');

  const given = checkStringMap(o.headers, 'InfluxDBClient(headers)');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) {
      throw new InfluxConfigError(
        `InfluxDBClient(headers): header ${JSON.stringify(k)} contains a line break`,
      );
    }
    headers[k.toLowerCase()] = v;
  }
  if (o.token !== undefined && (o.username !== undefined || o.password !== undefined)) {
    throw new InfluxConfigError('InfluxDBClient: give either token or username/password, not both');
  }
  const authorization = authorizationHeader(o.username, o.password, o.token);

  let connection: ConnectionPlan;
  if (o.dispatcher !== undefined) {
    if (o.dispatcher === null || typeof (o.dispatcher as Dispatcher).request !== 'function') {
      throw new InfluxConfigError('InfluxDBClient(dispatcher): must be an undici Dispatcher');
    }
    connection = { kind: 'dispatcher', dispatcher: o.dispatcher };
  } else {
    const tls: TlsOptions = {
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
      connection = { kind: 'proxy', uri: o.proxy, tls, poolSize };
    } else {
      connection = { kind: 'pools', tls, poolSize };
    }
  }
  if (o.replicate !== undefined && o.replicate !== 'all') {
    throw new InfluxConfigError(
      `InfluxDBClient(replicate): must be 'all', got ${describeValue(o.replicate)}`,
    );
  }
  const useUdp = o.useUdp === true;
  if (useUdp && (o.replicate !== undefined || hosts.length > 1)) {
    throw new InfluxConfigError(
      'InfluxDBClient(useUdp): UDP writes go to one server; not with several hosts or replicate',
    );
  }
  const maxBacklog =
    o.maxReplicaBacklog === undefined
      ? 256 * 1024 * 1024
      : checkInt(o.maxReplicaBacklog, 'InfluxDBClient(maxReplicaBacklog)', 1);
  const first = hosts[0] as ResolvedHost;
  return {
    hosts,
    pathPrefix,
    baseUrl: `${first.origin}${pathPrefix}`,
    urlList: hosts.map((h) => `${h.origin}${pathPrefix}`).join(','),
    database,
    username: o.username,
    headers,
    authorization,
    connection,
    timeout,
    requestTimeout,
    maxResponseBytes,
    maxChunkBytes,
    retry,
    responseFormat: o.responseFormat ?? 'msgpack',
    gzip: o.gzip === true,
    writeConcurrency,
    maxBatchBytes,
    useUdp,
    udpPort,
    udpPrecision,
    maxDatagramBytes: o.maxDatagramBytes,
    replicaBacklog: o.replicate === 'all' ? maxBacklog : undefined,
  };
}

/**
 * The `Authorization` value for a token (`Token …`) or a user name and password (`Basic …`);
 * undefined without credentials. Throws {@link InfluxConfigError} naming the bad credential (never
 * showing it).
 *
 * ```ts
 * authorizationHeader('u', 'p'); // 'Basic dTpw'
 * ```
 */
export function authorizationHeader(
  username?: unknown,
  password?: unknown,
  token?: unknown,
): string | undefined {
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
 * The `{ timeout }` options object of `close` and `flush`: checked, with its default.
 *
 * ```ts
 * timeoutOption({ timeout: 2000 }, 'close', DEFAULT_CLOSE_TIMEOUT); // 2000
 * ```
 */
export function timeoutOption(
  options: unknown,
  method: string,
  fallback: number,
  more: string[] = [],
): number {
  if (options === null || typeof options !== 'object') {
    throw new InfluxConfigError(`${method}(options): must be an object, got ${describeValue(options)}`);
  }
  refuseUnknownKeys(options as Record<string, unknown>, ['timeout', ...more], method);
  const { timeout } = options as { timeout?: unknown };
  return timeout === undefined ? fallback : checkInt(timeout, `${method}(timeout)`, 0, 2_147_483_647);
}
