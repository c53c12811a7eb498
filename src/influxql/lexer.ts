/**
 * The one InfluxQL lexer. Every check that counts, splits or classifies statements (the client's
 * single-statement rule, `queryMany`, GET vs POST, the continuous-query `SELECT` check) and the
 * InfluxQL parser read text through it, so they all agree with each other and with the server.
 *
 * It follows InfluxDB 1.x's own scanner (`influxql/scanner.go`) token for token:
 *
 * - whitespace is only space, tab and newline (a carriage return reads as a newline); a NUL
 *   character ends the text, as it does for the server;
 * - `'…'` strings and `"…"` quoted identifiers end at their closing quote, know the escapes
 *   `\n \\ \' \"` and nothing else, and may not span a newline; a bare identifier directly
 *   followed by `"…"` is one identifier token (the server keeps only the quoted part);
 * - bare identifiers are ASCII letters, digits and `_` (not starting with a digit); a word that is
 *   an InfluxQL keyword (any case) is a `keyword` token;
 * - `-- …` comments run to the end of the line, `/* … *\/` comments to `*\/`;
 * - numbers are `integer` (`42`), `number` (`4.2`, `.5`) or `duration` (`10s`, `1h30m`, `5µs`);
 * - `$name` is a bound parameter;
 * - a `/…/` regular expression is read only where the grammar reads one, exactly as the server's
 *   parser decides it: right after `=~` / `!~`, at the start of a `SELECT` field, of a `FROM`
 *   source, of a `GROUP BY` dimension and of a function argument, after `WITH MEASUREMENT =`, and
 *   after a `.` of a source name (`"db"."rp"./cpu.*\/`). Only whitespace (no comment) may stand
 *   between that place and the `/`, and there `/*` starts a regex, not a comment. Everywhere else
 *   `/` is division (or starts a comment). Inside a regex, `\/` is an escaped slash; any other
 *   backslash stands for itself.
 *
 * Offsets are UTF-16 indexes into the text (`text.slice(token.start, token.end)` is the token).
 *
 * ```ts
 * tokenize(`SELECT "v" FROM "m" WHERE host =~ /a;b/`).filter((t) => t.kind !== 'whitespace')
 *   .map((t) => t.kind);
 * // ['keyword', 'quotedIdentifier', 'keyword', 'quotedIdentifier', 'keyword', 'identifier',
 * //  'operator', 'regex']
 * splitStatements('SELECT 1 FROM "a"; -- done\nDROP DATABASE "x"').map((s) => [s.text, s.kind]);
 * // [['SELECT 1 FROM "a"', 'read'], ['DROP DATABASE "x"', 'write']]
 * ```
 */

/** What a token is. Whitespace and comments are tokens too, so tokens cover the whole text. */
export type TokenKind =
  /** Spaces, tabs and newlines. */
  | 'whitespace'
  /** `-- …` up to (and including) the newline, or `/* … *\/`. */
  | 'comment'
  /** A bare identifier such as `cpu` or `mean`; `value` is its name. */
  | 'identifier'
  /** A `"…"` identifier; `value` is the name with escapes resolved. */
  | 'quotedIdentifier'
  /** An InfluxQL keyword (`SELECT`, `from`, …); `value` is it in upper case. */
  | 'keyword'
  /** A `'…'` string literal; `value` is the string with escapes resolved. */
  | 'string'
  /** A `/…/` regular expression; `value` is the pattern as the server compiles it. */
  | 'regex'
  /** An integer literal such as `42`. */
  | 'integer'
  /** A decimal literal such as `4.2` or `.5`. */
  | 'number'
  /** A duration literal such as `10s`, `1h30m`, `500ms`. */
  | 'duration'
  /** A bound parameter such as `$host`; `value` is the name without `$`. */
  | 'boundParam'
  /** `+ - * / % & | ^ = != <> < <= > >= =~ !~`; `value` is the operator as written. */
  | 'operator'
  /** `( ) , . : ::` and `π`. */
  | 'punctuation'
  /** `;`, which ends a statement. */
  | 'semicolon'
  /** Text the server cannot read: an unterminated string, identifier, regex or comment, a bad escape, a stray character. `error` says which. */
  | 'illegal';

