import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDsn } from '../src/client/dsn.js';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { UdpSender } from '../src/client/udp-sender.js';
import {
  InfluxClosedError,
  InfluxConfigError,
  type InfluxModelsError,
  InfluxValidationError,
} from '../src/errors.js';
import { Field, Measurement, SeriesModel, SeriesRegistry, Tag } from '../src/index.js';
import { makeLines, type Point } from '../src/line-protocol/index.js';
import { MemorySink } from '../src/testing/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

/**
 * A table of bad inputs across the public API. Each row must fail with the given error class,
 * with a message naming the culprit, before anything is sent; no message, `String()` or
 * `util.inspect()` of an error may contain the password the clients were built with.
 */

const PW = 'Pw-S3cr3t-9f2';
const db = uniqueDatabase('bad');
let client: InfluxDBClient;
let closed: InfluxDBClient;
let noDb: InfluxDBClient;

type ErrorClass = new (...args: never[]) => InfluxModelsError;
type Row = [label: string, run: () => unknown, cls: ErrorClass, message: RegExp];

/** A point built from loosely typed parts, as JavaScript callers (or `any`) can pass them. */
const point = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}): Point =>
  ({ measurement: 'm', fields, ...extra }) as Point;

const rows: Row[] = [
  // DSN
  [
    'unknown DSN scheme',
    () => InfluxDBClient.fromDsn('http://h'),
    InfluxConfigError,
    /unknown scheme "http"/,
  ],
  ['unknown DSN modifier', () => parseDsn('foo+influxdb://h'), InfluxConfigError, /unknown modifier "foo"/],
  [
    'DSN port out of range',
    () => parseDsn(`influxdb://u:${PW}@h:99999/db`),
    InfluxConfigError,
    /DSN: the port/,
  ],
  [
    'DSN password with bad percent-encoding',
    () => InfluxDBClient.fromDsn(`influxdb://u:${PW}%zz@h/db`),
    InfluxConfigError,
    /DSN: the password has invalid percent-encoding/,
  ],
  [
    'DSN with an empty host in its list',
    () => parseDsn('influxdb://h1:1,,h2:2/db'),
    InfluxConfigError,
    /host is missing/,
  ],
  [
    'DSN path with two segments',
    () => parseDsn('influxdb://h/db/rp'),
    InfluxConfigError,
    /single database name/,
  ],
  [
    'DSN override with a bad port',
    () => InfluxDBClient.fromDsn(`influxdb://u:${PW}@h/db`, { port: 0 }),
    InfluxConfigError,
    /InfluxDBClient\(port\)/,
  ],
  // client options
  [
    'port out of range',
    () => new InfluxDBClient({ port: 70000 }),
    InfluxConfigError,
    /InfluxDBClient\(port\).*70000/,
  ],
  [
    'port not an integer',
    () => new InfluxDBClient({ port: 80.5 }),
    InfluxConfigError,
    /InfluxDBClient\(port\)/,
  ],
  [
    'host given as a URL',
    () => new InfluxDBClient({ host: 'http://x' }),
    InfluxConfigError,
    /InfluxDBClient\(host\)/,
  ],
  ['empty host', () => new InfluxDBClient({ host: '' }), InfluxConfigError, /InfluxDBClient\(host\)/],
  [
    'negative timeout',
    () => new InfluxDBClient({ timeout: -1 }),
    InfluxConfigError,
    /InfluxDBClient\(timeout\)/,
  ],
  [
    'token and password together',
    () => new InfluxDBClient({ username: 'u', password: PW, token: 'tok' }),
    InfluxConfigError,
    /token/,
  ],
  [
    'header with a line break',
    () => new InfluxDBClient({ headers: { 'X-A': 'a\r\nX-B: b' } }),
    InfluxConfigError,
    /InfluxDBClient\(headers\)/,
  ],
  // precision
  [
    'bad timePrecision in writePoints',
    () => client.writePoints([point({ v: 1 })], { timePrecision: 'd' as never }),
    InfluxConfigError,
    /writePoints\(timePrecision\).*"d"/,
  ],
  [
    'bad epoch in query',
    () => client.query('SELECT * FROM m', { epoch: 'x' as never }),
    InfluxConfigError,
    /epoch/,
  ],
  // admin: durations, replication, privileges, identifiers, statements
  [
    'duration with a space',
    () => client.createRetentionPolicy('rp', '1 day', 1, { database: db }),
    InfluxConfigError,
    /createRetentionPolicy\(duration\): "1 day"/,
  ],
  [
    'duration carrying a second statement',
    () => client.createRetentionPolicy('rp', '1d', 1, { database: db, shardDuration: '1h; DROP DATABASE x' }),
    InfluxConfigError,
    /createRetentionPolicy\(shardDuration\)/,
  ],
  [
    'replication 0',
    () => client.createRetentionPolicy('rp', '1d', 0, { database: db }),
    InfluxConfigError,
    /createRetentionPolicy\(replication\).*got 0/,
  ],
  [
    'replication as a string',
    () => client.alterRetentionPolicy('rp', { database: db, replication: '2' as never }),
    InfluxConfigError,
    /alterRetentionPolicy\(replication\)/,
  ],
  [
    'alterRetentionPolicy with nothing to change',
    () => client.alterRetentionPolicy('rp', { database: db }),
    InfluxConfigError,
    /alterRetentionPolicy: nothing to change/,
  ],
  [
    "database name with '/'",
    () => client.createDatabase('a/b'),
    InfluxConfigError,
    /createDatabase\(name\): "a\/b" is not a valid name/,
  ],
  [
    'empty database name',
    () => client.dropDatabase(''),
    InfluxConfigError,
    /dropDatabase\(name\): must not be empty/,
  ],
  ['user name with NUL', () => client.dropUser('a\u0000b'), InfluxConfigError, /dropUser\(name\).*NUL/],
  [
    'measurement with a carriage return',
    () => client.dropMeasurement('m\r', db),
    InfluxConfigError,
    /dropMeasurement\(measurement\).*carriage return/,
  ],
  [
    'unknown privilege',
    () => client.grantPrivilege('delete' as never, db, 'u'),
    InfluxConfigError,
    /grantPrivilege\(privilege\).*"delete"/,
  ],
  [
    'privilege carrying a statement',
    () => client.revokePrivilege('read ON "x" FROM "y"; --' as never, db, 'u'),
    InfluxConfigError,
    /revokePrivilege\(privilege\)/,
  ],
  [
    'continuous query with two statements',
    () =>
      client.createContinuousQuery('cq', 'SELECT mean(v) INTO b FROM a GROUP BY time(1m); DROP DATABASE x'),
    InfluxConfigError,
    /createContinuousQuery\(select\): must be a single SELECT statement/,
  ],
  [
    'bad RESAMPLE duration',
    () =>
      client.createContinuousQuery('cq', 'SELECT mean(v) INTO b FROM a GROUP BY time(1m)', {
        database: db,
        resample: { every: '10 s' },
      }),
    InfluxConfigError,
    /createContinuousQuery\(resample\)\.every/,
  ],
  [
    'deleteSeries without filter',
    () => client.deleteSeries({ database: db }),
    InfluxConfigError,
    /deleteSeries/,
  ],
  [
    'series filter tag value with a carriage return',
    () => client.listSeries({ database: db, tags: { host: 'a\rb' } }),
    InfluxConfigError,
    /listSeries\(tags\)\.host/,
  ],
  [
    'password with a carriage return',
    () => client.createUser('u', `${PW}\r`),
    InfluxConfigError,
    /createUser\(password\).*carriage return/,
  ],
  ['empty password', () => client.setUserPassword('u', ''), InfluxConfigError, /setUserPassword\(password\)/],
  [
    'no database given and none by default',
    () => noDb.listMeasurements(),
    InfluxConfigError,
    /listMeasurements: no database given/,
  ],
  ['switch to an empty database name', () => client.switchDatabase(''), InfluxConfigError, /switchDatabase/],
  // points that cannot be written exactly
  ['NaN field', () => client.writePoints([point({ v: Number.NaN })]), InfluxValidationError, /\.v: NaN/],
  [
    'Infinity field',
    () => client.writePoints([point({ v: Number.POSITIVE_INFINITY })]),
    InfluxValidationError,
    /\.v: Infinity/,
  ],
  ['empty field set', () => client.writePoints([point({})]), InfluxValidationError, /field/],
  ['fields all null', () => makeLines([point({ a: null, b: undefined })]), InfluxValidationError, /field/],
  [
    'newline in a tag value',
    () => client.writePoints([point({ v: 1 }, { tags: { host: 'a\nb' } })]),
    InfluxValidationError,
    /host/,
  ],
  [
    'tag value ending in a backslash',
    () => client.writePoints([point({ v: 1 }, { tags: { path: 'C:\\' } })]),
    InfluxValidationError,
    /path/,
  ],
  [
    'bigint beyond int64',
    () => client.writePoints([point({ n: 2n ** 63n })]),
    InfluxValidationError,
    /\.n: 9223372036854775808 is outside the int64 range/,
  ],
  [
    'unparseable time string',
    () => client.writePoints([point({ v: 1 }, { time: '2009-13-45T25:00:00Z' })]),
    InfluxValidationError,
    /time/,
  ],
  [
    'number time beyond 2^53',
    () => client.writePoints([point({ v: 1 }, { time: 2 ** 60 })]),
    InfluxValidationError,
    /time: 1152921504606847000 is not a safe integer/,
  ],
  [
    'invalid Date',
    () => makeLines([point({ v: 1 }, { time: new Date('nope') })]),
    InfluxValidationError,
    /invalid Date/,
  ],
  // client state and query text
  ['query on a closed client', () => closed.query('SHOW DATABASES'), InfluxClosedError, /query.*closed/],
  ['write on a closed client', () => closed.writePoints([point({ v: 1 })]), InfluxClosedError, /closed/],
  ['admin call on a closed client', () => closed.listUsers(), InfluxClosedError, /closed/],
  [
    'several statements given to query()',
    () => client.query('SELECT * FROM a; DROP DATABASE b'),
    InfluxConfigError,
    /queryMany/,
  ],
  ['empty query', () => client.query('  '), InfluxConfigError, /query\(q\)/],
  [
    'non-finite bind parameter',
    () => client.query('SELECT * FROM m WHERE v > $v', { bindParams: { v: Number.NaN } }),
    InfluxConfigError,
    /bindParams.*v/,
  ],
  [
    'batchSize 0',
    () => client.writePoints([point({ v: 1 })], { batchSize: 0 }),
    InfluxConfigError,
    /batchSize/,
  ],
  // UDP
  [
    'UDP line longer than a datagram',
    () =>
      new UdpSender({ host: '127.0.0.1', port: 9, maxDatagramBytes: 64 }).send(`m s="${'x'.repeat(100)}"\n`),
    InfluxValidationError,
    /udp packet\.line 1: is 107 bytes/,
  ],
  [
    'UDP timePrecision the listener would misread',
    () => new UdpSender({ host: '127.0.0.1', port: 9 }).send('m v=1 1\n', { precision: 'ms' }),
    InfluxConfigError,
    /'ms' differs from the UDP listener's precision 'n'/,
  ],
  [
    'UDP datagram size beyond 65507',
    () => new UdpSender({ host: '127.0.0.1', port: 9, maxDatagramBytes: 70_000 }),
    InfluxConfigError,
    /maxDatagramBytes/,
  ],
];

