/**
 * The InfluxQL functions of the in-memory engine that are not one value per window: `distinct`,
 * `integral`, `stddev`, the selectors `sample`, `top`, `bottom` (with tag arguments) and the
 * transformations `derivative`, `non_negative_derivative`, `difference`, `non_negative_difference`,
 * `moving_average`, `cumulative_sum`, `elapsed` — over raw points, or over an inner aggregate with
 * `GROUP BY time` — with influxd 1.6's semantics as read from its source (query/functions.go,
 * call_iterator.go) and measured against the real server (test/memory-influx-differential.test.ts).
 *
 * The queries are evaluated by rewriting: the points a function reads come from a raw SELECT (or,
 * for a transformation of an aggregate, from the aggregate SELECT over the time range extended by
 * one interval, as influxd does) answered by `evaluateSelect`, so WHERE, grouping and fill have one
 * implementation. What influxd leaves undefined (its merge heap's order of points of different series
 * at one time, which a transformation or integral then reads) is refused with a named reason.
 */
import { InfluxDBClientError, InfluxUnsupportedQueryError } from '../errors.js';
import { parseDuration } from '../influxql/parser.js';
import type {
  CallNode,
  ConditionNode,
  ExprNode,
  SelectItemNode,
  SelectNode,
} from '../influxql/select-ast.js';
import { compareUtf8, type StoredFieldValue } from '../line-protocol/line-parser.js';
import { floorDiv, MIN_NANO_TIME } from '../line-protocol/time.js';
import { GoHeap, goSort } from './go-order.js';
import type { FieldType } from './memory-store.js';

/** Output series before formatting: times stay bigint until the response is shaped. */
export interface EvalSeries {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly columns: readonly string[];
  readonly rows: Array<{ time: bigint; values: Array<StoredFieldValue | null> }>;
}

type Value = StoredFieldValue | null;
type Row = { time: bigint; values: Value[] };

const unsupported = (what: string): never => {
  throw new InfluxUnsupportedQueryError(what);
};
const fail = (message: string): never => {
  throw new InfluxDBClientError(message);
};

/** Transformations: one output point per input point (after the first). */
export const TRANSFORMS: ReadonlySet<string> = new Set([
  'derivative',
  'non_negative_derivative',
  'difference',
  'non_negative_difference',
  'moving_average',
  'cumulative_sum',
  'elapsed',
]);
/** Functions that return several rows per window. */
const MULTI_ROW: ReadonlySet<string> = new Set(['distinct', 'top', 'bottom', 'sample']);
/**
 * Aggregates a transformation may take (one value per window), also the functions a subquery may
 * call (src/testing/subquery.ts). Refused: `stddev` (its value-less points of one-point windows
 * stop influxd's transformation), `integral` with GROUP BY time.
 */
export const INNER: ReadonlySet<string> = new Set([
  'count',
  'sum',
  'mean',
  'median',
  'mode',
  'spread',
  'first',
  'last',
  'min',
  'max',
  'percentile',
]);

/** True when the SELECT list calls a function this module evaluates (stddev is a plain aggregate). */
export function usesSelectFunctions(node: SelectNode): boolean {
  return node.fields.some(
    (f) =>
      f.expr.kind === 'call' &&
      (TRANSFORMS.has(f.expr.name) || MULTI_ROW.has(f.expr.name) || f.expr.name === 'integral'),
  );
}

/**
 * `stddev()` as influxd 1.6 computes it (FloatStddevReduceSlice): the running mean
 * `mean += (x - mean) / count`, then `sqrt(Σ (x - mean)² / (n - 1))`; `null` for fewer than two
 * points. influxd adds the points in its shards' and series' order, so the last bits may differ
 * from this time-then-series order (documented; compared within a tolerance).
 */
export function stddev(values: readonly StoredFieldValue[]): number | null {
  if (values.length < 2) return null;
  let mean = 0;
  let count = 0;
  for (const v of values) {
    count++;
    mean += (Number(v) - mean) / count;
  }
  let variance = 0;
  for (const v of values) variance += (Number(v) - mean) ** 2;
  return Math.sqrt(variance / (count - 1));
}

/** What `evaluateFunctions` needs from the evaluator (passed in, so the modules import one way). */
export interface FunctionContext {
  /** Evaluates a SELECT over the same store, database and now(). */
  evaluate(node: SelectNode): EvalSeries[];
  /** The resolved time range of the statement's WHERE (inclusive bounds). */
  readonly range: { min: bigint; max: bigint; hasMin: boolean; hasMax: boolean };
  /** The type of a field in the measurements of FROM, or undefined. */
  fieldType(key: string): FieldType | undefined;
  /** True when a measurement of FROM has this tag key. */
  isTag(key: string): boolean;
  /** How influxd answers a function that refuses the field's type (see select-evaluator.ts). */
  typeErrorState(key: string, refuses: (type: FieldType) => boolean): 'error' | 'panic' | 'none';
  readonly now: bigint;
}

// --- arguments ------------------------------------------------------------------------------------

const ITERATOR_LABEL: Record<string, string> = {
  moving_average: 'moving average',
  cumulative_sum: 'cumulative sum',
  non_negative_derivative: 'derivative',
  non_negative_difference: 'difference',
};

