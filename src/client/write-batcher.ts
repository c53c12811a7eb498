/**
 * The write side of the client over HTTP: the `/write` parameters, one POST (gzip, replicas, partial
 * writes), `write()` of line protocol or a write body, and `writePoints()`'s batching: points are
 * encoded into batches of `batchSize` points and at most `maxBatchBytes`, a few requests in flight.
 */
import { checkInt, checkName, checkStringMap, describeValue } from '../check-value.js';
import {
  InfluxConfigError,
  InfluxDBClientError,
  InfluxDBPartialWriteError,
  InfluxValidationError,
} from '../errors.js';
import {
  createLineEncoder,
  makeLines,
  makeLinesBytes,
  type Point,
  type WriteBody,
} from '../line-protocol/make-lines.js';
import { checkPrecision, type Precision } from '../line-protocol/precision.js';
import type { WriteOptions, WritePointsOptions } from './client-options.js';
import type { HttpTransport, TransportRequest } from './http-transport.js';
import type { ReplicatedWriter, ReplicaWriteOptions } from './replicated-writer.js';
import { checkConsistency } from './write-consistency.js';

const PARTIAL_WRITE = /partial write:\s*([\s\S]*?)(?:\s+dropped=(\d+))?\s*$/;
const DEFAULT_BATCH = 5000;

