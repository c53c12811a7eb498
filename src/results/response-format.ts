import { describeValue } from '../check-value.js';
import { InfluxDBServerError } from '../errors.js';
import type { Precision } from '../line-protocol/precision.js';

/** Wire format of query responses: `'msgpack'` (default, exact and faster) or `'json'`. */
export type ResponseFormat = 'msgpack' | 'json';

/** The top-level object of a /query response. */
export interface RawResponse {
  results?: import('./result-set.js').RawResult[];
  error?: string;
}

/** Options shared by the decoders. */
export interface DecodeOptions {
  /** The `epoch` of the query: the time column is an integer in this precision. */
  epoch?: Precision | undefined;
  /** Largest chunk of a chunked response, in bytes (`maxChunkBytes`); default 16 MiB. */
  maxChunkBytes?: number | undefined;
}

/**
 * Default largest chunk of a streamed response (`maxChunkBytes`): 16 MiB.
 *
 * ```ts
 * new InfluxDBClient({ maxChunkBytes: 4 * DEFAULT_MAX_CHUNK_BYTES }); // chunks of up to 64 MiB
 * ```
 */
export const DEFAULT_MAX_CHUNK_BYTES = 16 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks that a decoded /query response (or chunk) has InfluxDB's shape: an object with a
 * `results` array (or a top-level `error` string); each result an object whose `statement_id` is a
 * number, `error` a string, `series` an array of objects with `columns` (an array of strings),
 * optional `name` (string), `tags` (object) and `values` (an array of row arrays). Anything else
 * throws {@link InfluxDBServerError} naming what was wrong (`{}`, `[]`, `{"results":"oops"}`,
 * `columns: null`, …); a genuinely empty result (`{"results":[{"statement_id":0}]}`) passes.
 *
 * ```ts
 * checkResponseShape({ results: [{ statement_id: 0 }] }, 'JSON response'); // ok
 * checkResponseShape({}, 'JSON response');
 * // throws InfluxDBServerError: the server's JSON response is not an InfluxDB query response: it has no "results"
 * ```
 */
export function checkResponseShape(value: unknown, what: string): RawResponse {
  const fail = (why: string): never => {
    throw new InfluxDBServerError(`the server's ${what} is not an InfluxDB query response: ${why}`);
  };
  if (!isObject(value)) return fail(`expected an object, got ${describeValue(value, 'kind')}`);
  if (value.error !== undefined && typeof value.error !== 'string')
    fail(`"error" is ${describeValue(value.error, 'kind')}`);
  const results = value.results;
  if (results === undefined) {
    if (typeof value.error === 'string') return value as RawResponse;
    return fail('it has no "results"');
  }
  if (!Array.isArray(results))
    return fail(`"results" is ${describeValue(results, 'kind')}, expected an array`);
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const at = `results[${i}]`;
    if (!isObject(r)) return fail(`${at} is ${describeValue(r, 'kind')}, expected an object`);
    if (r.statement_id !== undefined && typeof r.statement_id !== 'number')
      fail(`${at}.statement_id is ${describeValue(r.statement_id, 'kind')}, expected a number`);
    if (r.error !== undefined && typeof r.error !== 'string')
      fail(`${at}.error is ${describeValue(r.error, 'kind')}`);
    const series = r.series;
    if (series === undefined) continue;
    if (!Array.isArray(series))
      return fail(`${at}.series is ${describeValue(series, 'kind')}, expected an array`);
    for (let j = 0; j < series.length; j++) {
      const s = series[j];
      const sat = `${at}.series[${j}]`;
      if (!isObject(s)) return fail(`${sat} is ${describeValue(s, 'kind')}, expected an object`);
      if (s.name !== undefined && typeof s.name !== 'string')
        fail(`${sat}.name is ${describeValue(s.name, 'kind')}`);
      if (s.tags !== undefined && !isObject(s.tags))
        fail(`${sat}.tags is ${describeValue(s.tags, 'kind')}, expected an object`);
      const columns = s.columns;
      if (!Array.isArray(columns))
        return fail(
          `${sat}.columns is ${columns === undefined ? 'missing' : describeValue(columns, 'kind')}, expected an array of column names`,
        );
      for (let k = 0; k < columns.length; k++) {
        if (typeof columns[k] !== 'string')
          fail(`${sat}.columns[${k}] is ${describeValue(columns[k], 'kind')}, expected a string`);
      }
      const values = s.values;
      if (values === undefined) continue;
      if (!Array.isArray(values))
        return fail(`${sat}.values is ${describeValue(values, 'kind')}, expected an array of rows`);
      for (let k = 0; k < values.length; k++) {
        if (!Array.isArray(values[k]))
          fail(`${sat}.values[${k}] is ${describeValue(values[k], 'kind')}, expected a row array`);
      }
    }
  }
  return value as RawResponse;
}

/** True when times in this epoch are returned as bigint (`n`, `ns`, `u`), false for coarser ones. */
export function epochIsBig(epoch: Precision | undefined): boolean {
  return epoch === 'n' || epoch === 'ns' || epoch === 'u';
}

/**
 * Applies the time-column contract to a decoded response in place: with an `epoch` of `n`, `ns` or
 * `u` every integer time becomes a bigint (small values arrive as exact numbers).
 */
export function normalizeEpochTimes(response: RawResponse, epoch: Precision | undefined): void {
  if (!epochIsBig(epoch) || !Array.isArray(response.results)) return;
  for (const result of response.results) {
    if (!Array.isArray(result.series)) continue;
    for (const series of result.series) {
      const t = series.columns?.indexOf('time') ?? -1;
      if (t < 0 || !Array.isArray(series.values)) continue;
      for (const row of series.values) {
        const v = row[t];
        if (typeof v === 'number') row[t] = BigInt(v);
      }
    }
  }
}
