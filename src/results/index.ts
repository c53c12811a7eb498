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
 * `new InfluxDBClient({ responseFormat: 'json' })`. Measured with the read group of
 * `npm run bench` (bench/cases/read.ts: `queryStream`, `queryStream-json`, curl floors;
 * 1M rows `cpu,host=…,region=… cores=<int>i,ok=<bool>,usage=<float>`, influxd 1.6.7, shared
 * 2-core box, best of 3-5, measured first with a focused script that these cases replace; the
 * numbers move by 10-30% between runs on this box):
 *  - influxd writes msgpack faster than JSON (curl to /dev/null, chunked: about 1.2 s vs 1.9-2.4 s;
 *    influxd CPU 1.7 s vs 3.2 s) and it is 55% of the bytes (43.9 MB vs 79.2 MB);
 *  - decoding a whole response at once: msgpack 480-700 ms, exact JSON 880-950 ms;
 *  - end to end, queryStream over msgpack 1.07-1.09x curl (reader CPU 0.46 s, peak RSS 111 MB),
 *    query() 1.10x curl fetching the same whole response (peak RSS 288 MB).
 * How: msgpack is decoded in one resumable pass as the bytes arrive (msgpack-reader.ts), in the
 * socket's data events; a whole response is never held as bytes; short strings are shared; rows
 * of a series are built by a function generated per column list (result-set.ts).
 * msgpack is also the only exact format for types: InfluxDB writes a float with a whole value such
 * as 1e20 as `100000000000000000000` in JSON, indistinguishable from an integer, so the JSON path
 * (json-decoder.ts) returns integers beyond 2^53 as bigint (exact for int64 fields) and such a float
 * as a bigint of the same value. msgpack keeps float64 and int64 apart and sends times as
 * (seconds, nanoseconds) pairs, formatted here as RFC3339 with every nanosecond.
 */
export { parseChunkedResponse } from './chunk-parser.js';
export { parseJsonExact } from './json-decoder.js';
export { decodeMsgpack, msgpackTimeToRfc3339 } from './msgpack-decoder.js';
export {
  checkResponseShape,
  DEFAULT_MAX_CHUNK_BYTES,
  type RawResponse,
  type ResponseFormat,
} from './response-format.js';
export {
  type RawResult,
  type RawSeries,
  type ResultRow,
  ResultSet,
  type ResultTags,
  type ResultValue,
  type SeriesKey,
} from './result-set.js';
