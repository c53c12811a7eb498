import { InfluxConfigError } from '../errors.js';

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

/** Describes a bad value for an error message without echoing long or multi-line text. */
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
 * Checks an identifier argument (database, measurement, policy, user, continuous query name):
 * a non-empty string that InfluxQL can quote (no NUL, no carriage return, no lone surrogate).
 * Quoting is done by `quoteIdent`.
 */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string') return fail(what, `must be a string, got ${describeValue(value)}`);
  if (value.length === 0) return fail(what, 'must not be empty');
  const bad = unquotable(value);
  if (bad) return fail(what, `must not contain ${bad}, which InfluxQL cannot express`);
  return value;
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
 * Checks the `SELECT` statement of a continuous query: one statement (no `;` outside quotes,
 * regular expressions and comments), starting with `SELECT`. Returns it without a trailing `;`.
 */
export function checkSelectStatement(value: unknown, what: string): string {
  if (typeof value !== 'string')
    return fail(what, `must be a SELECT statement string, got ${describeValue(value)}`);
  const text = value.replace(/;\s*$/, '').trim();
  if (!/^SELECT\s/i.test(text))
    return fail(what, 'must be a SELECT statement (it starts with something else)');
  const sep = findStatementSeparator(text);
  if (sep >= 0) {
    return fail(what, `must be a single SELECT statement, found ';' at character ${sep + 1}`);
  }
  const unterminated = findUnterminated(text);
  if (unterminated) return fail(what, `has an unterminated ${unterminated}`);
  return text;
}

/**
 * Index of the first `;` that separates statements in InfluxQL text, ignoring `;` inside
 * '…' strings, "…" identifiers, /…/ regular expressions (after `=~` or `!~`) and comments;
 * -1 when there is none.
 */
export function findStatementSeparator(text: string): number {
  let result = -1;
  scan(text, (i) => {
    result = i;
    return true;
  });
  return result;
}

function findUnterminated(text: string): string | undefined {
  return scan(text, () => false);
}

/**
 * Walks InfluxQL text; calls `onSemicolon(i)` for every `;` outside quotes, regexes and comments
 * (stops when it returns true). Returns the kind of token left unterminated, if any.
 */
function scan(text: string, onSemicolon: (i: number) => boolean): string | undefined {
  let i = 0;
  let regexAllowed = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = skipQuoted(text, i, c);
      if (end < 0) return c === "'" ? 'string literal' : 'quoted identifier';
      i = end;
      regexAllowed = false;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return 'comment';
      i = end + 2;
      continue;
    }
    if (c === '/' && regexAllowed) {
      const end = skipQuoted(text, i, '/');
      if (end < 0) return 'regular expression';
      i = end;
      regexAllowed = false;
      continue;
    }
    if (c === ';' && onSemicolon(i)) return undefined;
    const word = WORD.exec(text.slice(i, i + 64));
    if (word) {
      // A regex stands where an operand is expected: after FROM, SELECT, BY (`FROM /cpu.*/`,
      // `SELECT /usage/`, `GROUP BY /host/`); after an identifier or number, '/' divides.
      regexAllowed = REGEX_AFTER_WORD.has(word[0].toLowerCase());
      i += word[0].length;
      continue;
    }
    // After an operator, '(' or ',' an operand is expected ('=~ /re/', ', /re/'); after ')' it is not.
    if (!/\s/.test(c)) regexAllowed = c !== ')';
    i++;
  }
  return undefined;
}

const WORD = /^[\p{L}\p{N}_.]+/u;
const REGEX_AFTER_WORD = new Set(['from', 'select', 'by']);

/** Index just after the closing `quote` of the token starting at `start`, or -1. */
function skipQuoted(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === quote) return i + 1;
  }
  return -1;
}