/** The `precision` write parameter for a precision. */
function precisionParam(p: Precision): string {
  return p === 'ns' ? 'n' : p;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function gzipAsync(body: string | Buffer): Promise<Buffer> {
  const { gzip } = process.getBuiltinModule('node:zlib');
  return new Promise((resolve, reject) => gzip(body, (err, out) => (err ? reject(err) : resolve(out))));
}

/**
 * A line string of `writePoints` or `sendPacket` as it is sent (a newline added when missing);
 * anything else is refused, naming the point by its index.
 */
export function lineOf(line: unknown, index: number): string {
  if (typeof line !== 'string') {
    throw new InfluxValidationError(
      `points[${index}]`,
      undefined,
      `must be a point object or a line string, got ${describeValue(line)}`,
    );
  }
  if (line === '') throw new InfluxValidationError(`points[${index}]`, undefined, 'is an empty line');
  // A line string is sent as given (a newline inside a quoted string field is part of the line).
  return line.endsWith('\n') ? line : `${line}\n`;
}

/** Checks the options `writePoints` shares between HTTP and UDP. */
export function checkWritePointsOptions(
  points: unknown,
  options: WritePointsOptions,
): { precision: Precision; batchSize: number } {
  if (options === null || typeof options !== 'object') {
    throw new InfluxConfigError(`writePoints(options): must be an object, got ${describeValue(options)}`);
  }
  if (
    points === null ||
    typeof points !== 'object' ||
    typeof (points as Iterable<Point>)[Symbol.iterator] !== 'function'
  ) {
    throw new InfluxValidationError(
      'writePoints(points)',
      undefined,
      `must be an iterable of points, got ${describeValue(points)}`,
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
      `writePoints(protocol): must be 'line' or 'json', got ${describeValue(options.protocol)}`,
    );
  }
  if (options.tags !== undefined && (options.tags === null || typeof options.tags !== 'object')) {
    throw new InfluxConfigError(`writePoints(tags): must be an object, got ${describeValue(options.tags)}`);
  }
  return { precision, batchSize };
}

/** Writes over HTTP for one client. */
export class WriteBatcher {
  constructor(
    private readonly transport: HttpTransport,
    private readonly replicas: ReplicatedWriter | undefined,
    private readonly gzip: boolean,
    private readonly writeConcurrency: number,
    private readonly maxBatchBytes: number,
    /** The client's current default database. */
    private readonly defaultDatabase: () => string | undefined,
  ) {}

  /** The `/write` query parameters of a call; `method` names it in errors. */
  params(
    method: string,
    database: unknown,
    retentionPolicy: unknown,
    precision: Precision,
    consistency: unknown,
  ): Record<string, string> {
    const db = database === undefined ? this.defaultDatabase() : checkName(database, `${method}(database)`);
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

  /**
   * POSTs one write body (gzipped with `gzip`; to every server with `replicate: 'all'`). A 400
   * `partial write:` answer becomes {@link InfluxDBPartialWriteError}. `retry: false` makes one
   * attempt (the registry's sink: the registry drives the attempts).
   */
  async post(
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
    if (this.gzip) {
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
      if (this.replicas === undefined) await this.transport.send(req);
      // queued copies outlive this call: they get their own bytes (the caller may reuse its buffer)
      else {
        const onHost = replica?.onHost;
        await this.replicas.write(
          Buffer.isBuffer(payload) ? { ...req, body: Buffer.from(payload) } : req,
          onHost === undefined
            ? replica
            : {
                ...replica,
                onHost: (url, outcome, error) =>
                  onHost(url, outcome, error === undefined ? undefined : partialWriteOf(error)),
              },
        );
      }
    } catch (err) {
      throw partialWriteOf(err as Error);
    }
  }

  /** `client.write(data, options)`, after the client checked that it is open. */
  async write(data: string | Buffer | WriteBody, options: WriteOptions): Promise<void> {
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`write(options): must be an object, got ${describeValue(options)}`);
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
          `must be line protocol text (string or Buffer), got ${describeValue(data)}; use protocol: 'json' or writePoints() for points`,
        );
      }
      body = data;
    } else {
      throw new InfluxConfigError(
        `write(protocol): must be 'line' or 'json', got ${describeValue(options.protocol)}`,
      );
    }
    if (body.length === 0) throw new InfluxValidationError('write(data)', undefined, 'is empty');
    const qs = this.params(
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
    await this.post(qs, body, options.signal, expected);
  }

  /**
   * `client.writePoints(points, options)` over HTTP, after the client checked that it is open and
   * the options ({@link checkWritePointsOptions}): see the client's doc comment.
   */
  async writePoints(
    points: Iterable<Point | string>,
    options: WritePointsOptions,
    precision: Precision,
    batchSize: number,
  ): Promise<void> {
    const qs = this.params(
      'writePoints',
      options.database,
      options.retentionPolicy,
      precision,
      options.consistency,
    );
    const maxBytes = this.maxBatchBytes;
    const tags = options.tags;
    // A batch is encoded at once into bytes (no per-point strings), so a bad point is found before
    // its batch is sent; errors name the point by its index in `points`.
    const encodeRun = (run: Point[], base: number): Buffer => {
      try {
        const bytes = makeLinesBytes(tags === undefined ? run : { points: run, tags }, precision);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (err) {
        throw base === 0 || !(err instanceof InfluxValidationError)
          ? err
          : pointError(run, base, precision, tags, err);
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
      const p: Promise<void> = this.post(qs, body, options.signal).then(
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
        while (inFlight.size >= this.writeConcurrency && !failure) await Promise.race(inFlight);
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
}

/**
 * The error of the first point of `run` that cannot be encoded, naming it by its index in the
 * whole input (`base` + its index in the run): the batch encoder only knows the run. Found by
 * encoding the run's points one by one with their true index (this runs only after the batch
 * failed); `fallback` when none fails alone.
 */
function pointError(
  run: Point[],
  base: number,
  precision: Precision,
  tags: WritePointsOptions['tags'],
  fallback: unknown,
): unknown {
  try {
    const encode = createLineEncoder(precision, tags);
    for (let k = 0; k < run.length; k++) encode(run[k] as Point, base + k);
  } catch (err) {
    return err;
  }
  return fallback;
}

/** A 400 `partial write:` answer as {@link InfluxDBPartialWriteError}; any other error as it is. */
function partialWriteOf(err: Error): Error {
  if (err instanceof InfluxDBClientError && err.status === 400) {
    const m = PARTIAL_WRITE.exec(err.content);
    if (m) {
      return new InfluxDBPartialWriteError(
        err.content,
        400,
        (m[1] ?? '').trim(),
        m[2] === undefined ? undefined : Number(m[2]),
      );
    }
  }
  return err;
}
