import fc from 'fast-check';
import type {
  ConditionNode,
  ExprNode,
  FillNode,
  GroupByNode,
  IntoNode,
  KeyRefNode,
  MeasurementNode,
  SelectItemNode,
  SelectNode,
  TimeValueNode,
} from '../../src/influxql/select-ast.js';
import { SHOW_KEYWORDS, type StatementNode } from '../../src/influxql/statement-ast.js';

/**
 * fast-check arbitraries of InfluxQL trees: every statement kind of src/influxql/statement-ast.ts,
 * with names full of quotes, backslashes, newlines and keywords (used by the round-trip test and by
 * the server test that the compiled text is InfluxQL the real server reads).
 */

const pieces = [
  'a',
  'B',
  'cpu',
  'é',
  '😀',
  ' ',
  '"',
  "'",
  '\\',
  '\n',
  ';',
  '/',
  '-',
  '.',
  '*',
  'SELECT',
  '$x',
  'µ',
];
/** Any name InfluxQL can quote (no CR, NUL or lone surrogate): quotes, backslashes, newlines, keywords. */
const name = fc
  .array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 4 })
  .map((p) => p.join(''))
  .filter((s) => s.toLowerCase() !== 'time');
/** A database or retention policy name (InfluxDB's rule: printable, no '/', '\', not '.' or '..'). */
const storageName = fc
  .array(fc.constantFrom('db', 'Q', 'é', ' ', '"', "'", ';', '-', '_', '1', 'SHOW'), {
    minLength: 1,
    maxLength: 4,
  })
  .map((p) => p.join(''))
  .filter((s) => s !== '.' && s !== '..');
/** A measurement name the server stores as is (no backslash: `SELECT … INTO` writes it as a point). */
const intoName = fc
  .array(fc.constantFrom('m', 'x', ' ', '"', "'", ',', '=', 'é'), { minLength: 1, maxLength: 4 })
  .map((p) => p.join(''));
const duration = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 999 }),
      fc.constantFrom('ns', 'u', 'µ', 'ms', 's', 'm', 'h', 'd', 'w'),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => parts.map(([n, u]) => `${n}${u}`).join(''));
const regex = fc
  .array(fc.constantFrom('^a', '.*', '/', "'", '"', ';', '\\d+', '\\/', 'x|y', '$', '\\\\', '[a-z]', '\n'), {
    minLength: 1,
    maxLength: 4,
  })
  .map((p) => p.join(''));
const count = fc.integer({ min: 0, max: 1_000_000 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const cast = maybe(fc.constantFrom('tag' as const, 'field' as const));
const keyRef: fc.Arbitrary<KeyRefNode> = fc.record({ kind: fc.constant('key' as const), key: name, cast });

const { expr } = fc.letrec<{ expr: ExprNode }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    keyRef,
    fc.record({ kind: fc.constant('wildcard' as const), cast }),
    fc.record({
      kind: fc.constant('number' as const),
      value: fc.integer({ min: -1000, max: 1000 }),
      integer: fc.constant(true),
    }),
    fc.record({
      kind: fc.constant('number' as const),
      value: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      integer: fc.constant(false),
    }),
    fc.record({ kind: fc.constant('duration' as const), value: duration }),
    fc.record({
      kind: fc.constant('call' as const),
      name: fc.constantFrom('mean', 'max', 'count', 'derivative', 'percentile', 'top'),
      args: fc.array(tie('expr'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant('arithmetic' as const),
      op: fc.constantFrom('+' as const, '-' as const, '*' as const, '/' as const, '%' as const),
      left: tie('expr'),
      right: tie('expr'),
    }),
  ),
}));

