import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxDBClientError, InfluxValidationError } from '../src/errors.js';
import { nanosToRfc3339 } from '../src/line-protocol/time.js';
import {
  add,
  ago,
  and,
  bottom,
  cond,
  count,
  createRepository,
  derivative,
  difference,
  distinct,
  first,
  integral,
  last,
  max,
  mean,
  median,
  min,
  mode,
  movingAverage,
  mul,
  nonNegativeDerivative,
  or,
  percentile,
  spread,
  stddev,
  sum,
  time,
  top,
} from '../src/query/index.js';
import { rawQuery, rawWrite, serverAddress, serverUrl, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('query_repo');

@Measurement({ name: 'cpu', database: db })
class Cpu {
  @Tag() host!: string;
  @Tag({ name: 'dc region' }) region!: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Field({ type: 'integer', integerAs: 'bigint' }) bytes!: bigint;
  @Field({ type: 'string' }) label!: string;
  @Field({ type: 'boolean' }) up!: boolean;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

@Measurement({ name: 'cpu', database: db })
class CpuDated {
  @Tag() host!: string;
  @Tag({ name: 'dc region' }) region!: string;
  @Field({ type: 'float' }) usage!: number;
  @Timestamp() at!: Date;
}

@Measurement({ name: 'events.stats.{server}', database: db })
class Event {
  @Tag() server!: string;
  @Field({ type: 'integer' }) n!: number;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

const BASE = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
const MIN = 60_000_000_000n;
const BIG = 9_223_372_036_854_775_807n;

/** 3 hosts × 2 regions... hand-written lines, so the reading side is checked against known data. */
const lines: string[] = [];
for (let i = 0; i < 30; i++) {
  const host = ['a', 'b', 'c d'][i % 3]!;
  const region = i % 2 === 0 ? 'eu' : 'us';
  const t = BASE + BigInt(i) * MIN + BigInt(i); // nanoseconds that a float would lose
  lines.push(
    `cpu,host=${host.replace(' ', '\\ ')},dc\\ region=${region} usage=${(i * 1.5) % 17},cores=${i}i,bytes=${i === 7 ? BIG : BigInt(i) * 1_000_000_000_000n}i,label="l\\"${i}",up=${i % 4 === 0} ${t}`,
  );
}
lines.push('cpu,host=old,dc\\ region=eu usage=0.25,cores=1i,bytes=1i,label="x",up=true -1');
lines.push('cpu,host=sparse,dc\\ region=eu usage=1 1500000000000000000');

let client: InfluxDBClient;
const repo = () => createRepository(client, Cpu);

/** A hand-written query through plain fetch, times as RFC3339 strings. */
async function hand(
  q: string,
): Promise<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]> {
  const res = await fetch(`${serverUrl()}/query?${new URLSearchParams({ db, q })}`);
  // Integers beyond 2^53 are kept as strings (JSON.parse would round them).
  const body = JSON.parse((await res.text()).replace(/(?<=[[,:])(-?\d{16,})(?=[,\]}])/g, '"$1"'));
  const r = body.results[0];
  if (r.error) throw new Error(r.error);
  return r.series ?? [];
}

beforeAll(async () => {
  const { host, port } = serverAddress();
  client = new InfluxDBClient({ host, port, database: db });
  await rawQuery(`CREATE DATABASE "${db}"`);
  const w = await rawWrite(`${lines.join('\n')}\n`, db, 'n');
  expect(w.status).toBe(204);
  const e = await rawWrite(
    'events.stats.web1 n=1i 1000\nevents.stats.web1 n=2i 2000\nevents.stats.db\\ 2 n=3i 3000\nother n=1i 1\n',
    db,
    'n',
  );
  expect(e.status).toBe(204);
});

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await client?.close();
});

