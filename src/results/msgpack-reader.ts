/**
 * A msgpack decoder specialised for InfluxDB /query responses: maps with string keys, arrays,
 * strings, float64, int64 (number within ±2^53, bigint beyond: exact), nil/bool and InfluxDB's time
 * extension (type 5: int64 seconds + uint32 nanoseconds) turned into RFC3339 text with every
 * nanosecond.
 *
 * It is resumable ({@link MsgpackStreamDecoder}): bytes are decoded as they arrive, and a value cut
 * by the end of the received bytes is taken up again when more come, so a chunked response is
 * decoded in one pass without first finding where each chunk ends, and without holding the bytes of
 * a whole chunk. Containers are built with an explicit stack; a short array of scalars (a row) is
 * read in one go, and read again from its start if the bytes ended inside it. Short ASCII strings
 * (tag values, column names, keys) are shared through a small cache instead of being allocated for
 * every row.
 */

/** Thrown when the bytes end before the value does. */
export class MsgpackIncompleteError extends Error {
  override name = 'MsgpackIncompleteError';
}

// ---- the state of the decode in progress (set by MsgpackStreamDecoder#push, one at a time) ------

let src: Uint8Array = new Uint8Array(0);
let view: DataView = new DataView(new ArrayBuffer(0));
let pos = 0;
let end = 0;
/** Why the last scalar() returned nothing: 0 = no failure. */
let fail = 0;
/** With fail === INCOMPLETE: the offset in src up to which bytes are needed to go on. */
let need = 0;
const INCOMPLETE = 1;
const NESTED = 2;

const decoder = new TextDecoder('utf-8', { fatal: false });
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Bytes of the next piece copied behind a cut value to finish it (see push). */
const BRIDGE_SLACK = 256;

/** Arrays of at most this many elements are first tried as a flat array of scalars (a row). */
const FLAT_MAX = 16;

/**
 * Decodes a stream of concatenated msgpack values (the chunks of a chunked /query response, or the
 * single value of a whole response) from byte pieces cut anywhere.
 *
 * ```ts
 * const d = new MsgpackStreamDecoder();
 * d.push(bytes.subarray(0, 10)); // []: nothing complete yet
 * d.push(bytes.subarray(10));    // [{ results: [...] }]: each value completed by these bytes
 * d.pendingBytes;                // 0: no value in progress
 * ```
 */
export class MsgpackStreamDecoder {
  /** Containers under construction, innermost last. */
  #targets: unknown[] = [];
  #remaining: number[] = [];
  #isMap: boolean[] = [];
  #keys: string[] = [];
  #hasKey: boolean[] = [];
  #depth = 0;
  /** Received bytes not decoded yet (the start of a value cut by the end of a piece). */
  #rest: Uint8Array[] = [];
  #restBytes = 0;
  /** Bytes (counted from the start of #rest) needed before decoding is worth trying again. */
  #need = 0;
  #limit: number;
  /** Bytes pushed so far, and the offset (in them) where the last complete top-level value ended. */
  #fed = 0;
  #lastEnd = 0;
  /** Offset (in all bytes pushed) of the first byte of the data being decoded. */
  #base = 0;

  /** @param limit stop after this many top-level values (the rest of the bytes is ignored). */
  constructor(limit = Number.POSITIVE_INFINITY) {
    this.#limit = limit;
  }

  /**
   * Bytes received since the end of the last complete top-level value: 0 when the bytes so far
   * ended exactly at the end of a value.
   */
  get pendingBytes(): number {
    return this.#fed - this.#lastEnd;
  }

