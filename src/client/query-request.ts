/**
 * The query side of the client: checks a call's options and plans its HTTP request (GET or POST,
 * form body, `db`/`rp`/`epoch`/`chunked` parameters, bound parameters), sends it, and decodes the
 * answer whole ({@link QueryRequester.run}) or chunk by chunk ({@link QueryRequester.stream}).
 */
import { checkInt, checkName, checkStringMap, describeValue } from '../check-value.js';
import { InfluxConfigError, InfluxDBClientError, InfluxDBServerError } from '../errors.js';
import { type LexedStatement, splitStatements } from '../influxql/lexer.js';
import { checkPrecision, type Precision } from '../line-protocol/precision.js';
import { chunkDecoderFor, responseDecoder, wireFormat } from '../results/chunk-parser.js';
import type { RawResponse, ResponseFormat } from '../results/response-format.js';
import { type RawResult, ResultSet } from '../results/result-set.js';
import type { QueryOptions } from './client-options.js';
import type { HttpTransport, TransportRequest } from './http-transport.js';

/** A checked query call: what to send and how to read the answer. */
export interface QueryPlan {
  statements: LexedStatement[];
  httpMethod: 'GET' | 'POST';
  query: Record<string, string>;
  body: string | undefined;
  epoch: Precision | undefined;
  raise: boolean;
  expectedStatus: number | undefined;
}

/** The `epoch` query parameter InfluxDB 1.x understands for a precision. */
function epochParam(p: Precision): string {
  return p === 'n' ? 'ns' : p;
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
          `${where}.${k}: must be a string, number, boolean or bigint, got ${describeValue(v)}`,
        );
    }
    parts.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Checks the arguments of `method` (`query`, `queryMany`, `queryStream`) and plans the request.
 * `database` is the client's default database. Throws {@link InfluxConfigError} naming the option.
 */
export function planQuery(
  method: string,
  q: unknown,
  options: QueryOptions,
  chunked: boolean,
  database: string | undefined,
): QueryPlan {
  if (typeof q !== 'string')
    throw new InfluxConfigError(`${method}(q): must be an InfluxQL string, got ${describeValue(q)}`);
  if (options === null || typeof options !== 'object') {
    throw new InfluxConfigError(`${method}(options): must be an object, got ${describeValue(options)}`);
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
  const db = options.database === undefined ? database : checkName(options.database, `${method}(database)`);
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
        `${method}(bindParams): must be an object, got ${describeValue(options.bindParams)}`,
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
    throw new InfluxConfigError(
      `${method}(method): must be 'GET' or 'POST', got ${describeValue(httpMethod)}`,
    );
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

/** Sends planned queries over a transport and decodes their answers. */
export class QueryRequester {
  constructor(
    private readonly transport: HttpTransport,
    private readonly format: ResponseFormat,
    private readonly maxChunkBytes: number,
  ) {}

  /** The HTTP request of a planned query (the body, when any, holds the form-encoded statement). */
  #request(r: QueryPlan, signal: AbortSignal | undefined): TransportRequest {
    const headers: Record<string, string> = {
      accept: this.format === 'msgpack' ? 'application/x-msgpack' : 'application/json',
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

  /**
   * Runs a planned query and returns its results, decoded as the body arrives (never held whole).
   * `one`: the call runs one statement (`query`), a text with several is refused before sending.
   */
  async run(r: QueryPlan, signal: AbortSignal | undefined, one: boolean): Promise<RawResult[]> {
    if (one && r.statements.length > 1) {
      throw new InfluxConfigError(
        `query(q): the text holds ${r.statements.length} statements; query() runs one, use queryMany() for several`,
      );
    }
    const res = await this.transport.receive(this.#request(r, signal), (headers) => {
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
    return results;
  }

  /** Streams a planned (chunked) query: one {@link ResultSet} per chunk; leaving early stops the request. */
  async *stream(r: QueryPlan, signal: AbortSignal | undefined): AsyncGenerator<ResultSet, void, undefined> {
    const res = await this.transport.stream(this.#request(r, signal), (headers) => {
      refuseCsvForSeveral(headers, r);
      return chunkDecoderFor(headers['content-type'], { epoch: r.epoch, maxChunkBytes: this.maxChunkBytes });
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
}