// Series models: a registry of their own (no autocommit) so nothing is written anywhere.
const registry = new SeriesRegistry({ sink: new MemorySink(), autocommit: false });
@Measurement({ name: 'bad_input_cpu', registry })
class BadInputCpu extends SeriesModel<BadInputCpu> {
  @Tag() host!: string;
  @Field() usage!: number;
  @Field({ type: 'integer' }) cores!: number;
}
const modelRows: Row[] = [
  [
    'model field NaN',
    () => new BadInputCpu({ host: 'a', usage: Number.NaN, cores: 1 }),
    InfluxValidationError,
    /BadInputCpu.*usage/,
  ],
  [
    'model integer field given 1.5',
    () => new BadInputCpu({ host: 'a', usage: 1, cores: 1.5 }),
    InfluxValidationError,
    /BadInputCpu.*cores/,
  ],
  [
    'model tag with a newline',
    () => new BadInputCpu({ host: 'a\nb', usage: 1, cores: 1 }),
    InfluxValidationError,
    /BadInputCpu.*host/,
  ],
];
rows.push(...modelRows);

/**
 * makeLines must check its precision argument, with and without a point time (it once threw a
 * raw TypeError with a time and silently accepted a bad precision without one).
 */
const makeLinesPrecisionRows: Row[] = [
  [
    'bad precision in makeLines',
    () => makeLines([point({ v: 1 }, { time: 1n })], 'sec' as never),
    InfluxConfigError,
    /"sec"/,
  ],
  [
    'bad precision in makeLines, point without time',
    () => makeLines([point({ v: 1 })], 'sec' as never),
    InfluxConfigError,
    /"sec"/,
  ],
];

