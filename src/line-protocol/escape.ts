import { InfluxValidationError } from '../errors.js';

/*
 * Escaping, as InfluxDB 1.6 actually parses it (checked against a real server; see
 * test/line-protocol-roundtrip.test.ts and the README's "Escaping" section):
 *
 * - Measurement: the server unescapes `\,` `\ ` `\=` `\"` TWICE (once when parsing the line, once
 *   when it reads the measurement back out of the series key), and a comma or space preceded by a
 *   backslash does not end the name. So specials are escaped twice: `a,b` is written `a\\,b`.
 * - Tag keys and values: `\,` `\ ` `\=` are unescaped once; `"` is literal. A backslash elsewhere
 *   is literal.
 * - Field keys: a backslash escapes the next byte while scanning, `\,` `\ ` `\=` `\"` are unescaped
 *   once; a backslash right before one of those characters cannot be written at all.
 * - String field values: `\"` and `\\` are unescaped; a raw newline inside the quotes is stored.
 *
 * What cannot be stored exactly is refused: newlines in names and tags, a name or tag ending in a
 * backslash, an empty name.
 */

const MEAS_SPECIAL = /[\\,"= \n#]/;
const TAG_SPECIAL = /[\\, =\n]/;
const FIELD_KEY_SPECIAL = /[\\, ="\n]/;
const STRING_SPECIAL = /["\\]/;

function escapeChars(s: string, set: RegExp): string {
  return s.replace(set, '\\$&');
}
const MEAS_ONCE = /[,"= ]/g;
const TAG_ONCE = /[, =]/g;
const FIELD_KEY_ONCE = /[, ="]/g;

/** Escapes a measurement name for line protocol, or throws when it cannot be stored exactly. */
export function escapeMeasurement(name: string, where = 'point'): string {
  if (typeof name !== 'string') {
    throw new InfluxValidationError(where, 'measurement', `must be a string, got ${typeOf(name)}`);
  }
  if (name.length === 0) throw new InfluxValidationError(where, 'measurement', 'must not be empty');
  if (!MEAS_SPECIAL.test(name)) return name;
  if (name.includes('\n')) {
    throw new InfluxValidationError(
      where,
      'measurement',
      `${JSON.stringify(name)} contains a newline, which line protocol cannot carry`,
    );
  }
  if (name.endsWith('\\')) {
    throw new InfluxValidationError(
      where,
      'measurement',
      `${JSON.stringify(name)} ends with a backslash, which InfluxDB cannot store`,
    );
  }
  if (name.startsWith('#')) {
    throw new InfluxValidationError(
      where,
      'measurement',
      `${JSON.stringify(name)} starts with '#', which InfluxDB reads as a comment line`,
    );
  }
  return escapeChars(escapeChars(name, MEAS_ONCE), MEAS_ONCE);
}

/** Escapes a tag key or tag value, or throws when it cannot be stored exactly. */
export function escapeTag(value: string, where: string, property: string, what: 'key' | 'value'): string {
  if (!TAG_SPECIAL.test(value)) return value;
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
  return escapeChars(value, TAG_ONCE);
}

/** Escapes a field key, or throws when it cannot be stored exactly. */
export function escapeFieldKey(key: string, where: string): string {
  if (key.length === 0) throw new InfluxValidationError(where, key, 'field key must not be empty');
  if (!FIELD_KEY_SPECIAL.test(key)) return key;
  if (key.includes('\n')) {
    throw new InfluxValidationError(
      where,
      key,
      'field key contains a newline, which line protocol cannot carry',
    );
  }
  if (/\\([, ="]|$)/.test(key)) {
    throw new InfluxValidationError(
      where,
      key,
      `field key ${JSON.stringify(key)} has a backslash before a space, comma, '=', '"' or at its end, which InfluxDB 1.x cannot store`,
    );
  }
  return escapeChars(key, FIELD_KEY_ONCE);
}

/** Quotes a string field value: `"` and `\` are escaped; newlines are carried as they are. */
export function quoteStringField(value: string): string {
  if (!STRING_SPECIAL.test(value)) return `"${value}"`;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'Date';
  return typeof v;
}