const scalar = fc.oneof(
  fc
    .string({ maxLength: 8 })
    .filter((s) => !/[\r\0]/.test(s) && (s as string & { isWellFormed(): boolean }).isWellFormed()),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.boolean(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((v) => !Number.isSafeInteger(Number(v))),
);
const timeValue: fc.Arbitrary<TimeValueNode> = fc.oneof(
  fc.record({
    kind: fc.constant('absolute' as const),
    nanos: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
  }),
  fc.record({
    kind: fc.constant('now' as const),
    offset: maybe(duration),
    sign: fc.constantFrom('+' as const, '-' as const),
  }),
);
const regexCondition = fc.record({
  kind: fc.constant('regex' as const),
  left: keyRef,
  op: fc.constantFrom('=~' as const, '!~' as const),
  source: regex,
});
const { condition } = fc.letrec<{ condition: ConditionNode }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('comparison' as const),
      left: keyRef,
      op: fc.constantFrom(
        '=' as const,
        '!=' as const,
        '<>' as const,
        '<' as const,
        '<=' as const,
        '>' as const,
        '>=' as const,
      ),
      value: scalar,
    }),
    regexCondition,
    fc.record({
      kind: fc.constant('time' as const),
      op: fc.constantFrom(
        '=' as const,
        '<' as const,
        '<=' as const,
        '>' as const,
        '>=' as const,
        '!=' as const,
      ),
      value: timeValue,
    }),
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      operands: fc.array(tie('condition'), { minLength: 2, maxLength: 3 }),
    }),
  ),
}));
const where = fc.array(condition, { maxLength: 3 });
/** Tag filters of the series statements: `"k" = v`, `"k" != v`, `"k" =~ /re/`. */
export const tagWhere = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('comparison' as const),
      left: keyRef,
      op: fc.constantFrom('=' as const, '!=' as const),
      value: scalar,
    }),
    regexCondition,
  ),
  { maxLength: 3 },
);

export const measurement: fc.Arbitrary<MeasurementNode> = fc
  .record({
    database: maybe(storageName),
    retentionPolicy: maybe(storageName),
    target: fc.oneof(fc.record({ name }), fc.record({ regex })),
  })
  .map(({ database, retentionPolicy, target }) => ({
    kind: 'measurement',
    database,
    retentionPolicy,
    name: 'name' in target ? target.name : undefined,
    regex: 'regex' in target ? target.regex : undefined,
  }));
const into: fc.Arbitrary<IntoNode> = fc
  .record({ database: maybe(storageName), retentionPolicy: maybe(storageName), measurement: maybe(intoName) })
  .map((i) =>
    i.database === undefined && i.retentionPolicy === undefined && i.measurement === undefined
      ? { ...i, measurement: 'm' }
      : i,
  );
const groupBy: fc.Arbitrary<GroupByNode> = fc.record({
  time: maybe(
    fc.record({
      interval: duration,
      offset: maybe(
        fc.oneof(
          duration,
          duration.map((d) => `-${d}`),
        ),
      ),
    }),
  ),
  tags: fc.array(name, { maxLength: 2 }),
  all: fc.boolean(),
});
const fill: fc.Arbitrary<FillNode> = fc.oneof(
  fc.constantFrom('null' as const, 'none' as const, 'previous' as const, 'linear' as const),
  fc.record({
    value: fc.oneof(
      fc.bigInt({ min: -1000n, max: 1000n }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 }),
    ),
  }),
);
const selectItem: fc.Arbitrary<SelectItemNode> = fc.record({ expr, alias: maybe(name) });

export const { select } = fc.letrec<{ select: SelectNode }>((tie) => ({
  select: fc.record({
    kind: fc.constant('select' as const),
    fields: fc.array(selectItem, { minLength: 1, maxLength: 3 }),
    into: maybe(into),
    from: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      measurement,
      tie('select').map((query) => ({ kind: 'subquery' as const, query: { ...query, into: undefined } })),
    ),
    where,
    groupBy: maybe(groupBy),
    fill: maybe(fill),
    orderDesc: fc.boolean(),
    limit: maybe(count),
    offset: maybe(count),
    slimit: maybe(count),
    soffset: maybe(count),
    tz: maybe(fc.constantFrom('America/Chicago', 'Europe/Paris', "it's")),
  }),
}));