/** Where a type error is raised: influxd raises it only when it builds an iterator (points in range). */
interface Probe {
  node: SelectNode;
  field: string;
  ctx: FunctionContext;
}

/** influxd's error for a function over a string or boolean input (`iterator`: its Go iterator type). */
function typeError(
  name: string,
  type: FieldType,
  probe: Probe,
  iterator = `${type}InterruptIterator`,
): never {
  const message = `unsupported ${ITERATOR_LABEL[name] ?? name} iterator type: *query.${iterator}`;
  if (probe.node.offset !== undefined || probe.node.limit !== undefined) {
    // Measured: influxd 1.6 can answer these with a panic text naming the database (seen with
    // OFFSET, and with LIMIT for bottom() with tag arguments under GROUP BY time and fill).
    unsupported(`${name}() of a ${type} field with LIMIT/OFFSET (influxd may panic)`);
  }
  const state = probe.ctx.typeErrorState(probe.field, (t) => t === type);
  if (state === 'error') return fail(message);
  if (state === 'panic')
    unsupported(`${name}() of a ${type} field of a measurement after the first of FROM (influxd panics)`);
  return unsupported(
    `${name}() of a ${type} field that influxd builds no iterator for (it answers "${message}" or nothing)`,
  );
}

function positiveDuration(e: ExprNode, name: string): bigint {
  if (e.kind !== 'duration') {
    const got =
      e.kind === 'number'
        ? e.integer
          ? 'IntegerLiteral'
          : 'NumberLiteral'
        : e.kind === 'key'
          ? 'VarRef'
          : e.kind;
    return fail(`second argument to ${name} must be a duration, got *influxql.${got}`);
  }
  const d = parseDuration(e.value);
  if (d <= 0n) fail(`duration argument must be positive, got ${e.value}`);
  return d;
}

function intArgument(e: ExprNode | undefined, name: string): number {
  if (e === undefined || e.kind !== 'number')
    return unsupported(`${name}() without a number as last argument`);
  if (!e.integer) fail(`expected integer as last argument in ${name}(), found ${Number(e.value).toFixed(3)}`);
  return Number(e.value);
}

function fieldArg(call: CallNode): string {
  const a = call.args[0];
  if (a === undefined) return unsupported(`${call.name}() without arguments`);
  if (a.kind !== 'key')
    return unsupported(`${call.name}() of ${a.kind === 'wildcard' ? '*' : 'an expression'}`);
  if (a.cast === 'tag') unsupported(`${call.name}() of a tag`);
  return a.key;
}

// --- entry ----------------------------------------------------------------------------------------

/** Evaluates a SELECT whose list calls one of this module's functions (see {@link usesSelectFunctions}). */
export function evaluateFunctions(node: SelectNode, ctx: FunctionContext): EvalSeries[] {
  const calls = node.fields.map((f) => f.expr as CallNode);
  const multi = calls.find((c) => MULTI_ROW.has(c.name));
  if (multi !== undefined) {
    if (calls.length > 1) {
      if (multi.name === 'distinct')
        fail('aggregate function distinct() cannot be combined with other functions or fields');
      if (multi.name === 'top' || multi.name === 'bottom')
        fail(`selector function ${multi.name}() cannot be combined with other functions`);
      unsupported('sample() together with other functions (influxd splits the rows)');
    }
    return multiRow(node, multi, node.fields[0]!.alias ?? multi.name, ctx);
  }
  if (calls.some((c) => c.name === 'integral')) {
    if (calls.length > 1) unsupported('integral() together with other functions (influxd splits the series)');
    return integral(node, calls[0]!, node.fields[0]!.alias ?? 'integral', ctx);
  }
  return transforms(node, ctx);
}

// --- rewriting ------------------------------------------------------------------------------------

/** `where` without its time conditions (they are top-level ANDs; evaluateSelect refuses others). */
function withoutTime(where: readonly ConditionNode[]): ConditionNode[] {
  const out: ConditionNode[] = [];
  for (const c of where) {
    if (c.kind === 'time') continue;
    if (c.kind === 'and') out.push({ kind: 'and', operands: withoutTime(c.operands) });
    else out.push(c);
  }
  return out.filter((c) => c.kind !== 'and' || c.operands.length > 0);
}

function withRange(where: readonly ConditionNode[], min: bigint | undefined, max: bigint | undefined) {
  const out = withoutTime(where);
  if (min !== undefined) out.push({ kind: 'time', op: '>=', value: { kind: 'absolute', nanos: min } });
  if (max !== undefined) out.push({ kind: 'time', op: '<=', value: { kind: 'absolute', nanos: max } });
  return out;
}

const VALUE = '\u0000value';

/** Points of one series group: time, value and the values of the extra tag keys. */
interface GroupPoints {
  name: string;
  tags: Readonly<Record<string, string>> | undefined;
  points: Array<{ time: bigint; value: StoredFieldValue; extra: Value[] }>;
}

