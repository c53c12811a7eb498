import { addExtension, Unpackr } from 'msgpackr';
import { InfluxDBServerError } from '../errors.js';
import { type DecodeOptions, normalizeEpochTimes, type RawResponse } from './response-format.js';

let lastSeconds = Number.NaN;
let lastBase = '';

/**
 * InfluxDB's msgpack time (ext type 5, 12 bytes: int64 seconds, uint32 nanoseconds, big-endian) as
 * the RFC3339 text InfluxDB writes in JSON (`2009-11-10T23:00:00.123456789Z`, trailing zeros
 * trimmed), exactly. Consecutive rows usually share the second, so its text is cached.
 */
export function msgpackTimeToRfc3339(data: Uint8Array): string {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const seconds = view.getInt32(0) * 0x100000000 + view.getUint32(4);
  const nanos = view.getUint32(8);
  if (seconds !== lastSeconds) {
    lastSeconds = seconds;
    lastBase = new Date(seconds * 1000).toISOString().slice(0, 19);
  }
  if (nanos === 0) return `${lastBase}Z`;
  let frac = String(nanos).padStart(9, '0');
  let end = frac.length;
  while (frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  return `${lastBase}.${frac}Z`;
}

addExtension({ type: 5, unpack: msgpackTimeToRfc3339 });

// int64AsType 'auto': integers within ±2^53 are numbers, larger ones bigint (exact).
const unpackr = new Unpackr({
  int64AsType: 'auto' as 'bigint',
  mapsAsObjects: true,
  useRecords: false,
  moreTypes: false,
});

/** Decodes one msgpack /query response (or one chunk of a chunked one) exactly. */
export function decodeMsgpack(data: Uint8Array, options: DecodeOptions = {}): RawResponse {
  let parsed: RawResponse;
  try {
    parsed = unpackr.unpack(data);
  } catch (err) {
    throw new InfluxDBServerError(
      `the server's msgpack response could not be decoded (${(err as Error).message}; ${data.byteLength} bytes)`,
      undefined,
      { cause: err },
    );
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw new InfluxDBServerError(`unexpected msgpack response (${typeof parsed})`);
  }
  normalizeEpochTimes(parsed, options.epoch);
  return parsed;
}
