import { InfluxConnectionError, InfluxDBServerError } from '../errors.js';
import { nanosToRfc3339 } from '../line-protocol/time.js';
import {
  DEFAULT_MAX_CHUNK_BYTES,
  type DecodeOptions,
  normalizeEpochTimes,
  type RawResponse,
} from './response-format.js';
import type { RawResult } from './result-set.js';

type Series = NonNullable<RawResult['series']>[number];

/** Rows of one series held before they are handed on as a partial chunk (streams only). */
const ROWS_PER_CHUNK = 10_000;

/**
 * Decodes InfluxDB's CSV answer to a query (`Content-Type: text/csv`, what a server sends for
 * `Accept: application/csv`, and what some proxies and v1-compatible servers send regardless of
 * the `Accept` the client gave) into the same {@link RawResponse} as msgpack and JSON.
 *
 * The format: a header `name,tags,<columns…>`, then one record per row: the series name, its tags
 * as `k=v` pairs joined by commas (line-protocol escaped), the values. A blank line, then a new
 * header, starts series with other columns. An error is `error` then the message.
 *
 * What CSV cannot carry, and how it is read (documented loss, see README "Several servers"):
 * - every series lands in ONE result (`statement_id` 0): CSV does not say where a statement ends
 *   and leaves out statements without rows, so the client refuses a CSV answer to several statements;
 * - value types: `true`/`false` become booleans, text that is a decimal number becomes a number
 *   (an integer beyond 2^53 a bigint), an empty cell `null`, anything else a string; a string field
 *   holding `"42"` therefore comes back as 42, and an integer field as a number;
 * - times are integers (nanoseconds, or the `epoch` precision): without `epoch` they are turned
 *   into RFC3339 strings, exactly (to the nanosecond) as the JSON and msgpack paths give them.
 *
 * ```ts
 * const d = new CsvDecoder({}, true);
 * d.push(Buffer.from('name,tags,time,v\ncpu,host=a,1000000001,0.5\n'));
 * d.whole();
 * // { results: [{ statement_id: 0, series: [{ name: 'cpu', tags: { host: 'a' }, columns: ['time', 'v'],
 * //   values: [['1970-01-01T00:00:01.000000001Z', 0.5]] }] }] }
 * ```
 */
export class CsvDecoder {
  readonly #options: DecodeOptions;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });
  #text = '';
  /** Columns of the current section (after `name,tags`); undefined before a header. */
  #columns: string[] | undefined;
  #expectError = false;
  #error: string | undefined;
  #open: Series | undefined;
  #openKey = '';
  #done: Series[] = [];
  /** A header was seen (an empty body is a response without series). */
  #sawHeader = false;
  /** Decoding a whole response: push() hands nothing on, whole() returns everything. */
  readonly #wholeOnly: boolean;

  constructor(options: DecodeOptions, wholeOnly = false) {
    this.#options = options;
    this.#wholeOnly = wholeOnly;
  }