/** The raw points of `field` per output series (ascending; points of several series at one time adjacent). */
function rawPoints(
  node: SelectNode,
  field: string,
  extra: readonly string[],
  ctx: FunctionContext,
): GroupPoints[] {
  const gt = node.groupBy?.time;
  const r = ctx.range;
  const fields: SelectItemNode[] = [
    { expr: { kind: 'key', key: field, cast: 'field' }, alias: VALUE },
    ...extra.map((k, i) => ({
      expr: { kind: 'key' as const, key: k, cast: 'tag' as const },
      alias: `\u0000t${i}`,
    })),
  ];
  const inner: SelectNode = {
    ...node,
    fields,
    where: withRange(node.where, r.hasMin ? r.min : undefined, r.hasMax ? r.max : gt ? ctx.now : undefined),
    groupBy:
      node.groupBy === undefined
        ? undefined
        : { time: undefined, tags: node.groupBy.tags, all: node.groupBy.all },
    fill: undefined,
    orderDesc: false,
    limit: undefined,
    offset: undefined,
  };
  return ctx.evaluate(inner).map((s) => ({
    name: s.name,
    tags: s.tags,
    points: s.rows.map((row) => ({ time: row.time, value: row.values[0]!, extra: row.values.slice(1) })),
  }));
}

/** Refuses when two points of one group share a time: influxd's merge heap decides which one counts. */
function checkNoTies(g: GroupPoints, what: string): void {
  for (let i = 1; i < g.points.length; i++) {
    if (g.points[i]!.time === g.points[i - 1]!.time) {
      unsupported(
        `${what} over points of several series at the same time in one group (their order in influxd is its merge heap's)`,
      );
    }
  }
}

interface Windowing {
  interval: bigint;
  offset: bigint;
  window(t: bigint): bigint;
}

function windowing(node: SelectNode): Windowing | undefined {
  const gt = node.groupBy?.time;
  if (gt === undefined) return undefined;
  const interval = parseDuration(gt.interval);
  if (interval <= 0n) fail('GROUP BY time interval must be positive');
  let offset = gt.offset === undefined ? 0n : parseDuration(gt.offset);
  offset = ((offset % interval) + interval) % interval;
  return { interval, offset, window: (t) => floorDiv(t - offset, interval) * interval + offset };
}

/** LIMIT/OFFSET of one list of rows, as for aggregates (OFFSET without LIMIT skips rows). */
function limitOffset<T>(rows: T[], node: SelectNode): T[] {
  const start = node.offset ?? 0;
  const limit = node.limit === undefined || node.limit === 0 ? undefined : node.limit;
  if (start === 0 && limit === undefined) return rows;
  return rows.slice(start, limit === undefined ? undefined : start + limit);
}

function seriesId(s: { name: string; tags: Readonly<Record<string, string>> | undefined }): string {
  const tags = Object.entries(s.tags ?? {})
    .map(([k, v]) => `${k}\u0000${v}`)
    .join('\u0001');
  return `${s.name}\u0002${tags}`;
}

function sortSeries<T extends { name: string; tags: Readonly<Record<string, string>> | undefined }>(
  list: T[],
  desc: boolean,
): T[] {
  const key = (s: T) =>
    Object.entries(s.tags ?? {})
      .map(([k, v]) => `${k}\u0000${v}`)
      .join('\u0001');
  list.sort((a, b) => compareUtf8(a.name, b.name) || compareUtf8(key(a), key(b)));
  return desc ? list.reverse() : list;
}

// --- distinct, top, bottom, sample -------------------------------------------------------------------