/** One token. `text` is the source slice; `value` the decoded value where the kind has one. */
export interface Token {
  readonly kind: TokenKind;
  /** Offset of the first character (UTF-16 index). */
  readonly start: number;
  /** Offset just after the last character. */
  readonly end: number;
  /** The token as written (`text.slice(start, end)`). */
  readonly text: string;
  /** Decoded value: identifier name, string or regex contents, keyword in upper case, operator. */
  readonly value: string;
  /** For `illegal` tokens: what is wrong, e.g. `unterminated string literal`. */
  readonly error?: string;
}

/** InfluxQL 1.x keywords (the server's `Lookup` table), upper case. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'ALL',
  'ALTER',
  'ANALYZE',
  'AND',
  'ANY',
  'AS',
  'ASC',
  'BEGIN',
  'BY',
  'CARDINALITY',
  'CREATE',
  'CONTINUOUS',
  'DATABASE',
  'DATABASES',
  'DEFAULT',
  'DELETE',
  'DESC',
  'DESTINATIONS',
  'DIAGNOSTICS',
  'DISTINCT',
  'DROP',
  'DURATION',
  'END',
  'EVERY',
  'EXACT',
  'EXPLAIN',
  'FALSE',
  'FIELD',
  'FOR',
  'FROM',
  'GRANT',
  'GRANTS',
  'GROUP',
  'GROUPS',
  'IN',
  'INF',
  'INSERT',
  'INTO',
  'KEY',
  'KEYS',
  'KILL',
  'LIMIT',
  'MEASUREMENT',
  'MEASUREMENTS',
  'NAME',
  'OFFSET',
  'OR',
  'ON',
  'ORDER',
  'PASSWORD',
  'POLICY',
  'POLICIES',
  'PRIVILEGES',
  'QUERIES',
  'QUERY',
  'READ',
  'REPLICATION',
  'RESAMPLE',
  'RETENTION',
  'REVOKE',
  'SELECT',
  'SERIES',
  'SET',
  'SHOW',
  'SHARD',
  'SHARDS',
  'SLIMIT',
  'SOFFSET',
  'STATS',
  'SUBSCRIPTION',
  'SUBSCRIPTIONS',
  'TAG',
  'TO',
  'TRUE',
  'USER',
  'USERS',
  'VALUES',
  'WHERE',
  'WITH',
  'WRITE',
]);

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentChar = (c: number) => isLetter(c) || isDigit(c) || c === 95;
const isWhitespace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const MICRO = 0xb5; // µ

/** Where the lexer is in a statement: enough of the grammar to know where a regex may stand. */
type Clause =
  | 'none'
  | 'fields'
  | 'into'
  | 'from'
  | 'where'
  | 'group'
  | 'groupBy'
  | 'withMeasurement'
  | 'other';
interface Frame {
  /** `clause`: a statement or subquery; `call`: function arguments; `paren`: a grouped expression. */
  kind: 'clause' | 'call' | 'paren';
  clause: Clause;
}

const CLAUSE_KEYWORDS: Record<string, Clause> = {
  SELECT: 'fields',
  INTO: 'into',
  FROM: 'from',
  WHERE: 'where',
  GROUP: 'group',
  ORDER: 'other',
  LIMIT: 'other',
  OFFSET: 'other',
  SLIMIT: 'other',
  SOFFSET: 'other',
  WITH: 'other',
  ON: 'other',
};

