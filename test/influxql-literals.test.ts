import { describe, expect, it } from 'vitest';
import { resampleNode } from '../src/client/admin-api.js';
import { InfluxConfigError, InfluxValidationError } from '../src/errors.js';
import { rawSelectText } from '../src/influxql/compiler.js';
import { tokenize } from '../src/influxql/lexer.js';
import {
  checkPrivilege as checkPrivilegeWith,
  checkDuration as checkQueryDuration,
  checkReplication as checkReplicationWith,
  checkStorageName as checkStorageNameWith,
  configFail,
  durationLiteral,
} from '../src/influxql/literals.js';

// The admin helpers' face of the literal checks: InfluxConfigError('<what>: …').
const checkDuration = (v: unknown, what: string, infinite = false) =>
  durationLiteral(v, configFail(what), { infinite });
const checkReplication = (v: unknown, what: string) => checkReplicationWith(v, configFail(what));
const checkPrivilege = (v: unknown, what: string) => checkPrivilegeWith(v, configFail(what));
const checkStorageName = (v: unknown, what: string) => checkStorageNameWith(v, configFail(what));
const checkSelectStatement = (v: unknown, what: string) =>
  rawSelectText({ kind: 'rawSelect', text: v as string }, configFail(what));
const findStatementSeparator = (text: string) =>
  tokenize(text).find((t) => t.kind === 'semicolon')?.start ?? -1;