  /**
   * Decodes what `piece` completes and returns the top-level values finished by it (usually none
   * or one). Throws `TypeError` on bytes that are not msgpack InfluxDB writes.
   */
  push(piece: Uint8Array): unknown[] {
    const out: unknown[] = [];
    if (this.#limit <= 0) return out;
    this.#fed += piece.length;
    if (this.#restBytes === 0) {
      this.#decode(piece, 0, this.#fed - piece.length, out);
      return out;
    }
    const parts = this.#rest;
    parts.push(piece);
    const total = this.#restBytes + piece.length;
    if (total < this.#need) {
      this.#restBytes = total;
      return out;
    }
    this.#rest = [];
    this.#restBytes = 0;
    const base = this.#fed - total;
    let from = 0;
    if (parts.length === 2) {
      // The usual case: a value (a row) cut by the end of the previous piece. Finish it from a small
      // bridge (its start plus the first bytes of this piece), then go on in this piece itself,
      // rather than copying the whole piece behind the cut bytes.
      const head = parts[0] as Uint8Array;
      const take = this.#need - head.length + BRIDGE_SLACK;
      if (take < piece.length) {
        const bridge = Buffer.allocUnsafe(head.length + take);
        bridge.set(head, 0);
        bridge.set(piece.subarray(0, take), head.length);
        const stop = this.#decode(bridge, 0, base, out, false);
        if (this.#limit <= 0) return out;
        if (stop >= head.length) {
          this.#decode(piece, stop - head.length, base + head.length, out);
          return out;
        }
        from = stop; // the cut value is longer than the bridge
      }
    }
    this.#decode(concat(parts, total), from, base, out);
    return out;
  }

  /**
   * Decodes `data` from `start` (`base`: its offset in all bytes pushed) into `out`; returns where
   * it stopped. Unless `keep` is false, bytes after that point are kept for the next push.
   */
  #decode(data: Uint8Array, start: number, base: number, out: unknown[], keep = true): number {
    this.#base = base;
    src = data;
    view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    pos = start;
    end = data.length;
    try {
      this.#run(out);
      if (keep && pos < end && this.#limit > 0) {
        const rest = data.subarray(pos);
        this.#rest.push(rest);
        this.#restBytes = rest.length;
        this.#need = need - pos;
      }
      return pos;
    } finally {
      src = EMPTY;
      view = EMPTY_VIEW;
    }
  }

  #run(out: unknown[]): void {
    const targets = this.#targets;
    const remaining = this.#remaining;
    const isMap = this.#isMap;
    const keys = this.#keys;
    const hasKey = this.#hasKey;
    let depth = this.#depth;
    try {
      for (;;) {
        const p = pos;
        if (p >= end) {
          need = p + 1;
          return;
        }
        const b = src[p] as number;
        let count = -1;
        let header = 1;
        let map = false;
        if (b >= 0x80 && b < 0xa0) {
          count = b & 0x0f;
          map = b < 0x90;
        } else if (b >= 0xdc && b <= 0xdf) {
          header = b & 1 ? 5 : 3;
          if (p + header > end) {
            need = p + header;
            return;
          }
          count = b & 1 ? view.getUint32(p + 1) : view.getUint16(p + 1);
          map = b >= 0xde;
        }
        let value: unknown;
        if (count < 0) {
          fail = 0;
          value = scalar();
          if (fail !== 0) {
            if (fail === INCOMPLETE) return;
            throw new TypeError(`invalid msgpack byte 0x${b.toString(16)} at ${p}`);
          }
        } else if (count === 0) {
          pos = p + header;
          value = map ? {} : [];
        } else {
          pos = p + header;
          let open = map || count > FLAT_MAX;
          if (!open) {
            fail = 0;
            value = flat(count);
            if (fail === INCOMPLETE) {
              pos = p;
              return;
            }
            open = fail === NESTED;
          }
          if (open) {
            pos = p + header;
            fail = 0;
            targets[depth] = map ? {} : [];
            remaining[depth] = count;
            isMap[depth] = map;
            hasKey[depth] = false;
            depth++;
            continue;
          }
        }
        // attach the value to its container, closing the containers it completes
        for (;;) {
          if (depth === 0) {
            out.push(value);
            this.#lastEnd = this.#base + pos;
            if (--this.#limit <= 0) return;
            break;
          }
          const d = depth - 1;
          if (isMap[d]) {
            if (!hasKey[d]) {
              keys[d] = typeof value === 'string' ? value : String(value);
              hasKey[d] = true;
              break;
            }
            (targets[d] as Record<string, unknown>)[keys[d] as string] = value;
            hasKey[d] = false;
          } else {
            (targets[d] as unknown[]).push(value);
          }
          if (--(remaining[d] as number) > 0) break;
          value = targets[d];
          targets[d] = undefined;
          depth = d;
        }
      }
    } finally {
      this.#depth = depth;
    }
  }
}

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes one msgpack value from `data` (which must hold at least one complete value). */
export function readMsgpack(data: Uint8Array): unknown {
  const d = new MsgpackStreamDecoder(1);
  const out = d.push(data);
  if (out.length === 0) throw new MsgpackIncompleteError(`msgpack value ends past its ${data.length} bytes`);
  return out[0];
}

/** An array of `length` scalars as a packed array; sets `fail` when it is not one (or is cut). */
function flat(length: number): unknown[] | undefined {
  // Array literals (evaluated left to right) make packed arrays: rows are short.
  let out: unknown[];
  switch (length) {
    case 1:
      out = [scalar()];
      break;
    case 2:
      out = [scalar(), scalar()];
      break;
    case 3:
      out = [scalar(), scalar(), scalar()];
      break;
    case 4:
      out = [scalar(), scalar(), scalar(), scalar()];
      break;
    case 5:
      out = [scalar(), scalar(), scalar(), scalar(), scalar()];
      break;
    case 6:
      out = [scalar(), scalar(), scalar(), scalar(), scalar(), scalar()];
      break;
    case 7:
      out = [scalar(), scalar(), scalar(), scalar(), scalar(), scalar(), scalar()];
      break;
    case 8:
      out = [scalar(), scalar(), scalar(), scalar(), scalar(), scalar(), scalar(), scalar()];
      break;
    default:
      out = [];
      for (let i = 0; i < length && fail === 0; i++) out.push(scalar());
  }
  return fail === 0 ? out : undefined;
}

function cut(needed: number): undefined {
  fail = INCOMPLETE;
  need = needed;
  return undefined;
}

/**
 * Reads one scalar at `pos` and moves past it. When the bytes end inside it (fail = INCOMPLETE),
 * at a container (NESTED) or at an invalid byte (also NESTED: the caller finds out), returns
 * undefined without moving. Once `fail` is set, later calls fail the same way.
 */
function scalar(): unknown {
  const p = pos;
  if (p >= end) return cut(p + 1);
  const b = src[p] as number;
  if (b < 0x80) {
    pos = p + 1;
    return b;
  }
  if (b >= 0xe0) {
    pos = p + 1;
    return b - 0x100;
  }
  if (b >= 0xa0 && b < 0xc0) return str(p + 1, b & 0x1f);
  switch (b) {
    case 0xcb:
      if (p + 9 > end) return cut(p + 9);
      pos = p + 9;
      return view.getFloat64(p + 1);
    case 0xc0:
      pos = p + 1;
      return null;
    case 0xc2:
      pos = p + 1;
      return false;
    case 0xc3:
      pos = p + 1;
      return true;
    case 0xd3:
    case 0xcf: {
      if (p + 9 > end) return cut(p + 9);
      pos = p + 9;
      const hi = b === 0xd3 ? view.getInt32(p + 1) : view.getUint32(p + 1);
      if (hi >= -0x200000 && hi < 0x200000) return hi * 0x100000000 + view.getUint32(p + 5);
      return b === 0xd3 ? view.getBigInt64(p + 1) : view.getBigUint64(p + 1);
    }
    case 0xc7: {
      // ext8: length, type, data
      if (p + 3 > end) return cut(p + 3);
      const n = src[p + 1] as number;
      if (p + 3 + n > end) return cut(p + 3 + n);
      return ext(view.getInt8(p + 2), n, p + 3);
    }
    case 0xd9:
      if (p + 2 > end) return cut(p + 2);
      return str(p + 2, src[p + 1] as number);
    case 0xda:
      if (p + 3 > end) return cut(p + 3);
      return str(p + 3, view.getUint16(p + 1));
    case 0xdb:
      if (p + 5 > end) return cut(p + 5);
      return str(p + 5, view.getUint32(p + 1));
    case 0xca:
      if (p + 5 > end) return cut(p + 5);
      pos = p + 5;
      return view.getFloat32(p + 1);
    case 0xcc:
      if (p + 2 > end) return cut(p + 2);
      pos = p + 2;
      return src[p + 1];
    case 0xcd:
      if (p + 3 > end) return cut(p + 3);
      pos = p + 3;
      return view.getUint16(p + 1);
    case 0xce:
      if (p + 5 > end) return cut(p + 5);
      pos = p + 5;
      return view.getUint32(p + 1);
    case 0xd0:
      if (p + 2 > end) return cut(p + 2);
      pos = p + 2;
      return view.getInt8(p + 1);
    case 0xd1:
      if (p + 3 > end) return cut(p + 3);
      pos = p + 3;
      return view.getInt16(p + 1);
    case 0xd2:
      if (p + 5 > end) return cut(p + 5);
      pos = p + 5;
      return view.getInt32(p + 1);
    case 0xc4:
    case 0xc5:
    case 0xc6: {
      const h = b === 0xc4 ? 2 : b === 0xc5 ? 3 : 5;
      if (p + h > end) return cut(p + h);
      const n =
        b === 0xc4 ? (src[p + 1] as number) : b === 0xc5 ? view.getUint16(p + 1) : view.getUint32(p + 1);
      if (p + h + n > end) return cut(p + h + n);
      pos = p + h + n;
      return Buffer.from(src.subarray(p + h, p + h + n));
    }
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: {
      const n = 1 << (b - 0xd4);
      if (p + 2 + n > end) return cut(p + 2 + n);
      return ext(view.getInt8(p + 1), n, p + 2);
    }
    case 0xc8: {
      if (p + 4 > end) return cut(p + 4);
      const n = view.getUint16(p + 1);
      if (p + 4 + n > end) return cut(p + 4 + n);
      return ext(view.getInt8(p + 3), n, p + 4);
    }
    case 0xc9: {
      if (p + 6 > end) return cut(p + 6);
      const n = view.getUint32(p + 1);
      if (p + 6 + n > end) return cut(p + 6 + n);
      return ext(view.getInt8(p + 5), n, p + 6);
    }
    default:
      // a container (the caller reads it) or an invalid byte (the caller reports it)
      fail = NESTED;
      return undefined;
  }
}

function ext(type: number, length: number, at: number): unknown {
  if (type === 5 && length === 12) {
    pos = at + 12;
    return timeText(src, at);
  }
  throw new TypeError(`unsupported msgpack extension type ${type} (${length} bytes)`);
}

// ---- strings ------------------------------------------------------------------------------------

/** Short ASCII strings seen recently, by a hash of their bytes (tag values repeat on every row). */
const CACHE_SIZE = 4096;
const cache: string[] = new Array<string>(CACHE_SIZE).fill('');
const CACHE_MAX_LENGTH = 32;

function str(start: number, length: number): string | undefined {
  const stop = start + length;
  if (stop > end) return cut(stop);
  pos = stop;
  if (length > CACHE_MAX_LENGTH) return decoder.decode(src.subarray(start, stop));
  let h = length;
  for (let i = start; i < stop; i++) {
    const c = src[i] as number;
    if (c >= 0x80) return decoder.decode(src.subarray(start, stop));
    h = Math.imul(h ^ c, 0x01000193);
  }
  h = (h ^ (h >>> 15)) & (CACHE_SIZE - 1);
  const hit = cache[h] as string;
  if (hit.length === length) {
    let i = 0;
    while (i < length && hit.charCodeAt(i) === src[start + i]) i++;
    if (i === length) return hit;
  }
  const s = length === 0 ? '' : latin1Slice.call(src, start, stop);
  cache[h] = s;
  return s;
}

// ---- times --------------------------------------------------------------------------------------

let lastSeconds = Number.NaN;
const fromCharCode = String.fromCharCode;
/**
 * For each fraction length n (0..9), the character codes of a whole time text: the 19 codes of
 * `YYYY-MM-DDTHH:MM:SS` for lastSeconds, then `.` and n digits when n > 0, then `Z`.
 */
const CODES: number[][] = Array.from({ length: 10 }, (_, n) => {
  const codes = new Array<number>(n === 0 ? 20 : 21 + n).fill(48);
  if (n > 0) codes[19] = 46;
  codes[codes.length - 1] = 90;
  return codes;
});

/**
 * InfluxDB's time extension payload (12 bytes at `at`) as RFC3339 with nanoseconds, trailing zeros
 * of the fraction trimmed as InfluxDB does. Built with one `String.fromCharCode` call: a flat string
 * (concatenating the parts would make a tree of 4-5 cons strings, about three times the memory of a
 * result held whole, and slower to collect).
 */
export function timeText(bytes: Uint8Array, at: number): string {
  const hi =
    ((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number);
  const lo =
    (((bytes[at + 4] as number) << 24) |
      ((bytes[at + 5] as number) << 16) |
      ((bytes[at + 6] as number) << 8) |
      (bytes[at + 7] as number)) >>>
    0;
  const nanos =
    (((bytes[at + 8] as number) << 24) |
      ((bytes[at + 9] as number) << 16) |
      ((bytes[at + 10] as number) << 8) |
      (bytes[at + 11] as number)) >>>
    0;
  const seconds = hi * 0x100000000 + lo;
  if (seconds !== lastSeconds) {
    const text = new Date(seconds * 1000).toISOString();
    for (const codes of CODES) for (let i = 0; i < 19; i++) codes[i] = text.charCodeAt(i);
    lastSeconds = seconds;
  }
  // the nine fraction digits by groups of three, and how many are left once trailing zeros are trimmed
  const ms = Math.floor(nanos / 1_000_000);
  const rest = nanos - ms * 1_000_000;
  const us = Math.floor(rest / 1000);
  const ns = rest - us * 1000;
  const n =
    nanos === 0
      ? 0
      : ns !== 0
        ? 6 + (KEPT[ns] as number)
        : us !== 0
          ? 3 + (KEPT[us] as number)
          : (KEPT[ms] as number);
  const codes = CODES[n] as number[];
  // codes[19 + k] is the k-th fraction digit (k = 1..n); the rest of the array was set up once
  if (n > 0) codes[20] = D1[ms] as number;
  if (n > 1) codes[21] = D2[ms] as number;
  if (n > 2) codes[22] = D3[ms] as number;
  if (n > 3) codes[23] = D1[us] as number;
  if (n > 4) codes[24] = D2[us] as number;
  if (n > 5) codes[25] = D3[us] as number;
  if (n > 6) codes[26] = D1[ns] as number;
  if (n > 7) codes[27] = D2[ns] as number;
  if (n > 8) codes[28] = D3[ns] as number;
  return fromCharCode.apply(null, codes);
}

/** For 0..999: the character codes of its three digits, and how many are left without trailing zeros. */
const D1 = new Uint8Array(1000);
const D2 = new Uint8Array(1000);
const D3 = new Uint8Array(1000);
const KEPT = new Uint8Array(1000);
for (let i = 0; i < 1000; i++) {
  D1[i] = 48 + Math.floor(i / 100);
  D2[i] = 48 + (Math.floor(i / 10) % 10);
  D3[i] = 48 + (i % 10);
  KEPT[i] = i % 10 !== 0 ? 3 : i % 100 !== 0 ? 2 : i !== 0 ? 1 : 0;
}