/**
 * Splits InfluxQL text into tokens that cover it completely (whitespace and comments included).
 * Never throws: what the server could not read becomes an `illegal` token with an `error`.
 * A NUL character ends the text for the server, so it ends the token list here (the rest is
 * returned as one `illegal` token with error `NUL character (the server stops reading here)`).
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  // Parser-like state: significant tokens seen (most recent last), frames, and whether a '/'
  // after only whitespace starts a regex.
  let frames: Frame[] = [{ kind: 'clause', clause: 'none' }];
  let regexNext = false;
  let p1: Token | undefined; // last significant token

  const push = (kind: TokenKind, start: number, end: number, value: string, error?: string): Token => {
    const tok: Token =
      error === undefined
        ? { kind, start, end, text: text.slice(start, end), value }
        : { kind, start, end, text: text.slice(start, end), value, error };
    out.push(tok);
    return tok;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    const start = i;

    if (c === 0) {
      push('illegal', i, n, '', 'NUL character (the server stops reading here)');
      break;
    }
    if (isWhitespace(c)) {
      while (i < n && isWhitespace(text.charCodeAt(i))) i++;
      push('whitespace', start, i, text.slice(start, i));
      continue; // whitespace keeps regexNext
    }
    if (c === 47 /* / */ && regexNext) {
      const r = scanRegex(text, i);
      const tok = r.error
        ? push('illegal', start, r.end, r.value, r.error)
        : push('regex', start, r.end, r.value);
      i = r.end;
      p1 = tok;
      regexNext = false;
      continue;
    }
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      // To the end of the line; the server reads a lone carriage return as a newline too.
      i += 2;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0) break;
        i++;
        if (d === 10) break;
        if (d === 13) {
          if (text.charCodeAt(i) === 10) i++;
          break;
        }
      }
      push('comment', start, i, text.slice(start, i));
      regexNext = false;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const nul = text.indexOf('\u0000', i);
      const end = text.indexOf('*/', i + 2);
      if (end === -1 || (nul !== -1 && nul < end)) {
        i = nul === -1 ? n : nul;
        push('illegal', start, i, '', 'unterminated comment');
      } else {
        i = end + 2;
        push('comment', start, i, text.slice(start, i));
      }
      regexNext = false;
      continue;
    }

    let tok: Token;
    /** A '…'/"…" part read by scanQuoted as a token of `kind`, or illegal with what is wrong. */
    const quoted = (q: { end: number; value: string; error?: string }, kind: TokenKind, what: string) => {
      i = q.end;
      return q.error
        ? push('illegal', start, i, q.value, `${q.error} ${what}`)
        : push(kind, start, i, q.value);
    };
    /** End of the bare identifier characters from `from`; a '"' right after them continues the token. */
    const bare = (from: number) => {
      let j = from;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      return j;
    };
    if (isLetter(c) || c === 95 || c === 34 /* " */) {
      // Bare identifier or keyword, possibly directly followed by a quoted part (the server then
      // keeps only the quoted part), or a quoted identifier.
      const j = bare(i);
      if (text.charCodeAt(j) === 34)
        tok = quoted(scanQuoted(text, j), 'quotedIdentifier', 'quoted identifier');
      else {
        i = j;
        const word = text.slice(start, i);
        const upper = word.toUpperCase();
        tok = KEYWORDS.has(upper) ? push('keyword', start, i, upper) : push('identifier', start, i, word);
      }
    } else if (isDigit(c) || (c === 46 /* . */ && isDigit(text.charCodeAt(i + 1)))) {
      const r = scanNumber(text, i);
      i = r.end;
      tok = push(r.kind, start, i, text.slice(start, i));
    } else if (c === 39 /* ' */) {
      tok = quoted(scanQuoted(text, i), 'string', 'string literal');
    } else if (c === 36 /* $ */) {
      const j = bare(i + 1);
      if (text.charCodeAt(j) === 34) tok = quoted(scanQuoted(text, j), 'boundParam', 'bound parameter');
      else {
        i = j;
        tok = push('boundParam', start, i, text.slice(start + 1, i));
      }
    } else if (c === 59 /* ; */) {
      i++;
      push('semicolon', start, i, ';');
      frames = [{ kind: 'clause', clause: 'none' }];
      regexNext = false;
      p1 = undefined;
      continue;
    } else {
      const op = operatorAt(text, i);
      if (op) {
        i += op.length;
        tok = push(op.kind, start, i, op.text);
      } else {
        const cp = text.codePointAt(i)!;
        i += cp > 0xffff ? 2 : 1;
        tok = push(
          'illegal',
          start,
          i,
          text.slice(start, i),
          `unexpected character ${JSON.stringify(text.slice(start, i))}`,
        );
      }
    }

    // Decide whether a regex may follow this token (the server's parseRegex call sites).
    regexNext = false;
    const top = frames[frames.length - 1]!;
    if (tok.kind === 'keyword') {
      if (top.kind === 'clause') {
        if (tok.value === 'BY' && top.clause === 'group') {
          top.clause = 'groupBy';
          regexNext = true;
        } else if (tok.value === 'MEASUREMENT' && p1?.value === 'WITH' && p1.kind === 'keyword') {
          top.clause = 'withMeasurement';
        } else {
          const clause = CLAUSE_KEYWORDS[tok.value];
          if (clause !== undefined) top.clause = clause;
          regexNext = tok.value === 'SELECT' || tok.value === 'FROM';
        }
      }
    } else if (tok.kind === 'operator') {
      if (tok.value === '=~' || tok.value === '!~') regexNext = true;
      else if (tok.value === '=' && top.kind === 'clause' && top.clause === 'withMeasurement')
        regexNext = true;
    } else if (tok.kind === 'punctuation') {
      if (tok.value === '(') {
        const adjacent = p1 !== undefined && p1.end === start;
        if (
          adjacent &&
          (p1!.kind === 'identifier' ||
            p1!.kind === 'quotedIdentifier' ||
            (p1!.kind === 'keyword' && p1!.value === 'DISTINCT'))
        ) {
          frames.push({ kind: 'call', clause: 'none' });
          regexNext = true;
        } else if (
          top.kind === 'clause' &&
          top.clause === 'from' &&
          ((p1?.kind === 'keyword' && p1.value === 'FROM') ||
            (p1?.kind === 'punctuation' && p1.value === ','))
        ) {
          frames.push({ kind: 'clause', clause: 'none' }); // subquery
        } else {
          frames.push({ kind: 'paren', clause: 'none' });
        }
      } else if (tok.value === ')') {
        if (frames.length > 1) frames.pop();
      } else if (tok.value === ',') {
        regexNext =
          top.kind === 'call' ||
          (top.kind === 'clause' &&
            (top.clause === 'fields' || top.clause === 'from' || top.clause === 'groupBy'));
      } else if (tok.value === '.') {
        // `db.rp./regex/`: a source segment followed at once by '/'.
        regexNext =
          top.kind === 'clause' &&
          (top.clause === 'from' || top.clause === 'withMeasurement') &&
          text.charCodeAt(i) === 47;
      }
    }
    p1 = tok;
  }
  return out;
}

