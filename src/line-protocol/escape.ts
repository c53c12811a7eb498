import { InfluxValidationError } from '../errors.js';

/*
 * Escaping, as InfluxDB 1.6.7 actually stores it. Every rule below was measured by writing the
 * candidate escapings to a real server and reading them back through SHOW MEASUREMENTS, SHOW TAG
 * KEYS, SHOW TAG VALUES, SHOW FIELD KEYS and SELECT (test/line-protocol-roundtrip.test.ts keeps the
 * evidence; the README's "Escaping" section summarises it).
 *
 * - Measurement: `,` and ` ` are escaped with a backslash; `=` and `"` are written as they are. A
 *   backslash is literal, EXCEPT right before `,` ` ` `=` `"`: the server unescapes the name once
 *   when it parses the line and once more when it rebuilds the series key, so `a\,b` is indexed as
 *   `a,b` while its fields are filed under `a\,b` (SHOW MEASUREMENTS lists it, SELECT returns
 *   nothing). No escaping of such a name is read back intact, so it is refused; so is a trailing
 *   backslash (it escapes the separator), a leading tab or NUL (skipped as whitespace), a leading
 *   `#` (the line is read as a comment and silently dropped) and a newline.
 * - Tag keys and values: `,` ` ` `=` are escaped with a backslash; everything else, `"` and
 *   backslashes included, is literal. A backslash right before an escaped character survives
 *   (`a\,b` is written `a\\,b`). A trailing backslash cannot be written (it escapes the separator),
 *   nor can a newline. The tag key `time` is rejected by the server.
 * - Field keys: `,` ` ` `=` `"` are escaped. The parser skips a backslash and the byte after it,
 *   then unescapes `\,` `\ ` `\=` `\"`: a backslash right before `,` ` ` `=` or at the end cannot be
 *   written; a backslash before `"` can (`a\"b` is written `a\\"b`). A leading tab or NUL is
 *   skipped as whitespace. The field key `time` is rejected by the server.
 * - String field values: `"` and `\` are escaped; newlines, tabs and CR are carried raw.
 *
 * Everywhere: a string that is not well-formed UTF-16 (a lone surrogate) is refused, since it
 * cannot be encoded as UTF-8 without being altered.
 */

