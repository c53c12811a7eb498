/**
 * Differential proof of the in-memory engine: the same random points are written to the real
 * influxd the suite starts and to a MemoryInflux, then random queries (built as the builder's AST
 * and compiled by the builder's compiler, with bound parameters) must give identical results on
 * both: same series in the same order, same tags, columns, values and value types.
 *
 * Two documented exceptions (README "Testing without a server"):
 * - rows of DIFFERENT series that share a time and land in one output series come in an order the
 *   server does not define (its merge heap); rows of such a tie are compared as a set;
 * - sum() of floats and mean() (which adds integers as floats too) add in another order than the
 *   server (which adds per shard and series, then merges), so they are compared within 1 ulp per
 *   term, or within 2 * n * eps * sum(|x|) when terms cancel.
 *
 * A query the engine refuses (InfluxUnsupportedQueryError) is skipped and counted; the test requires
 * that most generated queries are supported and at least 2000 are compared. The seed of a failure
 * is printed by fast-check (re-run with { seed, path } in fc.assert).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxUnsupportedQueryError } from '../src/errors.js';
import type {
  ConditionNode,
  ExprNode,
  KeyRefNode,
  SelectItemNode,
  SelectNode,
} from '../src/influxql/select-ast.js';
import { makeLines, type Point } from '../src/line-protocol/make-lines.js';
import { compileQuery } from '../src/query/query-compiler.js';
import type { RawSeries } from '../src/results/result-set.js';
import { MemoryInflux } from '../src/testing/index.js';
import { TRANSFORMS as ENGINE_TRANSFORMS, usesSelectFunctions } from '../src/testing/select-functions.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const T0 = 1_600_000_000_000_000_000n;
const HOSTS = [
  'a',
  'b',
  'São Paulo, centro',
  'x=y',
  'with space',
  '🙂',
  'back\\slash',
  '\uffff',
  '\u{10000}',
  '"q"',
];
const MEASUREMENTS = ['m0', 'm 1'];

// Within ±1e300 so that sums of |x| stay finite (see sameValue); subnormals, -0 and 2^53 included.
const floatArb = fc.oneof(
  fc.double({ noNaN: true, min: -1e300, max: 1e300 }),
  fc.constantFrom(0, -0, 1, -1, 0.1, 1e300, -1e300, 5e-324, -5e-324, 2.2250738585072014e-308, 2 ** 53, 0.5),
);
const intArb = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(0n, 1n, -1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n),
  fc.bigInt({ min: -1000n, max: 1000n }),
);

const pointArb = fc.record({
  m: fc.constantFrom(...MEASUREMENTS),
  host: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }),
  region: fc.option(fc.constantFrom('eu', 'us'), { nil: undefined }),
  t: fc.integer({ min: 0, max: 120 }),
  f: fc.option(floatArb, { nil: undefined }),
  i: fc.option(intArb, { nil: undefined }),
  s: fc.option(fc.constantFrom('', 'x', 'say "hi"', 'a\\b', 'line\nbreak', 'ü'), { nil: undefined }),
  b: fc.option(fc.boolean(), { nil: undefined }),
});

function toPoint(p: {
  m: string;
  host?: string | undefined;
  region?: string | undefined;
  t: number;
  f?: number | undefined;
  i?: bigint | undefined;
  s?: string | undefined;
  b?: boolean | undefined;
}): Point | undefined {
  const fields: Record<string, number | bigint | string | boolean> = {};
  if (p.f !== undefined) fields.f = p.f;
  if (p.i !== undefined) fields.i = p.i;
  if (p.s !== undefined) fields.s = p.s;
  if (p.b !== undefined) fields.b = p.b;
  if (Object.keys(fields).length === 0) return undefined;
  const tags: Record<string, string> = {};
  if (p.host !== undefined) tags.host = p.host;
  if (p.region !== undefined) tags.region = p.region;
  return { measurement: p.m, tags, fields, time: T0 + BigInt(p.t) };
}

// --- random queries (as the builder's AST) -----------------------------------------------------

const key = (k: string, cast?: 'tag' | 'field'): ExprNode => ({ kind: 'key', key: k, cast });
const call = (name: string, k: string): ExprNode => ({ kind: 'call', name, args: [key(k, 'field')] });

const rawFieldsArb: fc.Arbitrary<SelectItemNode[]> = fc.oneof(
  fc.constant<SelectItemNode[]>([{ expr: { kind: 'wildcard' }, alias: undefined }]),
  fc
    .uniqueArray(fc.constantFrom('f', 'i', 's', 'b', 'host', 'region'), { minLength: 1, maxLength: 4 })
    .map((ks) =>
      ks.map((k) => ({
        expr: key(k, k === 'host' || k === 'region' ? 'tag' : 'field'),
        alias: k,
      })),
    ),
);

const aggFieldsArb: fc.Arbitrary<SelectItemNode[]> = fc
  .uniqueArray(
    fc.oneof(
      fc.tuple(
        fc.constantFrom(
          'count',
          'sum',
          'mean',
          'spread',
          'min',
          'max',
          'first',
          'last',
          'median',
          'mode',
          'percentile:50',
          'percentile:95',
          'percentile:10',
          // Twice: the subqueries refuse it inside, so it is compared less often than the others.
          'stddev',
          'stddev',
        ),
        fc.constantFrom('f', 'i'),
      ),
      fc.tuple(fc.constantFrom('count', 'first', 'last', 'mode'), fc.constantFrom('s', 'b')),
      fc.tuple(fc.constantFrom('count', 'mean', 'max'), fc.constant('*')),
    ),
    { minLength: 1, maxLength: 3, selector: ([n, k]) => `${n}_${k}` },
  )
  .map((cs) =>
    cs.map(([n, k]): SelectItemNode => {
      if (k === '*')
        return { expr: { kind: 'call', name: n, args: [{ kind: 'wildcard' }] }, alias: undefined };
      const [name, pct] = n.split(':') as [string, string | undefined];
      const expr = call(name, k);
      if (pct !== undefined && expr.kind === 'call') {
        return {
          expr: { ...expr, args: [...expr.args, { kind: 'number', value: Number(pct), integer: true }] },
          alias: `${name}${pct}_${k}`,
        };
      }
      return { expr, alias: `${n}_${k}` };
    }),
  );

// --- the functions of select-functions.ts -------------------------------------------------------

/** Every transformation the engine evaluates. */
const TRANSFORMS = [...ENGINE_TRANSFORMS];
const numericField = fc.constantFrom('f', 'i');
/** Mostly numeric fields; strings and booleans now and then (influxd's type errors are compared too). */
const mostlyNumeric = fc.oneof(
  { weight: 6, arbitrary: numericField },
  { weight: 1, arbitrary: fc.constantFrom('s', 'b') },
);

