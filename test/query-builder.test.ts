import { describe, expect, expectTypeOf, it } from 'vitest';
import { InfluxValidationError } from '../src/errors.js';
import {
  add,
  ago,
  and,
  bottom,
  cond,
  count,
  cumulativeSum,
  derivative,
  difference,
  distinct,
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
  QueryBuilder,
  regexLiteral,
  sample,
  spread,
  stddev,
  sum,
  time,
  top,
} from '../src/query/index.js';
import { mapSeries } from '../src/query/row-mapper.js';
import { CpuRow, handMadeMetadata } from './helpers/query-model.js';

const q = () => QueryBuilder.create(handMadeMetadata());

describe('query builder → InfluxQL', () => {
  it('selects every tag and field by default, with casts and quoted keys', () => {
    expect(q().toInfluxQL()).toEqual({
      query:
        'SELECT "host"::tag, "dc region"::tag AS "region", "usage"::field, "cores"::field, "bytes"::field, "la\\"bel"::field AS "label", "up"::field FROM "cpu"',
      params: {},
    });
  });

  it('binds values, never splices them', () => {
    const { query, params } = q()
      .select('usage')
      .where('host', '=', "a'; DROP DATABASE x; --")
      .where('usage', '>', 0.5)
      .where('bytes', '<=', 2n ** 62n)
      .where('up', '=', true)
      .where('label', '!=', 'x"y')
      .toInfluxQL();
    expect(query).toBe(
      'SELECT "usage"::field FROM "cpu" WHERE "host"::tag = $p0 AND "usage"::field > $p1 AND "bytes"::field <= $p2 AND "up"::field = $p3 AND "la\\"bel"::field != $p4',
    );
    expect(params).toEqual({ p0: "a'; DROP DATABASE x; --", p1: 0.5, p2: 2n ** 62n, p3: true, p4: 'x"y' });
  });

  it('inlines quoted values on request (continuous queries)', () => {
    const { query, params } = q()
      .select('usage')
      .where('host', '=', "it's\\")
      .where('usage', '>', 1e-7)
      .where('time', '>=', 1n)
      .toInfluxQL({ inline: true });
    expect(query).toBe(
      'SELECT "usage"::field FROM "cpu" WHERE "host"::tag = \'it\\\'s\\\\\' AND "usage"::field > 0.0000001 AND time >= \'1970-01-01T00:00:00.000000001Z\'',
    );
    expect(params).toEqual({});
  });

  it('compiles and/or groups and regexes', () => {
    const { query, params } = q()
      .select('usage')
      .where(or(cond('host', '=', 'a'), and(cond('region', '=~', /^eu\/west/i), cond('cores', '>=', 4))))
      .where('host', '!~', 'x/y\\\\')
      .toInfluxQL();
    expect(query).toBe(
      'SELECT "usage"::field FROM "cpu" WHERE ("host"::tag = $p0 OR ("dc region"::tag =~ /(?i)^eu\\x2Fwest/ AND "cores"::field >= $p1)) AND "host"::tag !~ /x\\x2Fy\\\\(?:)/',
    );
    expect(params).toEqual({ p0: 'a', p1: 4 });
  });

  it('object conditions: equality, arrays as OR', () => {
    expect(
      q()
        .select('usage')
        .where({ host: ['a', 'b'], region: 'eu' })
        .toInfluxQL(),
    ).toEqual({
      query:
        'SELECT "usage"::field FROM "cpu" WHERE ("host"::tag = $p0 OR "host"::tag = $p1) AND "dc region"::tag = $p2',
      params: { p0: 'a', p1: 'b', p2: 'eu' },
    });
  });

  it('time bounds: Date, bigint ns, RFC3339 with offset, relative', () => {
    const { query, params } = q()
      .select('usage')
      .where('time', '>=', new Date('2020-01-01T00:00:00.123Z'))
      .where('time', '<', -1n)
      .where('at', '>', '2020-01-01T01:00:00.000000001+01:00')
      .where('time', '<=', ago('1h30m'))
      .where('time', '<', 'now()')
      .toInfluxQL();
    expect(query).toBe(
      'SELECT "usage"::field FROM "cpu" WHERE time >= $p0 AND time < $p1 AND time > $p2 AND time <= now() - 1h30m AND time < now()',
    );
    expect(params).toEqual({
      p0: '2020-01-01T00:00:00.123Z',
      p1: '1969-12-31T23:59:59.999999999Z',
      p2: '2020-01-01T00:00:00.000000001Z',
    });
  });

  it('aggregates, selectors, transformations, arithmetic and aliases', () => {
    const { query } = q()
      .select(
        count('usage'),
        distinct('label').as('d'),
        integral('usage', '1s'),
        mean('usage').as('avg'),
        median('usage'),
        mode('cores'),
        spread('cores'),
        stddev('usage'),
        sum('bytes'),
        last('usage').as('l'),
        max('usage'),
        min('usage'),
        percentile('usage', 95),
      )
      .groupBy(time('5m', '-1m'), 'host', 'region')
      .fill(0)
      .orderBy('time', 'desc')
      .limit(10)
      .offset(2)
      .slimit(3)
      .soffset(1)
      .tz('Europe/Paris')
      .toInfluxQL();
    expect(query).toBe(
      'SELECT count("usage"::field) AS "count", distinct("la\\"bel"::field) AS "d", integral("usage"::field, 1s) AS "integral", mean("usage"::field) AS "avg", median("usage"::field) AS "median", mode("cores"::field) AS "mode", spread("cores"::field) AS "spread", stddev("usage"::field) AS "stddev", sum("bytes"::field) AS "sum", last("usage"::field) AS "l", max("usage"::field) AS "max", min("usage"::field) AS "min", percentile("usage"::field, 95) AS "percentile" FROM "cpu" GROUP BY time(5m, -1m), "host", "dc region" fill(0) ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1 tz(\'Europe/Paris\')',
    );
    expect(
      q().select(top('usage', 3), bottom('cores', 2).as('b'), sample('usage', 5).as('s')).toInfluxQL().query,
    ).toBe(
      'SELECT top("usage"::field, 3) AS "top", bottom("cores"::field, 2) AS "b", sample("usage"::field, 5) AS "s" FROM "cpu"',
    );
    expect(
      q()
        .select(
          derivative(mean('usage'), '1s').as('d'),
          nonNegativeDerivative(max('bytes')).as('n'),
          difference(mean('usage')).as('x'),
          movingAverage(mean('usage'), 3).as('m'),
          cumulativeSum(sum('cores')).as('c'),
          mul(add('usage', 'cores'), 100).as('pct'),
        )
        .groupBy(time('1m'))
        .fill('none')
        .toInfluxQL().query,
    ).toBe(
      'SELECT derivative(mean("usage"::field), 1s) AS "d", non_negative_derivative(max("bytes"::field)) AS "n", difference(mean("usage"::field)) AS "x", moving_average(mean("usage"::field), 3) AS "m", cumulative_sum(sum("cores"::field)) AS "c", (("usage"::field + "cores"::field) * 100) AS "pct" FROM "cpu" GROUP BY time(1m) fill(none)',
    );
  });

  it('qualifies database and retention policy, INTO and continuous queries', () => {
    expect(q().select('usage').in('my "db"', 'rp.1').toInfluxQL().query).toBe(
      'SELECT "usage"::field FROM "my \\"db\\""."rp.1"."cpu"',
    );
    expect(q().select('usage').in('db').toInfluxQL().query).toBe('SELECT "usage"::field FROM "db".."cpu"');
    const cq = q()
      .select(mean('usage').as('usage'))
      .into({ database: 'db', retentionPolicy: 'long', measurement: 'cpu_5m' })
      .where('host', '=', "o'k")
      .groupBy(time('5m'), '*')
      .toContinuousQuery('cpu 5m', { database: 'db', resampleEvery: '10m', resampleFor: '1h' });
    expect(cq).toBe(
      'CREATE CONTINUOUS QUERY "cpu 5m" ON "db" RESAMPLE EVERY 10m FOR 1h BEGIN SELECT mean("usage"::field) AS "usage" INTO "db"."long"."cpu_5m" FROM "cpu" WHERE "host"::tag = \'o\\\'k\' GROUP BY time(5m), * END',
    );
  });

  it('INTO :MEASUREMENT takes a database or a retention policy (influxd refuses it bare)', () => {
    const agg = () => q().select(mean('usage').as('usage')).groupBy(time('5m'), '*');
    expect(agg().into({ retentionPolicy: 'long' }).toInfluxQL().query).toContain(
      'INTO "long".:MEASUREMENT FROM',
    );
    expect(agg().into({ database: 'db' }).toInfluxQL().query).toContain('INTO "db"..:MEASUREMENT FROM');
    expect(() => agg().into({}).toInfluxQL()).toThrow(
      /:MEASUREMENT\) needs a database or a retention policy/,
    );
  });

  it('subqueries can select the inner output names', () => {
    const inner = q().select(mean('usage').as('m')).where('host', '=', 'a').groupBy(time('1m'));
    const { query, params } = q().from(inner).select(max('m')).where('m', '>', 0.5).toInfluxQL();
    expect(query).toBe(
      'SELECT max("m") AS "max" FROM (SELECT mean("usage"::field) AS "m" FROM "cpu" WHERE "host"::tag = $p0 GROUP BY time(1m)) WHERE "m" > $p1',
    );
    expect(params).toEqual({ p0: 'a', p1: 0.5 });
  });

  it('templated measurement names read a regex of the template', () => {
    const t = QueryBuilder.create(handMadeMetadata('events.stats.{host}', ['host']));
    expect(t.select('usage').toInfluxQL().query).toBe('SELECT "usage"::field FROM /^events\\.stats\\.(.+)$/');
    expect(t.select('usage').from('events.stats.a b').toInfluxQL().query).toBe(
      'SELECT "usage"::field FROM "events.stats.a b"',
    );
  });

  it('is immutable', () => {
    const a = q().select('usage');
    const b = a.where('host', '=', 'x');
    expect(a.toInfluxQL().query).toBe('SELECT "usage"::field FROM "cpu"');
    expect(b.toInfluxQL().query).toContain('WHERE');
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('bad input gives typed errors naming the class and property', () => {
  const bad: [string, () => unknown, RegExp][] = [
    [
      'group by a field',
      () => q().groupBy('usage' as never),
      /CpuRow\.usage: cannot group by it: is a field/,
    ],
    ['unknown property', () => q().select('nope' as never), /CpuRow\.nope: is not a tag or field/],
    [
      'string vs integer field',
      () => q().where('cores', '=', 'x' as never),
      /CpuRow\.cores: is a integer field/,
    ],
    ['number vs string field', () => q().where('label', '=', 1 as never), /CpuRow\.label/],
    ['NaN', () => q().where('usage', '>', Number.NaN), /not a finite number/],
    ['bad duration', () => time('5 minutes'), /not an InfluxQL duration/],
    ['bad relative time', () => q().where('time', '>', 'now() - 1 hour'), /not an InfluxQL duration/],
    ['bad RFC3339', () => q().where('time', '>', 'yesterday'), /not an RFC3339 timestamp/],
    ['regex flag g', () => q().where('host', '=~', /a/g), /flag 'g'/],
    ['lone trailing backslash', () => q().where('host', '=~', 'a\\').toInfluxQL(), /lone backslash/],
    ['negative limit', () => q().limit(-1), /limit: must be a non-negative integer/],
    ['bad tz', () => q().tz('Mars/Olympus'), /not a known IANA time zone/],
    ['fill NaN', () => q().fill(Number.NaN), /fill/],
    ['duplicate names', () => q().select(mean('usage'), mean('cores')), /two select items are named "mean"/],
    ['arithmetic without alias', () => q().select(add('usage', 1)), /needs a name/],
    ['only tags', () => q().select('host'), /at least one field/],
    ['order by a field', () => q().orderBy('usage' as never), /orders by time only/],
    ['regex op on time', () => q().where('time', '=~' as never, 'x'), /time supports/],
    [
      'CQ without into',
      () => q().select(mean('usage')).groupBy(time('1m')).toContinuousQuery('x', { database: 'd' }),
      /into/,
    ],
    ['all() without repository', () => q().all(), /needs a builder from a repository/],
  ];
  for (const [name, fn, message] of bad) {
    it(name, async () => {
      let err: unknown;
      try {
        await fn();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InfluxValidationError);
      expect((err as Error).message).toMatch(message);
    });
  }
});

describe('regex literals', () => {
  it('escape slashes and newlines, guard a trailing escaped backslash', () => {
    expect(regexLiteral('a/b')).toBe('/a\\x2Fb/');
    expect(regexLiteral('a\\/b')).toBe('/a\\x2Fb/');
    expect(regexLiteral('a\\\\/b')).toBe('/a\\\\\\x2Fb/');
    expect(regexLiteral(`'";--`)).toBe('/\\x27\\x22\\x3B--/');
    expect(regexLiteral('a\nb')).toBe('/a\\nb/');
    expect(regexLiteral('a\\\\')).toBe('/a\\\\(?:)/');
  });
});

describe('row mapping', () => {
  it('hydrates instances converting by declared type; null fields stay undefined', () => {
    const plan = q().rowPlan();
    const out: unknown[] = [];
    mapSeries(
      plan,
      {
        name: 'cpu',
        columns: ['time', 'host', 'region', 'usage', 'cores', 'bytes', 'label', 'up', 'extra'],
        values: [
          [-1n, 'a', 'eu', 1, 2, 9007199254740993n, 's', true, 'x'],
          [1_000_000_000_000_000_000n, 'b', null, null, 3, 5, null, false, 'y'],
        ],
      },
      out,
    );
    const [a, b] = out as CpuRow[];
    expect(a).toBeInstanceOf(CpuRow);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a!.at.toISOString()).toBe('1969-12-31T23:59:59.999Z');
    expect(a!.bytes).toBe(9007199254740993n);
    expect(a).toMatchObject({ host: 'a', region: 'eu', usage: 1, cores: 2, label: 's', up: true });
    expect(a).not.toHaveProperty('extra');
    expect(b!.bytes).toBe(5n);
    expect(b!.usage).toBeUndefined();
    expect(b!.region).toBeUndefined();
  });

  it('refuses an integer beyond 2^53 for a field declared as number', () => {
    const plan = q().rowPlan();
    expect(() => mapSeries(plan, { columns: ['time', 'cores'], values: [[0n, 2n ** 60n]] }, [])).toThrow(
      /CpuRow\.cores: the stored integer 1152921504606846976 is beyond 2\^53/,
    );
  });

  it('rows carry time, group tags and typed outputs', () => {
    const plan = q()
      .select(mean('usage').as('avg'), sum('bytes'), count('cores'))
      .groupBy(time('1m'), 'region')
      .rowPlan();
    const out: unknown[] = [];
    mapSeries(
      plan,
      {
        name: 'cpu',
        tags: { 'dc region': 'eu' },
        columns: ['time', 'avg', 'sum', 'count'],
        values: [[60_000_000_000n, null, 7, 2]],
      },
      out,
    );
    expect(out).toEqual([{ time: new Date(60_000), region: 'eu', avg: null, sum: 7n, count: 2 }]);
  });
});

describe('compile-time types', () => {
  it('accepts only model property names and infers rows', () => {
    const b = q();
    // @ts-expect-error typo in a property name
    expect(() => b.select('usag')).toThrow(InfluxValidationError);
    // @ts-expect-error typo inside an aggregate
    expect(() => b.select(mean('usag'))).toThrow(InfluxValidationError);
    // @ts-expect-error methods are not properties
    expect(() => b.select('describe')).toThrow(InfluxValidationError);
    // @ts-expect-error a string is not a number
    expect(() => b.where('usage', '>', 'x')).toThrow(InfluxValidationError);
    // @ts-expect-error unknown property in where
    expect(() => b.where('hots', '=', 'a')).toThrow(InfluxValidationError);
    // @ts-expect-error unknown group tag
    expect(() => b.groupBy('hots')).toThrow(InfluxValidationError);
    // @ts-expect-error orderBy takes time only
    expect(() => b.orderBy('usage')).toThrow(InfluxValidationError);

    const plain = b.select('usage', 'host');
    // a partial select gives rows of exactly those properties plus time (CpuRow does not mark its
    // tags with Tag, so 'host' may be a field as far as the types know: several fields → nullable)
    expectTypeOf<Awaited<ReturnType<typeof plain.all>>>().toEqualTypeOf<
      { time: Date; usage: number | null; host: string | null }[]
    >();
    expectTypeOf<Awaited<ReturnType<ReturnType<typeof b.select<[]>>['all']>>>().toEqualTypeOf<CpuRow[]>();
    const agg = b.select(mean('usage').as('avgUsage'), max('bytes')).groupBy(time('5m'), 'host');
    type Row = Awaited<ReturnType<typeof agg.all>>[number];
    expectTypeOf<Row>().toEqualTypeOf<{
      time: Date;
      host: string;
      avgUsage: number | null;
      max: bigint | null;
    }>();
  });
});
