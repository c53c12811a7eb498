import { InfluxValidationError } from '../errors.js';

/*
 * The two InfluxQL literals that cannot travel as bound parameters in InfluxDB 1.6 through the
 * client's `bindParams` (durations and regexes), validated or escaped so that they are written
 * inline without any way to end the literal early.
 */

const DURATION = /^(?:\d+(?:ns|u|µ|ms|s|m|h|d|w))+$/;

/**
 * Checks an InfluxQL duration literal (`10s`, `5m`, `1h30m`, `2w`, `500ms`, `10u`, `7ns`) and
 * returns it; `allowNegative` accepts a leading `-` (for GROUP BY time offsets).
 *
 * ```ts
 * checkDuration('1h30m', 'query', 'groupBy'); // '1h30m'
 * checkDuration('1 hour', 'query', 'groupBy'); // throws InfluxValidationError
 * ```
 */
export function checkDuration(
  value: unknown,
  where: string,
  property: string,
  allowNegative = false,
): string {
  if (typeof value !== 'string') {
    throw new InfluxValidationError(
      where,
      property,
      `duration must be a string such as '5m', got ${typeof value}`,
    );
  }
  const body = allowNegative && value.startsWith('-') ? value.slice(1) : value;
  if (!DURATION.test(body)) {
    throw new InfluxValidationError(
      where,
      property,
      `${JSON.stringify(value)} is not an InfluxQL duration (digits followed by ns, u, ms, s, m, h, d or w, e.g. '5m' or '1h30m')`,
    );
  }
  return value;
}

const HEX_ESCAPED: Record<string, string> = { '/': '\\x2F', "'": '\\x27', '"': '\\x22', ';': '\\x3B' };

/**
 * Writes an RE2 regex source as an InfluxQL regex literal `/…/`, with the same meaning and nothing
 * that could end it early: `/`, `'`, `"` and `;` (escaped or not) become the RE2 hex escapes
 * `\x2F`, `\x27`, `\x22`, `\x3B` (so the literal holds no delimiter, quote or statement separator
 * for any InfluxQL scanner or statement splitter to misread), a newline becomes `\n`, and a source
 * ending in an escaped backslash gets an empty group `(?:)` so that backslash cannot escape the
 * closing slash. (Inside RE2's `\Q…\E` literal quoting these escapes would be taken literally; the
 * builder never produces `\Q`.)
 *
 * ```ts
 * regexLiteral("^a/b'c$"); // '/^a\\x2Fb\\x27c$/'
 * ```
 */
export function regexLiteral(source: string, where = 'regex', property?: string): string {
  if (typeof source !== 'string') {
    throw new InfluxValidationError(
      where,
      property,
      `regex must be a string or RegExp, got ${typeof source}`,
    );
  }
  let body = '';
  const n = source.length;
  for (let i = 0; i < n; i++) {
    const c = source[i]!;
    if (c === '\\') {
      if (i + 1 >= n) {
        throw new InfluxValidationError(
          where,
          property,
          `regex ${JSON.stringify(source)} ends with a lone backslash`,
        );
      }
      const d = source[++i]!;
      const hex = HEX_ESCAPED[d];
      if (hex !== undefined) body += hex;
      else if (d === '\n') body += '\\n';
      else if (d === '\r') body += '\\r';
      else body += `\\${d}`;
    } else {
      const hex = HEX_ESCAPED[c];
      body += hex ?? (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c);
    }
  }
  if (body.endsWith('\\')) body += '(?:)';
  return `/${body}/`;
}

/**
 * Converts a JavaScript `RegExp` to RE2 source: flags `i`, `m` and `s` become `(?ims)`; `u` is
 * accepted (RE2 is always Unicode-aware); `g`, `y`, `d` and `v` have no meaning in a filter and are
 * refused. The pattern itself must use syntax RE2 understands (no lookaround, no back-references).
 *
 * ```ts
 * regexSource(/^server-\d+$/i); // '(?i)^server-\\d+$'
 * ```
 */
export function regexSource(value: RegExp | string, where = 'regex', property?: string): string {
  if (typeof value === 'string') return value;
  if (!(value instanceof RegExp)) {
    throw new InfluxValidationError(where, property, `regex must be a string or RegExp, got ${typeof value}`);
  }
  let flags = '';
  for (const f of value.flags) {
    if (f === 'i' || f === 'm' || f === 's') flags += f;
    else if (f !== 'u') {
      throw new InfluxValidationError(
        where,
        property,
        `regex flag '${f}' is not supported by InfluxDB (use i, m, s)`,
      );
    }
  }
  if (/\(\?<?[=!]|\\[1-9]/.test(value.source)) {
    throw new InfluxValidationError(
      where,
      property,
      `regex ${value} uses lookaround or a back-reference, which InfluxDB's RE2 engine does not support`,
    );
  }
  return flags ? `(?${flags})${value.source}` : value.source;
}

/**
 * Escapes every regex metacharacter of a plain text, like Go's `regexp.QuoteMeta`, to match it
 * literally inside a regex (e.g. a prefix search).
 *
 * ```ts
 * repo.query().where('host', '=~', `^${escapeRegex('web.1')}`); // host =~ /^web\.1/
 * ```
 */
export function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
