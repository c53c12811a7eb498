import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import {
  InfluxAbortError,
  InfluxClosedError,
  InfluxConfigError,
  InfluxConnectionError,
  InfluxDBClientError,
  InfluxDBServerError,
  InfluxModelsError,
  InfluxResponseTooLargeError,
  InfluxTimeoutError,
} from '../errors.js';
import type { BodyDecoder } from '../results/chunk-parser.js';
import { preview } from '../results/json-decoder.js';
import { decodeMsgpack } from '../results/msgpack-decoder.js';
import type { HostEndpoint, HostPool } from './host-pool.js';
import { parseRetryAfter, type RetryPolicy, sleep } from './retry-policy.js';

/** One HTTP request of the client. */
export interface TransportRequest {
  method: 'GET' | 'POST';
  /** Path below the client's path prefix, e.g. `/query`. */
  path: string;
  /** Query-string parameters. */
  query?: Record<string, string>;
  body?: string | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Status codes that count as success. Default: any 2xx. */
  expectedStatus?: number;
  /** Retry transient failures (default true). */
  retry?: boolean;
  /** Send to this server only (no failover); by default the host pool picks one per attempt. */
  host?: HostEndpoint;
}

/** A buffered response. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A streamed response; `items` yields what the body decoder produced; `abort()` stops the request. */
export interface TransportStream<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  items: AsyncIterable<T>;
  abort(reason?: Error): void;
}

/** Decoded values waiting for the consumer before the socket is paused. */
const STREAM_AHEAD = 2;

/** Settings of {@link HttpTransport}. */
export interface TransportConfig {
  /** The servers (one or more); each attempt goes to the one the pool picks. */
  hosts: HostPool;
  pathPrefix: string;
  /** Headers sent with every request (may contain Authorization: kept private). */
  headers: Record<string, string>;
  /** Idle timeout (ms) for the response headers and between body pieces; 0 = none. */
  timeout: number;
  /** Total time (ms) for one call (all attempts, backoff and the body); 0 = none. */
  requestTimeout: number;
  /** Largest buffered (whole) response body, in bytes (after decompression). */
  maxResponseBytes: number;
  retry: RetryPolicy;
  acceptGzip: boolean;
}

/** A request that {@link HttpTransport.abortAll} stopped (what `client.close()` reports). */
export interface AbortedRequest {
  method: 'GET' | 'POST';
  /** The path below the client's base URL, without the query string (e.g. `/query`). */
  path: string;
  /** True for a `queryStream` response that was being read. */
  stream: boolean;
  /** How long the request had been running, in ms. */
  elapsedMs: number;
}

/** A call in flight: what it is and how to stop it. */
interface ActiveCall {
  method: 'GET' | 'POST';
  path: string;
  stream: boolean;
  started: number;
  controller: AbortController;
}

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
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** At most this much of an error response's body is read (kept as an excerpt in the error). */
export const MAX_ERROR_BODY = 64 * 1024;

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  const first = e?.errors?.[0]?.code;
  return typeof first === 'string' ? first : undefined;
}

/** A failure that may be retried, with the delay the server asked for. */
class Transient {
  constructor(
    readonly error: InfluxModelsError,
    readonly retryAfter?: number,
  ) {}
}

/**
 * The client's HTTP layer over an undici Dispatcher: builds URLs below the path prefix, adds the
 * common headers, maps failures to typed errors and retries transient ones (connection errors,
 * timeouts, 5xx and 429) with exponential backoff and jitter, honouring `Retry-After`.
 * Other 4xx are never retried.
 */
export class HttpTransport {
  #config: TransportConfig;
  #closed = false;
  readonly #active = new Set<ActiveCall>();
  #idle: (() => void) | undefined;

  constructor(config: TransportConfig) {
    this.#config = { ...config };
  }

  /** The servers requests go to. */
  get hosts(): HostPool {
    return this.#config.hosts;
  }

