/**
 * influx-models: an InfluxDB 1.x client and decorator-driven series models.
 * The package root exports what an application uses; `influx-models/testing`, `/nestjs`,
 * `/arrow`, `/schema` and `/wire` (the line-protocol and response codecs under the client) are
 * separate entry points (see "Public API" in the README).
 */

export * from '../decorators/index.js';
export * from './client/index.js';
// errors.ts's transport classification (classifyRequestFailure, classifyHttpStatus,
// systemErrorCode) is internal to the client: not part of the root.
export {
  type FieldTypeConflict,
  type FlushClassReport,
  InfluxAbortError,
  InfluxBufferFullError,
  InfluxClosedError,
  InfluxConfigError,
  InfluxConnectionError,
  InfluxDBClientError,
  InfluxDBPartialWriteError,
  InfluxDBServerError,
  InfluxFieldTypeConflictError,
  InfluxFlushError,
  InfluxModelsError,
  InfluxResponseTooLargeError,
  InfluxTimeoutError,
  InfluxUnsupportedQueryError,
  InfluxValidationError,
  isPermanent,
  REDACTED,
  redact,
} from './errors.js';
export {
  type FieldValue,
  makeLine,
  makeLines,
  makeLinesBytes,
  type Point,
  type Precision,
  type TagValue,
  type TimeInput,
  type WriteBody,
} from './line-protocol/index.js';
export * from './models/index.js';
export * from './query/index.js';
export * from './registry/index.js';
export {
  type RawResult,
  type RawSeries,
  type ResponseFormat,
  type ResultRow,
  ResultSet,
  type ResultTags,
  type ResultValue,
  type SeriesKey,
} from './results/index.js';
export type {
  CommitBatch,
  CommitSink,
  HostOutcome,
  ReplicaFlushOptions,
  ReplicatingSink,
  WriteConsistency,
} from './sink.js';
