import { describe, expect, it } from 'vitest';
import { InfluxAdminApi } from '../src/client/admin-api.js';
import type { QueryOptions } from '../src/client/client-options.js';
import { InfluxConfigError } from '../src/errors.js';
import { ResultSet } from '../src/results/result-set.js';

/**
 * The statement texts and HTTP methods of the admin helpers, against influxdb-python's (case CL03).
 * A recording subclass captures what would be sent; the real server runs them in client-admin.test.ts.
 */
class Recorder extends InfluxAdminApi {
  sent: Array<{ q: string; method: string | undefined; database: string | undefined }> = [];
  constructor(
    private db: string | undefined,
    private answer: ResultSet = new ResultSet({ statement_id: 0 }),
  ) {
    super();
  }
  async query(q: string, options: QueryOptions = {}): Promise<ResultSet> {
    this.sent.push({ q, method: options.method, database: options.database });
    return this.answer;
  }
  protected currentDatabase(): string | undefined {
    return this.db;
  }
}

async function sent(run: (c: Recorder) => Promise<unknown>, db: string | undefined = 'db') {
  const c = new Recorder(db);
  await run(c);
  expect(c.sent).toHaveLength(1);
  return c.sent[0]!;
}

describe('admin statements (CL03)', () => {
  const cases: Array<[string, (c: Recorder) => Promise<unknown>, string, 'GET' | 'POST']> = [
    ['createDatabase', (c) => c.createDatabase('new_db'), 'CREATE DATABASE "new_db"', 'POST'],
    ['dropDatabase', (c) => c.dropDatabase('123'), 'DROP DATABASE "123"', 'POST'],
    [
      'dropMeasurement',
      (c) => c.dropMeasurement('new_measurement'),
      'DROP MEASUREMENT "new_measurement"',
      'POST',
    ],
    [
      'createRetentionPolicy default',
      (c) => c.createRetentionPolicy('somename', '1d', 4, { default: true, database: 'db' }),
      'CREATE RETENTION POLICY "somename" ON "db" DURATION 1d REPLICATION 4 SHARD DURATION 0s DEFAULT',
      'POST',
    ],
    [
      'createRetentionPolicy shard',
      (c) => c.createRetentionPolicy('somename2', '1d', 4, { database: 'db', shardDuration: '1h' }),
      'CREATE RETENTION POLICY "somename2" ON "db" DURATION 1d REPLICATION 4 SHARD DURATION 1h',
      'POST',
    ],
    [
      'alterRetentionPolicy duration',
      (c) => c.alterRetentionPolicy('somename', { database: 'db', duration: '4d' }),
      'ALTER RETENTION POLICY "somename" ON "db" DURATION 4d',
      'POST',
    ],
    [
      'alterRetentionPolicy all',
      (c) =>
        c.alterRetentionPolicy('somename', {
          database: 'db',
          duration: '4d',
          shardDuration: '2h',
          replication: 4,
          default: true,
        }),
      'ALTER RETENTION POLICY "somename" ON "db" DURATION 4d SHARD DURATION 2h REPLICATION 4 DEFAULT',
      'POST',
    ],
    [
      'dropRetentionPolicy',
      (c) => c.dropRetentionPolicy('somename', 'db'),
      'DROP RETENTION POLICY "somename" ON "db"',
      'POST',
    ],
    [
      'createUser admin with quotes',
      (c) => c.createUser('u"x', "p'w", true),
      `CREATE USER "u\\"x" WITH PASSWORD 'p\\'w' WITH ALL PRIVILEGES`,
      'POST',
    ],
    ['dropUser', (c) => c.dropUser('test'), 'DROP USER "test"', 'POST'],
    // influxdb-python used GET here; POST keeps the password out of URLs and access logs.
    ['setUserPassword', (c) => c.setUserPassword('test', 'pw'), `SET PASSWORD FOR "test" = 'pw'`, 'POST'],
    ['grantAdminPrivileges', (c) => c.grantAdminPrivileges('test'), 'GRANT ALL PRIVILEGES TO "test"', 'POST'],
    [
      'revokeAdminPrivileges',
      (c) => c.revokeAdminPrivileges('test'),
      'REVOKE ALL PRIVILEGES FROM "test"',
      'POST',
    ],
    [
      'grantPrivilege',
      (c) => c.grantPrivilege('read', 'testdb', 'test'),
      'GRANT read ON "testdb" TO "test"',
      'POST',
    ],
    [
      'revokePrivilege',
      (c) => c.revokePrivilege('read', 'testdb', 'test'),
      'REVOKE read ON "testdb" FROM "test"',
      'POST',
    ],
    [
      'deleteSeries',
      (c) => c.deleteSeries({ measurement: 'cpu', tags: { host: 'b', r: "it's" } }),
      `DROP SERIES FROM "cpu" WHERE "host"='b' AND "r"='it\\'s'`,
      'POST',
    ],
    [
      'createContinuousQuery resampleOpts',
      (c) =>
        c.createContinuousQuery(
          'cq_name',
          'SELECT count("value") INTO "6_months"."events" FROM "events" GROUP BY time(10m)',
          { database: 'db_name', resampleOpts: 'EVERY 10s FOR 2m' },
        ),
      'CREATE CONTINUOUS QUERY "cq_name" ON "db_name" RESAMPLE EVERY 10s FOR 2m BEGIN SELECT count("value") INTO "6_months"."events" FROM "events" GROUP BY time(10m) END',
      'POST',
    ],
    [
      'createContinuousQuery resample object',
      (c) =>
        c.createContinuousQuery('cq', 'SELECT mean(v) INTO m2 FROM m GROUP BY time(1m);', {
          resample: { for: '1h' },
        }),
      'CREATE CONTINUOUS QUERY "cq" ON "db" RESAMPLE FOR 1h BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1m) END',
      'POST',
    ],
    [
      'createContinuousQuery every/for options',
      (c) =>
        c.createContinuousQuery('cq', 'SELECT mean(v) INTO m2 FROM m GROUP BY time(1m)', {
          every: '30s',
          for: '5m',
        }),
      'CREATE CONTINUOUS QUERY "cq" ON "db" RESAMPLE EVERY 30s FOR 5m BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1m) END',
      'POST',
    ],
    [
      'dropContinuousQuery',
      (c) => c.dropContinuousQuery('cq_name', 'db_name'),
      'DROP CONTINUOUS QUERY "cq_name" ON "db_name"',
      'POST',
    ],
    // influxdb-python left the tag key unquoted (`WHERE host='a'`); we quote it.
    [
      'listSeries',
      (c) => c.listSeries({ measurement: 'cpu', tags: { host: 'a' } }),
      `SHOW SERIES FROM "cpu" WHERE "host"='a'`,
      'GET',
    ],
    ['listRetentionPolicies', (c) => c.listRetentionPolicies(), 'SHOW RETENTION POLICIES ON "db"', 'GET'],
    ['listPrivileges', (c) => c.listPrivileges('test'), 'SHOW GRANTS FOR "test"', 'GET'],
    ['listUsers', (c) => c.listUsers(), 'SHOW USERS', 'GET'],
    ['listDatabases', (c) => c.listDatabases(), 'SHOW DATABASES', 'GET'],
    ['listMeasurements', (c) => c.listMeasurements(), 'SHOW MEASUREMENTS', 'GET'],
    ['listContinuousQueries', (c) => c.listContinuousQueries(), 'SHOW CONTINUOUS QUERIES', 'GET'],
    ['listTagKeys', (c) => c.listTagKeys({ measurement: 'cpu' }), 'SHOW TAG KEYS FROM "cpu"', 'GET'],
    ['listFieldKeys', (c) => c.listFieldKeys(), 'SHOW FIELD KEYS', 'GET'],
  ];
  it.each(cases)('%s', async (_name, run, q, method) => {
    const s = await sent(run);
    expect(s.q).toBe(q);
    expect(s.method).toBe(method);
  });

  it('sends database-scoped statements with the database as a parameter', async () => {
    expect((await sent((c) => c.dropMeasurement('m', 'other'))).database).toBe('other');
    expect((await sent((c) => c.listMeasurements())).database).toBe('db');
    expect((await sent((c) => c.listSeries({ database: 'x' }))).database).toBe('x');
  });

  it('uses the current database and refuses to guess when there is none', async () => {
    expect((await sent((c) => c.createRetentionPolicy('rp', 'INF', 1), 'cur')).q).toBe(
      'CREATE RETENTION POLICY "rp" ON "cur" DURATION INF REPLICATION 1 SHARD DURATION 0s',
    );
    const c = new Recorder(undefined);
    await expect(c.listMeasurements()).rejects.toThrow(InfluxConfigError);
    await expect(c.listMeasurements()).rejects.toThrow(/listMeasurements: no database given/);
    expect(c.sent).toHaveLength(0);
  });

  it('refuses two ways of giving RESAMPLE options at once, and names a bad shorthand', async () => {
    const c = new Recorder('db');
    const sel = 'SELECT mean(v) INTO m2 FROM m GROUP BY time(1m)';
    await expect(c.createContinuousQuery('cq', sel, { every: '1m', resampleOpts: 'FOR 1h' })).rejects.toThrow(
      /give only one of `resampleOpts`, `every\/for`/,
    );
    await expect(c.createContinuousQuery('cq', sel, { for: '1 h' })).rejects.toThrow(
      /createContinuousQuery\(options\)\.for: "1 h" is not an InfluxQL duration/,
    );
    expect(c.sent).toHaveLength(0);
  });

  it('quotes identifiers with newlines, quotes and backslashes', async () => {
    expect((await sent((c) => c.dropUser('a"b\\c\nd'))).q).toBe('DROP USER "a\\"b\\\\c\\nd"');
  });
});