  /**
   * One `GET /ping` to one server, no retry, bounded by `timeout` (or 10 s when it is 0): the
   * host pool's health probe. Resolves with the server's version.
   */
  async probe(endpoint: HostEndpoint): Promise<string> {
    if (this.#closed) throw new InfluxClosedError('the client is closed');
    const req: TransportRequest = { method: 'GET', path: '/ping' };
    const controller = new AbortController();
    const limit = this.#config.timeout > 0 ? this.#config.timeout : 10_000;
    const timer = setTimeout(
      () =>
        controller.abort(new InfluxTimeoutError(`GET ${endpoint.origin}/ping: no answer within ${limit} ms`)),
      limit,
    );
    try {
      const res = await this.#dispatch(req, controller.signal, endpoint);
      const read = await this.#readAll(res, MAX_ERROR_BODY, req, true);
      this.#checkStatus(req, res.statusCode, res.headers, read.body, read.truncated);
      const v = res.headers['x-influxdb-version'];
      return (Array.isArray(v) ? v[0] : v) ?? '';
    } catch (err) {
      const e = this.#classify(err, req, controller.signal, endpoint);
      throw e instanceof Transient ? e.error : e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Replaces (or removes) the Authorization header of later requests. */
  setAuthorization(value: string | undefined): void {
    const headers = { ...this.#config.headers };
    delete headers.authorization;
    if (value !== undefined) headers.authorization = value;
    this.#config.headers = headers;
  }

  /** Marks the transport closed: later calls throw {@link InfluxClosedError}. */
  markClosed(): void {
    this.#closed = true;
  }

  /** Calls in flight (requests and open streams). */
  get activeCount(): number {
    return this.#active.size;
  }

  /** Resolves when no call is in flight, or after `ms` (whichever comes first). */
  async waitIdle(ms: number): Promise<void> {
    if (this.#active.size === 0 || ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const previous = this.#idle;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#idle = () => {
        previous?.();
        done();
      };
    });
  }

  /**
   * Aborts the calls in flight (those `which` selects; all by default) with `reason` and stops
   * tracking them; returns what was aborted.
   */
  abortAll(
    reason: InfluxModelsError,
    which: (call: { stream: boolean }) => boolean = () => true,
  ): AbortedRequest[] {
    const now = Date.now();
    const out: AbortedRequest[] = [];
    for (const call of [...this.#active]) {
      if (!which(call)) continue;
      out.push({ method: call.method, path: call.path, stream: call.stream, elapsedMs: now - call.started });
      this.#release(call);
      call.controller.abort(reason);
    }
    return out;
  }

  #release(call: ActiveCall): void {
    if (!this.#active.delete(call) || this.#active.size > 0) return;
    const idle = this.#idle;
    this.#idle = undefined;
    idle?.();
  }

  url(path: string, query?: Record<string, string>): string {
    const qs = query ? new URLSearchParams(query).toString() : '';
    return `${this.#config.pathPrefix}${path}${qs ? `?${qs}` : ''}`;
  }

  /**
   * Sends a request and buffers the response body (at most `maxResponseBytes`; of an error
   * response at most {@link MAX_ERROR_BODY}); retries transient failures.
   */
  async send(req: TransportRequest): Promise<TransportResponse> {
    return this.#withRetry(req, async (signal, _controller, _release, host) => {
      const res = await this.#dispatch(req, signal, host);
      await this.#failUnlessOk(req, res, signal, host);
      let body: Buffer;
      try {
        body = (await this.#readAll(res, this.#config.maxResponseBytes, req)).body;
      } catch (err) {
        throw this.#classify(err, req, signal, host);
      }
      return { status: res.statusCode, headers: res.headers, body };
    });
  }

  /**
   * Sends a request and feeds the body to `decoder` as it arrives (the body is never held whole);
   * resolves with the decoder's result. Retries transient failures, with a new decoder per attempt.
   */
  async receive<T>(
    req: TransportRequest,
    decoder: (headers: Record<string, string | string[] | undefined>) => {
      push(piece: Uint8Array): void;
      end(): T;
    },
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; value: T }> {
    return this.#withRetry(req, async (signal, _controller, _release, host) => {
      const res = await this.#dispatch(req, signal, host);
      await this.#failUnlessOk(req, res, signal, host);
      const sink = decoder(res.headers);
      const { raw, source } = bodySource(res);
      const max = this.#config.maxResponseBytes;
      let received = 0;
      try {
        await new Promise<void>((resolve, reject) => {
          source.on('data', (piece: Uint8Array) => {
            received += piece.length;
            if (received > max) {
              reject(
                new InfluxResponseTooLargeError(
                  'maxResponseBytes',
                  max,
                  `the response to ${req.method} ${req.path}`,
                ),
              );
              source.destroy();
              return;
            }
            try {
              sink.push(piece);
            } catch (err) {
              reject(err);
              source.destroy();
            }
          });
          source.once('end', resolve);
          source.on('error', reject);
          if (source !== raw) raw.on('error', reject);
        });
      } catch (err) {
        throw this.#classify(err, req, signal, host);
      } finally {
        if (!raw.destroyed) raw.destroy();
        if (!source.destroyed) source.destroy();
      }
      return { status: res.statusCode, headers: res.headers, value: sink.end() };
    });
  }