function fnCall(name: string, args: ExprNode[]): ExprNode {
  return { kind: 'call', name, args };
}
const int = (n: number): ExprNode => ({ kind: 'number', value: n, integer: true });
const dur = (d: string): ExprNode => ({ kind: 'duration', value: d });

/** distinct, top/bottom (with tag arguments), sample: alone in the SELECT list. */
const multiRowArb: fc.Arbitrary<SelectItemNode[]> = fc.oneof(
  fc
    .constantFrom('f', 'i', 's', 'b')
    .map((k) => [{ expr: fnCall('distinct', [key(k, 'field')]), alias: `distinct_${k}` }]),
  fc
    .record({
      name: fc.constantFrom('top', 'bottom'),
      k: mostlyNumeric,
      tags: fc.constantFrom([], [], ['host'], ['region'], ['host', 'region']),
      n: fc.integer({ min: 1, max: 4 }),
    })
    .map(({ name, k, tags, n }) => [
      {
        expr: fnCall(name, [key(k, 'field'), ...tags.map((t) => key(t, 'tag')), int(n)]),
        alias: `${name}_${k}`,
      },
    ]),
  fc
    .record({ k: fc.constantFrom('f', 'i', 's', 'b'), n: fc.integer({ min: 1, max: 4 }) })
    .map(({ k, n }) => [{ expr: fnCall('sample', [key(k, 'field'), int(n)]), alias: `sample_${k}` }]),
);

const integralArb: fc.Arbitrary<SelectItemNode[]> = fc
  .record({ k: numericField, unit: fc.option(fc.constantFrom('1ns', '10ns', '1s'), { nil: undefined }) })
  .map(({ k, unit }) => [
    {
      expr: fnCall('integral', [key(k, 'field'), ...(unit === undefined ? [] : [dur(unit)])]),
      alias: `integral_${k}`,
    },
  ]);

