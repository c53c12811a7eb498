/**
 * influx-models: an InfluxDB 1.x client and decorator-driven series models.
 * The package root exports what an application uses; `influx-models/testing`, `/nestjs`,
 * `/arrow`, `/schema` and `/wire` (the line-protocol and response codecs under the client) are
 * separate entry points (see "Public API" in the README).
 */

export * from '../decorators/index.js';
export * from './client/index.js';
export * from './errors.js';
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