function multiRow(node: SelectNode, call: CallNode, column: string, ctx: FunctionContext): EvalSeries[] {
  const name = call.name;
  const field = fieldArg(call);
  let n = 0;
  const tagArgs: string[] = [];
  if (name === 'distinct') {
    if (call.args.length !== 1) unsupported(`distinct() with ${call.args.length} arguments`);
  } else if (name === 'sample') {
    if (call.args.length !== 2)
      fail(`invalid number of arguments for sample, expected 2, got ${call.args.length}`);
    n = intArgument(call.args[1], name);
    if (n < 1) fail(`sample window must be greater than 1, got ${n}`);
  } else {
    if (call.args.length < 2)
      fail(`invalid number of arguments for ${name}, expected at least 2, got ${call.args.length}`);
    n = intArgument(call.args[call.args.length - 1], name);
    for (const a of call.args.slice(1, -1)) {
      if (a.kind !== 'key' || a.cast === 'field' || !ctx.isTag(a.key) || ctx.fieldType(a.key) !== undefined) {
        unsupported(`${name}() with an argument that is not a tag key of the measurement`);
      }
      tagArgs.push((a as { key: string }).key);
    }
    if (n < 1) fail(`limit (${n}) in ${name} function must be at least 1`);
    if (node.limit !== undefined && node.limit > 0 && node.limit < n)
      fail(
        `limit (${n}) in ${name} function can not be larger than the LIMIT (${node.limit}) in the select statement`,
      );
  }
  const type = ctx.fieldType(field);
  if ((name === 'top' || name === 'bottom') && (type === 'string' || type === 'boolean')) {
    // With tag arguments influxd first reduces with max()/min() per tag combination.
    const probe = { node, field, ctx };
    if (tagArgs.length === 0) typeError(name, type, probe);
    if (type === 'string') typeError(name === 'top' ? 'max' : 'min', type, probe);
    typeError(name, type, probe, 'booleanReduceBooleanIterator');
  }
  const w = windowing(node);
  // Measured: with GROUP BY time, influxd fills a tag argument the point does not have like a value.
  let missingTag: Value = null;
  if (w !== undefined && typeof node.fill === 'object') missingTag = Number(node.fill.value);
  else if (w !== undefined && node.fill === 'previous' && tagArgs.length > 0) missingTag = undefined as never;
  const out: EvalSeries[] = [];
  // top/bottom without tag arguments read the raw points as a selector does: with LIMIT or OFFSET,
  // influxd reads only the first LIMIT + OFFSET + 1 points of each output series (in the query's
  // time order, across its windows), then selects among those (measured).
  const prefix =
    (name === 'top' || name === 'bottom') && tagArgs.length === 0 && (node.limit || node.offset)
      ? (node.limit ?? 0) + (node.offset ?? 0) + 1
      : undefined;
  for (const g of rawPoints(node, field, tagArgs, ctx)) {
    const windows = new Map<bigint, GroupPoints['points']>();
    for (const p of prefix === undefined ? g.points : firstPoints(g.points, prefix, node.orderDesc, name)) {
      const k = w === undefined ? 0n : w.window(p.time);
      let list = windows.get(k);
      if (list === undefined) {
        list = [];
        windows.set(k, list);
      }
      list.push(p);
    }
    const keys = [...windows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (node.orderDesc) keys.reverse();
    let rows: Row[] = [];
    for (const k of keys) {
      const pts = windows.get(k)!;
      const start = w === undefined ? (ctx.range.hasMin ? ctx.range.min : 0n) : k;
      if (name === 'distinct') rows.push(...distinctRows(pts, start, node.orderDesc));
      else if (name === 'sample') rows.push(...sampleRows(pts, n));
      else rows.push(...topRows(pts, n, name === 'top', tagArgs, node.orderDesc, missingTag));
    }
    if (name === 'distinct' && (node.limit || node.offset)) {
      // Values first seen at one time come in an order influxd does not define: refuse when such a
      // tie straddles the LIMIT/OFFSET cut.
      const start = node.offset ?? 0;
      for (const cut of [start, node.limit ? start + node.limit : -1]) {
        const a = rows[cut - 1] as (Row & { seen?: bigint }) | undefined;
        const b = rows[cut] as (Row & { seen?: bigint }) | undefined;
        if (a !== undefined && b !== undefined && a.time === b.time && a.seen === b.seen)
          unsupported('LIMIT/OFFSET across distinct() values first seen at the same time');
      }
    }
    rows = limitOffset(rows, node).map((r) => ({
      time: r.time,
      values: r.values,
    }));
    if (node.offset !== undefined && node.offset > 0 && name === 'sample') {
      // Rows of one time were selected by value; their order among themselves is the heap's.
      for (let i = 1; i < rows.length; i++)
        if (rows[i]!.time === rows[i - 1]!.time) unsupported(`OFFSET over ${name}() rows with the same time`);
    }
    if (rows.length > 0)
      out.push({ name: g.name, tags: g.tags, columns: ['time', column, ...tagArgs], rows });
  }
  return node.orderDesc ? out.reverse() : out;
}

/**
 * The first `n` points in the query's time order (descending with ORDER BY time DESC), returned
 * ascending. Points of several series at one time come in influxd's merge heap order: refused when
 * the cut falls among such points and they differ in value.
 */
function firstPoints(
  points: GroupPoints['points'],
  n: number,
  desc: boolean,
  name: string,
): GroupPoints['points'] {
  if (points.length <= n) return points;
  const order = desc ? [...points].reverse() : points;
  const cut = order[n]!.time;
  if (order[n - 1]!.time === cut) {
    const tied = order.filter((p) => p.time === cut);
    if (tied.some((p) => !Object.is(p.value, tied[0]!.value)))
      unsupported(
        `LIMIT/OFFSET with ${name}() where influxd's read of LIMIT + OFFSET + 1 points ends among points of several series at one time`,
      );
  }
  const kept = order.slice(0, n);
  return desc ? kept.reverse() : kept;
}

/**
 * influxd keeps the first point of each value in iteration order (descending with ORDER BY time
 * DESC) and returns the values sorted by that point's time (values first seen at one time come in
 * an order it does not define; the engine keeps its own iteration order). The row time is the window's.
 */
function distinctRows(
  points: GroupPoints['points'],
  start: bigint,
  desc: boolean,
): Array<Row & { seen: bigint }> {
  // A Map key -0 reads as 0: the entry keeps the first point's own value (-0 stays -0, as in Go).
  const seen = new Map<StoredFieldValue, { value: StoredFieldValue; time: bigint }>();
  const order = desc ? [...points].reverse() : points;
  for (const p of order) if (!seen.has(p.value)) seen.set(p.value, { value: p.value, time: p.time });
  const list = [...seen.values()];
  list.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return list.map((e) => ({ time: start, values: [e.value], seen: e.time }));
}

/** Reservoir sampling (influxd uses a random source too): n random points, returned by time. */
function sampleRows(points: GroupPoints['points'], n: number): Row[] {
  const chosen = points.slice(0, n);
  for (let i = n; i < points.length; i++) {
    const j = Math.floor(Math.random() * (i + 1));
    if (j < n) chosen[j] = points[i]!;
  }
  chosen.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return chosen.map((p) => ({ time: p.time, values: [p.value] }));
}

/**
 * top/bottom as influxd 1.6 computes them (query/select.go, FloatTopReducer / FloatBottomReducer):
 * - with tag arguments, first max() (min() for bottom) per combination of those tags: the greatest
 *   (least) value, then the earliest time; the combinations then come in the order of their tag
 *   set IDs (the values in the order of the sorted tag keys, bytes compared), with ORDER BY time
 *   DESC too (measured);
 * - without, the raw points in time order (descending with ORDER BY time DESC);
 * - a heap of n points (container/heap) ordered by value, then by time (the later one is the
 *   worse): a new point replaces the worst only when it is strictly better, so of points that tie
 *   on value and time the first ones stay;
 * - Emit() sorts the heap best first with Go's sort.Sort (not stable: rows that tie on value and
 *   time come in the order Go's sort leaves them), and the window's rows are then stably sorted
 *   by time, ascending in either order.
 * Rows that tie on value and time differ only in their tag columns, so this order shows only with
 * tag arguments (ported in ./go-order.ts).
 */
function topRows(
  points: GroupPoints['points'],
  n: number,
  top: boolean,
  tagArgs: readonly string[],
  desc: boolean,
  missingTag: Value | undefined,
): Row[] {
  type Point = GroupPoints['points'][number];
  // FloatTopReducer's heap order: `a` is worse than `b`.
  const worse = (a: Point, b: Point): boolean =>
    a.value !== b.value ? (top ? a.value < b.value : a.value > b.value) : a.time > b.time;
  let input: readonly Point[];
  if (tagArgs.length > 0) {
    const best = new Map<string, Point>();
    for (const p of points) {
      const k = p.extra.map((v) => String(v ?? '')).join('\u0000');
      const cur = best.get(k);
      if (cur === undefined || worse(cur, p)) best.set(k, p);
    }
    const order = tagArgs
      .map((k, i) => ({ k, i }))
      .sort((a, b) => compareUtf8(a.k, b.k))
      .map((e) => e.i);
    const id = (p: Point) => order.map((i) => String(p.extra[i] ?? ''));
    const byId = (a: Point, b: Point): number => {
      const x = id(a);
      const y = id(b);
      for (let i = 0; i < x.length; i++) {
        const c = compareUtf8(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    };
    input = [...best.values()].sort(byId);
  } else {
    input = desc ? [...points].reverse() : points;
  }
  const heap = new GoHeap<Point>(worse);
  for (const p of input) {
    if (heap.items.length < n) heap.push(p);
    else if (worse(heap.items[0]!, p)) {
      heap.items[0] = p;
      heap.fix(0);
    }
  }
  const chosen = [...heap.items];
  goSort(chosen, (a, b) => worse(b, a));
  chosen.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return chosen.map((p) => ({
    time: p.time,
    values: [
      p.value,
      ...p.extra.map((v) =>
        v !== null
          ? v
          : missingTag === undefined
            ? unsupported('top()/bottom() with fill(previous) and a tag argument a point does not have')
            : missingTag,
      ),
    ],
  }));
}

// --- integral ---------------------------------------------------------------------------------------

function integral(node: SelectNode, call: CallNode, column: string, ctx: FunctionContext): EvalSeries[] {
  const field = fieldArg(call);
  if (call.args.length > 2)
    fail(`invalid number of arguments for integral, expected 1-2, got ${call.args.length}`);
  const unit = call.args[1] === undefined ? 1_000_000_000n : positiveDuration(call.args[1], 'integral');
  const type = ctx.fieldType(field);
  if (type === 'string' || type === 'boolean') typeError('integral', type, { node, field, ctx });
  if (node.groupBy?.time !== undefined) {
    unsupported('integral() with GROUP BY time (influxd 1.6 splits and reorders its series)');
  }
  const groups = rawPoints(node, field, [], ctx).filter((g) => g.points.length > 0);
  if (groups.length > 1)
    unsupported('integral() with several output series (influxd orders them its own way)');
  const out: EvalSeries[] = [];
  for (const g of groups) {
    checkNoTies(g, 'integral()');
    const pts = node.orderDesc ? [...g.points].reverse() : g.points;
    const rows = limitOffset(integralRows(pts, unit, type === 'integer', node.orderDesc, ctx.range), node);
    if (rows.length > 0) out.push({ name: g.name, tags: g.tags, columns: ['time', column], rows });
  }
  return out;
}

/**
 * influxd 1.6's integral reducers without GROUP BY time (FloatIntegralReducer,
 * IntegerIntegralReducer, fed point by point as a stream), ported step for step:
 * - the trapezium rule, `0.5 * (v + prev) * (dt / unit)`, in iteration order;
 * - floats set no window: the row's time is 0;
 * - integers take the window of the query's range, `[start, end + 1)`: ascending, the row's time
 *   is its start (0 without a lower bound); with ORDER BY time DESC start and end swap, so the
 *   row's time is the range's end + 1 (2^63 - 1 without an upper bound), and a point AT the range's
 *   start reaches the window's "end": the reducer interpolates up to it (linearFloat), emits the
 *   sum, and starts a new sum there, which Close() emits too (a second row, 0, at the same time);
 * - Close() emits nothing when the last point lies at the row's time.
 */
function integralRows(
  pts: ReadonlyArray<{ time: bigint; value: StoredFieldValue }>,
  unit: bigint,
  integer: boolean,
  desc: boolean,
  range: { min: bigint; max: bigint },
): Row[] {
  const rows: Row[] = [];
  // opt.Window(t) without an interval is [StartTime, EndTime + 1); MinTime reads as 0.
  let start = 0n;
  let end = 0n;
  if (integer) {
    [start, end] = desc ? [range.max + 1n, range.min] : [range.min, range.max + 1n];
    if (start === MIN_NANO_TIME) start = 0n;
  }
  const u = Number(unit);
  let sum = 0;
  let prev: { time: bigint; value: number } | undefined;
  for (const p of pts) {
    let value = Number(p.value);
    if (prev === undefined) {
      prev = { time: p.time, value };
      continue;
    }
    if (integer && (desc ? p.time <= end : p.time >= end)) {
      if (prev.time !== end) {
        value = linearFloat(end, prev.time, p.time, prev.value, value);
        sum += 0.5 * (value + prev.value) * (Number(end - prev.time) / u);
        prev = { time: end, value: prev.value };
      }
      rows.push({ time: start, values: [sum] });
      sum = 0;
    }
    sum += 0.5 * (value + prev.value) * (Number(p.time - prev.time) / u);
    prev = { time: p.time, value: Number(p.value) };
  }
  if (prev !== undefined && prev.time !== start) rows.push({ time: start, values: [sum] });
  return rows;
}

/** influxd's linearFloat: the value at `t` on the line through two points. */
function linearFloat(
  t: bigint,
  prevTime: bigint,
  nextTime: bigint,
  prevValue: number,
  nextValue: number,
): number {
  const m = (nextValue - prevValue) / Number(nextTime - prevTime);
  return m * Number(t - prevTime) + prevValue;
}

/** Whether a column holds integers (a fill number is truncated for them) or floats. */
function columnKind(
  call: CallNode,
  spec: TransformSpec | undefined,
  ctx: FunctionContext,
): 'integer' | 'float' {
  if (spec !== undefined) {
    if (spec.name === 'elapsed') return 'integer';
    if (
      spec.name === 'difference' ||
      spec.name === 'non_negative_difference' ||
      spec.name === 'cumulative_sum'
    )
      return spec.type === 'integer' ? 'integer' : 'float';
    return 'float';
  }
  const a = call.args[0];
  const t = outputType(call, a?.kind === 'key' ? ctx.fieldType(a.key) : undefined);
  if (t === 'string' || t === 'boolean')
    unsupported(`fill with ${call.name}() of a ${t} field next to a transformation`);
  return t === 'integer' ? 'integer' : 'float';
}

/**
 * With a transformation in the list, influxd fills the output rows (measured): a column that has
 * no value at a row's time (`undefined` here) is the fill number (cast to the column's type) or,
 * with fill(previous), the column's previous value; a value-less point (stddev() of one point)
 * stays null.
 */
function fillRows(
  rows: Array<{ time: bigint; values: Array<Value | undefined> }>,
  node: SelectNode,
  kinds: ReadonlyArray<'integer' | 'float'>,
): Row[] {
  const fill = node.fill;
  const prev: Value[] = kinds.map(() => null);
  return rows.map((row) => ({
    time: row.time,
    values: row.values.map((x, i) => {
      if (x !== undefined) {
        if (x !== null) prev[i] = x;
        return x;
      }
      if (typeof fill === 'object') {
        const v = fill.value;
        return kinds[i] === 'integer' ? (typeof v === 'bigint' ? v : BigInt(Math.trunc(v))) : Number(v);
      }
      return fill === 'previous' ? prev[i]! : null;
    }),
  }));
}

// --- transformations --------------------------------------------------------------------------------

interface TransformSpec {
  name: string;
  /** Inner aggregate (GROUP BY time) or undefined for raw points. */
  inner: CallNode | undefined;
  field: string;
  /** Type of the values the transformation reads. */
  type: FieldType | undefined;
  unit: bigint;
  n: number;
}

function outputType(inner: CallNode, fieldType: FieldType | undefined): FieldType | undefined {
  if (inner.name === 'count') return 'integer';
  if (inner.name === 'mean' || inner.name === 'median' || inner.name === 'stddev') return 'float';
  return fieldType;
}

function transformSpec(
  node: SelectNode,
  call: CallNode,
  w: Windowing | undefined,
  ctx: FunctionContext,
): TransformSpec {
  const name = call.name;
  const a = call.args[0];
  if (name === 'moving_average') {
    if (call.args.length !== 2)
      fail(`invalid number of arguments for moving_average, expected 2, got ${call.args.length}`);
  } else if (name === 'difference' || name === 'non_negative_difference' || name === 'cumulative_sum') {
    if (call.args.length !== 1)
      fail(`invalid number of arguments for ${name}, expected 1, got ${call.args.length}`);
  } else if (call.args.length < 1 || call.args.length > 2) {
    fail(
      `invalid number of arguments for ${name}, expected at least 1 but no more than 2 arguments, got ${call.args.length}`,
    );
  }
  let inner: CallNode | undefined;
  if (a?.kind === 'call') {
    if (w === undefined) fail(`${name} aggregate requires a GROUP BY interval`);
    if (!INNER.has(a.name)) unsupported(`${name}() of ${a.name}()`);
    inner = a;
  } else if (w !== undefined) {
    fail(`aggregate function required inside the call to ${name}`);
  }
  const field = fieldArg(inner ?? call);
  let unit = 1n;
  let n = 0;
  if (name === 'moving_average') {
    n = intArgument(call.args[1], name);
    if (n < 2) fail(`moving_average window must be greater than 1, got ${n}`);
  } else if (name === 'elapsed') {
    unit = call.args[1] === undefined ? 1n : positiveDuration(call.args[1], name);
  } else if (name === 'derivative' || name === 'non_negative_derivative') {
    unit =
      call.args[1] === undefined
        ? w === undefined
          ? 1_000_000_000n
          : w.interval
        : positiveDuration(call.args[1], name);
  }
  const ft = ctx.fieldType(field);
  if (inner !== undefined && !['count', 'first', 'last', 'mode'].includes(inner.name)) {
    // The inner aggregate's own type check comes first (as checkCallType in select-evaluator.ts).
    if (ft === 'string' || (ft === 'boolean' && inner.name !== 'min' && inner.name !== 'max'))
      typeError(inner.name, ft, { node, field, ctx });
  }
  const type = inner === undefined ? ft : outputType(inner, ft);
  if (name !== 'elapsed' && (type === 'string' || type === 'boolean'))
    typeError(name, type, { node, field, ctx });
  return { name, inner, field, type, unit, n };
}

/** Applies one transformation to a sequence of points in iteration order. */
export function transform(
  spec: Pick<TransformSpec, 'name' | 'unit' | 'n'>,
  points: ReadonlyArray<{ time: bigint; value: StoredFieldValue }>,
  ascending: boolean,
): Row[] {
  const out: Row[] = [];
  const { name } = spec;
  if (name === 'cumulative_sum') {
    let acc: number | bigint | undefined;
    for (const p of points) {
      const v = p.value as number | bigint;
      acc =
        typeof v === 'bigint'
          ? BigInt.asIntN(64, ((acc as bigint | undefined) ?? 0n) + v)
          : ((acc as number) ?? 0) + v;
      out.push({ time: p.time, values: [acc] });
    }
    return out;
  }
  if (name === 'moving_average') {
    // FloatMovingAverageReducer: a ring buffer and a running sum (subtract the oldest, add the newest).
    const buf: Array<number | bigint> = [];
    let pos = 0;
    let fsum = 0;
    let isum = 0n;
    for (const p of points) {
      const v = p.value as number | bigint;
      if (buf.length < spec.n) buf.push(v);
      else {
        const old = buf[pos]!;
        if (typeof old === 'bigint') isum = BigInt.asIntN(64, isum - old);
        else fsum -= old;
        buf[pos] = v;
      }
      if (typeof v === 'bigint') isum = BigInt.asIntN(64, isum + v);
      else fsum += v;
      pos = (pos + 1) % spec.n;
      if (buf.length === spec.n) {
        out.push({ time: p.time, values: [typeof v === 'bigint' ? Number(isum) / spec.n : fsum / spec.n] });
      }
    }
    return out;
  }
  // derivative, difference, elapsed: each point against the previous one; a point at the time of the
  // previous one is skipped.
  let prev: { time: bigint; value: StoredFieldValue } | undefined;
  for (const p of points) {
    if (prev !== undefined && p.time === prev.time) continue;
    const before = prev;
    prev = p;
    if (before === undefined) continue;
    if (name === 'elapsed') {
      out.push({ time: p.time, values: [(p.time - before.time) / spec.unit] });
      continue;
    }
    const cur = p.value as number | bigint;
    const old = before.value as number | bigint;
    const diff =
      typeof cur === 'bigint' ? BigInt.asIntN(64, cur - (old as bigint)) : (cur as number) - (old as number);
    if (name === 'difference' || name === 'non_negative_difference') {
      if (name === 'non_negative_difference' && diff < 0) continue;
      out.push({ time: p.time, values: [diff] });
      continue;
    }
    const d = Number(diff);
    if (name === 'non_negative_derivative' && d < 0) continue;
    let elapsed = p.time - before.time;
    if (!ascending) elapsed = -elapsed;
    out.push({ time: p.time, values: [d / (Number(elapsed) / Number(spec.unit))] });
  }
  return out;
}

function transforms(node: SelectNode, ctx: FunctionContext): EvalSeries[] {
  const w = windowing(node);
  const items = node.fields;
  const specs: Array<TransformSpec | undefined> = items.map((item) => {
    const c = item.expr as CallNode;
    return TRANSFORMS.has(c.name) ? transformSpec(node, c, w, ctx) : undefined;
  });
  if (w === undefined && specs.some((s) => s === undefined)) {
    unsupported('a transformation together with an aggregate without GROUP BY time');
  }
  const columns = items.map((item) => item.alias ?? (item.expr as CallNode).name);
  const kinds = items.map((item, i) => columnKind(item.expr as CallNode, specs[i], ctx));
  const series = new Map<string, { name: string; tags: EvalSeries['tags']; cols: Row[][] }>();
  /** The series each evaluation returned, by run. */
  const runs = new Map<string, Set<string>>();
  const entry = (s: { name: string; tags: EvalSeries['tags'] }, run: string) => {
    const id = seriesId(s);
    let ids = runs.get(run);
    if (ids === undefined) {
      ids = new Set();
      runs.set(run, ids);
    }
    ids.add(id);
    let e = series.get(id);
    if (e === undefined) {
      e = { name: s.name, tags: s.tags, cols: items.map(() => []) };
      series.set(id, e);
    }
    return e;
  };
  if (w === undefined) {
    // Raw points, one read per field.
    const byField = new Map<string, GroupPoints[]>();
    specs.forEach((spec, i) => {
      const s = spec!;
      let groups = byField.get(s.field);
      if (groups === undefined) {
        groups = rawPoints(node, s.field, [], ctx);
        byField.set(s.field, groups);
      }
      for (const g of groups) {
        if (g.points.length === 0) continue;
        checkNoTies(g, `${s.name}()`);
        const pts = node.orderDesc ? [...g.points].reverse() : g.points;
        entry(g, 'raw').cols[i] = limitOffset(transform(s, pts, !node.orderDesc), node);
      }
    });
  } else {
    const r = ctx.range;
    const plainIdx = specs.flatMap((s, i) => (s === undefined ? [i] : []));
    const transIdx = specs.flatMap((s, i) => (s === undefined ? [] : [i]));
    if (plainIdx.length > 0) {
      const plain = ctx.evaluate({ ...node, fields: plainIdx.map((i) => items[i]!) });
      if (plain.length === 0) runs.set('plain', new Set());
      for (const s of plain) {
        const e = entry(s, 'plain');
        for (const row of s.rows)
          plainIdx.forEach((i, j) => {
            e.cols[i]!.push({ time: row.time, values: [row.values[j]!] });
          });
      }
    }
    // The inner aggregates run over the range extended by one interval before the first window
    // (after the last with ORDER BY time DESC), as influxd does for every transformation but
    // cumulative_sum (measured); rows outside the range are dropped.
    const lo = r.hasMin ? w.window(r.min) : undefined;
    const hiBound = r.hasMax ? r.max : ctx.now;
    const hi = w.window(hiBound);
    for (const extend of [true, false]) {
      const idx = transIdx.filter((i) => (specs[i]!.name !== 'cumulative_sum') === extend);
      if (idx.length === 0) continue;
      const by = extend ? w.interval : 0n;
      const min = r.hasMin ? (node.orderDesc ? r.min : r.min - by) : undefined;
      const max = node.orderDesc ? hiBound + by : hiBound;
      const run = extend ? 'inner' : 'inner-cumulative';
      const inner = ctx.evaluate({
        ...node,
        fields: idx.map((i, j) => ({ expr: specs[i]!.inner!, alias: `\u0000c${j}` })),
        where: withRange(node.where, min, max),
        limit: undefined,
        offset: undefined,
      });
      if (inner.length === 0) runs.set(run, new Set());
      for (const s of inner) {
        const e = entry(s, run);
        idx.forEach((i, j) => {
          const pts: Array<{ time: bigint; value: StoredFieldValue }> = [];
          for (const row of s.rows) {
            const v = row.values[j]!;
            if (v !== null) pts.push({ time: row.time, value: v });
          }
          const rows = transform(specs[i]!, pts, !node.orderDesc).filter(
            (row) => (lo === undefined || row.time >= lo) && row.time <= hi,
          );
          e.cols[i] = limitOffset(rows, node);
        });
      }
    }
  }
  if (typeof node.fill === 'object' && runs.size > 1) {
    for (const id of series.keys()) {
      if ([...runs.values()].some((ids) => !ids.has(id))) {
        // influxd fills such a group's windows with the number or not, by its shard state.
        unsupported('fill(<number>) with a function whose field has no point in a series');
      }
    }
  }
  const out: EvalSeries[] = [];
  for (const e of sortSeries([...series.values()], node.orderDesc)) {
    const byTime = new Map<bigint, Array<Value | undefined>>();
    e.cols.forEach((rows, i) => {
      for (const row of rows) {
        let values = byTime.get(row.time);
        if (values === undefined) {
          values = items.map(() => undefined);
          byTime.set(row.time, values);
        }
        values[i] = row.values[0]!;
      }
    });
    const times = [...byTime.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (node.orderDesc) times.reverse();
    const rows = fillRows(
      times.map((time) => ({ time, values: byTime.get(time)! })),
      w === undefined ? { ...node, fill: undefined } : node,
      kinds,
    );
    if (rows.length > 0) out.push({ name: e.name, tags: e.tags, columns: ['time', ...columns], rows });
  }
  return out;
}
