import { InfluxDBServerError } from '../errors.js';
import {
  checkResponseShape,
  type DecodeOptions,
  normalizeEpochTimes,
  type RawResponse,
} from './response-format.js';

/** Integers of 16+ digits in value position (after `[`, `,` or `:`); strings are matched first. */
const BIG_INT_OR_STRING = /"(?:[^"\\]|\\.)*"|(?<=[[,:])-?\d{16,}(?=[,\]}])/g;
const HAS_LONG_DIGITS = /[[,:]-?\d{16}/;
/**
 * The prefix that marks a rewritten integer: \u0001, random hex, colon (random, so no string the
 * server sends can pass for one). Made on first use, so node:crypto is not loaded with the package.
 */
let bigMark: string | undefined;

function reviveBig(node: unknown, mark: string): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string') {
        if (v.charCodeAt(0) === 1 && v.startsWith(mark)) node[i] = BigInt(v.slice(mark.length));
      } else if (v !== null && typeof v === 'object') reviveBig(v, mark);
    }
  } else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (typeof v === 'string') {
        if (v.charCodeAt(0) === 1 && v.startsWith(mark)) o[k] = BigInt(v.slice(mark.length));
      } else if (v !== null && typeof v === 'object') reviveBig(v, mark);
    }
  }
}

/**
 * Parses a JSON /query response exactly: integers beyond 2^53 become bigint instead of losing
 * digits (JSON.parse alone would round them). The fast path is a plain JSON.parse when the text
 * holds no integer token of 16+ digits.
 *
 * Limitation of JSON (not of msgpack): InfluxDB writes a float with a whole value like `1e20` as
 * `100000000000000000000`, so such a float comes back as a bigint of the same value.
 *
 * ```ts
 * parseJsonExact('{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","n"],"values":[[1,9007199254740993]]}]}]}', { epoch: 'ns' });
 * // { results: [{ statement_id: 0, series: [{ name: 'cpu', columns: ['time', 'n'], values: [[1n, 9007199254740993n]] }] }] }
 * ```
 */
export function parseJsonExact(text: string, options: DecodeOptions = {}): RawResponse {
  let parsed: RawResponse;
  try {
    if (!HAS_LONG_DIGITS.test(text)) {
      parsed = JSON.parse(text);
    } else {
      bigMark ??= `\u0001${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}:`;
      const mark = bigMark;
      const markJson = `\\u0001${mark.slice(1)}`;
      let found = false;
      const rewritten = text.replace(BIG_INT_OR_STRING, (m) => {
        if (m.charCodeAt(0) === 34 /* " */ || Number.isSafeInteger(Number(m))) return m;
        found = true;
        return `"${markJson}${m}"`;
      });
      parsed = JSON.parse(rewritten);
      if (found) reviveBig(parsed, mark);
    }
  } catch (err) {
    throw new InfluxDBServerError(
      `the server's JSON response could not be parsed (${(err as Error).message}): ${preview(text)}`,
      undefined,
      { cause: err },
    );
  }
  const response = checkResponseShape(parsed, 'JSON response');
  normalizeEpochTimes(response, options.epoch);
  return response;
}

/** The first 200 characters of a text, for error messages (never megabytes of HTML). */
export function preview(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}… (${text.length} chars)` : oneLine;
}
