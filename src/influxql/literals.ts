import { InfluxConfigError, InfluxValidationError } from '../errors.js';
import { nanosToRfc3339 } from '../line-protocol/time.js';
import { durationPartsNanos } from './duration.js';

/*
 * InfluxQL literals, one of each: identifiers, strings, regexes, durations and times, and the
 * checks of the raw (unquotable) parts of a statement (replication factors, privileges, names the
 * server stores as directories). The compiler (`compiler.ts`) is the only writer of InfluxQL text;
 * it writes every literal through this module.
 *
 * A check reports through a `Fail` callback, so that one rule serves every public surface with the
 * error that surface documents: the query builder's `InfluxValidationError(where, property, …)`
 * ({@link validationFail}), the admin helpers' and schema's `InfluxConfigError('method(arg): …')`
 * ({@link configFail}).
 */

/** Reports a bad literal: throws the error of the surface that asked. */
export type Fail = (reason: string) => never;

/** A {@link Fail} throwing `InfluxValidationError(where, property, reason)`. */
export function validationFail(where: string, property?: string): Fail {
  return (reason) => {
    throw new InfluxValidationError(where, property, reason);
  };
}

/** A {@link Fail} throwing `InfluxConfigError('<what>: <reason>')`, e.g. `what` = `dropUser(name)`. */
export function configFail(what: string): Fail {
  return (reason) => {
    throw new InfluxConfigError(`${what}: ${reason}`);
  };
}

/**
 * Describes a bad value for an error message without echoing long or multi-line text.
 *
 * ```ts
 * describeValue('x'.repeat(50)); // '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"'
 * describeValue([1]);            // 'a value of type array'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  return `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

// ---- identifiers and strings ---------------------------------------------------------------------

/**
 * Why InfluxQL cannot carry a string at all, or undefined: its scanner turns a carriage return
 * into a newline and stops at NUL, and a lone UTF-16 surrogate is not text.
 */
function unquotable(value: string): string | undefined {
  if (value.includes('\u0000')) return 'a NUL character';
  if (value.includes('\r')) return 'a carriage return';
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) return 'a lone UTF-16 surrogate';
  return undefined;
}

/**
 * Checks an identifier (database, measurement, policy, user, continuous query, tag or field key):
 * a non-empty string that InfluxQL can quote (no NUL, no carriage return, no lone surrogate).
 *
 * ```ts
 * checkName('my "db"', configFail('createDatabase(name)')); // 'my "db"'
 * ```
 */
export function checkName(value: unknown, fail: Fail): string {
  if (typeof value !== 'string') return fail(`must be a string, got ${describeValue(value)}`);
  if (value.length === 0) return fail('must not be empty');
  const bad = unquotable(value);
  if (bad) return fail(`must not contain ${bad}, which InfluxQL cannot express`);
  return value;
}

/** Characters Go's `unicode.IsPrint` accepts: letters, marks, numbers, punctuation, symbols, ASCII space. */
const NOT_PRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/**
 * Checks a database or retention policy name against the rule InfluxDB applies to them (they
 * become directory names; `meta.ValidName`): not `.` or `..`, no `/`, no `\`, only printable
 * characters (no newline, tab or control character). The server answers such names with a bare
 * "invalid name"; this says which argument and why.
 */
export function checkStorageName(value: unknown, fail: Fail): string {
  const name = checkName(value, fail);
  if (name === '.' || name === '..' || /[/\\]/.test(name)) {
    return fail(
      `${describeValue(name)} is not a valid name: InfluxDB refuses '.', '..' and names with '/' or '\\'`,
    );
  }
  const bad = NOT_PRINTABLE.exec(name);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return fail(
      `${describeValue(name)} is not a valid name: InfluxDB refuses non-printable characters (U+${code} at index ${bad.index})`,
    );
  }
  return name;
}

/**
 * Checks a password: a non-empty string that InfluxQL can quote. The error never contains it.
 */
export function checkPassword(value: unknown, fail: Fail): string {
  if (typeof value !== 'string') return fail(`must be a string, got ${typeof value}`);
  if (value.length === 0) return fail('must not be empty');
  const bad = unquotable(value);
  if (bad) return fail(`must not contain ${bad}, which InfluxQL cannot express (the password is not shown)`);
  return value;
}

/**
 * Checks a string written as a quoted literal (a tag value of a series filter): one that
 * {@link quoteLiteral} can quote.
 */
export function checkLiteral(value: string, fail: Fail): string {
  const bad = unquotable(value);
  if (bad) return fail(`must not contain ${bad}, which InfluxQL cannot express`);
  return value;
}

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

// ---- durations -----------------------------------------------------------------------------------

/** The largest duration InfluxDB holds: a Go `time.Duration` is int64 nanoseconds (about 292 years). */
const MAX_DURATION_NANOS = 2n ** 63n - 1n;

