import type { Dispatcher } from 'undici';
import type { Precision } from '../line-protocol/precision.js';
import type { ReplicaBacklog } from '../sink.js';
import type { HostOptions } from './host-pool.js';
import type { AbortedRequest } from './http-transport.js';
import type { RetryOptions, RetryPolicy } from './retry-policy.js';

/**
 * Options of `new InfluxDBClient(options)`. Defaults follow influxdb-python, except `verifySsl`,
 * which is on by default.
 */
export interface InfluxDBClientOptions {
  /** Default 'localhost'. */
  host?: string;
  /** Default 8086. */
  port?: number;
  /**
   * Several servers instead of `host`/`port`: `[{ host, port?, ssl? }, …]` (port 8086 and the
   * client's `ssl` by default). Requests go to the first healthy server and fail over to the next
   * on a transient failure; see `client.hosts()` and README "Several servers".
   */
  hosts?: HostOptions[];
  /** Sent as HTTP Basic auth (never in the URL). */
  username?: string;
  password?: string;
  /** Sent as `Authorization: Token …` (InfluxDB 2.x/3.x v1 compatibility API). */
  token?: string;
  /** Default database of queries and writes. */
  database?: string;
  /** Use https. Default false. */
  ssl?: boolean;
  /** Verify the server's TLS certificate. Default **true**. */
  verifySsl?: boolean;
  /** PEM CA bundle, client certificate and key (mTLS). */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Idle timeout in milliseconds: the longest wait for the response headers and between two pieces
   * of the body (default 30000; 0 = none). The total time is bounded by `requestTimeout`.
   */
  timeout?: number;
  /** Attempts per request for transient failures; 0 = retry forever. Default 3. Shorthand for `retry.maxAttempts`. */
  retries?: number;
  /**
   * The retry policy of the client's requests (a `RetryPolicy` or its options). `retries`,
   * `retryBaseDelay` and `retryMaxDelay` override its fields. Default `RetryPolicy.CLIENT_DEFAULTS`
   * (3 attempts, 100 ms doubling to 30 s, jitter 0.5, no total time limit).
   */
  retry?: RetryPolicy | RetryOptions;
  /** Write points over UDP instead of HTTP. */
  useUdp?: boolean;
  /** UDP port of the server's listener. Default 4444. */
  udpPort?: number;
  /** HTTP(S) proxy URL. */
  proxy?: string;
  /** Connections kept to the server. Default 10. */
  poolSize?: number;
  /** Path prefix, e.g. '/influx' when behind a reverse proxy. */
  path?: string;
  /** Compress write bodies and accept gzip responses. Default false. */
  gzip?: boolean;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Any undici Dispatcher (Agent, Pool, MockAgent, …); replaces the client's own pool. */
  dispatcher?: Dispatcher;
  /**
   * Total time in ms for one call (`query`, `queryMany`, `write`, `writePoints` batches, `ping`,
   * `commit`, `request`), all retries and the whole body included; for `queryStream`, the longest
   * wait for the response headers and then for each next chunk. Default 300000 (5 min); 0 = none.
   * `timeout` is the idle timeout beside it (no byte for that long).
   */
  requestTimeout?: number;
  /**
   * Largest whole (not streamed) response body in bytes, after decompression; a larger one stops
   * the request with `InfluxResponseTooLargeError`. Default 268435456 (256 MiB).
   */
  maxResponseBytes?: number;
  /** Largest single chunk of a `queryStream` response in bytes. Default 16777216 (16 MiB). */
  maxChunkBytes?: number;
}

/** Options of `query`, `queryMany` and `queryStream`. */
export interface QueryOptions {
  /** Extra query-string parameters. */
  params?: Record<string, string>;
  /** Values bound to `$name` placeholders (sent as InfluxDB's `params` JSON). */
  bindParams?: Record<string, string | number | boolean | bigint>;
  /** Return times as integers in this precision instead of RFC3339 strings. */
  epoch?: Precision;
  /** Database; the client's default when omitted. */
  database?: string;
  /** Retention policy (`rp`), for statements where it applies. */
  retentionPolicy?: string;
  /** Throw on a statement error in the response. Default true. */
  raiseErrors?: boolean;
  /** Rows per chunk for `queryStream` (chunked=true). Default 10000. */
  chunkSize?: number;
  /** HTTP method; by default GET for reads and POST for statements that change state. */
  method?: 'GET' | 'POST';
  /**
   * The HTTP status the answer must have (influxdb-python's `expected_response_code`); any other
   * status throws `InfluxDBClientError` with the status and the body (a 5xx: `InfluxDBServerError`,
   * retried). Default: any 2xx.
   */
  expectedResponseCode?: number;
  signal?: AbortSignal;
}

/** Options of `writePoints`. */
export interface WritePointsOptions {
  /** Precision of the timestamps written. Default 'n'. */
  timePrecision?: Precision;
  database?: string;
  retentionPolicy?: string;
  /** Tags added to every point (a point's own tag wins). */
  tags?: Record<string, string | number | boolean | bigint | null | undefined>;
  /** Points per request. Default 5000. */
  batchSize?: number;
  /** 'line' (default) or 'json' (points as objects; same result). */
  protocol?: 'line' | 'json';
  /** Write consistency (InfluxDB Enterprise clusters). */
  consistency?: 'any' | 'one' | 'quorum' | 'all';
  signal?: AbortSignal;
}

/** Options of `write`. */
export interface WriteOptions {
  database?: string;
  retentionPolicy?: string;
  /** Precision of the timestamps in the body. Default 'n'. */
  precision?: Precision;
  consistency?: 'any' | 'one' | 'quorum' | 'all';
  /** Extra query-string parameters. */
  params?: Record<string, string>;
  /** Default 204. */
  expectedResponseCode?: number;
  /** 'line' (default): data is line protocol text; 'json': data is a write body of points. */
  protocol?: 'line' | 'json';
  signal?: AbortSignal;
}

/** What `InfluxDBClient#close` did. */
export interface CloseReport {
  /**
   * Requests and streams that were still running and were aborted (with `InfluxClosedError`):
   * open streams at once, requests when the grace period (`close({ timeout })`) ended.
   */
  aborted: AbortedRequest[];
  /**
   * With `replicate: 'all'`: the servers whose queue still held batches when the grace period
   * ended (those batches were NOT written to them). Absent without replication.
   */
  unsent?: ReplicaBacklog[];
}

/** Options of `InfluxDBClient#request`. */
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

/** A raw HTTP response of `InfluxDBClient#request`. */
export interface InfluxResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