describe('Repository.find → instances', () => {
  it('maps every field type and the bigint time exactly to the nanosecond', async () => {
    const all = await repo().find({ where: { host: ['a', 'b', 'c d'] } });
    expect(all).toHaveLength(30);
    for (let i = 0; i < 30; i++) {
      const p = all[i]!;
      expect(p).toBeInstanceOf(Cpu);
      expect(Object.isFrozen(p)).toBe(true);
      expect(p.at).toBe(BASE + BigInt(i) * MIN + BigInt(i));
      expect(p.host).toBe(['a', 'b', 'c d'][i % 3]);
      expect(p.region).toBe(i % 2 === 0 ? 'eu' : 'us');
      expect(p.usage).toBe((i * 1.5) % 17);
      expect(p.cores).toBe(i);
      expect(p.bytes).toBe(i === 7 ? BIG : BigInt(i) * 1_000_000_000_000n);
      expect(p.label).toBe(`l"${i}`);
      expect(p.up).toBe(i % 4 === 0);
    }
  });

  it('maps Date timestamps (before 1970 too) and leaves missing fields undefined', async () => {
    const old = await createRepository(client, CpuDated).findOne({ where: { host: 'old' } });
    expect(old?.at.toISOString()).toBe('1969-12-31T23:59:59.999Z');
    const sparse = await repo().findOne({ where: { host: 'sparse' } });
    expect(sparse?.usage).toBe(1);
    expect(sparse?.cores).toBeUndefined();
    expect(sparse?.label).toBeUndefined();
    expect(sparse?.at).toBe(1_500_000_000_000_000_000n);
  });

  it('time ranges from bigint ns, Date, RFC3339 and relative times are exact', async () => {
    const t5 = BASE + 5n * MIN + 5n;
    const byBigint = await repo().find({ from: t5, to: t5 + 1n });
    expect(byBigint.map((p) => p.at)).toEqual([t5]);
    const justAfter = await repo().find({ from: t5 + 1n, to: t5 + MIN });
    expect(justAfter).toEqual([]);
    const byString = await repo().find({ from: nanosToRfc3339(t5), to: nanosToRfc3339(t5 + 1n) });
    expect(byString.map((p) => p.at)).toEqual([t5]);
    const byDate = await repo().find({
      from: new Date(Number((BASE + 10n * MIN) / 1_000_000n)),
      to: new Date(Number((BASE + 12n * MIN) / 1_000_000n)),
    });
    expect(byDate.map((p) => p.cores)).toEqual([10, 11]);
    expect(await repo().find({ from: ago('1h') })).toEqual([]);
    expect((await repo().find({ to: 'now()' })).length).toBe(32);
  });

  it('findOne, orderBy desc, limit/offset, count', async () => {
    const newest = await repo().findOne({ where: { host: 'a' }, orderBy: 'desc' });
    expect(newest?.cores).toBe(27);
    const page = await repo().find({ where: { host: 'b' }, limit: 2, offset: 1 });
    expect(page.map((p) => p.cores)).toEqual([4, 7]);
    expect(await repo().count()).toBe(32);
    expect(await repo().count({ where: { region: 'us' } })).toBe(15);
    expect(await repo().findOne({ where: { host: 'nobody' } })).toBeUndefined();
  });
});