const db = maybe(storageName);
const rpDuration = fc.oneof(duration, fc.constant('INF'));
export const statement: fc.Arbitrary<StatementNode> = fc.oneof(
  select,
  fc.constant({ kind: 'showDatabases' as const }),
  fc
    .constantFrom(...(Object.keys(SHOW_KEYWORDS) as Array<keyof typeof SHOW_KEYWORDS>))
    .map((kind) => ({ kind })),
  fc.record({ kind: fc.constant('showGrants' as const), user: name }),
  fc.record({ kind: fc.constant('showRetentionPolicies' as const), database: db }),
  fc.record({
    kind: fc.constant('showMeasurements' as const),
    database: db,
    name: maybe(
      fc.oneof(
        fc.record({ op: fc.constant('=' as const), value: name }),
        fc.record({ op: fc.constant('=~' as const), value: regex }),
      ),
    ),
    limit: maybe(count),
    offset: maybe(count),
  }),
  fc.record({
    kind: fc.constantFrom('showTagKeys' as const, 'showFieldKeys' as const),
    database: db,
    from: maybe(measurement),
    where: fc.constant([]),
  }),
  fc.record({
    kind: fc.constant('showSeries' as const),
    database: db,
    from: maybe(measurement),
    where: tagWhere,
  }),
  fc.record({
    kind: fc.constant('showTagValues' as const),
    database: db,
    from: maybe(measurement),
    key: fc.oneof(
      fc.record({ op: fc.constantFrom('=' as const, '!=' as const), names: fc.tuple(name) }),
      fc.record({ op: fc.constant('in' as const), names: fc.array(name, { minLength: 1, maxLength: 3 }) }),
      fc.record({ op: fc.constantFrom('=~' as const, '!~' as const), regex }),
    ),
    where: tagWhere,
  }),
  fc.record({ kind: fc.constantFrom('createDatabase' as const, 'dropDatabase' as const), name: storageName }),
  fc.record({ kind: fc.constant('dropMeasurement' as const), name }),
  fc
    .record({
      kind: fc.constantFrom('dropSeries' as const, 'delete' as const),
      from: maybe(measurement.map((m) => ({ ...m, database: undefined, retentionPolicy: undefined }))),
      where: tagWhere,
    })
    .filter((n) => n.from !== undefined || n.where.length > 0),
  fc.record({
    kind: fc.constant('createRetentionPolicy' as const),
    name: storageName,
    database: storageName,
    duration: rpDuration,
    replication: fc.integer({ min: 1, max: 9 }),
    shardDuration: maybe(duration),
    makeDefault: fc.boolean(),
  }),
  fc
    .record({
      kind: fc.constant('alterRetentionPolicy' as const),
      name: storageName,
      database: storageName,
      duration: maybe(rpDuration),
      shardDuration: maybe(duration),
      replication: maybe(fc.integer({ min: 1, max: 9 })),
      makeDefault: fc.boolean(),
    })
    .filter(
      (n) =>
        n.duration !== undefined ||
        n.shardDuration !== undefined ||
        n.replication !== undefined ||
        n.makeDefault,
    ),
  fc.record({ kind: fc.constant('dropRetentionPolicy' as const), name: storageName, database: storageName }),
  fc.record({ kind: fc.constant('createUser' as const), name, password: name, admin: fc.boolean() }),
  fc.record({ kind: fc.constant('setPassword' as const), user: name, password: name }),
  fc.record({
    kind: fc.constantFrom('dropUser' as const, 'grantAdmin' as const, 'revokeAdmin' as const),
    user: name,
  }),
  fc.record({
    kind: fc.constantFrom('grant' as const, 'revoke' as const),
    privilege: fc.constantFrom('read' as const, 'write' as const, 'all' as const),
    database: storageName,
    user: name,
  }),
  fc.record({
    kind: fc.constant('createContinuousQuery' as const),
    name,
    database: storageName,
    resample: maybe(
      fc
        .record({ every: maybe(duration), for: maybe(duration) })
        .filter((r) => r.every !== undefined || r.for !== undefined),
    ),
    query: select,
  }),
  fc.record({ kind: fc.constant('dropContinuousQuery' as const), name, database: storageName }),
  fc.record({ kind: fc.constant('killQuery' as const), id: count, host: maybe(name) }),
);
