/**
 * The one way of describing a wrong value in an error message, and the checks every layer shares
 * for names and integers. Bottom layer (imports only errors.ts); not part of the public root.
 */
import { InfluxConfigError } from './errors.js';

/**
 * A wrong value as an error message shows it. `'value'` (default): numbers, booleans, `null`,
 * `undefined` and bigints (`5n`) as they are, a string quoted and cut at 60 characters, anything
 * else by its kind (`an array`, `an object`, `a Date`, `function Cpu`). `'secret'`: the same, but a
 * string is only `a string` (for options that may hold a secret when misplaced, a password given as
 * `port`). `'kind'`: every value by its kind only (`a number`, `a string`: for decoded server data).
 *
 * ```ts
 * describeValue('x'.repeat(70)); // '"xxxx…x…"' (60 characters and an ellipsis)
 * describeValue([1]); // 'an array'
 * describeValue('hunter2', 'secret'); // 'a string'
 * describeValue(42, 'kind'); // 'a number'
 * ```
 */
export function describeValue(value: unknown, mode: 'value' | 'secret' | 'kind' = 'value'): string {
  const type = typeof value;
  switch (type) {
    case 'string':
      if (mode !== 'value') return 'a string';
      return JSON.stringify((value as string).length > 60 ? `${(value as string).slice(0, 60)}…` : value);
    case 'bigint':
      return mode === 'kind' ? 'a bigint' : `${value}n`;
    case 'number':
    case 'boolean':
      return mode === 'kind' ? `a ${type}` : String(value);
    case 'undefined':
      return 'undefined';
    case 'function': {
      const name = (value as { name?: unknown }).name;
      return `function ${typeof name === 'string' && name !== '' ? name : '(anonymous)'}`;
    }
    case 'symbol':
      return 'a symbol';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      if (value instanceof Date) return 'a Date';
      if (value instanceof RegExp) return 'a RegExp';
      return 'an object';
  }
}

/**
 * Checks a name given to a public entry point (database, retention policy, user, measurement,
 * continuous query): a non-empty string without NUL, carriage return or lone UTF-16 surrogate,
 * which InfluxQL cannot express in an identifier (a newline it can: `quoteIdent` escapes it as
 * `\n`; in a URL parameter it is percent-encoded). Throws {@link InfluxConfigError} naming `where`.
 *
 * ```ts
 * checkName('metrics', 'switchDatabase(database)'); // 'metrics'
 * checkName('', 'dropDatabase(name)'); // throws InfluxConfigError: dropDatabase(name): must not be empty
 * ```
 */
export function checkName(value: unknown, where: string): string {
  if (typeof value !== 'string')
    throw new InfluxConfigError(`${where}: must be a string, got ${describeValue(value)}`);
  if (value.length === 0) throw new InfluxConfigError(`${where}: must not be empty`);
  const bad = value.includes('\u0000')
    ? 'a NUL character'
    : value.includes('\r')
      ? 'a carriage return'
      : !(value as string & { isWellFormed(): boolean }).isWellFormed()
        ? 'a lone UTF-16 surrogate'
        : undefined;
  if (bad !== undefined)
    throw new InfluxConfigError(`${where}: must not contain ${bad}, which InfluxQL cannot express`);
  return value;
}

/**
 * Checks an integer option from `min` to `max`; the wrong value is shown without its text (see
 * {@link describeValue}). Throws {@link InfluxConfigError} naming `where`.
 *
 * ```ts
 * checkInt(8086, 'InfluxDBClient(port)', 1, 65535); // 8086
 * ```
 */
export function checkInt(value: unknown, where: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InfluxConfigError(
      `${where}: must be an integer from ${min} to ${max}, got ${describeValue(value, 'secret')}`,
    );
  }
  return value;
}

/**
 * Checks an optional object of strings (headers, query parameters); `undefined` is `{}`.
 *
 * ```ts
 * checkStringMap({ 'x-team': 'ops' }, 'InfluxDBClient(headers)'); // { 'x-team': 'ops' }
 * ```
 */
export function checkStringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InfluxConfigError(`${where}: must be an object of strings, got ${describeValue(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new InfluxConfigError(`${where}.${k}: must be a string, got ${describeValue(v)}`);
    out[k] = v;
  }
  return out;
}
