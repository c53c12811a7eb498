import { checkName, describeValue } from '../check-value.js';
import { InfluxConfigError } from '../errors.js';
import { firstIllegal, statementsOf, tokenize } from '../influxql/lexer.js';

/**
 * Strict checks for the raw (unquoted) parts of the admin statements: durations, replication
 * factors, privileges, `RESAMPLE` options and the `SELECT` of a continuous query. Whatever passes
 * these checks is spliced into InfluxQL as is, so they accept only what InfluxQL's own grammar
 * accepts there and nothing that could end a statement or start another one. Every failure is an
 * {@link InfluxConfigError} that names the method and the argument.
 *
 * Identifiers and string literals are never checked this way: they go through `quoteIdent` and
 * `quoteLiteral`, which can quote anything.
 */

/** One or more `<integer><unit>` pairs, e.g. `1d`, `1h30m`, `500ms`, `0s` (InfluxQL duration literal). */
const DURATION = /^(?:[0-9]{1,18}(?:ns|u|µ|ms|s|m|h|d|w))+$/;

/** `INF`, the infinite retention duration (case-insensitive, as InfluxQL). */
const INFINITE = /^inf$/i;

const PRIVILEGES = ['read', 'write', 'all'] as const;

/** A database privilege of `GRANT`/`REVOKE`: `read`, `write` or `all` (or in upper case). */
export type Privilege = (typeof PRIVILEGES)[number] | Uppercase<(typeof PRIVILEGES)[number]>;

/** `what` = e.g. `createRetentionPolicy(duration)`: the method and argument, for messages. */
function fail(what: string, reason: string): never {
  throw new InfluxConfigError(`${what}: ${reason}`);
}

export { checkName, describeValue } from '../check-value.js';

/**
 * Checks an InfluxQL duration literal such as `1d`, `52w`, `1h30m` or `0s`; with `allowInfinite`,
 * also `INF` (a retention policy that keeps data forever). Returns the text to splice in.
 *
 * ```ts
 * checkDuration('1d', 'createRetentionPolicy(duration)'); // '1d'
 * checkDuration('1 day', 'createRetentionPolicy(duration)'); // throws InfluxConfigError
 * ```
 */
export function checkDuration(value: unknown, what: string, allowInfinite = false): string {
  if (typeof value !== 'string') {
    return fail(what, `must be a duration string such as '1d' or '1h30m', got ${describeValue(value)}`);
  }
  if (allowInfinite && INFINITE.test(value)) return 'INF';
  if (!DURATION.test(value)) {
    return fail(
      what,
      `${describeValue(value)} is not an InfluxQL duration; use digits and units (ns, u, ms, s, m, h, d, w), e.g. '1d', '1h30m'${allowInfinite ? " or 'INF'" : ''}`,
    );
  }
  return value;
}

/**
 * Checks a replication factor: an integer from 1 (a single server always stores one copy).
 *
 * ```ts
 * checkReplication(1, 'createRetentionPolicy(replication)'); // '1'
 * ```
 */
export function checkReplication(value: unknown, what: string): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    return fail(what, `must be an integer of at least 1, got ${describeValue(value)}`);
  }
  return String(value);
}

/**
 * Checks a database privilege: `read`, `write` or `all` (any case). Returns it in lower case,
 * as influxdb-python writes it (`GRANT read ON "db" TO "user"`).
 */
export function checkPrivilege(value: unknown, what: string): (typeof PRIVILEGES)[number] {
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if ((PRIVILEGES as readonly string[]).includes(lower)) return lower as (typeof PRIVILEGES)[number];
  }
  return fail(what, `must be one of 'read', 'write', 'all', got ${describeValue(value)}`);
}

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
 * Checks a string value spliced in as a quoted literal (a tag value of a series filter): one
 * that `quoteLiteral` can quote.
 */
export function checkLiteral(value: string, what: string): string {
  const bad = unquotable(value);
  if (bad) return fail(what, `must not contain ${bad}, which InfluxQL cannot express`);
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
export function checkStorageName(value: unknown, what: string): string {
  const name = checkName(value, what);
  if (name === '.' || name === '..' || /[/\\]/.test(name)) {
    return fail(
      what,
      `${describeValue(name)} is not a valid name: InfluxDB refuses '.', '..' and names with '/' or '\\'`,
    );
  }
  const bad = NOT_PRINTABLE.exec(name);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return fail(
      what,
      `${describeValue(name)} is not a valid name: InfluxDB refuses non-printable characters (U+${code} at index ${bad.index})`,
    );
  }
  return name;
}