/**
 * Reads a `/…/` regex starting at `start` (a '/'): `\/` is an escaped '/', any other `\` stands
 * for itself; a newline (or the end of the text) before the closing '/' is an error, as for the server.
 */
function scanRegex(text: string, start: number): { end: number; value: string; error?: string } {
  let value = '';
  let i = start + 1;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0) break;
    if (c === 47) return { end: i + 1, value };
    if (c === 10 || c === 13) return { end: i + 1, value, error: 'newline in regular expression' };
    if (c === 92 /* \ */ && text.charCodeAt(i + 1) === 47) {
      value += '/';
      i += 2;
      continue;
    }
    value += text[i];
    i++;
  }
  return { end: i, value, error: 'unterminated regular expression' };
}

/** Reads a '…' or "…" token starting at `start`; ends at the closing quote, fails at a newline or end of text. */
function scanQuoted(text: string, start: number): { end: number; value: string; error?: string } {
  const quote = text.charCodeAt(start);
  let value = '';
  let i = start + 1;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === quote) return { end: i + 1, value };
    if (c === 0) break;
    if (c === 10 || c === 13) return { end: i + 1, value, error: 'newline in' };
    if (c === 92) {
      const d = text.charCodeAt(i + 1);
      if (d === 110 /* n */) value += '\n';
      else if (d === 92 || d === 34 || d === 39) value += text[i + 1];
      else return { end: Math.min(n, i + 2), value, error: `bad escape \\${text[i + 1] ?? ''} in` };
      i += 2;
      continue;
    }
    value += text[i];
    i++;
  }
  return { end: i, value, error: 'unterminated' };
}

/** Reads a number: integer, decimal, or (an integer followed by letters) a duration. */
function scanNumber(text: string, start: number): { end: number; kind: 'integer' | 'number' | 'duration' } {
  let i = start;
  const n = text.length;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 46) {
    i++;
    if (isDigit(text.charCodeAt(i))) while (i < n && isDigit(text.charCodeAt(i))) i++;
    return { end: i, kind: 'number' };
  }
  const c = text.charCodeAt(i);
  if (isLetter(c) || c === MICRO) {
    while (i < n && (isLetter(text.charCodeAt(i)) || text.charCodeAt(i) === MICRO)) i++;
    while (
      i < n &&
      (isLetter(text.charCodeAt(i)) || text.charCodeAt(i) === MICRO || isDigit(text.charCodeAt(i)))
    )
      i++;
    return { end: i, kind: 'duration' };
  }
  return { end: i, kind: 'integer' };
}

const TWO_CHAR: Record<string, 'operator' | 'punctuation'> = {
  '=~': 'operator',
  '!~': 'operator',
  '!=': 'operator',
  '<>': 'operator',
  '<=': 'operator',
  '>=': 'operator',
  '::': 'punctuation',
};
const ONE_CHAR: Record<string, 'operator' | 'punctuation'> = {
  '+': 'operator',
  '-': 'operator',
  '*': 'operator',
  '/': 'operator',
  '%': 'operator',
  '&': 'operator',
  '|': 'operator',
  '^': 'operator',
  '=': 'operator',
  '<': 'operator',
  '>': 'operator',
  '(': 'punctuation',
  ')': 'punctuation',
  ',': 'punctuation',
  '.': 'punctuation',
  ':': 'punctuation',
  π: 'punctuation',
};

