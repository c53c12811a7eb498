/**
 * `influx-models/arrow`: {@link FrameClient}, influxdb-python's DataFrameClient on Apache Arrow
 * tables. Needs the optional peer dependency `apache-arrow` (>= 15), loaded on first use.
 */

export { frameKey } from './frame-builder.js';
export { FrameClient, type FrameQuery } from './frame-client.js';
export { type EncodedBody, FrameLineEncoder, frameToLines } from './frame-line-encoder.js';
export type {
  FrameColumnType,
  FrameTagValue,
  QueryFramesOptions,
  QueryTableOptions,
  WriteFrameOptions,
  WriteFrameResult,
} from './frame-options.js';