/**
 * Checks a password: a non-empty string that InfluxQL can quote. It is sent only as a quoted
 * literal in the body of a POST request, and the error never contains it.
 */
export function checkPassword(value: unknown, what: string): string {
  if (typeof value !== 'string') return fail(what, `must be a string, got ${typeof value}`);
  if (value.length === 0) return fail(what, 'must not be empty');
  const bad = unquotable(value);
  if (bad)
    return fail(what, `must not contain ${bad}, which InfluxQL cannot express (the password is not shown)`);
  return value;
}

/** Continuous-query resampling: `RESAMPLE EVERY <every> FOR <for>`. */
export interface ResampleOptions {
  /** How often the query runs, e.g. '10s' (defaults to the GROUP BY time interval). */
  every?: string;
  /** How far back each run looks, e.g. '2m' (defaults to the GROUP BY time interval). */
  for?: string;
}

/**
 * Builds the text after `RESAMPLE` from `{ every, for }` or from influxdb-python's
 * `resample_opts` string (`'EVERY 10s FOR 2m'`, `'EVERY 10s'`, `'FOR 2m'`), both checked strictly.
 * Returns undefined when there is nothing to resample.
 */
export function checkResample(value: ResampleOptions | string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  let every: unknown;
  let forPart: unknown;
  if (typeof value === 'string') {
    const m = /^\s*(?:EVERY\s+(\S+))?\s*(?:FOR\s+(\S+))?\s*$/i.exec(value);
    if (!m || (m[1] === undefined && m[2] === undefined)) {
      return fail(
        what,
        `${describeValue(value)} is not 'EVERY <duration> FOR <duration>' (either part may be left out)`,
      );
    }
    every = m[1];
    forPart = m[2];
  } else if (typeof value === 'object' && value !== null) {
    every = value.every;
    forPart = value.for;
    if (every === undefined && forPart === undefined) return fail(what, 'give `every`, `for` or both');
  } else {
    return fail(
      what,
      `must be { every, for } or a string such as 'EVERY 10s FOR 2m', got ${describeValue(value)}`,
    );
  }
  const parts: string[] = [];
  if (every !== undefined) parts.push(`EVERY ${checkDuration(every, `${what}.every`)}`);
  if (forPart !== undefined) parts.push(`FOR ${checkDuration(forPart, `${what}.for`)}`);
  return parts.join(' ');
}

/**
 * Checks the `SELECT` statement of a continuous query, read through the InfluxQL lexer: one
 * statement (no `;` outside strings, quoted identifiers, regexes and comments), starting with
 * `SELECT`, nothing the server cannot read (an unterminated string, regex or comment), and not
 * ending in a `--` comment (which would swallow the `END` that follows it). Returns it without a
 * trailing `;`.
 */
export function checkSelectStatement(value: unknown, what: string): string {
  if (typeof value !== 'string')
    return fail(what, `must be a SELECT statement string, got ${describeValue(value)}`);
  const tokens = tokenize(value);
  const bad = firstIllegal(tokens);
  if (bad) return fail(what, `has ${bad.error} at character ${bad.start + 1}`);
  const statements = statementsOf(value, tokens);
  if (statements.length === 0) return fail(what, 'must be a SELECT statement (it is empty)');
  if (statements[0]!.verb !== 'SELECT')
    return fail(what, 'must be a SELECT statement (it starts with something else)');
  if (statements.length > 1) {
    const sep = tokens.find((t) => t.kind === 'semicolon' && t.start >= statements[0]!.end)!;
    return fail(what, `must be a single SELECT statement, found ';' at character ${sep.start + 1}`);
  }
  const text = statements[0]!.text;
  const last = tokens.findLast((t) => t.kind !== 'whitespace' && t.kind !== 'semicolon');
  if (last && last.kind === 'comment' && last.text.startsWith('--')) {
    return fail(what, 'must not end with a -- comment (it would swallow the END of the continuous query)');
  }
  return text;
}

/**
 * Index of the first `;` that separates statements in InfluxQL text, ignoring `;` inside
 * '…' strings, "…" identifiers, /…/ regular expressions and comments (as the InfluxQL lexer reads
 * them); -1 when there is none.
 */
export function findStatementSeparator(text: string): number {
  const semi = tokenize(text).find((t) => t.kind === 'semicolon');
  return semi === undefined ? -1 : semi.start;
}