function transformCall(name: string, arg: ExprNode, unit: string | undefined, n: number): ExprNode {
  if (name === 'moving_average') return fnCall(name, [arg, int(n)]);
  if (unit !== undefined && (name === 'elapsed' || name.endsWith('derivative')))
    return fnCall(name, [arg, dur(unit)]);
  return fnCall(name, [arg]);
}

/** Transformations of raw points (no GROUP BY time). */
const rawTransformArb: fc.Arbitrary<SelectItemNode[]> = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom(...TRANSFORMS),
      k: mostlyNumeric,
      unit: fc.option(fc.constantFrom('1ns', '3ns', '1s'), { nil: undefined }),
      n: fc.integer({ min: 2, max: 4 }),
    }),
    { minLength: 1, maxLength: 2, selector: (t) => `${t.name}_${t.k}` },
  )
  .map((ts) =>
    ts.map((t) => ({
      expr: transformCall(t.name, key(t.k, 'field'), t.unit, t.n),
      alias: `${t.name}_${t.k}`,
    })),
  );

/**
 * Transformations of an aggregate with GROUP BY time (plus, sometimes, a plain aggregate). Column
 * names carry the inner aggregate (`derivative__mean_f`) so that the comparison knows which ones
 * read an order-dependent float sum.
 */
const aggTransformArb: fc.Arbitrary<SelectItemNode[]> = fc
  .record({
    ts: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...TRANSFORMS),
        inner: fc.constantFrom(
          'count',
          'sum',
          'mean',
          'max',
          'min',
          'first',
          'last',
          'spread',
          'median',
          'percentile',
        ),
        k: fc.oneof(
          { weight: 8, arbitrary: numericField },
          { weight: 1, arbitrary: fc.constantFrom('s', 'b') },
        ),
        unit: fc.option(fc.constantFrom('20ns', '1u'), { nil: undefined }),
        n: fc.integer({ min: 2, max: 3 }),
      }),
      { minLength: 1, maxLength: 2, selector: (t) => `${t.name}_${t.inner}_${t.k}` },
    ),
    plain: fc.option(fc.tuple(fc.constantFrom('mean', 'count', 'max'), numericField), { nil: undefined }),
  })
  .map(({ ts, plain }) => {
    const items: SelectItemNode[] = ts.map((t) => {
      const args: ExprNode[] = [key(t.k, 'field')];
      if (t.inner === 'percentile') args.push(int(50));
      return {
        expr: transformCall(t.name, fnCall(t.inner, args), t.unit, t.n),
        alias: `${t.name}__${t.inner}_${t.k}`,
      };
    });
    if (plain !== undefined) items.push({ expr: call(plain[0], plain[1]), alias: `${plain[0]}_${plain[1]}` });
    return items;
  });

type Shape = 'raw' | 'agg' | 'multi' | 'integral' | 'rawTransform' | 'aggTransform';

const timeBoundArb = fc.integer({ min: -5, max: 125 }).map((k) => T0 + BigInt(k));

const condArb: fc.Arbitrary<ConditionNode> = fc.oneof(
  fc.record({
    kind: fc.constant('comparison' as const),
    left: fc.constant({ kind: 'key' as const, key: 'host', cast: 'tag' as const }),
    op: fc.constantFrom('=' as const, '!=' as const),
    value: fc.constantFrom(...HOSTS, ''),
  }),
  fc.record({
    kind: fc.constant('regex' as const),
    left: fc.constant({ kind: 'key' as const, key: 'host', cast: 'tag' as const }),
    op: fc.constantFrom('=~' as const, '!~' as const),
    source: fc.constantFrom('^a', 'o', '^$', 'x=y|b', '(?i)^A'),
  }),
  fc.record({
    kind: fc.constant('comparison' as const),
    left: fc.constant({ kind: 'key' as const, key: 'f', cast: 'field' as const }),
    op: fc.constantFrom('<' as const, '>=' as const, '=' as const),
    value: fc.constantFrom(0, 1, -1.5),
  }),
  fc.record({
    kind: fc.constant('comparison' as const),
    left: fc.constant({ kind: 'key' as const, key: 'i', cast: 'field' as const }),
    op: fc.constantFrom('>' as const, '<=' as const, '!=' as const),
    value: fc.constantFrom(0, 5, -3),
  }),
);

