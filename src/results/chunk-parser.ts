import { InfluxConnectionError } from '../errors.js';
import { parseJsonExact } from './json-decoder.js';
import { checkMsgpackResponse, decodePiece } from './msgpack-decoder.js';
import { MsgpackStreamDecoder } from './msgpack-reader.js';
import type { DecodeOptions, RawResponse, ResponseFormat } from './response-format.js';

/**
 * Cuts a chunked /query response (`chunked=true`) into its chunks as bytes arrive and decodes each
 * one: JSON chunks are separated by newlines, msgpack chunks are concatenated objects (decoded as
 * their bytes arrive). Only the chunk being received is held, so memory stays flat whatever the
 * result size.
 *
 * Throws {@link InfluxConnectionError} when the body ends in the middle of a chunk.
 *
 * ```ts
 * const res = await fetch('http://localhost:8086/query?db=metrics&chunked=true&chunk_size=10000&q=SELECT+*+FROM+cpu');
 * for await (const chunk of parseChunkedResponse(res.body!, 'json')) {
 *   for (const row of new ResultSet(chunk.results![0]!).getPoints()) console.log(row);
 * }
 * ```
 */
export async function* parseChunkedResponse(
  body: AsyncIterable<Uint8Array>,
  format: ResponseFormat,
  options: DecodeOptions = {},
): AsyncGenerator<RawResponse> {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  if (format === 'json') {
    for await (const raw of body) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      let start = 0;
      let nl = chunk.indexOf(10);
      while (nl !== -1) {
        let line: Buffer;
        if (pendingBytes > 0) {
          pending.push(chunk.subarray(start, nl));
          line = Buffer.concat(pending, pendingBytes + nl - start);
          pending.length = 0;
          pendingBytes = 0;
        } else {
          line = chunk.subarray(start, nl);
        }
        if (line.length > 0) yield parseJsonExact(line.toString('utf8'), options);
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
    }
    if (pendingBytes > 0) {
      const rest = Buffer.concat(pending, pendingBytes).toString('utf8');
      if (rest.trim().length > 0) {
        // The server ends every chunk with a newline; a last line without one is only complete JSON
        // if it parses.
        let parsed: RawResponse;
        try {
          parsed = parseJsonExact(rest, options);
        } catch (err) {
          throw new InfluxConnectionError(
            `the response ended in the middle of a chunk (${pendingBytes} bytes of an incomplete JSON chunk)`,
            { cause: err },
          );
        }
        yield parsed;
      }
    }
    return;
  }

  // msgpack: chunks are concatenated objects, decoded as their bytes arrive (no framing pass, no
  // copy of a whole chunk); only the bytes of a value cut by the end of a piece are kept.
  const decoder = new MsgpackStreamDecoder();
  for await (const raw of body) {
    const values = decodePiece(decoder, raw);
    for (let i = 0; i < values.length; i++) yield checkMsgpackResponse(values[i], options);
  }
  if (decoder.pendingBytes > 0) {
    throw new InfluxConnectionError(
      `the response ended in the middle of a chunk (${decoder.pendingBytes} bytes of an incomplete msgpack chunk)`,
    );
  }
}
