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
 * (1M rows `cpu,host=… value=<float>,count=<int>i`, influxd 1.6.7, same run, shared 2-core box,
 * best of 3; the numbers move by 10-30% between runs on this box):
 *  - the server produces msgpack faster than JSON (curl to /dev/null: 0.96 s vs 1.55 s) and it is
 *    about half the bytes (32.9 MB vs 60.5 MB);
 *  - decoding a whole response at once: msgpack (the own reader, msgpack-reader.ts) 504 ms, exact
 *    JSON 682 ms (runs ranged from 1.0x to 2.0x in msgpack's favour); msgpackr was about 1.8x
 *    slower than the own reader on the same bytes;
 *  - end to end, queryStream over msgpack 1.22 s vs 1.90 s over JSON, peak RSS ~125 MB either way.
 * msgpack is also the only exact format for types: InfluxDB writes a float with a whole value such
 * as 1e20 as `100000000000000000000` in JSON, indistinguishable from an integer, so the JSON path
 * (json-decoder.ts) returns integers beyond 2^53 as bigint (exact for int64 fields) and such a float
 * as a bigint of the same value. msgpack keeps float64 and int64 apart and sends times as
 * (seconds, nanoseconds) pairs, formatted here as RFC3339 with every nanosecond.
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
