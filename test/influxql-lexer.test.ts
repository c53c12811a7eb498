import { describe, expect, it } from 'vitest';
import {
  classifyTokens,
  firstIllegal,
  isSignificant,
  splitStatements,
  type Token,
  tokenize,
} from '../src/influxql/lexer.js';

const sig = (q: string) =>
  tokenize(q)
    .filter(isSignificant)
    .map((t) => [t.kind, t.value]);
const count = (q: string) => splitStatements(q).length;

describe('tokenize', () => {
  it('covers the whole text with offsets', () => {
    const q = `SELECT mean("v") AS "m" FROM "db"."rp"."cpu" WHERE host = 'a\\'b' AND time > now() - 1h30m -- c\nGROUP BY time(10s) /* x */ LIMIT 5;`;
    const tokens = tokenize(q);
    let at = 0;
    for (const t of tokens) {
      expect(t.start).toBe(at);
      expect(q.slice(t.start, t.end)).toBe(t.text);
      at = t.end;
    }
    expect(at).toBe(q.length);
    expect(firstIllegal(tokens)).toBeUndefined();
  });

  it('produces typed tokens with decoded values', () => {
    expect(
      sig(`select "a\\"b" , 'it\\'s' FROM cpu WHERE x >= 4.5 AND y <> 3 AND d = 10ms AND $p::field`),
    ).toEqual([
      ['keyword', 'SELECT'],
      ['quotedIdentifier', 'a"b'],
      ['punctuation', ','],
      ['string', "it's"],
      ['keyword', 'FROM'],
      ['identifier', 'cpu'],
      ['keyword', 'WHERE'],
      ['identifier', 'x'],
      ['operator', '>='],
      ['number', '4.5'],
      ['keyword', 'AND'],
      ['identifier', 'y'],
      ['operator', '<>'],
      ['integer', '3'],
      ['keyword', 'AND'],
      ['identifier', 'd'],
      ['operator', '='],
      ['duration', '10ms'],
      ['keyword', 'AND'],
      ['boundParam', 'p'],
      ['punctuation', '::'],
      ['keyword', 'FIELD'],
    ]);
  });

  it('reads regex literals only where the grammar reads one', () => {
    expect(sig('SELECT * FROM "m" WHERE "t" =~ /a;b/')).toContainEqual(['regex', 'a;b']);
    expect(sig('SELECT * FROM "m" WHERE "t" !~ /a\\/b/')).toContainEqual(['regex', 'a/b']);
    expect(
      sig('SELECT /usage/, /x/ FROM /cpu.*/, /mem/ GROUP BY /host/, /dc/').filter((t) => t[0] === 'regex'),
    ).toHaveLength(6);
    expect(sig('SELECT max(/a/, /b/) FROM "db"."rp"./m/').filter((t) => t[0] === 'regex')).toEqual([
      ['regex', 'a'],
      ['regex', 'b'],
      ['regex', 'm'],
    ]);
    expect(sig('SHOW MEASUREMENTS WITH MEASUREMENT = /cpu/')).toContainEqual(['regex', 'cpu']);
    // division, not regex
    expect(sig('SELECT "v" / 2 FROM "m"').filter((t) => t[0] === 'regex')).toEqual([]);
    expect(sig('SELECT * --=~\n/2 FROM "m"').filter((t) => t[0] === 'regex')).toEqual([]);
    expect(sig('SELECT * FROM "m" WHERE "v" > 1 / 2').filter((t) => t[0] === 'regex')).toEqual([]);
    // '/*' where a regex stands is a regex (as for the server)
    expect(sig('SELECT * FROM "m" WHERE "t" =~ /*x*/')).toContainEqual(['regex', '*x*']);
    // a backslash before anything but '/' stands for itself, so '\\/' is still an escaped '/'
    expect(sig('SELECT * FROM /a\\\\/;x/')).toContainEqual(['regex', 'a\\/;x']);
  });

  it('ends comments where the server does (newline, carriage return)', () => {
    expect(count('SELECT 1 FROM "m" --x\r; DROP DATABASE "x"')).toBe(2);
    expect(count('SELECT 1 FROM "m" /* ; */')).toBe(1);
    expect(count('-- only a comment;\n/* and another; */')).toBe(0);
  });

  it('reports what the server cannot read as illegal tokens', () => {
    const cases: [string, string][] = [
      ["SELECT 'abc", 'string literal'],
      ["SELECT 'a\nb'", 'newline'],
      ['SELECT "abc', 'quoted identifier'],
      ["SELECT 'a\\qb'", 'bad escape'],
      ['SELECT * FROM /abc', 'unterminated regular expression'],
      ['SELECT * FROM /a\nb/', 'newline in regular expression'],
      ['SELECT 1 /* open', 'unterminated comment'],
      ['SELECT 1 ! 2', 'unexpected character'],
      ['SELECT 1\u0000; DROP DATABASE "x"', 'NUL'],
    ];
    for (const [q, why] of cases) expect(firstIllegal(tokenize(q))?.error, q).toContain(why);
  });

  it('joins a bare word directly followed by a quoted part into one identifier, like the server', () => {
    expect(sig('SELECT abc"x;y" FROM "m"')).toEqual([
      ['keyword', 'SELECT'],
      ['quotedIdentifier', 'x;y'],
      ['keyword', 'FROM'],
      ['quotedIdentifier', 'm'],
    ]);
  });
});

describe('splitStatements', () => {
  it('splits at ; outside strings, identifiers, regexes and comments', () => {
    const parts = splitStatements(`SELECT ';' FROM "a;b" WHERE t =~ /;/ -- ;\n; ; DROP DATABASE "x";`);
    expect(parts.map((p) => [p.text, p.kind, p.verb])).toEqual([
      [`SELECT ';' FROM "a;b" WHERE t =~ /;/`, 'read', 'SELECT'],
      ['DROP DATABASE "x"', 'write', 'DROP'],
    ]);
  });

  it('does not hide a second statement behind a comment and regex-like text (issue reproduction)', () => {
    expect(count('SELECT "v" --=~\n/2 FROM "m"; DROP DATABASE "canary2"; SELECT "v" /2 FROM "m"')).toBe(3);
    expect(
      count(
        'CREATE CONTINUOUS QUERY "cq1" ON "fz" BEGIN SELECT * --=~\n/2 INTO "b" FROM "m" GROUP BY time(1m) END; DROP DATABASE "canary"; CREATE CONTINUOUS QUERY "x" ON "fz" BEGIN SELECT mean("v") /1 INTO "b" FROM "m" GROUP BY time(1m) END',
      ),
    ).toBe(3);
  });

  it('classifies reads and writes', () => {
    const kind = (q: string) => splitStatements(q)[0]!.kind;
    expect(kind('SELECT * FROM "m"')).toBe('read');
    expect(kind('SHOW DATABASES')).toBe('read');
    expect(kind('select * into "b" from "m"')).toBe('write');
    expect(kind(`SELECT "into" FROM "m" WHERE x = 'INTO'`)).toBe('read');
    for (const q of [
      'CREATE DATABASE x',
      'drop measurement m',
      'ALTER RETENTION POLICY a ON b DEFAULT',
      'GRANT ALL TO u',
      'REVOKE ALL FROM u',
      'KILL QUERY 1',
      'DELETE FROM m',
      "SET PASSWORD FOR u = 'p'",
    ])
      expect(kind(q), q).toBe('write');
    expect(kind('/* c */ DROP DATABASE "x"')).toBe('write');
    expect(classifyTokens(tokenize('SELECT 1') as Token[])).toBe('read');
  });
});