  /** Takes the next piece; returns the chunks it completes (series whose rows all arrived). */
  push(piece: Uint8Array): RawResponse[] {
    let text: string;
    try {
      text = this.#utf8.decode(piece, { stream: true });
    } catch {
      throw new InfluxDBServerError("the server's CSV response is not valid UTF-8");
    }
    this.#text += text;
    this.#parse(false);
    const max = this.#options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    if (this.#text.length > max) {
      throw new InfluxDBServerError(`the server's CSV response has a record longer than ${max} bytes`);
    }
    return this.#wholeOnly ? [] : this.#take(false);
  }

  /** The body ended: the rest, as chunks. */
  end(): RawResponse[] {
    this.#parse(true);
    return this.#take(true);
  }

  /** The body ended: the whole response (all series in one result). */
  whole(): RawResponse {
    this.#parse(true);
    if (this.#error !== undefined) return { error: this.#error };
    if (this.#open !== undefined) this.#done.push(this.#open);
    this.#open = undefined;
    const result: RawResult = { statement_id: 0 };
    if (this.#done.length > 0) result.series = this.#done;
    return this.#finish({ results: [result] });
  }

  #finish(response: RawResponse): RawResponse {
    normalizeEpochTimes(response, this.#options.epoch);
    return response;
  }

  #take(final: boolean): RawResponse[] {
    if (this.#error !== undefined) {
      const error = this.#error;
      this.#error = undefined;
      return [{ error }];
    }
    const series = this.#done;
    let partial = false;
    if (final && this.#open !== undefined) {
      series.push(this.#open);
      this.#open = undefined;
    } else if (this.#open !== undefined && (this.#open.values?.length ?? 0) >= ROWS_PER_CHUNK) {
      // a long series is handed on in pieces; the next piece has the same name and tags
      series.push({ ...this.#open, partial: true } as Series);
      this.#open = { ...this.#open, values: [] };
      partial = true;
    }
    this.#done = [];
    if (series.length === 0) {
      return final && !this.#sawHeader ? [this.#finish({ results: [{ statement_id: 0 }] })] : [];
    }
    const result: RawResult = { statement_id: 0, series };
    if (partial) (result as { partial?: boolean }).partial = true;
    return [this.#finish({ results: [result] })];
  }

  /** Parses every complete record of the text held (and, at the end, the last one). */
  #parse(final: boolean): void {
    const text = this.#text;
    let pos = 0;
    for (;;) {
      const rec = readRecord(text, pos, final);
      if (rec === undefined) break;
      pos = rec.next;
      this.#record(rec.fields);
      if (pos >= text.length) break;
    }
    this.#text = text.slice(pos);
    if (final && this.#text.length > 0) {
      throw new InfluxConnectionError('the CSV response ended inside a quoted value');
    }
  }

  #record(fields: string[]): void {
    if (fields.length === 1 && fields[0] === '') {
      this.#columns = undefined; // blank line: a header follows
      return;
    }
    if (this.#expectError) {
      this.#error = fields.join(',');
      this.#expectError = false;
      return;
    }
    if (this.#columns === undefined) {
      if (fields.length === 1 && fields[0] === 'error') {
        this.#expectError = true;
        return;
      }
      if (fields[0] !== 'name' || fields[1] !== 'tags') {
        throw new InfluxDBServerError(
          `the server's CSV response is not an InfluxDB query response: its header starts with ${JSON.stringify(fields.slice(0, 2).join(','))}, expected "name,tags"`,
        );
      }
      this.#columns = fields.slice(2);
      this.#sawHeader = true;
      return;
    }
    const columns = this.#columns;
    if (fields.length !== columns.length + 2) {
      throw new InfluxDBServerError(
        `the server's CSV response has a row of ${fields.length} cells under a header of ${columns.length + 2}`,
      );
    }
    const name = fields[0] as string;
    const tagText = fields[1] as string;
    const key = `${name}\u0000${tagText}\u0000${columns.join(',')}`;
    if (this.#open === undefined || key !== this.#openKey) {
      if (this.#open !== undefined) this.#done.push(this.#open);
      const s: Series = { name, columns, values: [] };
      if (tagText !== '') s.tags = parseTags(tagText);
      this.#open = s;
      this.#openKey = key;
    }
    const timeAt = columns.indexOf('time');
    const row: unknown[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const cell = fields[i + 2] as string;
      row[i] = i === timeAt ? this.#time(cell) : cellValue(cell);
    }
    (this.#open.values as unknown[][]).push(row);
  }

  #time(cell: string): unknown {
    if (!/^-?\d+$/.test(cell)) return cellValue(cell);
    if (this.#options.epoch !== undefined) return cellValue(cell);
    return nanosToRfc3339(BigInt(cell));
  }
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A CSV cell as the value InfluxDB most likely stored (see {@link CsvDecoder} for the loss). */
function cellValue(cell: string): unknown {
  if (cell === '') return null;
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (NUMBER.test(cell)) {
    if (/^-?\d+$/.test(cell)) {
      const n = Number(cell);
      return Number.isSafeInteger(n) ? n : BigInt(cell);
    }
    return Number(cell);
  }
  return cell;
}

/** `host=a\,b,r=x\ y` (line-protocol escaped, as InfluxDB writes a series key) -> `{ host: 'a,b', r: 'x y' }`. */
function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  let key = '';
  let cur = '';
  let inValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length && /[,= \\]/.test(text[i + 1] as string)) {
      cur += text[++i];
    } else if (c === '=' && !inValue) {
      key = cur;
      cur = '';
      inValue = true;
    } else if (c === ',' && inValue) {
      tags[key] = cur;
      cur = '';
      inValue = false;
    } else {
      cur += c;
    }
  }
  if (inValue) tags[key] = cur;
  return tags;
}

/**
 * Reads one RFC 4180 record from `pos`: fields split by `,`, quoted with `"` (`""` inside), ended by
 * `\n` or `\r\n`. Undefined when the record is not complete yet (unless `final`).
 */
function readRecord(
  text: string,
  pos: number,
  final: boolean,
): { fields: string[]; next: number } | undefined {
  const fields: string[] = [];
  let i = pos;
  let field = '';
  for (;;) {
    if (i >= text.length) {
      if (!final || i === pos) return undefined;
      fields.push(field);
      return { fields, next: i };
    }
    let c = text[i];
    if (c === '"' && field === '') {
      // quoted field
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return undefined; // incomplete
        if (text[q + 1] === '"') {
          field += text.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        if (q + 1 >= text.length && !final) return undefined; // cannot tell yet
        field += text.slice(j, q);
        i = q + 1;
        break;
      }
      c = text[i];
      if (i >= text.length) continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      fields.push(field);
      return { fields, next: i + (c === '\r' ? 2 : 1) };
    } else if (c === '\r' && i + 1 >= text.length && !final) {
      return undefined;
    } else {
      // plain text up to the next separator (a lone '\r' is text)
      const stop = Math.max(i + 1, nextSpecial(text, i + 1));
      field += text.slice(i, stop);
      i = stop;
    }
  }
}

function nextSpecial(text: string, from: number): number {
  for (let k = from; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 44 || c === 10 || c === 13) return k;
  }
  return text.length;
}