describe('builder vs hand-written InfluxQL on the same data', () => {
  it('where: =, !=, <, <=, >, >=, regex, and/or', async () => {
    const b = await repo()
      .query()
      .select('usage', 'cores')
      .where(
        or(
          and(cond('host', '!=', 'a'), cond('cores', '>=', 10), cond('cores', '<', 20)),
          cond('host', '=~', /^c /),
        ),
      )
      .where('usage', '>', 1)
      .where('label', '!~', '9$')
      .all();
    const h = await hand(
      `SELECT "usage", "cores" FROM "cpu" WHERE (("host" != 'a' AND "cores" >= 10 AND "cores" < 20) OR "host" =~ /^c /) AND "usage" > 1 AND "label" !~ /9$/`,
    );
    expect(b.map((p) => [nanosToRfc3339(p.time as bigint), p.usage, p.cores])).toEqual(h[0]!.values);
    expect(b.length).toBeGreaterThan(5);
  });

  it('aggregates and selectors grouped by tags and time, with fill', async () => {
    const b = await repo()
      .query()
      .select(
        mean('usage').as('avg'),
        count('usage'),
        sum('bytes'),
        max('cores'),
        min('cores'),
        first('usage'),
        last('usage'),
        median('usage'),
        spread('cores'),
        stddev('usage'),
        mode('cores'),
        percentile('usage', 50),
        integral('usage', '1m'),
      )
      .where('time', '>=', BASE)
      .where('time', '<', BASE + 30n * MIN)
      .groupBy(time('10m'), 'host')
      .fill('none')
      .all();
    const h = await hand(
      `SELECT mean(usage) AS avg, count(usage), sum(bytes), max(cores), min(cores), first(usage), last(usage), median(usage), spread(cores), stddev(usage), mode(cores), percentile(usage, 50), integral(usage, 1m) FROM cpu WHERE time >= ${BASE} AND time < ${BASE + 30n * MIN} GROUP BY time(10m), host fill(none)`,
    );
    const expected = h.flatMap((s) =>
      s.values.map((v) => [
        s.tags!.host,
        v[0],
        ...v.slice(1).map((x, i) => (i === 2 && x !== null ? String(x) : x)),
      ]),
    );
    const got = b.map((r) => [
      r.host,
      nanosToRfc3339(r.time as bigint),
      r.avg,
      r.count,
      r.sum === null ? null : String(r.sum),
      r.max,
      r.min,
      r.first,
      r.last,
      r.median,
      r.spread,
      r.stddev,
      r.mode,
      r.percentile,
      r.integral,
    ]);
    // Same rows; series order is compared as a set (integral() can emit a series' last bucket apart).
    const key = (r: unknown[]) => `${r[0]} ${r[1]}`;
    const byKey = (a: unknown[], b: unknown[]) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
    expect(got.sort(byKey)).toEqual(expected.sort(byKey));
    // the group holding BIG sums beyond 2^53 (InfluxDB wraps int64): exact as a bigint, equal to the text
    expect(b.some((r) => typeof r.sum === 'bigint' && (r.sum > 2n ** 53n || r.sum < -(2n ** 53n)))).toBe(
      true,
    );
    expect(typeof b[0]!.time).toBe('bigint');
  });

  it('fill(0), fill(previous), fill(null) and empty intervals; tz and group by *', async () => {
    const q = repo()
      .query()
      .select(mean('usage').as('m'))
      .where('host', '=', 'a')
      .where('time', '>=', BASE)
      .where('time', '<', BASE + 10n * MIN)
      .groupBy(time('1m'));
    for (const [fill, text] of [
      [0, '0'],
      ['previous', 'previous'],
      [null, 'null'],
      ['linear', 'linear'],
    ] as const) {
      const b = await q.fill(fill).all();
      const h = await hand(
        `SELECT mean(usage) AS m FROM cpu WHERE host = 'a' AND time >= ${BASE} AND time < ${BASE + 10n * MIN} GROUP BY time(1m) fill(${text})`,
      );
      expect(b.map((r) => [nanosToRfc3339(r.time as bigint), r.m])).toEqual(h[0]!.values);
    }
    const all = await repo().query().select(count('cores')).groupBy('*').all();
    const h = await hand('SELECT count(cores) FROM cpu GROUP BY *');
    expect(all.map((r) => [r.host, r.region, r.count])).toEqual(
      h.map((s) => [s.tags!.host, s.tags!['dc region'], s.values[0]![1]]),
    );
    const tz = await repo()
      .query()
      .select(max('usage'))
      .where('time', '>=', BASE)
      .where('time', '<', BASE + 120n * MIN)
      .groupBy(time('1d'))
      .tz('America/Chicago')
      .all();
    const ht = await hand(
      `SELECT max(usage) FROM cpu WHERE time >= ${BASE} AND time < ${BASE + 120n * MIN} GROUP BY time(1d) tz('America/Chicago')`,
    );
    expect(tz.map((r) => [nanosToRfc3339(r.time as bigint), r.max])).toEqual(
      ht[0]!.values.map((v) => [nanosToRfc3339(BigInt(Date.parse(v[0] as string)) * 1_000_000n), v[1]]),
    );
  });

  it('transformations, arithmetic, top/bottom/distinct, slimit/soffset, subqueries', async () => {
    const b = await repo()
      .query()
      .select(
        derivative(mean('usage'), '1m').as('d'),
        nonNegativeDerivative(max('cores')).as('n'),
        difference(sum('cores')).as('x'),
        movingAverage(mean('usage'), 2).as('ma'),
      )
      .where('time', '>=', BASE)
      .where('time', '<', BASE + 30n * MIN)
      .groupBy(time('5m'))
      .all();
    const h = await hand(
      `SELECT derivative(mean(usage), 1m) AS d, non_negative_derivative(max(cores)) AS n, difference(sum(cores)) AS x, moving_average(mean(usage), 2) AS ma FROM cpu WHERE time >= ${BASE} AND time < ${BASE + 30n * MIN} GROUP BY time(5m)`,
    );
    expect(b.map((r) => [nanosToRfc3339(r.time as bigint), r.d, r.n, r.x, r.ma])).toEqual(h[0]!.values);

    const ar = await repo()
      .query()
      .select(mul(add('usage', 'cores'), 2).as('v'))
      .where('host', '=', 'b')
      .all();
    const ha = await hand(`SELECT ("usage" + "cores") * 2 AS v FROM cpu WHERE host = 'b'`);
    expect(ar.map((r) => [nanosToRfc3339(r.time as bigint), r.v])).toEqual(ha[0]!.values);

    const tb = await repo().query().select(top('cores', 3)).all();
    expect(tb.map((r) => r.top)).toEqual(
      (await hand('SELECT top(cores, 3) FROM cpu'))[0]!.values.map((v) => v[1]),
    );
    const bt = await repo().query().select(bottom('usage', 2)).where('host', '=', 'a').all();
    expect(bt.map((r) => r.bottom)).toEqual(
      (await hand(`SELECT bottom(usage, 2) FROM cpu WHERE host = 'a'`))[0]!.values.map((v) => v[1]),
    );
    const ds = await repo().query().select(distinct('cores')).where('host', '=', 'a').all();
    expect(ds.map((r) => r.distinct).sort((x, y) => Number(x) - Number(y))).toHaveLength(10);

    const sl = await repo().query().select(last('cores')).groupBy('host').slimit(2).soffset(1).all();
    const hs = await hand('SELECT last(cores) FROM cpu GROUP BY host SLIMIT 2 SOFFSET 1');
    expect(sl.map((r) => [r.host, r.last])).toEqual(hs.map((s) => [s.tags!.host, s.values[0]![1]]));

    const inner = repo()
      .query()
      .select(mean('usage').as('m'))
      .where('host', '=', 'c d')
      .where('time', '>=', BASE)
      .where('time', '<', BASE + 30n * MIN)
      .groupBy(time('10m'));
    const sq = await repo().query().from(inner).select(max('m')).where('m', '>', 0).all();
    const hq = await hand(
      `SELECT max(m) FROM (SELECT mean(usage) AS m FROM cpu WHERE host = 'c d' AND time >= ${BASE} AND time < ${BASE + 30n * MIN} GROUP BY time(10m)) WHERE m > 0`,
    );
    expect(sq.length).toBe(1);
    expect(sq.map((r) => [nanosToRfc3339(r.time as bigint), r.max])).toEqual(hq[0]!.values);
  });

  it('INTO and a continuous query declared from a builder', async () => {
    await client.query(
      repo()
        .query()
        .select(sum('cores').as('total'))
        .into('cpu_sums')
        .where('time', '>=', BASE)
        .where('time', '<', BASE + 30n * MIN)
        .groupBy(time('10m'))
        .toInfluxQL({ inline: true }).query,
      { method: 'POST' },
    );
    const copied = await hand('SELECT total FROM cpu_sums');
    const direct = await hand(
      `SELECT sum(cores) FROM cpu WHERE time >= ${BASE} AND time < ${BASE + 30n * MIN} GROUP BY time(10m)`,
    );
    expect(copied[0]!.values).toEqual(direct[0]!.values);

    const cq = repo()
      .query()
      .select(mean('usage').as('usage'))
      .into({ database: db, measurement: 'cpu_5m' })
      .where('host', '=', "o'k")
      .groupBy(time('5m'), '*')
      .toContinuousQuery('cpu 5m', { database: db });
    await client.query(cq, { method: 'POST' });
    const listed = await hand('SHOW CONTINUOUS QUERIES');
    const mine = listed.find((s) => s.name === db);
    expect(mine?.values.map((v) => v[0])).toContain('cpu 5m');
  });
});