/** `\` right before `,` ` ` `=` `"`, or a trailing `\`: unstorable in a measurement. */
const MEAS_BAD_BACKSLASH = /\\(?:[, ="]|$)/;
/** `\` right before `,` ` ` `=`, or a trailing `\`: unstorable in a field key. */
const FIELD_KEY_BAD_BACKSLASH = /\\(?:[, =]|$)/;

const MEAS_ESCAPE = /[, ]/g;
const TAG_ESCAPE = /[, =]/g;
const FIELD_KEY_ESCAPE = /[, ="]/g;
const STRING_ESCAPE = /["\\]/g;
const STRING_TEST = /["\\]/;

function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

function malformed(where: string, property: string | undefined, what: string, value: string): never {
  throw new InfluxValidationError(
    where,
    property,
    `${what} ${JSON.stringify(value)} contains a lone UTF-16 surrogate, which cannot be sent as UTF-8 unchanged`,
  );
}

function needsWork(s: string): boolean {
  // Fast path for the common case: plain ASCII names without anything to escape or check.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x23 || c === 0x2c || c === 0x3d || c === 0x5c || c >= 0x7f) {
      return true;
    }
  }
  return false;
}

/**
 * Escapes a measurement name for line protocol, or throws {@link InfluxValidationError} when
 * InfluxDB 1.x cannot store it exactly.
 *
 * ```ts
 * escapeMeasurement('disk usage,%'); // 'disk\\ usage\\,%'   (line protocol: disk\ usage\,%)
 * escapeMeasurement('a=b"c');        // 'a=b"c'
 * ```
 */
export function escapeMeasurement(name: string, where = 'point'): string {
  if (typeof name !== 'string') {
    throw new InfluxValidationError(where, 'measurement', `must be a string, got ${typeOf(name)}`);
  }
  if (name.length === 0) throw new InfluxValidationError(where, 'measurement', 'must not be empty');
  if (!needsWork(name)) return name;
  const shown = JSON.stringify(name);
  if (name.includes('\n')) {
    throw new InfluxValidationError(
      where,
      'measurement',
      `${shown} contains a newline, which line protocol cannot carry`,
    );
  }
  if (MEAS_BAD_BACKSLASH.test(name)) {
    throw new InfluxValidationError(
      where,
      'measurement',
      `${shown} has a backslash before a comma, space, '=', '"' or at its end; InfluxDB 1.x cannot store that in a measurement name`,
    );
  }
  const first = name.charCodeAt(0);
  if (first === 0x23) {
    throw new InfluxValidationError(
      where,
      'measurement',
      `${shown} starts with '#', which InfluxDB reads as a comment line (the point would be dropped)`,
    );
  }
  if (first === 0x09 || first === 0x00) {
    throw new InfluxValidationError(
      where,
      'measurement',
      `${shown} starts with a tab or NUL, which InfluxDB skips as leading whitespace`,
    );
  }
  if (!isWellFormed(name)) malformed(where, 'measurement', 'measurement', name);
  return name.replace(MEAS_ESCAPE, '\\$&');
}

/**
 * Escapes a tag key or tag value, or throws {@link InfluxValidationError} when InfluxDB 1.x
 * cannot store it exactly. `property` names the tag in the error.
 *
 * ```ts
 * escapeTag('us west=1,a', 'point', 'region', 'value'); // 'us\\ west\\=1\\,a'
 * escapeTag('C:\\temp', 'point', 'dir', 'value');         // 'C:\\temp' (backslash kept as is)
 * ```
 */
export function escapeTag(value: string, where: string, property: string, what: 'key' | 'value'): string {
  if (what === 'key' && value === 'time') {
    throw new InfluxValidationError(
      where,
      property,
      `tag key "time" is rejected by InfluxDB ("invalid tag key")`,
    );
  }
  if (!needsWork(value)) return value;
  if (value.includes('\n')) {
    throw new InfluxValidationError(
      where,
      property,
      `tag ${what} ${JSON.stringify(value)} contains a newline, which line protocol cannot carry`,
    );
  }
  if (value.endsWith('\\')) {
    throw new InfluxValidationError(
      where,
      property,
      `tag ${what} ${JSON.stringify(value)} ends with a backslash, which InfluxDB 1.x cannot store (it would escape the next separator)`,
    );
  }
  if (!isWellFormed(value)) malformed(where, property, `tag ${what}`, value);
  return value.replace(TAG_ESCAPE, '\\$&');
}

/**
 * Escapes a field key, or throws {@link InfluxValidationError} when InfluxDB 1.x cannot store it
 * exactly.
 *
 * ```ts
 * escapeFieldKey('free "%", now', 'point'); // 'free\\ \\"%\\"\\,\\ now'
 * ```
 */
export function escapeFieldKey(key: string, where: string): string {
  if (key.length === 0) throw new InfluxValidationError(where, key, 'field key must not be empty');
  if (key === 'time') {
    throw new InfluxValidationError(
      where,
      key,
      'field key "time" is rejected by InfluxDB ("invalid field name")',
    );
  }
  if (!needsWork(key)) return key;
  const shown = JSON.stringify(key);
  if (key.includes('\n')) {
    throw new InfluxValidationError(
      where,
      key,
      `field key ${shown} contains a newline, which line protocol cannot carry`,
    );
  }
  if (FIELD_KEY_BAD_BACKSLASH.test(key)) {
    throw new InfluxValidationError(
      where,
      key,
      `field key ${shown} has a backslash before a space, comma, '=' or at its end, which InfluxDB 1.x cannot store`,
    );
  }
  const first = key.charCodeAt(0);
  if (first === 0x09 || first === 0x00) {
    throw new InfluxValidationError(
      where,
      key,
      `field key ${shown} starts with a tab or NUL, which InfluxDB skips as leading whitespace`,
    );
  }
  if (!isWellFormed(key)) malformed(where, key, 'field key', key);
  return key.replace(FIELD_KEY_ESCAPE, '\\$&');
}

/**
 * Quotes a string field value: `"` and `\` are escaped; newlines, CR and tabs are carried as they
 * are (InfluxDB stores them). Throws on a lone UTF-16 surrogate.
 *
 * ```ts
 * quoteStringField('say "hi"\n'); // '"say \\"hi\\"\n"'  (line protocol: "say \"hi\"<newline>")
 * ```
 */
export function quoteStringField(value: string, where = 'point', key?: string): string {
  if (!isWellFormed(value)) malformed(where, key, 'string field', value);
  return STRING_TEST.test(value) ? `"${value.replace(STRING_ESCAPE, '\\$&')}"` : `"${value}"`;
}

/** A short description of a value's type for error messages. */
export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'Date';
  return typeof v;
}
