import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InfluxValidationError } from '../src/errors.js';
import { compileStatement } from '../src/influxql/compiler.js';
import { parseStatements } from '../src/influxql/parser.js';
import type { StatementNode } from '../src/influxql/statement-ast.js';
import { statement } from './helpers/influxql-arbitraries.js';

/**
 * The InfluxQL layer's round trip: for generated trees of every statement kind the library sends,
 * compile(parse(compile(ast))) === compile(ast), with values bound and with values inline. Runs
 * without a server.
 */

/** compile → parse (with the bound values) → compile. */
function roundTrip(node: StatementNode, inline: boolean): { first: string; second: string } {
  const first = compileStatement(node, { inline });
  const parsed = parseStatements(first.query, first.params);
  expect(parsed).toHaveLength(1);
  const second = compileStatement(parsed[0]!, { inline });
  expect(second.params).toEqual(first.params);
  return { first: first.query, second: second.query };
}

/** Statements the compiler refuses are refused for a reason (a typed error), never half-written. */
function compiles(node: StatementNode, inline: boolean): boolean {
  try {
    compileStatement(node, { inline });
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(InfluxValidationError);
    return false;
  }
}

describe('InfluxQL round trip: compile(parse(compile(ast))) === compile(ast)', () => {
  for (const inline of [false, true]) {
    it(`holds for generated trees of every statement kind (${inline ? 'values inline' : 'values bound'})`, () => {
      const kinds = new Set<string>();
      fc.assert(
        fc.property(statement, (node) => {
          fc.pre(compiles(node, inline));
          kinds.add(node.kind);
          const { first, second } = roundTrip(node, inline);
          expect(second).toBe(first);
        }),
        { numRuns: 1500, seed: inline ? 16 : 61 },
      );
      // Every statement kind was exercised.
      expect(kinds.size).toBe(35);
    });
  }

  it('reads what the admin helpers and influxdb-python send, and writes it back the same way', () => {
    const texts = [
      'CREATE RETENTION POLICY "somename" ON "db" DURATION 1d REPLICATION 4 SHARD DURATION 0s DEFAULT',
      'ALTER RETENTION POLICY "somename" ON "db" DURATION 4d SHARD DURATION 2h REPLICATION 4 DEFAULT',
      `CREATE USER "u\\"x" WITH PASSWORD 'p\\'w' WITH ALL PRIVILEGES`,
      `SET PASSWORD FOR "test" = 'pw'`,
      'GRANT ALL PRIVILEGES TO "test"',
      'REVOKE ALL PRIVILEGES FROM "test"',
      'GRANT read ON "testdb" TO "test"',
      'REVOKE write ON "testdb" FROM "test"',
      `DROP SERIES FROM "cpu" WHERE "host"='b' AND "r"='it\\'s'`,
      `SHOW SERIES FROM "cpu" WHERE "host"='a'`,
      'CREATE CONTINUOUS QUERY "cq_name" ON "db_name" RESAMPLE EVERY 10s FOR 2m BEGIN SELECT count("value") INTO "6_months"."events" FROM "events" GROUP BY time(10m) END',
      'DROP CONTINUOUS QUERY "cq_name" ON "db_name"',
      'SHOW GRANTS FOR "test"',
      'SHOW CONTINUOUS QUERIES',
      'SHOW FIELD KEYS FROM "week"./.*/',
      'KILL QUERY 36 ON "host:8086"',
    ];
    for (const text of texts) {
      const [node] = parseStatements(text);
      expect(compileStatement(node!, { inline: true }).query, text).toBe(text);
    }
  });

  it('normalises a continuous query given as text once, then keeps it', () => {
    const text = 'create continuous query cq on db begin select mean(v) into m2 from m group by time(1m) end';
    const once = compileStatement(parseStatements(text)[0]!).query;
    expect(once).toBe(
      'CREATE CONTINUOUS QUERY "cq" ON "db" BEGIN SELECT mean("v") INTO "m2" FROM "m" GROUP BY time(1m) END',
    );
    expect(compileStatement(parseStatements(once)[0]!).query).toBe(once);
  });

  it('refuses, with a typed error naming the statement and field, what influxd would not parse', () => {
    const m = {
      kind: 'measurement',
      database: 'db',
      retentionPolicy: undefined,
      name: 'cpu',
      regex: undefined,
    } as const;
    expect(() => compileStatement({ kind: 'dropSeries', from: m, where: [] })).toThrow(
      /^dropSeries\.from: InfluxDB 1\.x takes a bare measurement/,
    );
    expect(() =>
      compileStatement({
        kind: 'showMeasurements',
        database: undefined,
        name: { op: '!=', value: 'x' },
        limit: undefined,
        offset: undefined,
      }),
    ).toThrow(InfluxValidationError);
    expect(() => parseStatements('SHOW MEASUREMENTS WITH MEASUREMENT != "x"')).toThrow(
      /found !=, expected =, =~/,
    );
    expect(() =>
      compileStatement({
        kind: 'createRetentionPolicy',
        name: 'rp',
        database: 'db',
        duration: '1 day',
        replication: 1,
        shardDuration: undefined,
        makeDefault: false,
      }),
    ).toThrow(/^createRetentionPolicy\.duration: "1 day" is not an InfluxQL duration/);
    expect(() =>
      compileStatement({ kind: 'grant', privilege: 'sudo' as never, database: 'db', user: 'u' }),
    ).toThrow(/^grant\.privilege: must be one of 'read', 'write', 'all'/);
    expect(() => compileStatement({ kind: 'killQuery', id: -1, host: undefined })).toThrow(
      InfluxValidationError,
    );
  });
});
