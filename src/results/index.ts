/**
 * Query results: {@link ResultSet} and the decoders behind it.
 *
 * Value contract (the query builder and the Arrow code rely on it): values are exact. Floats are
 * numbers; integers are numbers when within ±2^53 and `bigint` beyond (an int64 field round-trips
 * exactly); the time column is an RFC3339 string with full nanoseconds by default
 * (`2009-11-10T23:00:00.123456789Z`, as InfluxDB writes it) and, with `epoch`, an integer that
 * never passed through a float: `bigint` for `n`/`ns`/`u`, `number` for `ms` and coarser.
 *
 * Wire format: DECISION_PLACEHOLDER
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