beforeAll(async () => {
  const { host, port } = serverAddress();
  client = new InfluxDBClient({ host, port, username: 'someone', password: PW, database: db, retries: 1 });
  closed = new InfluxDBClient({ host, port, username: 'someone', password: PW, retries: 1 });
  await closed.close();
  noDb = new InfluxDBClient({ host, port, username: 'someone', password: PW, retries: 1 });
  await rawQuery(`CREATE DATABASE "${db}"`);
});

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await client?.close();
  await noDb?.close();
  await registry.close();
});

describe('bad inputs give typed errors naming the culprit', () => {
  it('has at least 30 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  it.each(rows)('%s', (_label, run, cls, message) => expectRefusal(run, cls, message));

  it.each(makeLinesPrecisionRows)('%s', (_label, run, cls, message) => expectRefusal(run, cls, message));

  it('sent nothing: the database is still empty and no policy, user or query was created', async () => {
    const res = await rawQuery('SHOW MEASUREMENTS', db);
    expect(res.results[0].series).toBeUndefined();
    const rps = await rawQuery(`SHOW RETENTION POLICIES ON "${db}"`);
    expect(rps.results[0].series[0].values.map((v: unknown[]) => v[0])).toEqual(['autogen']);
    const users = await rawQuery('SHOW USERS');
    expect(users.results[0].series?.[0]?.values ?? []).toEqual([]);
    const dbs = await rawQuery('SHOW DATABASES');
    expect(dbs.results[0].series[0].values.flat()).not.toContain('a/b');
  });
});

async function expectRefusal(run: () => unknown, cls: ErrorClass, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(cls);
  const e = error as Error;
  expect(e.message).toMatch(message);
  for (const text of [e.message, String(e), inspect(e, { depth: 5 }), JSON.stringify(e)]) {
    expect(text).not.toContain(PW);
  }
}