/** Options of {@link durationLiteral}. */
export interface DurationRules {
  /** Accept a leading `-` (GROUP BY time offsets). */
  negative?: boolean;
  /** Accept `INF` (any case; returned as `INF`): a retention policy that keeps data forever. */
  infinite?: boolean;
}

/**
 * The one check of an InfluxQL duration literal: one or more `<digits><unit>` parts (`10s`, `5m`,
 * `1h30m`, `2w`, `500ms`, `10u`, `10µ`, `7ns`), whose total fits the server's int64 nanoseconds
 * (InfluxDB would silently wrap a larger one). Returns the text to write (`INF` upper-cased).
 *
 * ```ts
 * durationLiteral('1h30m', configFail('f(duration)'));                    // '1h30m'
 * durationLiteral('inf', configFail('f(duration)'), { infinite: true });  // 'INF'
 * durationLiteral('1 day', configFail('f(duration)'));                    // throws InfluxConfigError
 * ```
 */
export function durationLiteral(value: unknown, fail: Fail, rules: DurationRules = {}): string {
  if (typeof value !== 'string') {
    return fail(`must be a duration string such as '5m' or '1h30m', got ${describeValue(value)}`);
  }
  if (rules.infinite === true && /^inf$/i.test(value)) return 'INF';
  const body = rules.negative === true && value.startsWith('-') ? value.slice(1) : value;
  const nanos = durationPartsNanos(body, false);
  if (nanos === undefined) {
    return fail(
      `${describeValue(value)} is not an InfluxQL duration: digits followed by ns, u, ms, s, m, h, d or w, e.g. '5m' or '1h30m'${rules.infinite === true ? ", or 'INF'" : ''}`,
    );
  }
  if (nanos > MAX_DURATION_NANOS) {
    return fail(
      `${describeValue(value)} is longer than InfluxDB's largest duration (${MAX_DURATION_NANOS}ns, about 292 years)`,
    );
  }
  return value;
}

/**
 * Checks an InfluxQL duration literal (`10s`, `5m`, `1h30m`, `2w`, `500ms`, `10u`, `7ns`) and
 * returns it; `allowNegative` accepts a leading `-` (for GROUP BY time offsets). The rule is
 * `durationLiteral`'s (one rule for every surface: the server's int64 limit); a bad value throws `InfluxValidationError(where, property, …)`.
 *
 * ```ts
 * checkDuration('1h30m', 'query', 'groupBy'); // '1h30m'
 * checkDuration('1 hour', 'query', 'groupBy'); // throws InfluxValidationError
 * ```
 */
export function checkDuration(
  value: unknown,
  where: string,
  property?: string,
  allowNegative = false,
): string {
  return durationLiteral(value, validationFail(where, property), { negative: allowNegative });
}

// ---- other raw parts -----------------------------------------------------------------------------

/**
 * Checks a replication factor: an integer from 1 (a single server always stores one copy).
 */
export function checkReplication(value: unknown, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    return fail(`must be an integer of at least 1, got ${describeValue(value)}`);
  }
  return value;
}

/** A database privilege as the compiler writes it (influxdb-python's lower case). */
export type PrivilegeName = 'read' | 'write' | 'all';

/** A database privilege of `GRANT`/`REVOKE`: `read`, `write` or `all` (or in upper case). */
export type Privilege = PrivilegeName | Uppercase<PrivilegeName>;

/**
 * Checks a database privilege: `read`, `write` or `all` (any case), returned in lower case.
 */
export function checkPrivilege(value: unknown, fail: Fail): PrivilegeName {
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'read' || lower === 'write' || lower === 'all') return lower;
  }
  return fail(`must be one of 'read', 'write', 'all', got ${describeValue(value)}`);
}

/**
 * Checks the IANA time zone of `tz('…')`: one the runtime knows (InfluxDB answers an unknown one
 * with "unable to find time zone").
 */
export function checkTimeZone(zone: unknown, fail: Fail): string {
  if (typeof zone !== 'string' || zone.length === 0) {
    return fail('must be an IANA time zone name such as "Europe/Paris"');
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return fail(`${JSON.stringify(zone)} is not a known IANA time zone`);
  }
  return zone;
}

/** Checks a non-negative safe integer (LIMIT, OFFSET, KILL QUERY id). */
export function checkCount(value: unknown, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return fail(`must be a non-negative integer, got ${describeValue(value)}`);
  }
  return value;
}

// ---- regexes -------------------------------------------------------------------------------------

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

// ---- times ---------------------------------------------------------------------------------------

/**
 * The RFC3339 text of a time in InfluxQL (bound as a parameter, or quoted with
 * {@link quoteLiteral} when written inline): nine fractional digits at most, trailing zeros
 * trimmed, as the server prints times. InfluxDB 1.6 compares a time with it exactly to the
 * nanosecond.
 *
 * ```ts
 * timeLiteral(1257894000123456789n); // '2009-11-10T23:00:00.123456789Z'
 * ```
 */
export function timeLiteral(nanos: bigint): string {
  return nanosToRfc3339(nanos);
}
