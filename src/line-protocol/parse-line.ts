import { InfluxValidationError } from '../errors.js';
import type { FieldValue } from './point.js';

/** A point read back from one line: what `makeLine(point, precision)` turns into the same line. */
export interface ParsedPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** The timestamp as written (counted in the line's precision). */
  time: bigint;
}

/**
 * Reads one line that this library wrote (the encoders and the model serializer escape as
 * src/line-protocol/escape.ts describes) back into a point: the inverse of `makeLine`. Integers
 * (`4i`) come back as `bigint`, floats as `number`, strings unescaped. The line must carry a
 * timestamp. Throws {@link InfluxValidationError} for text that is not such a line.
 *
 * ```ts
 * parseLine('cpu,host=a\\ b cores=4i,usage=0.5,note="say \\"hi\\"" 1000');
 * // { measurement: 'cpu', tags: { host: 'a b' }, fields: { cores: 4n, usage: 0.5, note: 'say "hi"' }, time: 1000n }
 * ```
 */
export function parseLine(line: string): ParsedPoint {
  const n = line.length;
  let i = 0;
  const bad = (what: string): never => {
    throw new InfluxValidationError(
      'parseLine',
      undefined,
      `${what} at offset ${i} of ${JSON.stringify(line)}`,
    );
  };
  /** Reads up to an unescaped stop character; `escapes` are the characters a backslash escapes. */
  const read = (stops: string, escapes: string): string => {
    let out = '';
    let from = i;
    while (i < n) {
      const c = line[i] as string;
      if (c === '\\' && i + 1 < n && escapes.includes(line[i + 1] as string)) {
        out += line.slice(from, i);
        from = i + 1;
        i += 2;
        continue;
      }
      if (stops.includes(c)) break;
      i++;
    }
    return out + line.slice(from, i);
  };
  const measurement = read(', ', ', ');
  if (measurement === '') bad('no measurement');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    i++;
    const key = read('=', ', =');
    if (line[i] !== '=') bad('a tag without "="');
    i++;
    tags[key] = read(', ', ', =');
  }
  if (line[i] !== ' ') bad('no field set');
  const fields: Record<string, FieldValue> = {};
  do {
    i++;
    const key = read('=', ', ="');
    if (line[i] !== '=') bad('a field without "="');
    i++;
    if (line[i] === '"') {
      i++;
      let value = '';
      let from = i;
      while (i < n && line[i] !== '"') {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          value += line.slice(from, i);
          from = i + 1;
          i += 2;
          continue;
        }
        i++;
      }
      if (i >= n) bad('an unterminated string field');
      fields[key] = value + line.slice(from, i);
      i++;
      continue;
    }
    const start = i;
    while (i < n && line[i] !== ',' && line[i] !== ' ') i++;
    const text = line.slice(start, i);
    if (text === 'true' || text === 't' || text === 'T' || text === 'TRUE' || text === 'True')
      fields[key] = true;
    else if (text === 'false' || text === 'f' || text === 'F' || text === 'FALSE' || text === 'False')
      fields[key] = false;
    else if (/^-?\d+i$/.test(text)) fields[key] = BigInt(text.slice(0, -1));
    else {
      const v = Number(text);
      if (text === '' || Number.isNaN(v)) bad(`field value ${JSON.stringify(text)} is not a number`);
      fields[key] = v;
    }
  } while (line[i] === ',');
  if (line[i] !== ' ') bad('no timestamp');
  const t = line.slice(i + 1).replace(/\n$/, '');
  if (!/^-?\d+$/.test(t)) bad(`timestamp ${JSON.stringify(t)} is not an integer`);
  return { measurement, tags, fields, time: BigInt(t) };
}
