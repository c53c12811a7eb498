import { InfluxValidationError } from '../errors.js';

/**
 * Quotes an InfluxQL identifier (database, measurement, tag or field key, user, policy name):
 * wraps it in double quotes and escapes `\` and `"`. A newline is escaped as `\n`, which InfluxQL
 * reads back as a newline. A carriage return or NUL cannot be written in InfluxQL at all (the
 * server's scanner turns CR into a newline and stops at NUL), nor can a lone UTF-16 surrogate:
 * those throw {@link InfluxValidationError}.
 *
 * ```ts
 * quoteIdent('my "db"'); // '"my \\"db\\""'
 * ```
 */
export function quoteIdent(identifier: string): string {
  if (typeof identifier !== 'string') {
    throw new InfluxValidationError('identifier', undefined, `must be a string, got ${typeof identifier}`);
  }
  if (identifier.length === 0) throw new InfluxValidationError('identifier', undefined, 'must not be empty');
  return `"${escapeInfluxQL(identifier, '"', 'identifier')}"`;
}

/**
 * Quotes an InfluxQL string literal: wraps it in single quotes and escapes `\` and `'`, and a
 * newline as `\n`. A carriage return, NUL or lone surrogate throws {@link InfluxValidationError}:
 * pass such values as bind parameters (`params`), which InfluxDB takes verbatim.
 *
 * ```ts
 * quoteLiteral("it's"); // "'it\\'s'"
 * ```
 */
export function quoteLiteral(value: string): string {
  if (typeof value !== 'string') {
    throw new InfluxValidationError('literal', undefined, `must be a string, got ${typeof value}`);
  }
  return `'${escapeInfluxQL(value, "'", 'literal')}'`;
}

function escapeInfluxQL(s: string, quote: '"' | "'", where: string): string {
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new InfluxValidationError(
      where,
      undefined,
      `${JSON.stringify(s)} contains a lone UTF-16 surrogate`,
    );
  }
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 92) rep = '\\\\';
    else if (c === 10) rep = '\\n';
    else if (c === 13 || c === 0) {
      throw new InfluxValidationError(
        where,
        undefined,
        `${JSON.stringify(s)} contains a ${c === 13 ? 'carriage return' : 'NUL'}, which InfluxQL cannot express${where === 'literal' ? '; pass the value as a bind parameter instead' : ''}`,
      );
    } else if (s[i] === quote) rep = `\\${quote}`;
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}
