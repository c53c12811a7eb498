import { INT64_MAX, INT64_MIN } from './format.js';
import { MAX_NANO_TIME, MIN_NANO_TIME } from './time.js';

/** A field value as InfluxDB stores it: float (number), integer (bigint), string or boolean. */
export type StoredFieldValue = number | bigint | string | boolean;

/** One point read from a line of line protocol. */
export interface ParsedPoint {
  readonly measurement: string;
  /** Tags sorted by key (InfluxDB's series key order). */
  readonly tags: ReadonlyArray<readonly [string, string]>;
  readonly fields: ReadonlyMap<string, StoredFieldValue>;
  /** Nanoseconds since the epoch, or undefined when the line has no timestamp. */
  readonly time: bigint | undefined;
}

/** Why a line could not be read; `message` follows influxd's `unable to parse` wording. */
export class LineParseError extends Error {
  override name = 'LineParseError';
}

const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEANS: Readonly<Record<string, boolean>> = {
  t: true,
  T: true,
  true: true,
  True: true,
  TRUE: true,
  f: false,
  F: false,
  false: false,
  False: false,
  FALSE: false,
};

/**
 * Reads one line of line protocol the way InfluxDB 1.x does (`models.ParsePoints`): measurement
 * with `\,` `\ ` escapes, tags and field keys with `\,` `\ ` `\=` escapes (any other backslash is
 * literal), string fields with `\"` `\\`, floats, `i` integers (int64), booleans, and an optional
 * integer timestamp counted in `unit` nanoseconds. Throws {@link LineParseError} naming the part it
 * could not read. Used by the in-memory engine (`influx-models/testing`).
 *
 * ```ts
 * parseLine('cpu,host=a usage=0.5,cores=4i 1700000000000000000', 1n);
 * // { measurement: 'cpu', tags: [['host', 'a']], fields: Map { usage: 0.5, cores: 4n }, time: 1700000000000000000n }
 * ```
 */
export function parseLine(line: string, unit: bigint): ParsedPoint {
  const n = line.length;
  let i = 0;
  const fail = (why: string): never => {
    throw new LineParseError(`unable to parse '${line}': ${why}`);
  };
  // measurement
  let measurement = '';
  for (; i < n; i++) {
    const c = line[i]!;
    if (c === '\\' && (line[i + 1] === ',' || line[i + 1] === ' ')) {
      measurement += line[++i];
      continue;
    }
    if (c === ',' || c === ' ') break;
    measurement += c;
  }
  if (measurement === '') fail('missing measurement');
  const readKey = (stops: string): string => {
    let s = '';
    for (; i < n; i++) {
      const c = line[i]!;
      if (c === '\\' && (line[i + 1] === ',' || line[i + 1] === ' ' || line[i + 1] === '=')) {
        s += line[++i];
        continue;
      }
      if (stops.includes(c)) break;
      s += c;
    }
    return s;
  };
  const tags = new Map<string, string>();
  while (line[i] === ',') {
    i++;
    const key = readKey('=, ');
    if (line[i] !== '=' || key === '') fail('missing tag key');
    i++;
    const value = readKey(', ');
    if (value === '') fail('missing tag value');
    if (tags.has(key)) fail('duplicate tags');
    if (key === 'time') fail('invalid tag key');
    tags.set(key, value);
  }
  if (line[i] !== ' ') fail('missing fields');
  while (line[i] === ' ') i++;
  const fields = new Map<string, StoredFieldValue>();
  for (;;) {
    const key = readKey('=, ');
    if (key === '' || line[i] !== '=') fail('missing field key');
    i++;
    let value: StoredFieldValue;
    if (line[i] === '"') {
      let s = '';
      i++;
      for (; ; i++) {
        if (i >= n) fail('unbalanced quotes');
        const c = line[i]!;
        if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          s += line[++i];
          continue;
        }
        if (c === '"') break;
        s += c;
      }
      i++;
      value = s;
    } else {
      const start = i;
      while (i < n && line[i] !== ',' && line[i] !== ' ') i++;
      const text = line.slice(start, i);
      if (text === '') fail('missing field value');
      if (text.endsWith('i') && /^[+-]?\d+i$/.test(text)) {
        const v = BigInt(text.slice(0, -1));
        if (v < INT64_MIN || v > INT64_MAX) fail(`unable to parse integer ${text}: value out of range`);
        value = v;
      } else if (text in BOOLEANS) value = BOOLEANS[text]!;
      else if (FLOAT_TEXT.test(text)) {
        const v = Number(text);
        if (!Number.isFinite(v)) fail(`invalid number: ${text}`);
        value = v;
      } else value = fail(`invalid field format: ${text}`);
    }
    if (key === 'time') fail('invalid field name');
    fields.set(key, value);
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  while (line[i] === ' ') i++;
  let time: bigint | undefined;
  if (i < n) {
    const text = line.slice(i).trimEnd();
    if (!/^-?\d+$/.test(text)) fail('bad timestamp');
    time = BigInt(text) * unit;
    if (time < MIN_NANO_TIME || time > MAX_NANO_TIME) fail('time outside range');
  }
  const sortedTags = [...tags].sort((a, b) => compareUtf8(a[0], b[0]));
  return { measurement, tags: sortedTags, fields, time };
}

/** A UTF-16 code unit mapped so that comparing mapped units orders strings as their UTF-8 bytes. */
function byteRank(c: number): number {
  if (c < 0xd800) return c;
  return c <= 0xdfff ? c + 0x2000 : c - 0x800;
}

/**
 * Compares two strings in the order of their UTF-8 bytes (Go's string order, which InfluxDB uses
 * for series keys, tag and field keys); JS's `<` compares UTF-16 units, which differs for
 * characters beyond U+FFFF.
 *
 * ```ts
 * compareUtf8('\uffff', '\u{10000}'); // -1 (JS '<' says the opposite)
 * ```
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return byteRank(x) < byteRank(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