describe('InfluxQL literal checks (influxql/literals.ts)', () => {
  it('accepts InfluxQL durations and INF where allowed', () => {
    for (const d of ['1d', '0s', '52w', '1h30m', '500ms', '10u', '10µ', '7ns'])
      expect(checkDuration(d, 'x')).toBe(d);
    expect(checkDuration('inf', 'x', true)).toBe('INF');
    expect(() => checkDuration('INF', 'x')).toThrow(InfluxConfigError);
  });

  it.each(['1 d', '1day', 'd', '', '1d;', "1d' OR 1=1", '1.5h', '-1h', '1h\n', ' 1h'])(
    'refuses duration %j',
    (d) => {
      expect(() => checkDuration(d, 'f(duration)')).toThrow(/^f\(duration\): /);
    },
  );

  it('refuses a non-string duration', () => {
    expect(() => checkDuration(3600, 'f(duration)')).toThrow(/got 3600/);
  });

  it('accepts replication from 1 and refuses the rest', () => {
    expect(checkReplication(3, 'r')).toBe(3);
    for (const r of [0, -1, 1.5, Number.NaN, '2', 2n, Number.POSITIVE_INFINITY]) {
      expect(() => checkReplication(r, 'r')).toThrow(InfluxConfigError);
    }
  });

  it('accepts read/write/all in any case only', () => {
    expect(checkPrivilege('READ', 'p')).toBe('read');
    expect(checkPrivilege('all', 'p')).toBe('all');
    for (const p of ['delete', 'read ON "x" TO "y"; --', '', 'ALL PRIVILEGES', 1]) {
      expect(() => checkPrivilege(p, 'p')).toThrow(/must be one of 'read', 'write', 'all'/);
    }
  });

  it('applies InfluxDB name rules to databases and policies', () => {
    expect(checkStorageName('my db "1"', 'n')).toBe('my db "1"');
    expect(checkStorageName('données', 'n')).toBe('données');
    for (const n of ['.', '..', 'a/b', 'a\\b', 'a\nb', 'a\tb', 'a\u00a0b', '', 'a\u0000b']) {
      expect(() => checkStorageName(n, 'n'), JSON.stringify(n)).toThrow(InfluxConfigError);
    }
  });

  it('builds RESAMPLE options from an object or the seed string', () => {
    expect(resampleNode({ every: '10s', for: '2m' }, 'r')).toEqual({ every: '10s', for: '2m' });
    expect(resampleNode('every 10s', 'r')).toEqual({ every: '10s', for: undefined });
    expect(resampleNode('FOR 1h', 'r')).toEqual({ every: undefined, for: '1h' });
    expect(resampleNode(undefined, 'r')).toBeUndefined();
    for (const bad of ['', 'EVERY', 'EVERY 10 s', 'EVERY 10s FOR 2m BEGIN', {}, { every: '1x' }, 5]) {
      expect(() => resampleNode(bad as never, 'r')).toThrow(InfluxConfigError);
    }
  });

  it('finds statement separators outside strings, identifiers, regexes and comments', () => {
    expect(findStatementSeparator("SELECT * FROM m WHERE a = 'x;y'")).toBe(-1);
    expect(findStatementSeparator('SELECT "a;b" FROM m')).toBe(-1);
    expect(findStatementSeparator('SELECT * FROM m WHERE h =~ /a;b/')).toBe(-1);
    expect(findStatementSeparator('SELECT * FROM m -- ; comment\n')).toBe(-1);
    expect(findStatementSeparator('SELECT * FROM m /* ; */')).toBe(-1);
    expect(findStatementSeparator("SELECT * FROM m WHERE a = 'it\\'s;'")).toBe(-1);
    expect(findStatementSeparator('SELECT * FROM /a;b/')).toBe(-1);
    expect(findStatementSeparator('SELECT /u;s/ FROM m GROUP BY time(1m), /h;x/')).toBe(-1);
    expect(findStatementSeparator('SELECT * FROM m WHERE h !~ /a;b/ AND t > now() - 1h')).toBe(-1);
    expect(findStatementSeparator('SELECT a/b FROM m; DROP DATABASE x')).toBe(17);
    expect(findStatementSeparator('SELECT (a)/2 FROM m; DROP DATABASE x')).toBe(19);
    expect(findStatementSeparator('SELECT 1 FROM m; DROP DATABASE x')).toBe(15);
    expect(findStatementSeparator('SELECT a / 2 FROM m; DROP DATABASE x')).toBe(19);
  });

  it('checks the SELECT of a continuous query', () => {
    expect(checkSelectStatement(' SELECT mean(v) INTO b FROM a GROUP BY time(1m) ; ', 's')).toBe(
      'SELECT mean(v) INTO b FROM a GROUP BY time(1m)',
    );
    expect(() => checkSelectStatement('SELECT 1 FROM a; DROP DATABASE x', 's')).toThrow(
      /single SELECT statement/,
    );
    expect(() => checkSelectStatement('DROP DATABASE x', 's')).toThrow(/must be a SELECT statement/);
    expect(() => checkSelectStatement("SELECT v FROM a WHERE t = 'x END", 's')).toThrow(
      /unterminated string literal/,
    );
    expect(() => checkSelectStatement(undefined, 's')).toThrow(/must be a SELECT statement string/);
  });

  it("has one duration rule for every surface, with the server's int64 limit", () => {
    // 2^63-1 ns is the largest Go time.Duration; the server would wrap a larger one silently.
    expect(checkDuration('9223372036854775807ns', 'x')).toBe('9223372036854775807ns');
    expect(() => checkDuration('9223372036854775808ns', 'x')).toThrow(/largest duration/);
    expect(checkDuration('15250w', 'x')).toBe('15250w');
    expect(() => checkDuration('15251w', 'x')).toThrow(InfluxConfigError);
    expect(() => checkDuration('999999999999999999999s', 'x')).toThrow(/largest duration/);
    // The query builder's face: the same rule, InfluxValidationError(where, property).
    expect(checkQueryDuration('-1h', 'time()', 'offset', true)).toBe('-1h');
    expect(() => checkQueryDuration('-1h', 'time()', 'interval')).toThrow(InfluxValidationError);
    expect(() => checkQueryDuration('15251w', 'time()', 'interval')).toThrow(
      /^time\(\)\.interval: "15251w" is longer than InfluxDB's largest duration/,
    );
  });
});
