/**
 * influx-models: an InfluxDB 1.x client and decorator-driven series models.
 * The package root re-exports the public API; `influx-models/testing`, `/nestjs` and `/arrow` are
 * separate entry points.
 */

export * from '../decorators/index.js';
export * from './client/index.js';
export * from './errors.js';
export * from './line-protocol/index.js';
export * from './models/index.js';
export * from './query/index.js';
export * from './registry/index.js';
export * from './results/index.js';
export type {
  CommitBatch,
  CommitSink,
  HostOutcome,
  ReplicaFlushOptions,
  ReplicatingSink,
  WriteConsistency,
} from './sink.js';