/** Mostly undefined (about one query in six has it). */
function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: arb, weight: 1 });
}

const queryArb: fc.Arbitrary<SelectNode> = fc
  .record({
    shape: fc.constantFrom<Shape>(
      'raw',
      'agg',
      'agg',
      'multi',
      'multi',
      'integral',
      'rawTransform',
      'rawTransform',
      'aggTransform',
      'aggTransform',
      'aggTransform',
    ),
    raw: rawFieldsArb,
    agg: aggFieldsArb,
    multi: multiRowArb,
    integral: integralArb,
    rawTransform: rawTransformArb,
    aggTransform: aggTransformArb,
    tieFree: fc.boolean(),
    series: fc.record({ host: fc.constantFrom(...HOSTS), region: fc.constantFrom('eu', 'us', '') }),
    measurement: fc.oneof(
      fc.constantFrom(...MEASUREMENTS).map((name) => ({ name, regex: undefined })),
      fc.constant({ name: undefined, regex: '^m' }),
    ),
    lo: fc.option(timeBoundArb, { nil: undefined }),
    hi: fc.option(timeBoundArb, { nil: undefined }),
    loOp: fc.constantFrom('>' as const, '>=' as const),
    hiOp: fc.constantFrom('<' as const, '<=' as const),
    conds: fc.array(condArb, { maxLength: 2 }),
    or: fc.boolean(),
    groupTime: fc.option(
      fc.record({
        interval: fc.constantFrom('7ns', '10ns', '25ns', '1u'),
        offset: fc.option(fc.constantFrom('3ns', '5ns'), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    groupTags: fc.constantFrom([], ['host'], ['region', 'host'], '*' as const),
    fill: fc.option(
      fc.constantFrom(
        'null' as const,
        'none' as const,
        'previous' as const,
        'linear' as const,
        { value: 0 },
        { value: -7 },
        { value: 2.5 },
      ),
      { nil: undefined },
    ),
    orderDesc: fc.boolean(),
    limit: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    offset: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    slimit: sometimes(fc.integer({ min: 1, max: 4 })),
    soffset: sometimes(fc.integer({ min: 1, max: 3 })),
    // At nanosecond scale a zone's offset (modulo the interval) still shifts the windows.
    tz: sometimes(fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Kathmandu', 'UTC')),
    into: sometimes(fc.constantFrom('default rp', 'autogen')),
  })
  .map((r) => {
    const where: ConditionNode[] = [];
    const shape = r.shape;
    // Transformations of aggregates need GROUP BY time; of raw points and integral() refuse it.
    const groupTime =
      shape === 'aggTransform'
        ? (r.groupTime ?? { interval: '10ns', offset: undefined })
        : shape === 'agg' || shape === 'multi'
          ? r.groupTime
          : undefined;
    // GROUP BY time needs both bounds here (without an upper bound it runs to now(): billions of ns windows).
    const lo = r.lo ?? (groupTime ? T0 - 3n : undefined);
    const hi = r.hi ?? (groupTime ? T0 + 130n : undefined);
    if (lo !== undefined) where.push({ kind: 'time', op: r.loOp, value: { kind: 'absolute', nanos: lo } });
    if (hi !== undefined) where.push({ kind: 'time', op: r.hiOp, value: { kind: 'absolute', nanos: hi } });
    if (shape === 'integral') {
      // One series (influxd orders several integral() series its own way; the engine refuses that).
      where.push({
        kind: 'comparison',
        left: key('host', 'tag') as KeyRefNode,
        op: '=',
        value: r.series.host,
      });
      where.push({
        kind: 'comparison',
        left: key('region', 'tag') as KeyRefNode,
        op: '=',
        value: r.series.region,
      });
    } else if (r.conds.length > 1 && r.or) where.push({ kind: 'or', operands: r.conds });
    else where.push(...r.conds);
    // Transformations of raw points read one point per time: group by series (tie-free) mostly.
    const groupTags =
      shape === 'integral' ? [] : shape === 'rawTransform' && r.tieFree ? ('*' as const) : r.groupTags;
    const tags = groupTags === '*' ? [] : groupTags;
    const all = groupTags === '*';
    const grouped = groupTime !== undefined || tags.length > 0 || all;
    // The engine refuses tz() (other than UTC) and INTO with these functions: drawn without them.
    const functions = usesSelectFunctions({ fields: r[shape] } as unknown as SelectNode);
    return {
      kind: 'select',
      fields: r[shape],
      // The measurement is set per query (a fresh target each time).
      into:
        r.into === undefined || functions
          ? undefined
          : {
              database: undefined,
              retentionPolicy: r.into === 'autogen' ? 'autogen' : undefined,
              measurement: 'target',
            },
      from: {
        kind: 'measurement',
        database: undefined,
        retentionPolicy: undefined,
        ...(shape === 'integral' ? { name: 'm0', regex: undefined } : r.measurement),
      },
      where,
      groupBy: grouped ? { time: groupTime, tags, all } : undefined,
      fill: groupTime ? r.fill : undefined,
      orderDesc: r.orderDesc,
      limit: r.limit,
      offset: r.offset,
      slimit: r.slimit,
      soffset: r.soffset,
      tz: functions ? undefined : r.tz,
    } satisfies SelectNode;
  });

/**
 * An outer statement over a generated one as its subquery: aggregates of the inner output columns
 * (numeric functions only over the numeric ones), grouped by time and/or tags, with the inner's time
 * bounds or none (then the inner's own apply).
 */
const subqueryArb: fc.Arbitrary<SelectNode> = fc
  .record({
    inner: queryArb.filter(
      (q) =>
        q.into === undefined &&
        q.slimit === undefined &&
        q.soffset === undefined &&
        q.fields.every((f) => f.alias !== undefined),
    ),
    calls: fc.uniqueArray(
      fc.tuple(
        fc.constantFrom('count', 'sum', 'mean', 'max', 'min', 'first', 'last', 'spread'),
        fc.nat({ max: 3 }),
      ),
      { minLength: 1, maxLength: 2, selector: ([n, c]) => `${n}${c}` },
    ),
    raw: fc.boolean(),
    interval: fc.option(fc.constantFrom('10ns', '25ns', '50ns'), { nil: undefined }),
    tags: fc.constantFrom([], ['host'], ['region']),
    fill: fc.option(fc.constantFrom('none' as const, 'previous' as const, 'linear' as const, { value: 0 }), {
      nil: undefined,
    }),
    outerBounds: fc.boolean(),
    orderDesc: fc.boolean(),
    limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  })
  .map((r): SelectNode => {
    const columns = r.inner.fields.map((f) => f.alias!);
    // Columns that hold numbers: any function of f or i, count() of anything, raw f and i.
    const numeric = (c: string) => /(^|_)[fi]$/.test(c) || c.startsWith('count_');
    const fields: SelectItemNode[] = r.raw
      ? columns.map((c) => ({ expr: { kind: 'key', key: c }, alias: c }))
      : r.calls.flatMap(([name, k], i) => {
          const column = columns[k % columns.length]!;
          const needsNumber = name === 'sum' || name === 'mean' || name === 'spread';
          if (needsNumber && !numeric(column)) return [];
          return [
            { expr: { kind: 'call', name, args: [{ kind: 'key', key: column }] }, alias: `${name}_${i}` },
          ];
        });
    if (fields.length === 0)
      fields.push({
        expr: { kind: 'call', name: 'count', args: [{ kind: 'key', key: columns[0]! }] },
        alias: 'n',
      });
    const raw = r.raw;
    const interval = raw ? undefined : r.interval;
    const bounds: ConditionNode[] = [
      { kind: 'time', op: '>=', value: { kind: 'absolute', nanos: T0 } },
      { kind: 'time', op: '<', value: { kind: 'absolute', nanos: T0 + 150n } },
    ];
    // GROUP BY time needs bounds (else windows run to now()).
    const where = r.outerBounds || interval !== undefined ? bounds : [];
    const grouped = interval !== undefined || r.tags.length > 0;
    return {
      kind: 'select',
      fields,
      into: undefined,
      // The engine refuses LIMIT/OFFSET and tz() inside and opposite orderings: drawn without them.
      from: {
        kind: 'subquery',
        query: { ...r.inner, limit: undefined, offset: undefined, tz: undefined, orderDesc: r.orderDesc },
      },
      where,
      groupBy: grouped
        ? {
            time: interval === undefined ? undefined : { interval, offset: undefined },
            tags: r.tags,
            all: false,
          }
        : undefined,
      fill: interval === undefined ? undefined : r.fill,
      orderDesc: r.orderDesc,
      limit: r.limit,
      offset: undefined,
      slimit: undefined,
      soffset: undefined,
      tz: undefined,
    };
  });

// --- comparison ------------------------------------------------------------------------------

function ulpsApart(a: number, b: number): number {
  if (a === b) return 0;
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a);
  buf.setFloat64(8, b);
  const x = buf.getBigInt64(0);
  const y = buf.getBigInt64(8);
  if (x < 0n !== y < 0n) return Number.POSITIVE_INFINITY;
  return Number(x > y ? x - y : y - x);
}

/**
 * 0 for a column compared bit for bit; else the factor of the absolute bound `factor·n·eps·Σ|x|`.
 * sum() of floats, mean() and stddev() add in another order than influxd (per shard and series);
 * a transformation of one of them (`derivative__mean_f`) carries that difference on: its
 * difference, derivative (units here stay within a few intervals), running sum or average of such
 * values stays within a small multiple of the same bound.
 */
function tolerance(column: string): number {
  if (/^(sum_f|mean_|stddev_)/.test(column)) return 2;
  if (/__(sum_f|mean_|stddev_)/.test(column)) return 512;
  return 0;
}

function sameValue(a: unknown, b: unknown, column: string, terms: number, sumAbs: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Object.is(a, b)) return true;
    const factor = tolerance(column);
    if (factor > 0) {
      // Float sums in another order: within 1 ulp per term of the result, or a cancellation-sized
      // absolute difference bounded by the terms' magnitude.
      // Reordering n terms changes a float sum by at most about n * eps * sum(|x|) (absolute), so
      // that bound (doubled) catches a wrong answer even when terms cancel; sumAbs is finite
      // because the random floats stay within ±1e300 (the ±MAX_VALUE edges are checked exactly in
      // memory-influx.test.ts).
      return (
        ulpsApart(a, b) <= Math.max(1, terms) || Math.abs(a - b) <= factor * terms * Number.EPSILON * sumAbs
      );
    }
    return false;
  }
  return a === b && typeof a === typeof b;
}

function normalize(series: RawSeries[] | undefined): RawSeries[] {
  return (series ?? []).map((s) => {
    // Rows of one time from different source series: compare as a set (sorted by their JSON).
    const values = [...(s.values ?? [])];
    const out: unknown[][] = [];
    for (let i = 0; i < values.length; ) {
      let j = i + 1;
      while (j < values.length && values[j]![0] === values[i]![0]) j++;
      const run = values.slice(i, j).sort((x, y) => (stringify(x) < stringify(y) ? -1 : 1));
      out.push(...run);
      i = j;
    }
    return { ...s, values: out as RawSeries['values'] };
  });
}

function sortedTags(tags: Record<string, string> | undefined): unknown {
  return tags === undefined ? undefined : Object.entries(tags).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function stringify(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : Object.is(x, -0) ? '-0' : x));
}

function compare(
  server: RawSeries[] | undefined,
  memory: RawSeries[] | undefined,
  terms: number,
  sumAbs: number,
): string | undefined {
  const a = normalize(server);
  const b = normalize(memory);
  if (a.length !== b.length) return `series count ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return `series ${i} name ${x.name} vs ${y.name}`;
    if (stringify(sortedTags(x.tags)) !== stringify(sortedTags(y.tags)))
      return `series ${i} tags ${stringify(x.tags)} vs ${stringify(y.tags)}`;
    if (stringify(x.columns) !== stringify(y.columns))
      return `series ${i} columns ${stringify(x.columns)} vs ${stringify(y.columns)}`;
    const xv = x.values ?? [];
    const yv = y.values ?? [];
    if (xv.length !== yv.length) return `series ${i} rows ${xv.length} vs ${yv.length}`;
    for (let r = 0; r < xv.length; r++) {
      for (let c = 0; c < x.columns.length; c++) {
        if (!sameValue(xv[r]![c], yv[r]![c], x.columns[c]!, terms, sumAbs)) {
          return `series ${i} row ${r} column ${x.columns[c]}: ${stringify(xv[r]![c])} vs ${stringify(yv[r]![c])}`;
        }
      }
    }
  }
  return undefined;
}

// --- sample(): random points, compared by size and membership ----------------------------------

function sampleField(node: SelectNode): string | undefined {
  const e = node.fields[0]?.expr;
  if (e?.kind !== 'call' || e.name !== 'sample') return undefined;
  const a = e.args[0];
  return a?.kind === 'key' ? a.key : undefined;
}

/** The points sample() may pick from: the raw points of the field per output series, as keys. */
async function candidates(node: SelectNode, field: string, db: string): Promise<Set<string>> {
  const raw: SelectNode = {
    ...node,
    fields: [{ expr: key(field, 'field'), alias: node.fields[0]!.alias }],
    groupBy: node.groupBy && { ...node.groupBy, time: undefined },
    fill: undefined,
    orderDesc: false,
    limit: undefined,
    offset: undefined,
  };
  const { query, params } = compileQuery(raw);
  const series = (await client.query(query, { bindParams: params, database: db })).raw.series ?? [];
  const out = new Set<string>();
  for (const s of series) for (const row of s.values ?? []) out.add(pointKey(s, row));
  return out;
}

function pointKey(s: RawSeries, row: readonly unknown[]): string {
  return stringify([s.name, sortedTags(s.tags), row[0], row[1]]);
}

/**
 * influxd's sample() draws with its own random source (reservoir sampling): the engine's answer is
 * equal in series, columns and number of rows, and every row of either side is a point of the series.
 */
function compareSample(
  server: RawSeries[] | undefined,
  memory: RawSeries[] | undefined,
  points: Set<string>,
): string | undefined {
  const a = server ?? [];
  const b = memory ?? [];
  if (a.length !== b.length) return `series count ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || stringify(sortedTags(x.tags)) !== stringify(sortedTags(y.tags)))
      return `series ${i}: ${x.name} ${stringify(x.tags)} vs ${y.name} ${stringify(y.tags)}`;
    if (stringify(x.columns) !== stringify(y.columns)) return `series ${i} columns`;
    if ((x.values ?? []).length !== (y.values ?? []).length)
      return `series ${i} rows ${(x.values ?? []).length} vs ${(y.values ?? []).length}`;
    for (const [side, s] of [
      ['server', x],
      ['memory', y],
    ] as const) {
      for (const row of s.values ?? []) {
        if (!points.has(pointKey(s, row)))
          return `series ${i}: ${side} sampled ${stringify(row)}, not a point of the series`;
      }
    }
  }
  return undefined;
}

