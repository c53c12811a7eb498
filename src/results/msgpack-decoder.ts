import { InfluxDBServerError } from '../errors.js';
import { type MsgpackStreamDecoder, readMsgpack, timeText } from './msgpack-reader.js';
import {
  checkResponseShape,
  type DecodeOptions,
  normalizeEpochTimes,
  type RawResponse,
} from './response-format.js';

/**
 * InfluxDB's msgpack time (ext type 5, 12 bytes: int64 seconds, uint32 nanoseconds, big-endian) as
 * the RFC3339 text InfluxDB writes in JSON (`2009-11-10T23:00:00.123456789Z`, trailing zeros
 * trimmed), exactly.
 *
 * ```ts
 * const ext = Buffer.alloc(12);
 * ext.writeBigInt64BE(1257894000n, 0); // seconds
 * ext.writeUInt32BE(123456789, 8); // nanoseconds
 * msgpackTimeToRfc3339(ext); // '2009-11-10T23:00:00.123456789Z'
 * ```
 */
export function msgpackTimeToRfc3339(data: Uint8Array): string {
  return timeText(data, 0);
}

/**
 * Decodes one msgpack /query response (or one chunk of a chunked one) exactly.
 *
 * ```ts
 * const res = await fetch('http://localhost:8086/query?db=metrics&epoch=ns&q=SELECT+*+FROM+cpu', {
 *   headers: { Accept: 'application/x-msgpack' },
 * });
 * const raw = decodeMsgpack(new Uint8Array(await res.arrayBuffer()), { epoch: 'ns' });
 * new ResultSet(raw.results![0]!); // times are bigint nanoseconds
 * ```
 */
export function decodeMsgpack(data: Uint8Array, options: DecodeOptions = {}): RawResponse {
  let parsed: unknown;
  try {
    parsed = readMsgpack(data);
  } catch (err) {
    throw decodeError(err, `${data.byteLength} bytes`);
  }
  return checkMsgpackResponse(parsed, options);
}

/** Feeds one piece of a msgpack response to `decoder`; decoding errors become InfluxDBServerError. */
export function decodePiece(decoder: MsgpackStreamDecoder, piece: Uint8Array): unknown[] {
  try {
    return decoder.push(piece);
  } catch (err) {
    throw decodeError(err, `at byte ${decoder.pendingBytes} of a chunk`);
  }
}

/** A decoded msgpack response, checked to be an object, with the time-column contract applied. */
export function checkMsgpackResponse(parsed: unknown, options: DecodeOptions): RawResponse {
  const response = checkResponseShape(parsed, 'msgpack response');
  normalizeEpochTimes(response, options.epoch);
  return response;
}

function decodeError(err: unknown, where: string): InfluxDBServerError {
  return new InfluxDBServerError(
    `the server's msgpack response could not be decoded (${(err as Error).message}; ${where})`,
    undefined,
    { cause: err },
  );
}
