/**
 * Query results: {@link ResultSet} and the decoders behind it.
 *
 * Value contract (the query builder and the Arrow code rely on it): values are exact. Floats are
 * numbers; integers are numbers when within ±2^53 and `bigint` beyond (an int64 field round-trips
 * exactly); the time column is an RFC3339 string with full nanoseconds by default
 * (`2009-11-10T23:00:00.123456789Z`, as InfluxDB writes it) and, with `epoch`, an integer that
 * never passed through a float: `bigint` for `n`/`ns`/`u`, `number` for `ms` and coarser.
 *
 * Wire format: **msgpack by default** (`Accept: application/x-msgpack`), JSON selectable with
 * `new InfluxDBClient({ responseFormat: 'json' })`. Measured with bench/client-stream.bench.ts
 * (1M rows `cpu,host=… value=<float>,count=<int>i`, influxd 1.6.7, same run, shared 2-core box):
 *  - the server produces msgpack about 1.7-2x faster than JSON (curl to /dev/null: 0.82 s vs
 *    1.40 s, best of 3) and it is half the bytes (32.9 MB vs 60.5 MB);
 *  - decoding the whole response at once: msgpack (the own reader in msgpack-reader.ts) 555 ms,
 *    exact JSON 1125 ms; msgpackr was about 1.8x slower than the own reader on the same bytes;
 *  - end to end, queryStream over msgpack 1.03 s vs 1.78 s over JSON.
 * msgpack is also the only exact format for types: InfluxDB writes a float with a whole value such
 * as 1e20 as `100000000000000000000` in JSON, indistinguishable from an integer, so the JSON path
 * (json-decoder.ts) returns integers beyond 2^53 as bigint (exact for int64 fields) and such a float
 * as a bigint of the same value. msgpack keeps float64 and int64 apart and times as (seconds,
 * nanoseconds) pairs.
 */
export { parseChunkedResponse } from './chunk-parser.js';
export { parseJsonExact } from './json-decoder.js';
export { decodeMsgpack, msgpackTimeToRfc3339 } from './msgpack-decoder.js';
export type { RawResponse, ResponseFormat } from './response-format.js';
export {
  type RawResult,
  type RawSeries,
  type ResultRow,
  ResultSet,
  type ResultTags,
  type ResultValue,
  type SeriesKey,
} from './result-set.js';