// --- the property ----------------------------------------------------------------------------

const { host, port } = serverAddress();
const client = new InfluxDBClient({ host, port, retries: 1 });
const DATASETS = 31;
/**
 * CI runs one fixed seed, so that a known difference found by exploration (README: MemoryInflux,
 * "Known differences") cannot make CI fail at random; `MEMORY_DIFF_SEED=random` (or a number)
 * explores other random datasets and queries, printing the seed of any failure.
 */
const DEFAULT_SEED = 20261205;
const SEED_ENV = process.env.MEMORY_DIFF_SEED;
const SEED = SEED_ENV === 'random' ? undefined : SEED_ENV !== undefined ? Number(SEED_ENV) : DEFAULT_SEED;
const QUERIES_PER_DATASET = 100;
let compared = 0;
let refused = 0;
const refusals = new Map<string, number>();
/** Compared queries per function (outer and inner calls). */
const byFunction = new Map<string, number>();

function functionsOf(node: SelectNode): string[] {
  const out: string[] = [];
  const visit = (e: ExprNode): void => {
    if (e.kind !== 'call') return;
    out.push(e.name);
    for (const a of e.args) visit(a);
  };
  for (const f of node.fields) visit(f.expr);
  return out;
}

afterAll(async () => {
  await client.close();
});