function operatorAt(
  text: string,
  i: number,
): { kind: 'operator' | 'punctuation'; text: string; length: number } | undefined {
  const two = text.slice(i, i + 2);
  const k2 = TWO_CHAR[two];
  if (k2) return { kind: k2, text: two, length: 2 };
  const one = text[i]!;
  const k1 = ONE_CHAR[one];
  if (k1) return { kind: k1, text: one, length: 1 };
  return undefined;
}

/** True for tokens that are not whitespace or comments. */
export function isSignificant(token: Token): boolean {
  return token.kind !== 'whitespace' && token.kind !== 'comment';
}

/** Whether a statement only reads (GET is enough) or changes state (the server wants POST). */
export type StatementKind = 'read' | 'write';

/** One statement of a text: its significant tokens, its text without surrounding blanks, its kind. */
export interface LexedStatement {
  /** The statement's source text from its first to its last significant token. */
  readonly text: string;
  /** Offset of the first significant token. */
  readonly start: number;
  /** Offset just after the last significant token. */
  readonly end: number;
  /** All tokens of the statement, whitespace and comments inside it included. */
  readonly tokens: readonly Token[];
  /** `write` for `SELECT … INTO`, `CREATE`, `DROP`, `ALTER`, `GRANT`, `REVOKE`, `KILL`, `DELETE`, `SET`. */
  readonly kind: StatementKind;
  /** The first keyword in upper case (`SELECT`, `SHOW`, `CREATE`, …), or '' when it starts otherwise. */
  readonly verb: string;
}

const WRITE_VERBS = new Set(['CREATE', 'DROP', 'ALTER', 'GRANT', 'REVOKE', 'KILL', 'DELETE', 'SET']);

/**
 * Classifies a statement by its tokens: `write` when it changes state (InfluxDB refuses those by
 * GET), else `read`. A `SELECT` is a write when it has an `INTO` clause.
 */
export function classifyTokens(tokens: readonly Token[]): StatementKind {
  let first: Token | undefined;
  for (const t of tokens) {
    if (!isSignificant(t)) continue;
    if (first === undefined) {
      first = t;
      if (t.kind !== 'keyword') return 'read';
      if (WRITE_VERBS.has(t.value)) return 'write';
      if (t.value !== 'SELECT') return 'read';
      continue;
    }
    if (t.kind === 'keyword' && t.value === 'INTO') return 'write';
  }
  return 'read';
}

/**
 * Splits InfluxQL text into the statements the server will run: at every `;` token (never one
 * inside a string, quoted identifier, regex or comment), leaving out empty and comment-only
 * parts, exactly as InfluxDB's `ParseQuery` does. Each statement is classified read or write.
 *
 * ```ts
 * splitStatements(`SELECT * FROM "m" WHERE "t" =~ /a;b/; DROP MEASUREMENT "m"`).length; // 2
 * splitStatements('SELECT "v" --=~\n/2 FROM "m"').length; // 1 ('/' after a comment is division)
 * ```
 */
export function splitStatements(text: string): LexedStatement[] {
  return statementsOf(text, tokenize(text));
}

/** {@link splitStatements} over tokens already produced by {@link tokenize} for `text`. */
export function statementsOf(text: string, tokens: readonly Token[]): LexedStatement[] {
  const out: LexedStatement[] = [];
  let from = 0;
  const close = (to: number) => {
    const part = tokens.slice(from, to);
    const sig = part.filter(isSignificant);
    if (sig.length > 0) {
      const first = sig[0]!;
      const last = sig[sig.length - 1]!;
      out.push({
        text: text.slice(first.start, last.end),
        start: first.start,
        end: last.end,
        tokens: part,
        kind: classifyTokens(part),
        verb: first.kind === 'keyword' ? first.value : '',
      });
    }
  };
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k]!.kind === 'semicolon') {
      close(k);
      from = k + 1;
    }
  }
  close(tokens.length);
  return out;
}

/** The first `illegal` token of the text (what the server could not read), if any. */
export function firstIllegal(tokens: readonly Token[]): Token | undefined {
  return tokens.find((t) => t.kind === 'illegal');
}
