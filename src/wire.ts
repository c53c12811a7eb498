/**
 * `influx-models/wire`: the codecs under the client, for code that speaks InfluxDB's wire formats
 * itself (a proxy, a custom transport, a test double): the line-protocol formatters, encoder and
 * line scanner, nanosecond time conversions, and the decoders of `/query` responses (JSON,
 * MessagePack, chunked). An application writes and reads through `InfluxDBClient`, the models and
 * `makeLines` of the package root instead; these names are stable, but lower level.
 *
 * ```ts
 * import { formatFloat, scanLineLength, decodeMsgpack } from 'influx-models/wire';
 * formatFloat(0.1, 'point', 'v'); // '0.1'
 * ```
 */

export * from './line-protocol/index.js';
export * from './results/index.js';