describe('MemoryInflux answers as the real influxd (differential)', () => {
  beforeAll(() => {
    compared = 0;
    refused = 0;
  });

  it(`gives identical results for ${DATASETS * QUERIES_PER_DATASET} random builder queries over random points`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pointArb, { minLength: 1, maxLength: 80 }),
        fc.array(fc.oneof({ arbitrary: queryArb, weight: 5 }, { arbitrary: subqueryArb, weight: 1 }), {
          minLength: QUERIES_PER_DATASET,
          maxLength: QUERIES_PER_DATASET,
        }),
        async (raw, queries) => {
          const db = uniqueDatabase('memdiff');
          await rawQuery(`CREATE DATABASE "${db}"`);
          const memory = new MemoryInflux({ database: db });
          try {
            const points = raw.map(toPoint).filter((p): p is Point => p !== undefined);
            let sumAbs = 0;
            for (const p of points) {
              // mean() of integers adds them as floats too.
              if (typeof p.fields.f === 'number') sumAbs += Math.abs(p.fields.f);
              if (typeof p.fields.i === 'bigint') sumAbs += Math.abs(Number(p.fields.i));
            }
            expect(Number.isFinite(sumAbs)).toBe(true);
            // Two batches, so merges of the same series and time cross requests too.
            const half = Math.floor(points.length / 2);
            for (const batch of [points.slice(0, half), points.slice(half)]) {
              if (batch.length === 0) continue;
              await client.writePoints(batch, { database: db });
              await memory.writePoints(batch, { database: db });
            }
            /** Runs one statement on both; false when the engine refused it (the server is not asked). */
            const check = async (
              query: string,
              params: Record<string, unknown>,
              node?: SelectNode,
            ): Promise<boolean> => {
              let mem: RawSeries[] | undefined;
              let memError: string | undefined;
              try {
                mem = (await memory.query(query, { bindParams: params as never, database: db })).raw.series;
              } catch (e) {
                if (e instanceof InfluxUnsupportedQueryError) {
                  refused++;
                  refusals.set(e.feature, (refusals.get(e.feature) ?? 0) + 1);
                  return false;
                }
                memError = (e as Error).message;
              }
              let srv: RawSeries[] | undefined;
              let srvError: string | undefined;
              try {
                srv = (await client.query(query, { bindParams: params as never, database: db })).raw.series;
              } catch (e) {
                srvError = (e as Error).message;
              }
              compared++;
              if (srvError !== undefined || memError !== undefined) {
                expect({ query, params, error: memError }).toEqual({ query, params, error: srvError });
                return true;
              }
              const sampled = node === undefined ? undefined : sampleField(node);
              const diff =
                sampled === undefined
                  ? compare(srv, mem, points.length, sumAbs)
                  : compareSample(srv, mem, await candidates(node!, sampled, db));
              if (diff !== undefined) {
                throw new Error(
                  `${diff}\nquery: ${query}\nparams: ${stringify(params)}\nserver: ${stringify(srv)}\nmemory: ${stringify(mem)}\ndata:\n${makeLines(points)}`,
                );
              }
              return true;
            };
            for (const [k, generated] of queries.entries()) {
              // SELECT … INTO writes to a measurement of its own, then both are read back.
              const target = `t${k}`;
              // sample() picks at random: its INTO target could not be compared point for point.
              const node: SelectNode =
                generated.into === undefined || sampleField(generated) !== undefined
                  ? { ...generated, into: undefined }
                  : { ...generated, into: { ...generated.into, measurement: target } };
              const { query, params } = compileQuery(node);
              if (await check(query, params, node)) {
                for (const f of functionsOf(node)) byFunction.set(f, (byFunction.get(f) ?? 0) + 1);
                if (node.into !== undefined) await check(`SELECT * FROM "${target}" GROUP BY *`, {});
              }
            }
          } finally {
            await rawQuery(`DROP DATABASE "${db}"`);
          }
        },
      ),
      { numRuns: DATASETS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    console.log(
      `memory differential: ${compared} queries compared, ${refused} refused`,
      Object.fromEntries([...refusals].sort((a, b) => b[1] - a[1]).slice(0, 8)),
    );
    console.log('compared per function', Object.fromEntries([...byFunction].sort((a, b) => b[1] - a[1])));
    expect(compared).toBeGreaterThanOrEqual(2000);
    // Every function of the builder is among the compared queries (not only refused).
    for (const f of [
      'bottom',
      'count',
      'distinct',
      'first',
      'integral',
      'last',
      'max',
      'mean',
      'median',
      'min',
      'mode',
      'percentile',
      'sample',
      'spread',
      'stddev',
      'sum',
      'top',
      ...TRANSFORMS,
    ]) {
      expect({ f, compared: (byFunction.get(f) ?? 0) >= 10 }).toEqual({ f, compared: true });
    }
  });
});
