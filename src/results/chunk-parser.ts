import { InfluxConnectionError, InfluxDBServerError, InfluxResponseTooLargeError } from '../errors.js';
import { parseJsonExact } from './json-decoder.js';
import { checkMsgpackResponse, decodePiece } from './msgpack-decoder.js';
import { MsgpackStreamDecoder } from './msgpack-reader.js';
import {
  DEFAULT_MAX_CHUNK_BYTES,
  type DecodeOptions,
  type RawResponse,
  type ResponseFormat,
} from './response-format.js';

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
  const decoder = chunkDecoder(format, options);
  for await (const piece of body) {
    const chunks = decoder.push(piece);
    for (let i = 0; i < chunks.length; i++) yield chunks[i] as RawResponse;
  }
  yield* decoder.end();
}

/** Decodes a response body pushed piece by piece, as the pieces arrive. */
export interface BodyDecoder<T> {
  /** Takes the next piece of the body; returns the values it completes (in order). */
  push(piece: Uint8Array): T[];
  /** The body ended: returns what is left, or throws when the body stopped inside a value. */
  end(): T[];
}

/**
 * The decoder of a chunked /query response: each piece yields the chunks it completes. Throws
 * {@link InfluxConnectionError} from `end()` when the body ends in the middle of a chunk.
 */
export function chunkDecoder(format: ResponseFormat, options: DecodeOptions = {}): BodyDecoder<RawResponse> {
  return format === 'json' ? new JsonLines(options) : new MsgpackChunks(options);
}

/**
 * The decoder of a whole (not chunked) /query response, by its content type: msgpack is decoded as
 * its bytes arrive (the body is never held whole), JSON once complete. `end()` returns the response
 * and throws {@link InfluxDBServerError} when it cannot be decoded.
 */
export function responseDecoder(
  contentType: string,
  options: DecodeOptions = {},
): { push(piece: Uint8Array): void; end(): RawResponse } {
  return contentType.includes('msgpack') ? new MsgpackWhole(options) : new JsonWhole(options);
}

class MsgpackChunks implements BodyDecoder<RawResponse> {
  #decoder = new MsgpackStreamDecoder();
  constructor(private readonly options: DecodeOptions) {}

  push(piece: Uint8Array): RawResponse[] {
    const values = decodePiece(this.#decoder, piece);
    const out: RawResponse[] = [];
    for (let i = 0; i < values.length; i++) out.push(checkMsgpackResponse(values[i], this.options));
    checkChunkSize(this.#decoder.pendingBytes, this.options);
    return out;
  }

  end(): RawResponse[] {
    const pending = this.#decoder.pendingBytes;
    if (pending > 0) {
      throw new InfluxConnectionError(
        `the response ended in the middle of a chunk (${pending} bytes of an incomplete msgpack chunk)`,
      );
    }
    return [];
  }
}

class JsonLines implements BodyDecoder<RawResponse> {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  constructor(private readonly options: DecodeOptions) {}

  push(raw: Uint8Array): RawResponse[] {
    const out: RawResponse[] = [];
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl !== -1) {
      let line: Buffer;
      if (this.#pendingBytes > 0) {
        this.#pending.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.#pending, this.#pendingBytes + nl - start);
        this.#pending = [];
        this.#pendingBytes = 0;
      } else {
        line = chunk.subarray(start, nl);
      }
      if (line.length > 0) out.push(parseJsonExact(line.toString('utf8'), this.options));
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += chunk.length - start;
      checkChunkSize(this.#pendingBytes, this.options);
    }
    return out;
  }

  end(): RawResponse[] {
    if (this.#pendingBytes === 0) return [];
    const rest = Buffer.concat(this.#pending, this.#pendingBytes).toString('utf8');
    if (rest.trim().length === 0) return [];
    // The server ends every chunk with a newline; a last line without one is only complete JSON if
    // it parses.
    try {
      return [parseJsonExact(rest, this.options)];
    } catch (err) {
      throw new InfluxConnectionError(
        `the response ended in the middle of a chunk (${this.#pendingBytes} bytes of an incomplete JSON chunk)`,
        { cause: err },
      );
    }
  }
}

class MsgpackWhole {
  #decoder = new MsgpackStreamDecoder(1);
  #value: unknown[] = [];
  /** Bytes after the end of the response value (InfluxDB sends exactly one value). */
  #trailing = 0;
  constructor(private readonly options: DecodeOptions) {}

  push(piece: Uint8Array): void {
    if (this.#value.length > 0) {
      this.#trailing += piece.length;
      return;
    }
    this.#value = decodePiece(this.#decoder, piece);
    if (this.#value.length > 0) this.#trailing = this.#decoder.pendingBytes;
  }

  end(): RawResponse {
    if (this.#value.length === 0) {
      throw new InfluxDBServerError(
        `the server's msgpack response could not be decoded (the body ended inside a value; ${this.#decoder.pendingBytes} bytes)`,
      );
    }
    if (this.#trailing > 0) {
      throw new InfluxDBServerError(
        `the server's msgpack response is not an InfluxDB query response: ${this.#trailing} bytes follow the response value`,
      );
    }
    return checkMsgpackResponse(this.#value[0], this.options);
  }
}

/** Throws when the chunk being received is over `maxChunkBytes`. */
function checkChunkSize(pending: number, options: DecodeOptions): void {
  const max = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
  if (pending > max)
    throw new InfluxResponseTooLargeError('maxChunkBytes', max, 'a chunk of the streamed response');
}

class JsonWhole {
  #parts: Buffer[] = [];
  #bytes = 0;
  constructor(private readonly options: DecodeOptions) {}

  push(piece: Uint8Array): void {
    const b = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    this.#parts.push(b);
    this.#bytes += b.length;
  }

  end(): RawResponse {
    return parseJsonExact(Buffer.concat(this.#parts, this.#bytes).toString('utf8'), this.options);
  }
}
