/**
 * Every error this library throws is an {@link InfluxModelsError}; catch the subclasses to react to
 * one kind of failure, or compare `err.code`, a stable string per class (`INFLUX_ERR_*`, as undici's
 * `UND_ERR_*`; README "Error codes"). Messages say what was wrong and where, and never contain
 * credentials. {@link isPermanent} tells a failure retrying cannot fix from a transient one.
 */

import type { HostFlushResult } from './sink.js';

/**
 * Base class of every error thrown by influx-models.
 *
 * ```ts
 * try {
 *   await client.query('SELECT "usage" FROM "cpu"');
 * } catch (e) {
 *   if (e instanceof InfluxModelsError) console.error(e.name, e.message); // ours, no credentials
 *   else throw e;
 * }
 * ```
 */
export class InfluxModelsError extends Error {
  override name = 'InfluxModelsError';
  /**
   * Stable, machine-readable code of the error's class (`INFLUX_ERR_*`, see README "Error codes"):
   * it never changes with the message. A subclass without a code of its own keeps its parent's.
   * The exception is influxdb-python's pair, {@link InfluxDBClientError} and
   * {@link InfluxDBServerError} (and their subclasses): there `code` is the HTTP status, as in
   * influxdb-python (`ctx.exception.code == 400`), also readable as `status`.
   */
  readonly code: string | number | undefined = 'INFLUX_ERR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options);
  }
}

/**
 * What a secret is replaced with by {@link redact}.
 *
 * ```ts
 * redact('http://u:pw@h').includes(REDACTED); // true
 * ```
 */
export const REDACTED = '***';

