import type { InfluxDBPartialWriteError } from '../errors.js';

/**
 * Which lines of a batch InfluxDB refused in a partial write (HTTP 400 `partial write: …`): the
 * indexes of those lines, or `undefined` when the server's message does not say which lines they
 * are (e.g. `points beyond retention policy`, or a count that does not match).
 *
 * The server names what it refused in four ways (InfluxDB 1.x `tsdb.PartialWriteError`):
 * - `unable to parse '<line>': <reason>` (one per refused line, the line quoted in full);
 * - `field type conflict: input field "f" on measurement "m" is type T, already exists as type U`;
 * - `max-values-per-tag limit exceeded (n/m): measurement="m" tag="k" value="v"`;
 * - `invalid field name: input field "time" on measurement "m" is invalid`.
 * The server reports the first conflict only; when the lines matching it are fewer than
 * `dropped=N`, the refused set is not known and `undefined` is returned.
 *
 * ```ts
 * refusedLines(err, ['cpu v=1i 1', 'cpu v=2 2']); // [0] for "… input field \"v\" … is type integer, already exists as type float dropped=1"
 * ```
 */
export function refusedLines(
  error: InfluxDBPartialWriteError,
  lines: readonly string[],
): number[] | undefined {
  const reason = error.reason;
  const dropped = error.dropped;
  const parse = [...reason.matchAll(/unable to parse '([\s\S]*?)': [^\n]*/g)];
  if (parse.length > 0) {
    const texts = new Set(parse.map((m) => m[1] as string));
    const out: number[] = [];
    lines.forEach((line, i) => {
      if (texts.has(line)) out.push(i);
    });
    return out.length === parse.length ? out : undefined;
  }
  const match = matcherOf(reason);
  if (match === undefined) return undefined;
  const out: number[] = [];
  lines.forEach((line, i) => {
    const parts = splitLine(line);
    if (parts !== undefined && match(parts)) out.push(i);
  });
  if (dropped !== undefined && dropped !== out.length) return undefined;
  return out;
}

const NAME = '((?:[^"\\\\]|\\\\.)*)';
const TYPE_CONFLICT = new RegExp(
  `field type conflict: input field "${NAME}" on measurement "${NAME}" is type (\\w+)`,
);
const MAX_VALUES = new RegExp(
  `max-values-per-tag limit exceeded \\(\\d+/\\d+\\): measurement="${NAME}" tag="${NAME}" value="${NAME}"`,
);
const FIELD_NAME = new RegExp(`invalid field name: input field "${NAME}" on measurement "${NAME}"`);

/** Which lines the server's reason names, or undefined when it names none. */
function matcherOf(reason: string): ((p: LineParts) => boolean) | undefined {
  let m = TYPE_CONFLICT.exec(reason);
  if (m) {
    const [, field, measurement, type] = m as unknown as [string, string, string, string];
    return (p) => p.measurement === measurement && p.fields.get(field) === type;
  }
  m = MAX_VALUES.exec(reason);
  if (m) {
    const [, measurement, tag, value] = m as unknown as [string, string, string, string];
    return (p) => p.measurement === measurement && p.tags.get(tag) === value;
  }
  m = FIELD_NAME.exec(reason);
  if (m) {
    const [, field, measurement] = m as unknown as [string, string, string];
    return (p) => p.measurement === measurement && p.fields.has(field);
  }
  return undefined;
}

interface LineParts {
  measurement: string;
  tags: Map<string, string>;
  /** Field key -> InfluxDB type name of its value (`float`, `integer`, `unsigned`, `string`, `boolean`). */
  fields: Map<string, string>;
}

/** Splits one line of line protocol into unescaped measurement, tags and field types. */
function splitLine(line: string): LineParts | undefined {
  let i = 0;
  const n = line.length;
  const read = (stops: string): string => {
    let out = '';
    while (i < n) {
      const c = line[i] as string;
      if (c === '\\' && i + 1 < n) {
        out += line[i + 1];
        i += 2;
        continue;
      }
      if (stops.includes(c)) break;
      out += c;
      i++;
    }
    return out;
  };
  const measurement = read(', ');
  const tags = new Map<string, string>();
  while (line[i] === ',') {
    i++;
    const k = read('=');
    i++;
    tags.set(k, read(', '));
  }
  if (line[i] !== ' ') return undefined;
  i++;
  const fields = new Map<string, string>();
  for (;;) {
    const k = read('=');
    if (line[i] !== '=') return undefined;
    i++;
    let type: string;
    if (line[i] === '"') {
      i++;
      while (i < n && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
      i++;
      type = 'string';
    } else {
      const start = i;
      while (i < n && line[i] !== ',' && line[i] !== ' ') i++;
      const v = line.slice(start, i);
      if (/^-?\d+i$/.test(v)) type = 'integer';
      else if (/^\d+u$/.test(v)) type = 'unsigned';
      else if (/^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/.test(v)) type = 'boolean';
      else type = 'float';
    }
    fields.set(k, type);
    if (line[i] !== ',') break;
    i++;
  }
  return { measurement, tags, fields };
}
