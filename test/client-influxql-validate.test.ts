import { describe, expect, it } from 'vitest';
import {
  checkDuration,
  checkPrivilege,
  checkReplication,
  checkResample,
  checkSelectStatement,
  checkStorageName,
  findStatementSeparator,
} from '../src/client/influxql-validate.js';
import { InfluxConfigError } from '../src/errors.js';

describe('InfluxQL raw-part checks', () => {
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
    expect(checkReplication(3, 'r')).toBe('3');
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
    expect(checkResample({ every: '10s', for: '2m' }, 'r')).toBe('EVERY 10s FOR 2m');
    expect(checkResample('every 10s', 'r')).toBe('EVERY 10s');
    expect(checkResample('FOR 1h', 'r')).toBe('FOR 1h');
    expect(checkResample(undefined, 'r')).toBeUndefined();
    for (const bad of ['', 'EVERY', 'EVERY 10 s', 'EVERY 10s FOR 2m BEGIN', {}, { every: '1x' }, 5]) {
      expect(() => checkResample(bad as never, 'r')).toThrow(InfluxConfigError);
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
});