describe('templated measurement, write, deleteSeries', () => {
  it('reads every measurement of a template and parses the name back', async () => {
    const events = await createRepository(client, Event).find();
    expect(events.map((e) => [e.server, e.n, e.at]).sort()).toEqual([
      ['db 2', 3, 3000n],
      ['web1', 1, 1000n],
      ['web1', 2, 2000n],
    ]);
  });

  it('write(instances) round-trips exactly, then deleteSeries drops by tags only', async () => {
    const meta = createRepository(client, Cpu).metadata;
    const made = [
      meta.hydrate({
        host: 'w,1 "x"',
        region: 'r=1',
        usage: 0.1,
        cores: 3,
        bytes: -BIG - 1n,
        label: 'multi\nline \\ "q"',
        up: false,
        at: -5n,
      }),
      meta.hydrate({
        host: 'w,1 "x"',
        region: 'r=1',
        usage: 1e300,
        cores: -7,
        bytes: BIG,
        label: '',
        up: true,
        at: BASE + 123n,
      }),
    ];
    await repo().write(made);
    const back = await repo().find({ where: { host: 'w,1 "x"' } });
    expect(back).toEqual(made);
    await expect(repo().deleteSeries(cond('usage', '>', 1) as never)).rejects.toThrow(InfluxValidationError);
    await expect(repo().deleteSeries(cond('time', '>', 1n) as never)).rejects.toThrow(/tags only/);
    await repo().deleteSeries({ host: 'w,1 "x"', region: 'r=1' });
    expect(await repo().find({ where: { host: 'w,1 "x"' } })).toEqual([]);
    expect(await repo().count()).toBe(32);
  });

  it('server-side errors surface as typed errors', async () => {
    await expect(repo().query().select(mean('label')).all()).rejects.toBeInstanceOf(InfluxDBClientError);
  });
});