const SECRET_PATTERNS: [RegExp, string][] = [
  // userinfo of a URL or of a host option: scheme://user:secret@host, user:secret@host
  [/((?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^\s/?#@:'"`,;]*):[^\s/?#@'"`]*@/g, `$1:${REDACTED}@`],
  // Authorization header values, in any case
  [/\b(authorization\s*[:=]\s*)(?:(basic|bearer|token)\s+)?[^\s,;'"`}]+/gi, `$1$2 ${REDACTED}`],
  [/\b(Basic|Bearer|Token)\s+[A-Za-z0-9+/=._~-]{8,}/g, `$1 ${REDACTED}`],
  // password / token parameters: p=…, password=…, token=… (query strings, forms, DSN options)
  [/([?&;\s]|^)(p|pw|pwd|pass|password|passwd|token|secret|apikey|api_key)=[^&\s'"`]*/gi, `$1$2=${REDACTED}`],
  // InfluxQL: WITH PASSWORD '…', SET PASSWORD FOR u = '…'
  [/\b(PASSWORD\s*(?:FOR\s+(?:"(?:[^"\\]|\\.)*"|\S+)\s*=\s*)?)'(?:[^'\\]|\\.)*'?/gi, `$1'${REDACTED}'`],
  // JSON / object text: "password": "…", password: '…', token: …
  [
    /(["']?(?:password|token|secret)["']?\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,}]+)/gi,
    `$1'${REDACTED}'`,
  ],
];

/**
 * The one redaction function: removes credentials from a text that echoes an option, URL, host,
 * header or statement. Every error message of this library passes through it (the base class
 * {@link InfluxModelsError} applies it), so a secret that reaches a message by any path is
 * replaced with `***`: the password of `user:password@host` (with or without a scheme), an
 * `Authorization` value (`Basic …`, `Token …`, `Bearer …`), `p=` / `password=` / `token=`
 * parameters, InfluxQL `PASSWORD '…'`, and `password:`/`token:` entries of object text.
 *
 * ```ts
 * redact('cannot reach http://admin:TopSecret42@db.internal:8086');
 * // 'cannot reach http://admin:***@db.internal:8086'
 * redact("CREATE USER \"u\" WITH PASSWORD 'hunter2'"); // 'CREATE USER "u" WITH PASSWORD \'***\''
 * ```
 */
export function redact(text: string): string {
  if (typeof text !== 'string') return text;
  let out = text;
  for (const [re, by] of SECRET_PATTERNS) out = out.replace(re, by);
  return out;
}

/**
 * The server refused a request (HTTP 4xx), or a query statement failed. As in influxdb-python,
 * `content` is the server's message; `status` is the HTTP status (undefined for statement errors
 * reported inside a 200 response); `code` is the same HTTP status, as in influxdb-python (this
 * family is the one exception to the `INFLUX_ERR_*` codes; tell it apart with `instanceof`).
 *
 * ```ts
 * try {
 *   await client.query('SELECT "usage" FROM');
 * } catch (e) {
 *   if (e instanceof InfluxDBClientError) e.code; // 400, = e.status (undefined for a statement error in a 200)
 * }
 * new InfluxDBClientError('database not found: "x"', 404).message; // '404: database not found: "x"'
 * ```
 */
export class InfluxDBClientError extends InfluxModelsError {
  override name = 'InfluxDBClientError';
  /** The HTTP status, as in influxdb-python (undefined when there was none); = `status`. */
  override readonly code: number | undefined;
  readonly content: string;
  /** The HTTP status of the answer (undefined for a statement error inside a 200 response). */
  readonly status: number | undefined;
  constructor(content: string, status?: number, options?: { cause?: unknown }) {
    super(status === undefined ? content : `${status}: ${content}`, options);
    this.content = redact(content);
    this.status = status;
    this.code = status;
  }
}

/**
 * The server failed (HTTP 5xx, or 429) and the retries, if any, are used up; or its answer could
 * not be read. `status` is the HTTP status, when there was one.
 *
 * ```ts
 * try {
 *   await client.ping();
 * } catch (e) {
 *   if (e instanceof InfluxDBServerError) console.warn(`server error ${e.status}: ${e.content}`);
 * }
 * ```
 */
export class InfluxDBServerError extends InfluxModelsError {
  override name = 'InfluxDBServerError';
  /** The HTTP status, as in influxdb-python (undefined when there was none); = `status`. */
  override readonly code: number | undefined;
  readonly content: string;
  /** The HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /** The delay the server asked for with `Retry-After` (ms), when it sent one. */
  readonly retryAfter: number | undefined;
  constructor(content: string, status?: number, options?: { cause?: unknown; retryAfter?: number }) {
    super(status === undefined ? content : `${status}: ${content}`, options);
    this.content = redact(content);
    this.status = status;
    this.code = status;
    this.retryAfter = options?.retryAfter;
  }
}

/**
 * A response (or one chunk of a streamed response) was larger than the client accepts: the
 * request was stopped and nothing of it is returned. `option` names the limit
 * (`maxResponseBytes` for whole responses, `maxChunkBytes` for one chunk of `queryStream`),
 * `limit` its value in bytes. Raise the option for results that large, or stream them.
 *
 * ```ts
 * const client = new InfluxDBClient({ database: 'metrics', maxResponseBytes: 1024 * 1024 });
 * try {
 *   await client.query('SELECT * FROM "huge"');
 * } catch (e) {
 *   if (e instanceof InfluxResponseTooLargeError) e.option; // 'maxResponseBytes'
 * }
 * ```
 */
export class InfluxResponseTooLargeError extends InfluxDBServerError {
  override name = 'InfluxResponseTooLargeError';
  readonly option: 'maxResponseBytes' | 'maxChunkBytes';
  readonly limit: number;
  constructor(option: 'maxResponseBytes' | 'maxChunkBytes', limit: number, what: string) {
    super(
      `${what} is larger than ${option} (${limit} bytes); the request was stopped. Raise ${option}${option === 'maxResponseBytes' ? ' or use queryStream() for large results' : ''}`,
    );
    this.option = option;
    this.limit = limit;
  }
}

/**
 * InfluxDB stored some lines of a write and dropped others (HTTP 400 `partial write:`). The lines
 * that are not named as dropped WERE stored; retrying the whole body is safe for points with
 * explicit timestamps (a point with the same series and time is overwritten, not duplicated).
 *
 * ```ts
 * try {
 *   await client.writePoints(points);
 * } catch (e) {
 *   if (e instanceof InfluxDBPartialWriteError) console.warn(e.reason, e.dropped); // e.g. 'points beyond retention policy', 2
 *   else throw e;
 * }
 * ```
 */
export class InfluxDBPartialWriteError extends InfluxDBClientError {
  override name = 'InfluxDBPartialWriteError';
  /** The server's reason, e.g. `field type conflict: ...` or `points beyond retention policy`. */
  readonly reason: string;
  /** How many points the server dropped, when it said so. */
  readonly dropped: number | undefined;
  constructor(content: string, code: number, reason: string, dropped: number | undefined) {
    super(content, code);
    this.message = `partial write: ${reason}${dropped === undefined ? '' : ` (dropped=${dropped})`}; the other lines of the request were stored`;
    this.reason = reason;
    this.dropped = dropped;
  }
}

/**
 * A query the in-memory engine (`MemoryInflux` from `influx-models/testing`) does not evaluate.
 * It refuses it instead of answering differently from the server; `feature` names the part.
 *
 * ```ts
 * await memory.query('SELECT holt_winters(mean("v"), 5, 2) FROM "cpu" GROUP BY time(1h)');
 * // throws InfluxUnsupportedQueryError: unsupported by the in-memory engine: function holt_winters()
 * ```
 */
export class InfluxUnsupportedQueryError extends InfluxDBClientError {
  override name = 'InfluxUnsupportedQueryError';
  /** The unsupported part, e.g. `function holt_winters()`. */
  readonly feature: string;
  constructor(feature: string) {
    super(`unsupported by the in-memory engine: ${feature}`);
    this.feature = feature;
  }
}

/**
 * The server could not be reached (connection refused, reset, DNS, TLS), after all retries.
 *
 * ```ts
 * const client = new InfluxDBClient({ port: 1, retries: 1 });
 * await client.ping(); // rejects with InfluxConnectionError (ECONNREFUSED)
 * ```
 */
export class InfluxConnectionError extends InfluxModelsError {
  override name = 'InfluxConnectionError';
  override readonly code: string = 'INFLUX_ERR_CONNECTION';
}

/**
 * A request took longer than the configured `timeout`, after all retries.
 *
 * ```ts
 * const client = new InfluxDBClient({ database: 'metrics', timeout: 100, retries: 1 });
 * await client.query('SELECT * FROM "huge"'); // rejects with InfluxTimeoutError after 100 ms
 * ```
 */
export class InfluxTimeoutError extends InfluxModelsError {
  override name = 'InfluxTimeoutError';
  override readonly code: string = 'INFLUX_ERR_TIMEOUT';
}

/**
 * The caller aborted the request through its `AbortSignal`.
 *
 * ```ts
 * const ac = new AbortController();
 * const p = client.query('SELECT * FROM "cpu"', { signal: ac.signal });
 * ac.abort();
 * await p; // rejects with InfluxAbortError
 * ```
 */
export class InfluxAbortError extends InfluxModelsError {
  override name = 'InfluxAbortError';
  override readonly code: string = 'INFLUX_ERR_ABORTED';
}

/**
 * The client (or registry) was closed and cannot be used any more.
 *
 * ```ts
 * await client.close();
 * await client.ping(); // rejects with InfluxClosedError
 * ```
 */
export class InfluxClosedError extends InfluxModelsError {
  override name = 'InfluxClosedError';
  override readonly code: string = 'INFLUX_ERR_CLOSED';
}

/**
 * A bad option, DSN, precision, duration or identifier given to a public entry point.
 *
 * ```ts
 * new InfluxDBClient({ port: 70000 }); // throws InfluxConfigError: InfluxDBClient(port): …
 * ```
 */
export class InfluxConfigError extends InfluxModelsError {
  override name = 'InfluxConfigError';
  override readonly code: string = 'INFLUX_ERR_CONFIG';
}

/**
 * A point, model instance or model declaration that cannot be written exactly. `where` names the
 * point (e.g. `points[3]` or a model class), `property` the key or property at fault.
 *
 * ```ts
 * try {
 *   await client.writePoints([{ measurement: 'cpu', fields: { usage: Number.NaN } }]);
 * } catch (e) {
 *   if (e instanceof InfluxValidationError) [e.where, e.property]; // ['points[0]', 'usage']
 * }
 * ```
 */
export class InfluxValidationError extends InfluxModelsError {
  override name = 'InfluxValidationError';
  override readonly code: string = 'INFLUX_ERR_VALIDATION';
  readonly where: string;
  readonly property: string | undefined;
  readonly constraint: string | undefined;
  constructor(where: string, property: string | undefined, reason: string, constraint?: string) {
    super(`${where}${property === undefined ? '' : `.${property}`}: ${reason}`);
    this.where = where;
    this.property = property;
    this.constraint = constraint;
  }
}

/**
 * A series registry holds `maxPending` points that are not yet stored, so it refused a new one.
 * Nothing was buffered: the caller still holds the data. Wait with `registry.waitForCapacity()` (or
 * `drain()`) and build the point again.
 *
 * ```ts
 * configureSeries({ sink: client, maxPending: 10_000, whenFull: 'throw' });
 * try {
 *   new Cpu(row);
 * } catch (e) {
 *   if (!(e instanceof InfluxBufferFullError)) throw e;
 *   await defaultRegistry.waitForCapacity();
 *   new Cpu(row); // nothing was buffered the first time
 * }
 * ```
 */
export class InfluxBufferFullError extends InfluxModelsError {
  override name = 'InfluxBufferFullError';
  override readonly code: string = 'INFLUX_ERR_BUFFER_FULL';
  /** Points pending (buffered, in flight or waiting for a retry) when the point was refused. */
  readonly pending: number;
  readonly maxPending: number;
  constructor(where: string, pending: number, maxPending: number) {
    super(
      `${where}: the series registry already holds ${pending} pending points (maxPending=${maxPending}); await registry.waitForCapacity() and build the point again`,
    );
    this.pending = pending;
    this.maxPending = maxPending;
  }
}

/** Points of one model class that a flush could not confirm as written. */
export interface FlushClassReport {
  /** The model class's name (`(replayed from spool)` for points replayed from a spool). */
  readonly className: string;
  /** Points handed to `onError` (refused by the server, or retries used up). */
  readonly failed: number;
  /** Points in flight when the registry gave up on them (closed with a timeout). */
  readonly abandoned: number;
  /** Points still being written or retried when the flush stopped waiting (not lost yet). */
  readonly pending: number;
  /** Why: the message of the last error of those points, or the timeout. */
  readonly reason: string;
}

/**
 * `registry.flush()` could not confirm that every pending point was written: some were refused or
 * given up (`failed`, already reported through `onError`), or were still being retried when the
 * flush's time ran out (`pending`, still retried in the background). `classes` says how many
 * points of which model class and why. When a sink replicates (`replicate: 'all'`), `hosts` reports
 * each server as a resolved flush does (`FlushResult#hosts`).
 *
 * ```ts
 * try {
 *   await registry.flush({ timeout: 5000 });
 * } catch (e) {
 *   if (e instanceof InfluxFlushError) console.error(e.message, e.classes);
 *   // 'flush: 120 of 5120 points not written: Cpu 120 pending (still retrying after 5000 ms: connect ECONNREFUSED)'
 * }
 * ```
 */
export class InfluxFlushError extends InfluxModelsError {
  override name = 'InfluxFlushError';
  override readonly code: string = 'INFLUX_MODELS_FLUSH_FAILED';
  constructor(
    readonly written: number,
    readonly failed: number,
    readonly abandoned: number,
    readonly pending: number,
    readonly classes: readonly FlushClassReport[],
    /** Each server, when a sink replicates (the same shape as `FlushResult#hosts`). */
    readonly hosts?: readonly HostFlushResult[],
  ) {
    const lost = failed + abandoned + pending;
    const parts = classes.map((c) => {
      const what = [
        c.failed > 0 ? `${c.failed} failed` : '',
        c.abandoned > 0 ? `${c.abandoned} abandoned` : '',
        c.pending > 0 ? `${c.pending} pending` : '',
      ]
        .filter(Boolean)
        .join(', ');
      return `${c.className} ${what} (${c.reason})`;
    });
    super(`flush: ${lost} of ${written + lost} points not written: ${parts.join('; ')}`);
  }
}

/** A field key the server reports with several types (written differently into different shards). */
export interface FieldTypeConflict {
  readonly measurement: string;
  readonly field: string;
  /** The types found, default retention policy first. */
  readonly types: readonly string[];
  /** Retention policy → the types its shards hold. */
  readonly typesByRetentionPolicy: Readonly<Record<string, readonly string[]>>;
}

/**
 * `pull` (`generateModels`) found field keys with several types and was not told which to use;
 * nothing was written. Choose per key with `--field-type 'measurement.field=type'` (the
 * `fieldTypes` option).
 *
 * ```ts
 * try {
 *   generateModels(found, { source });
 * } catch (e) {
 *   if (e instanceof InfluxFieldTypeConflictError) e.conflicts; // [{ measurement: 'm', field: 'v', types: ['float', 'string'], … }]
 * }
 * ```
 */
export class InfluxFieldTypeConflictError extends InfluxConfigError {
  override name = 'InfluxFieldTypeConflictError';
  override readonly code: string = 'INFLUX_ERR_FIELD_TYPE_CONFLICT';
  readonly conflicts: readonly FieldTypeConflict[];
  constructor(conflicts: readonly FieldTypeConflict[]) {
    super(
      `${conflicts.length} field key(s) have several types across shards; choose one for each with --field-type (fieldTypes):\n${conflicts
        .map(
          (c) =>
            `  ${JSON.stringify(c.measurement)} field ${JSON.stringify(c.field)}: ${Object.entries(
              c.typesByRetentionPolicy,
            )
              .map(([rp, t]) => `${t.join('/')} in ${JSON.stringify(rp)}`)
              .join(
                ', ',
              )} → e.g. --field-type ${JSON.stringify(`${c.measurement}.${c.field}=${c.types[0]}`)}`,
        )
        .join('\n')}`,
    );
    this.conflicts = conflicts;
  }
}

/**
 * Permanent errors are not retried: the server refused the data (4xx, a partial write), the data
 * or the configuration is wrong, or the client was closed or the call aborted. Everything else
 * (connection errors, timeouts, 5xx and 429) is transient: retrying may succeed.
 *
 * ```ts
 * isPermanent(new InfluxConnectionError('ECONNREFUSED')); // false (retried)
 * isPermanent(new InfluxDBClientError('unable to parse …', 400)); // true
 * ```
 */
export function isPermanent(error: Error): boolean {
  return (
    error instanceof InfluxDBClientError ||
    error instanceof InfluxValidationError ||
    error instanceof InfluxConfigError ||
    error instanceof InfluxClosedError ||
    error instanceof InfluxAbortError
  );
}

/** Node and undici codes of a connection that failed or broke: retrying may help. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'Z_BUF_ERROR',
  'Z_DATA_ERROR',
]);
/** undici codes of the idle timeout (`timeout`). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** Codes of a request the HTTP stack refused to build (a bad header, path or option). */
const INVALID_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_CHAR']);

/**
 * The code of a Node or undici error: its own, its cause's, or the first of an AggregateError's
 * (`connect` to every address of a name failed). Internal to the client's transport.
 *
 * ```ts
 * systemErrorCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })); // 'ECONNREFUSED'
 * ```
 */
export function systemErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  const first = e?.errors?.[0]?.code;
  return typeof first === 'string' ? first : undefined;
}

/**
 * The typed error of a request that failed below HTTP (an undici or Node error), and whether
 * retrying may help: an idle timeout ({@link InfluxTimeoutError}) and a refused, reset or broken
 * connection ({@link InfluxConnectionError}) are transient; a request the HTTP stack refused to
 * build is an {@link InfluxConfigError}; TLS verification and anything unknown is a permanent
 * {@link InfluxConnectionError}. `where` names the request (method and URL, no credentials),
 * `idleTimeout` the `timeout` option for the message. Internal to the client's transport.
 *
 * ```ts
 * classifyRequestFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'GET http://db:8086/ping', 30000);
 * // { error: InfluxConnectionError('GET http://db:8086/ping: connect ECONNREFUSED (ECONNREFUSED)'), transient: true }
 * ```
 */
export function classifyRequestFailure(
  err: unknown,
  where: string,
  idleTimeout: number,
): { error: InfluxModelsError; transient: boolean } {
  const code = systemErrorCode(err);
  const msg = (err as Error)?.message ?? String(err);
  if (code !== undefined && INVALID_CODES.has(code)) {
    return { error: new InfluxConfigError(`${where}: ${msg}`, { cause: err }), transient: false };
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return {
      error: new InfluxTimeoutError(`${where}: no answer within ${idleTimeout} ms (${code})`, { cause: err }),
      transient: true,
    };
  }
  const error = new InfluxConnectionError(`${where}: ${msg}${code ? ` (${code})` : ''}`, { cause: err });
  const transient =
    (code !== undefined && CONNECTION_CODES.has(code)) || /other side closed|socket|terminated/i.test(msg);
  // TLS verification and anything unknown: not worth retrying.
  return { error, transient };
}

/**
 * The typed error of an HTTP answer whose status was not the expected one, and whether retrying may
 * help: 5xx and 429 are a transient {@link InfluxDBServerError} (429 counts as server-side, so that
 * sinks that treat {@link InfluxDBClientError} as permanent, the series registry, retry it later
 * instead of dropping); any other status is a permanent {@link InfluxDBClientError}. Internal to the
 * client's transport.
 *
 * ```ts
 * classifyHttpStatus(503, 'busy', 2000); // { error: InfluxDBServerError (status 503, retryAfter 2000), transient: true }
 * classifyHttpStatus(404, 'database not found: "x"', undefined).transient; // false
 * ```
 */
export function classifyHttpStatus(
  status: number,
  content: string,
  retryAfter: number | undefined,
): { error: InfluxDBClientError | InfluxDBServerError; transient: boolean } {
  if (status >= 500 || status === 429) {
    return {
      error: new InfluxDBServerError(content, status, retryAfter === undefined ? undefined : { retryAfter }),
      transient: true,
    };
  }
  return { error: new InfluxDBClientError(content, status), transient: false };
}