  /**
   * Sends a request and, once the status is known, returns what `decoder` makes of the body as it
   * arrives. Retries happen only before the body starts. The body is decoded in the socket's data
   * events; the socket is paused while {@link STREAM_AHEAD} decoded values wait for the consumer.
   */
  async stream<T>(
    req: TransportRequest,
    decoder: (headers: Record<string, string | string[] | undefined>) => BodyDecoder<T>,
  ): Promise<TransportStream<T>> {
    const { requestTimeout } = this.#config;
    return this.#withRetry(
      req,
      async (signal, controller, release, host) => {
        const res = await this.#dispatch(req, signal, host);
        await this.#failUnlessOk(req, res, signal, host);
        const sink = decoder(res.headers);
        const { raw, source } = bodySource(res);
        const classify = (err: unknown) => {
          const e = this.#classify(err, req, signal, host);
          return e instanceof Transient ? e.error : e;
        };
        const userSignal = req.signal;
        const onUserAbort = () =>
          controller.abort(new InfluxAbortError('the stream was aborted', { cause: userSignal?.reason }));
        userSignal?.addEventListener('abort', onUserAbort, { once: true });

        const queue: T[] = [];
        let head = 0;
        let ended = false;
        let failure: { error: unknown } | undefined;
        let wake: (() => void) | undefined;
        const notify = () => {
          const w = wake;
          wake = undefined;
          w?.();
        };
        const fail = (err: unknown) => {
          failure ??= { error: classify(err) };
          notify();
        };
        source.on('data', (piece: Uint8Array) => {
          if (failure !== undefined) return;
          let values: T[];
          try {
            values = sink.push(piece);
          } catch (err) {
            fail(err);
            source.destroy();
            return;
          }
          if (values.length === 0) return;
          for (let i = 0; i < values.length; i++) queue.push(values[i] as T);
          if (queue.length - head >= STREAM_AHEAD) source.pause();
          notify();
        });
        source.once('end', () => {
          try {
            for (const v of sink.end()) queue.push(v);
          } catch (err) {
            fail(err);
            return;
          }
          ended = true;
          notify();
        });
        source.on('error', fail);
        if (source !== raw) raw.on('error', fail);

        const items = (async function* () {
          try {
            for (;;) {
              // stopped (client closed, user signal, consumer): what is left is not delivered
              if (signal.aborted) throw classify(signal.reason);
              if (head < queue.length) {
                const v = queue[head] as T;
                queue[head++] = undefined as T;
                if (head === queue.length) {
                  queue.length = 0;
                  head = 0;
                  if (!ended && failure === undefined && source.isPaused()) source.resume();
                }
                yield v;
                continue;
              }
              if (failure !== undefined) throw failure.error;
              if (ended) return;
              // The consumer waits for the next chunk: it must come within requestTimeout (a body
              // that trickles without completing a chunk does not hold the consumer forever).
              const timer =
                requestTimeout > 0
                  ? setTimeout(() => {
                      controller.abort(
                        new InfluxTimeoutError(
                          `${req.method} ${req.path}: no complete chunk of the stream within requestTimeout (${requestTimeout} ms)`,
                        ),
                      );
                      notify();
                    }, requestTimeout)
                  : undefined;
              try {
                await new Promise<void>((resolve) => {
                  wake = resolve;
                });
              } finally {
                if (timer !== undefined) clearTimeout(timer);
              }
            }
          } finally {
            userSignal?.removeEventListener('abort', onUserAbort);
            if (!raw.destroyed) raw.destroy();
            if (!source.destroyed) source.destroy();
            release();
          }
        })();
        return {
          status: res.statusCode,
          headers: res.headers,
          items,
          abort: (reason?: Error) =>
            controller.abort(reason ?? new InfluxAbortError('the stream was stopped by its consumer')),
        };
      },
      true,
    );
  }

  /** Reads (at most 64 kB of) the body of a response that is not a success and throws its error. */
  async #failUnlessOk(
    req: TransportRequest,
    res: Dispatcher.ResponseData,
    signal: AbortSignal,
    host: HostEndpoint,
  ): Promise<void> {
    const ok =
      req.expectedStatus === undefined
        ? res.statusCode >= 200 && res.statusCode < 300
        : res.statusCode === req.expectedStatus;
    if (ok) return;
    let read: { body: Buffer; truncated: boolean };
    try {
      read = await this.#readAll(res, MAX_ERROR_BODY, req, true);
    } catch (err) {
      throw this.#classify(err, req, signal, host);
    }
    this.#checkStatus(req, res.statusCode, res.headers, read.body, read.truncated);
  }

  async #dispatch(
    req: TransportRequest,
    signal: AbortSignal,
    host: HostEndpoint,
  ): Promise<Dispatcher.ResponseData> {
    if (this.#closed) throw new InfluxClosedError('the client is closed');
    const { timeout, headers, acceptGzip } = this.#config;
    const { origin, dispatcher } = host;
    const allHeaders: Record<string, string> = { ...headers, ...req.headers };
    if (acceptGzip) allHeaders['accept-encoding'] = 'gzip';
    try {
      return await dispatcher.request({
        origin,
        path: this.url(req.path, req.query),
        method: req.method,
        headers: allHeaders,
        body: req.body ?? null,
        signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (err) {
      throw this.#classify(err, req, signal, host);
    }
  }

  /**
   * Reads a response body. `excerpt`: at most `limit` bytes are kept and the rest is dropped (an
   * error body); otherwise a body over `limit` bytes (also after gunzip) stops the request with
   * {@link InfluxResponseTooLargeError}.
   */
  async #readAll(
    res: Dispatcher.ResponseData,
    limit: number,
    req: TransportRequest,
    excerpt = false,
  ): Promise<{ body: Buffer; truncated: boolean }> {
    const parts: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const tooLarge = () =>
      new InfluxResponseTooLargeError('maxResponseBytes', limit, `the response to ${req.method} ${req.path}`);
    for await (const chunk of res.body) {
      parts.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > limit) {
        res.body.destroy();
        if (!excerpt) throw tooLarge();
        truncated = true;
        break;
      }
    }
    const body = Buffer.concat(parts, Math.min(size, limit));
    if (res.headers['content-encoding'] === 'gzip' && body.length > 0 && !truncated) {
      try {
        return {
          body: await new Promise<Buffer>((resolve, reject) =>
            process
              .getBuiltinModule('node:zlib')
              .gunzip(body, { maxOutputLength: Math.max(1, limit) }, (err, out) =>
                err ? reject(err) : resolve(out),
              ),
          ),
          truncated,
        };
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' && !excerpt) throw tooLarge();
        throw err;
      }
    }
    return { body, truncated };
  }

  #checkStatus(
    req: TransportRequest,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
    truncated: boolean,
  ): void {
    const ok =
      req.expectedStatus === undefined ? status >= 200 && status < 300 : status === req.expectedStatus;
    if (ok) return;
    const content = truncated
      ? `${errorContent(headers, body)} (error body cut at ${MAX_ERROR_BODY} bytes)`
      : errorContent(headers, body);
    if (status >= 500 || status === 429) {
      // 429 counts as a server-side, transient failure (InfluxDBServerError), so that sinks that treat
      // InfluxDBClientError as permanent (the series registry) retry it later instead of dropping.
      const retryAfter = parseRetryAfter(headers['retry-after']);
      throw new Transient(
        new InfluxDBServerError(content, status, retryAfter === undefined ? undefined : { retryAfter }),
        retryAfter,
      );
    }
    throw new InfluxDBClientError(content, status);
  }

  #classify(err: unknown, req: TransportRequest, signal: AbortSignal, host: HostEndpoint): unknown {
    if (err instanceof Transient || err instanceof InfluxModelsError) return err;
    const where = `${req.method} ${host.origin}${this.#config.pathPrefix}${req.path}`;
    if (signal.aborted) {
      const reason = signal.reason;
      if (reason instanceof InfluxModelsError) return reason;
      return new InfluxAbortError(`${where} was aborted`, { cause: reason });
    }
    const code = errorCode(err);
    const msg = (err as Error)?.message ?? String(err);
    if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED' || code === 'ClientDestroyedError') {
      if (this.#closed) return new InfluxClosedError('the client is closed', { cause: err });
    }
    if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_TYPE' || code === 'ERR_INVALID_CHAR') {
      return new InfluxConfigError(`${where}: ${msg}`, { cause: err });
    }
    if (code !== undefined && TIMEOUT_CODES.has(code)) {
      return new Transient(
        new InfluxTimeoutError(`${where}: no answer within ${this.#config.timeout} ms (${code})`, {
          cause: err,
        }),
      );
    }
    if (
      (code !== undefined && CONNECTION_CODES.has(code)) ||
      /other side closed|socket|terminated/i.test(msg)
    ) {
      return new Transient(
        new InfluxConnectionError(`${where}: ${msg}${code ? ` (${code})` : ''}`, { cause: err }),
      );
    }
    // TLS verification and anything unknown: not worth retrying.
    return new InfluxConnectionError(`${where}: ${msg}${code ? ` (${code})` : ''}`, { cause: err });
  }

  /**
   * Runs `attempt` until it succeeds, fails for good or the call is stopped. One controller serves
   * the whole call: the caller's signal, the `requestTimeout` deadline and `close()` (through
   * {@link abortAll}) abort it, and a stopped call is never retried. A stream keeps its call
   * registered after this returns and ends it with `release`.
   */
  async #withRetry<T>(
    req: TransportRequest,
    attempt: (
      signal: AbortSignal,
      controller: AbortController,
      release: () => void,
      host: HostEndpoint,
    ) => Promise<T>,
    stream = false,
  ): Promise<T> {
    const { retry, requestTimeout } = this.#config;
    const policy = req.retry === false ? undefined : retry;
    const startedAt = Date.now();
    if (this.#closed) throw new InfluxClosedError('the client is closed');
    const userSignal = req.signal;
    if (userSignal?.aborted)
      throw new InfluxAbortError('the request was aborted', { cause: userSignal.reason });
    const controller = new AbortController();
    const call: ActiveCall = { method: req.method, path: req.path, stream, started: Date.now(), controller };
    this.#active.add(call);
    const release = () => this.#release(call);
    const onAbort = () =>
      controller.abort(new InfluxAbortError('the request was aborted', { cause: userSignal?.reason }));
    userSignal?.addEventListener('abort', onAbort, { once: true });
    const deadline =
      requestTimeout > 0
        ? setTimeout(
            () =>
              controller.abort(
                new InfluxTimeoutError(
                  `${req.method} ${this.#config.pathPrefix}${req.path}: no complete answer within requestTimeout (${requestTimeout} ms)`,
                ),
              ),
            requestTimeout,
          )
        : undefined;
    let handedOver = false;
    const pool = this.#config.hosts;
    // Servers tried in this round: a transient failure fails over to the next untried server at
    // once (same request, same body); only when every server failed does the round count as one
    // attempt of the retry policy and back off.
    const tried = new Set<HostEndpoint>();
    try {
      for (let n = 1; ; ) {
        if (this.#closed) throw new InfluxClosedError('the client is closed');
        const host = req.host ?? (pool.pick(tried) as HostEndpoint);
        tried.add(host);
        try {
          const value = await attempt(controller.signal, controller, release, host);
          pool.succeeded(host);
          handedOver = stream;
          return value;
        } catch (err) {
          if (!(err instanceof Transient)) {
            // an answer with a 4xx status still shows a working server
            if (err instanceof InfluxDBClientError) pool.succeeded(host);
            throw err;
          }
          pool.failed(host, err.error);
          // fail over to the next untried server within the same attempt (also for a caller that
          // retries itself, `retry: false`: the registry's one attempt may still use any server)
          if (req.host === undefined && pool.pick(tried) !== undefined && !controller.signal.aborted)
            continue;
          tried.clear();
          const delay = policy?.next(n, startedAt, err.retryAfter);
          if (delay === undefined) {
            if (n > 1) err.error.message += ` (after ${n} attempts)`;
            throw err.error;
          }
          try {
            await sleep(delay, controller.signal);
          } catch (reason) {
            if (reason instanceof InfluxModelsError && !(reason instanceof InfluxAbortError)) throw reason;
            throw new InfluxAbortError('the request was aborted while waiting to retry', { cause: reason });
          }
          n++;
        }
      }
    } finally {
      if (deadline !== undefined) clearTimeout(deadline);
      userSignal?.removeEventListener('abort', onAbort);
      if (!handedOver) release();
    }
  }
}

/** The response body as a stream, decompressed when the server sent it gzipped. */
function bodySource(res: Dispatcher.ResponseData): { raw: Readable; source: Readable } {
  const raw = res.body as unknown as Readable;
  if (res.headers['content-encoding'] !== 'gzip') return { raw, source: raw };
  const source = raw.pipe(process.getBuiltinModule('node:zlib').createGunzip());
  raw.on('error', (e) => source.destroy(e));
  return { raw, source };
}

/** The server's error message from an error response: JSON/msgpack `error`, else a short preview. */
export function errorContent(headers: Record<string, string | string[] | undefined>, body: Buffer): string {
  const type = String(headers['content-type'] ?? '');
  try {
    if (type.includes('msgpack')) {
      const e = decodeMsgpack(body).error;
      if (typeof e === 'string') return e;
    } else if (type.includes('json')) {
      const e = JSON.parse(body.toString('utf8'))?.error;
      if (typeof e === 'string') return e;
    } else if (type.includes('csv')) {
      // `error` then the message as one (maybe quoted) CSV cell
      const m = /^error\r?\n("?)([\s\S]*?)\1\r?\n?$/.exec(body.toString('utf8'));
      if (m) return (m[2] ?? '').replace(/""/g, '"');
    }
  } catch {}
  const text = body.toString('utf8');
  if (/<html|<!doctype/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    const stripped = text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<[^>]+>/gi, ' ');
    return `HTML error page${title ? ` "${preview(title, 100)}"` : ''}: ${preview(stripped, 200)}`;
  }
  return preview(text, 500) || '(empty body)';
}
