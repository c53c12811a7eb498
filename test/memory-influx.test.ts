/**
 * MemoryInflux end to end: models written through a registry, read back through repositories, the
 * builder, the client-shaped query methods, and the same answers from the real influxd for the same
 * lines. Also the server's storage semantics (merge, type conflicts, unknown database, DROP/DELETE)
 * and refusals that name the unsupported part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import {
  InfluxDBClientError,
  InfluxDBPartialWriteError,
  InfluxUnsupportedQueryError,
} from '../src/errors.js';
import { SeriesModel } from '../src/models/series-model.js';
import {
  bottom,
  count,
  createRepository,
  cumulativeSum,
  derivative,
  difference,
  distinct,
  elapsed,
  first,
  integral,
  last,
  max,
  mean,
  min,
  movingAverage,
  nonNegativeDerivative,
  nonNegativeDifference,
  sample,
  spread,
  stddev,
  sum,
  time,
  top,
} from '../src/query/index.js';
import { SeriesRegistry } from '../src/registry/series-registry.js';
import { MemoryInflux } from '../src/testing/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('memory');
const memory = new MemoryInflux({ database: db, now: () => NOW });
const registry = new SeriesRegistry({ sink: memory, bulkSize: 50, flushInterval: 0 });

const BASE = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
const NOW = BASE + 3_600_000_000_000n;
const MIN = 60_000_000_000n;

@Measurement({ name: 'cpu', database: db, registry })
class Cpu extends SeriesModel<Cpu> {
  @Tag() host!: string;
  @Tag({ name: 'dc region', optional: true }) region?: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer', integerAs: 'bigint' }) bytes?: bigint;
  @Field({ type: 'string' }) label?: string;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

let client: InfluxDBClient;

beforeAll(async () => {
  const { host, port } = serverAddress();
  client = new InfluxDBClient({ host, port, database: db });
  await rawQuery(`CREATE DATABASE "${db}"`);
  for (let i = 0; i < 40; i++) {
    new Cpu({
      host: ['a', 'b', 'c d'][i % 3]!,
      ...(i % 5 === 0 ? {} : { region: i % 2 === 0 ? 'eu' : 'us' }),
      usage: (i * 1.7) % 11,
      bytes: i === 6 ? 2n ** 63n - 1n : BigInt(i) * 1_000_000_007n,
      label: `l"${i}\n`,
      at: BASE + BigInt(i) * MIN + BigInt(i),
    });
  }
  // A duplicate time of a series: fields merge.
  new Cpu({ host: 'a', usage: 99.5, at: BASE });
  await registry.flush();
  // The same lines to the real server.
  await client.write(`${memory.lines().join('\n')}\n`, { database: db });
});

afterAll(async () => {
  await registry.close();
  await rawQuery(`DROP DATABASE "${db}"`);
  await client?.close();
});

describe('MemoryInflux as the target of a repository', () => {
  it('find() gives the instances the server gives', async () => {
    const fromMemory = await createRepository(memory, Cpu).find({ where: { host: ['a', 'c d'] } });
    const fromServer = await createRepository(client, Cpu).find({ where: { host: ['a', 'c d'] } });
    expect(fromMemory.length).toBeGreaterThan(20);
    expect(fromMemory).toEqual(fromServer);
    const merged = fromMemory.find((c) => c.at === BASE && c.host === 'a');
    expect(merged?.usage).toBe(99.5);
    expect(merged?.bytes).toBe(0n); // kept from the first write of that time
    expect(fromMemory.find((c) => c.bytes === 2n ** 63n - 1n)).toBeDefined();
  });

  it('a builder aggregate (mean per host per 5m with fill) equals the server, value for value', async () => {
    const q = (target: MemoryInflux | InfluxDBClient) =>
      createRepository(target, Cpu)
        .query()
        .select(mean('usage').as('avg'), count('usage').as('n'))
        .where('time', '>=', new Date(Number(BASE / 1_000_000n)))
        .where('time', '<', new Date(Number((BASE + 60n * MIN) / 1_000_000n)))
        .groupBy(time('5m'), 'host')
        .fill(0)
        .all();
    const fromMemory = await q(memory);
    expect(fromMemory.length).toBe(39); // 13 windows × 3 hosts
    expect(fromMemory).toEqual(await q(client));
  });

  it('selectors, first(), stream() and count() agree with the server', async () => {
    const agg = (target: MemoryInflux | InfluxDBClient) =>
      createRepository(target, Cpu)
        .query()
        .select(
          max('bytes').as('top'),
          min('usage').as('low'),
          first('label').as('f'),
          last('usage').as('l'),
          spread('usage').as('s'),
          sum('bytes').as('total'),
        )
        .groupBy('host')
        .all();
    expect(await agg(memory)).toEqual(await agg(client));
    const newest = (target: MemoryInflux | InfluxDBClient) =>
      createRepository(target, Cpu).query().where('host', '=', 'b').orderBy('time', 'desc').first();
    expect(await newest(memory)).toEqual(await newest(client));
    const streamed: Cpu[] = [];
    for await (const c of createRepository(memory, Cpu).stream({ where: { host: 'b' }, chunkSize: 3 }))
      streamed.push(c);
    expect(streamed).toEqual(await createRepository(client, Cpu).find({ where: { host: 'b' } }));
    expect(await createRepository(memory, Cpu).count({ where: { host: 'a' } })).toBe(
      await createRepository(client, Cpu).count({ where: { host: 'a' } }),
    );
  });
});

describe('distinct, integral, stddev, selectors and transformations', () => {
  const from = new Date(Number(BASE / 1_000_000n));
  const to = new Date(Number((BASE + 60n * MIN) / 1_000_000n));

  it('transformations of an aggregate per 5m (derivative of mean with fill, …) equal the server', async () => {
    const q = (target: MemoryInflux | InfluxDBClient) =>
      createRepository(target, Cpu)
        .query()
        .select(
          derivative(mean('usage'), '1m').as('rate'),
          nonNegativeDerivative(max('bytes')).as('growth'),
          difference(count('usage')).as('delta'),
          nonNegativeDifference(sum('bytes')).as('up'),
          movingAverage(mean('usage'), 3).as('smooth'),
          cumulativeSum(count('usage')).as('total'),
          elapsed(last('usage'), '1s').as('gap'),
          stddev('usage').as('sd'),
        )
        .where('time', '>=', from)
        .where('time', '<', to)
        .groupBy(time('5m'), 'host')
        .fill(0)
        .all();
    const fromMemory = await q(memory);
    expect(fromMemory.length).toBeGreaterThan(30);
    expect(fromMemory).toEqual(await q(client));
  });

  it('transformations of raw points, integral, distinct, top/bottom and sample equal the server', async () => {
    const repo = (target: MemoryInflux | InfluxDBClient) => createRepository(target, Cpu);
    const same = async (
      build: (r: ReturnType<typeof repo>) => { all(): Promise<unknown[]> },
    ): Promise<unknown[]> => {
      const fromMemory = await build(repo(memory)).all();
      expect(fromMemory).toEqual(await build(repo(client)).all());
      return fromMemory;
    };
    const raw = await same((r) =>
      r
        .query()
        .select(
          derivative('usage', '1m').as('d'),
          difference('bytes').as('db'),
          movingAverage('usage', 2).as('ma'),
        )
        .groupBy('*')
        .orderBy('time', 'desc'),
    );
    expect(raw.length).toBeGreaterThan(20);
    await same((r) =>
      r.query().select(integral('usage', '1m').as('area')).where('host', '=', 'a').where('region', '=', 'eu'),
    );
    await same((r) => r.query().select(distinct('usage').as('u')).groupBy('host'));
    await same((r) =>
      r
        .query()
        .select(top('bytes', 3).as('big'))
        .groupBy(time('20m'), 'host')
        .where('time', '>=', from)
        .where('time', '<', to),
    );
    await same((r) => r.query().select(bottom('usage', 2).as('low')).groupBy('host'));
    // sample() draws at random (influxd too): compare size and membership.
    const sampled = await repo(memory)
      .query()
      .select(sample('usage', 4).as('s'))
      .where('host', '=', 'b')
      .all();
    const points = await repo(client)
      .query()
      .select(max('usage').as('s'))
      .where('host', '=', 'b')
      .groupBy(time('1ns'))
      .fill('none')
      .where('time', '>=', from)
      .where('time', '<', to)
      .all();
    expect(sampled.length).toBe(4);
    for (const row of sampled as Array<{ time: unknown; s: unknown }>)
      expect(points).toContainEqual(expect.objectContaining({ time: row.time, s: row.s }));
  });

  it('top() with a tag argument, and the server error texts', async () => {
    for (const q of [
      'SELECT top("usage", "host", 2) FROM "cpu"',
      'SELECT bottom("bytes", "host", 1) FROM "cpu"',
      `SELECT derivative("usage") FROM "cpu" WHERE time >= ${BASE} AND time < ${BASE + 60n * MIN} GROUP BY time(5m)`,
      'SELECT derivative(mean("usage")) FROM "cpu"',
      'SELECT moving_average("usage", 1) FROM "cpu"',
      'SELECT top("usage", 3) FROM "cpu" LIMIT 2',
      'SELECT distinct("usage"), count("usage") FROM "cpu"',
      'SELECT stddev("label") FROM "cpu"',
      'SELECT derivative("label") FROM "cpu"',
    ]) {
      const server = await client.query(q, { database: db }).then(
        (r) => r.raw,
        (e: Error) => e.message,
      );
      const mem = await memory.query(q).then(
        (r) => r.raw,
        (e: Error) => e.message,
      );
      expect({ q, mem }).toEqual({ q, mem: server });
    }
  });

  it('refuses, naming the reason, what influxd answers in a way the engine does not reproduce', async () => {
    await expect(
      memory.query(
        `SELECT integral("usage") FROM "cpu" WHERE time >= ${BASE} AND time < ${BASE + 60n * MIN} GROUP BY time(5m)`,
      ),
    ).rejects.toThrow(/integral\(\) with GROUP BY time/);
    await expect(memory.query('SELECT integral("usage") FROM "cpu" GROUP BY "host"')).rejects.toThrow(
      /several output series/,
    );
    await expect(memory.query('SELECT sample("usage", 2), count("usage") FROM "cpu"')).rejects.toThrow(
      /sample\(\) together with other functions/,
    );
  });
});

describe('MemoryInflux as a client', () => {
  it('query() returns the ResultSet shape and value types of msgpack (bigint beyond 2^53, ns RFC3339, epoch)', async () => {
    const q = 'SELECT "usage", "bytes", "label" FROM "cpu" WHERE "host" = $h AND time <= $t';
    const params = { bindParams: { h: 'a', t: '2023-11-14T22:35:20.000000022Z' }, database: db };
    const m = await memory.query(q, params);
    const s = await client.query(q, params);
    expect(m.raw).toEqual(s.raw);
    expect([...m.getPoints('cpu')]).toEqual([...s.getPoints('cpu')]);
    for (const epoch of ['ns', 'u', 'ms', 's', 'h'] as const) {
      const mm = await memory.query('SELECT "bytes" FROM "cpu" WHERE "host" = \'b\'', { epoch });
      const ss = await client.query('SELECT "bytes" FROM "cpu" WHERE "host" = \'b\'', {
        epoch,
        database: db,
      });
      expect(mm.raw).toEqual(ss.raw);
    }
    expect(m.raw.series?.[0]?.values?.some((r) => typeof r[2] === 'bigint')).toBe(true); // 2^63-1 stays exact
    const big = await memory.query('SELECT "bytes" FROM "cpu" WHERE "bytes" > 9000000000000000000');
    expect(big.raw.series?.[0]?.values?.[0]?.[1]).toBe(2n ** 63n - 1n);
  });

  it('queryMany() and queryStream() chunk as the server does', async () => {
    const text =
      'SELECT "usage" FROM "cpu" GROUP BY "host"; SHOW TAG KEYS; SHOW FIELD KEYS; SHOW MEASUREMENTS';
    const m = await memory.queryMany(text);
    const s = await client.queryMany(text, { database: db });
    expect(m.map((r) => r.raw)).toEqual(s.map((r) => r.raw));
    const chunks = async (target: MemoryInflux | InfluxDBClient) => {
      const out: unknown[] = [];
      for await (const rs of target.queryStream('SELECT "usage" FROM "cpu" GROUP BY "host"', {
        chunkSize: 4,
        database: db,
      })) {
        out.push(rs.raw);
      }
      return out;
    };
    expect(await chunks(memory)).toEqual(await chunks(client));
  });

  it('SHOW statements answer as the server', async () => {
    for (const q of [
      'SHOW MEASUREMENTS',
      'SHOW TAG KEYS FROM "cpu"',
      'SHOW FIELD KEYS',
      'SHOW SERIES FROM "cpu"',
      'SHOW TAG VALUES WITH KEY = "host"',
      'SHOW TAG VALUES FROM "cpu" WITH KEY IN ("host", "dc region")',
      'SHOW TAG VALUES WITH KEY =~ /reg/ WHERE "host" = \'a\'',
      'SHOW RETENTION POLICIES',
    ]) {
      expect((await memory.query(q)).raw, q).toEqual((await client.query(q, { database: db })).raw);
    }
  });
});

describe('the README and examples query corpus', () => {
  // The queries of README.md and examples/ (dashboard-query, demo, basic-tutorial, udp-tutorial),
  // over this file's data: each answered by MemoryInflux exactly as by influxd.
  const range = `time >= ${BASE} AND time < ${BASE + 60n * MIN}`;
  const corpus: Array<[string, Record<string, string | number>?]> = [
    ['SELECT "usage" FROM "cpu" WHERE "host" = $host', { host: 'a' }],
    ['SELECT * FROM "cpu"'],
    ['SELECT * FROM "cpu" GROUP BY "host"'],
    ['SELECT * FROM "cpu" GROUP BY *'],
    ['SELECT usage FROM cpu GROUP BY host, "dc region"'],
    [
      `SELECT mean("usage") AS "avg", max("usage") AS "worst" FROM "cpu" WHERE ${range} GROUP BY time(10m), "host" fill(none)`,
    ],
    [`SELECT count("usage") AS "calls" FROM "cpu" WHERE ${range} GROUP BY "host"`],
    [`SELECT percentile("usage", 99) AS "p99" FROM "cpu" WHERE ${range} GROUP BY time(1h), "host"`],
    [
      `SELECT mean("usage") AS "usage" FROM "cpu" WHERE ${range} GROUP BY time(1m), "host", "dc region" fill(none)`,
    ],
    [`SELECT percentile("usage", 95) AS "p95", count("usage") AS "requests" FROM "cpu" GROUP BY "host"`],
    [`SELECT median("usage") AS "med", median("bytes") AS "mb" FROM "cpu" GROUP BY "host"`],
    ['SELECT "usage" FROM "cpu" WHERE "dc region" =~ /^e/ AND "usage" > 3 ORDER BY time DESC LIMIT 3'],
    [`SELECT ("usage" * 2) + 1 AS "scaled" FROM "cpu" WHERE "host" = 'b' AND ${range}`],
    // Subqueries, fill(linear), tz(), SLIMIT/SOFFSET and SELECT … INTO (README "Testing").
    [
      `SELECT mean("x") AS "avg_of_max" FROM (SELECT max("usage") AS "x" FROM "cpu" WHERE ${range} GROUP BY time(1m), "host") WHERE ${range} GROUP BY time(5m)`,
    ],
    [`SELECT mean("usage") AS "avg" FROM "cpu" WHERE ${range} GROUP BY time(2m), "host" fill(linear)`],
    [`SELECT count("usage") AS "n" FROM "cpu" WHERE ${range} GROUP BY time(1h) tz('Europe/Paris')`],
    [`SELECT mean("usage") AS "avg" FROM "cpu" GROUP BY "host" SLIMIT 1 SOFFSET 1`],
    [`SELECT mean("usage") AS "usage" INTO "cpu_5m" FROM "cpu" WHERE ${range} GROUP BY time(5m), "host"`],
    ['SELECT * FROM "cpu_5m" GROUP BY *'],
  ];
  it.each(corpus)('%s', async (q, bindParams) => {
    const options = bindParams ? { bindParams } : {};
    expect((await memory.query(q, options)).raw).toEqual(
      (await client.query(q, { ...options, database: db })).raw,
    );
  });

  it('float edges and int64 extremes come back exactly (raw and selectors)', async () => {
    const lines =
      'edge,k=a f=1.7976931348623157e308,i=9223372036854775807i 1\nedge,k=a f=-1.7976931348623157e308,i=-9223372036854775808i 2\n' +
      'edge,k=b f=5e-324,i=0i 3\nedge,k=b f=-0,i=-1i 4\n';
    await memory.write(lines);
    await client.write(lines, { database: db });
    for (const q of [
      'SELECT * FROM "edge"',
      'SELECT max("f"), min("i") FROM "edge"',
      'SELECT first("f"), last("i") FROM "edge" GROUP BY "k"',
      'SELECT spread("i") FROM "edge" GROUP BY "k"',
      'SELECT sum("i") FROM "edge"',
    ]) {
      expect((await memory.query(q)).raw, q).toEqual((await client.query(q, { database: db })).raw);
    }
  });
});

describe('MemoryInflux storage semantics', () => {
  it('refuses a field type conflict as a partial write, and an unknown database', async () => {
    const m = new MemoryInflux({ database: 'x' });
    await m.write('w,t=a v=1 1\n');
    const err = await m.write('w,t=a v=2i 2\nw,t=b v=3 3\n').catch((e) => e);
    expect(err).toBeInstanceOf(InfluxDBPartialWriteError);
    expect(err.reason).toBe(
      'field type conflict: input field "v" on measurement "w" is type integer, already exists as type float',
    );
    expect(err.dropped).toBe(1);
    expect((await m.query('SELECT * FROM w')).raw.series?.[0]?.values).toEqual([
      ['1970-01-01T00:00:00.000000001Z', 'a', 1],
      ['1970-01-01T00:00:00.000000003Z', 'b', 3],
    ]);
    await expect(m.write('w v=1', { database: 'nope' })).rejects.toThrow(/database not found: "nope"/);
    await expect(m.query('SELECT * FROM w', { database: 'nope' })).rejects.toThrow(
      /database not found: nope/,
    );
  });

  it('DROP SERIES, DELETE and DROP MEASUREMENT remove what the server removes', async () => {
    const m = new MemoryInflux({ database: 'x' });
    await m.write('w,t=a v=1 1\nw,t=a v=2 2\nw,t=b v=3 3\nz v=1 1\n');
    await m.query('DELETE FROM "w" WHERE time < 2');
    await m.query('DROP SERIES FROM "w" WHERE "t" = \'b\'');
    expect((await m.query('SELECT * FROM w')).raw.series?.[0]?.values).toEqual([
      ['1970-01-01T00:00:00.000000002Z', 'a', 2],
    ]);
    await m.query('DROP MEASUREMENT "z"');
    expect((await m.query('SHOW MEASUREMENTS')).raw.series?.[0]?.values).toEqual([['w']]);
  });

  it('refuses what it does not evaluate, naming the part', async () => {
    await expect(
      memory.query('SELECT holt_winters(mean("usage"), 3, 1) FROM "cpu" GROUP BY time(1m)'),
    ).rejects.toThrow(InfluxUnsupportedQueryError);
    await expect(memory.query('SELECT "usage" FROM "cpu" tz(\'europe/paris\')')).rejects.toThrow(
      /tz\('europe\/paris'\)/,
    );
    await expect(
      memory.query('SELECT "usage" FROM "cpu" WHERE time > \'2024-01-01\' tz(\'Europe/Paris\')'),
    ).rejects.toThrow(/time string without a zone offset/);
    await expect(memory.query('SELECT mean("usage"), "host" FROM "cpu"')).rejects.toThrow(
      InfluxDBClientError,
    );
  });
});
