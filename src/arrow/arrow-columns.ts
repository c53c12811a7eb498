import type { Data, DataType } from 'apache-arrow';

/*
 * Reading Arrow column data directly (no `Vector.get`, no object per row). Type ids and units are
 * the Arrow specification's (stable across apache-arrow versions), so this file needs no runtime
 * import of apache-arrow: a table built by any copy of the library can be read.
 *
 * Layout facts used here (apache-arrow 15-21): fixed-width `values` are already sliced to the
 * Data's offset (row i is values[i]); validity and Bool bits are NOT (bit offset + i);
 * `valueOffsets` are sliced (row i spans valueOffsets[i]..valueOffsets[i+1] of the unsliced
 * `values`).
 */

export const TYPE_NULL = 1;
export const TYPE_INT = 2;
export const TYPE_FLOAT = 3;
export const TYPE_UTF8 = 5;
export const TYPE_BOOL = 6;
export const TYPE_DATE = 8;
export const TYPE_TIMESTAMP = 10;
export const TYPE_LARGE_UTF8 = 20;
export const TYPE_UTF8_VIEW = 24;
export const TYPE_DICTIONARY = -1;

/** How a column's values are read. */
export type ColumnKind =
  | 'int' // Int8-32, Uint8-32: number typed array
  | 'int64' // BigInt64Array
  | 'uint64' // BigUint64Array
  | 'float' // Float32/64
  | 'float16' // Uint16Array of half floats
  | 'bool'
  | 'utf8' // Utf8 or LargeUtf8 (offsets + bytes)
  | 'string' // other string layouts (Utf8View): read with Vector.get
  | 'dictionary' // indices + dictionary of strings or numbers
  | 'timestamp'
  | 'date';

/** Classifies an Arrow type, or returns undefined when it has no line-protocol meaning. */
export function columnKind(type: DataType): ColumnKind | undefined {
  const t = type as DataType & { bitWidth?: number; isSigned?: boolean; precision?: number };
  switch (type.typeId as number) {
    case TYPE_INT:
      if (t.bitWidth === 64) return t.isSigned ? 'int64' : 'uint64';
      return 'int';
    case TYPE_FLOAT:
      return t.precision === 0 ? 'float16' : 'float';
    case TYPE_BOOL:
      return 'bool';
    case TYPE_UTF8:
    case TYPE_LARGE_UTF8:
      return 'utf8';
    case TYPE_UTF8_VIEW:
      return 'string';
    case TYPE_DICTIONARY:
      return 'dictionary';
    case TYPE_TIMESTAMP:
      return 'timestamp';
    case TYPE_DATE:
      return 'date';
    default:
      return undefined;
  }
}

/** Nanoseconds per unit of a Timestamp or Date column. */
export function nanosPerUnit(type: DataType): bigint {
  const unit = (type as DataType & { unit: number }).unit;
  if ((type.typeId as number) === TYPE_DATE) return unit === 0 ? 86_400_000_000_000n : 1_000_000n;
  switch (unit) {
    case 0:
      return 1_000_000_000n;
    case 1:
      return 1_000_000n;
    case 2:
      return 1_000n;
    default:
      return 1n;
  }
}

/** Row validity of one Data chunk: `valid(i)` for i in 0..length. */
export function validity(data: Data): ((i: number) => boolean) | undefined {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return undefined;
  const bitmap = data.nullBitmap;
  const offset = data.offset;
  return (i) => {
    const pos = offset + i;
    return ((bitmap[pos >> 3] as number) & (1 << (pos & 7))) !== 0;
  };
}

/** Bool value of row i. */
export function boolAt(data: Data, i: number): boolean {
  const pos = data.offset + i;
  return (((data.values as Uint8Array)[pos >> 3] as number) & (1 << (pos & 7))) !== 0;
}

/** Decodes IEEE 754 half-precision bits. */
export function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Returns a reader of the strings of a Utf8/LargeUtf8 Data chunk, decoding with Node's Buffer
 * (no copy of the bytes); plain-ASCII chunks are decoded once and sliced.
 */
export function utf8Reader(data: Data): (i: number) => string {
  const values = data.values as Uint8Array;
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (offsets instanceof Int32Array) {
    const start = offsets[0] as number;
    const end = offsets[data.length] as number;
    const all = buf.toString('latin1', start, end);
    if (isAscii(values, start, end)) {
      return (i) => all.slice((offsets[i] as number) - start, (offsets[i + 1] as number) - start);
    }
    return (i) => buf.toString('utf8', offsets[i] as number, offsets[i + 1] as number);
  }
  return (i) => buf.toString('utf8', Number(offsets[i]), Number(offsets[i + 1]));
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) > 127) return false;
  return true;
}