describe('admin results', () => {
  it('listContinuousQueries has influxdb-python shape (CL09)', async () => {
    const rs = new ResultSet({
      statement_id: 0,
      series: [
        {
          name: 'testdb01',
          columns: ['name', 'query'],
          values: [
            ['testname01', 'testquery01'],
            ['testname02', 'testquery02'],
          ],
        },
        { name: 'testdb02', columns: ['name', 'query'], values: [['testname03', 'testquery03']] },
        { name: 'testdb03', columns: ['name', 'query'] },
      ],
    });
    const c = new Recorder('db', rs);
    expect(await c.listContinuousQueries()).toEqual([
      {
        testdb01: [
          { name: 'testname01', query: 'testquery01' },
          { name: 'testname02', query: 'testquery02' },
        ],
      },
      { testdb02: [{ name: 'testname03', query: 'testquery03' }] },
      { testdb03: [] },
    ]);
  });

  it('listRetentionPolicies carries only the columns the server sent (none invented)', async () => {
    const rs = new ResultSet({
      statement_id: 0,
      series: [
        {
          columns: ['name', 'duration', 'default'],
          values: [
            ['autogen', '0s', true],
            ['week', null, false],
          ],
        },
      ],
    });
    const rps = await new Recorder('db', rs).listRetentionPolicies();
    expect(rps).toEqual([
      { name: 'autogen', duration: '0s', default: true },
      { name: 'week', default: false },
    ]);
    expect(rps[0]).not.toHaveProperty('shardGroupDuration');
    expect(rps[0]).not.toHaveProperty('replicaN');
  });
});
