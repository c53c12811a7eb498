/**
 * `SELECT … FROM (SELECT …)` as influxd 1.6 runs it (query/subquery.go,
 * newIteratorOptionsSubstatement): the inner statement runs with the outer statement's time range
 * intersected with its own, the outer GROUP BY tags added to its own, the outer GROUP BY time
 * interval when it has none (aggregates), the outer ordering, and `fill(none)` for `fill(null)`;
 * each of its output rows becomes a point of its output series (tags = the series' tags, fields =
 * the non-null columns, by their output names) and the outer statement is evaluated over those
 * points, its non-time conditions filtering them.
 *
 * Refused by name where influxd's answer depends on iterator details the engine does not model:
 * an inner row outside the outer time range (influxd stops the outer aggregate there), a raw outer
 * query, or one with GROUP BY time over an inner fill, that merges several inner series (influxd
 * emits them series by series, unsorted), two
 * inner rows of one series at one time, rows with nulls under a raw outer query, LIMIT/OFFSET
 * inside, inner and outer ordered differently, SLIMIT/SOFFSET, `GROUP BY *` outside, `tz()` other
 * than UTC, functions of columns without values or numeric functions of string/boolean columns,
 * and a column whose values have different types.
 */
import { InfluxUnsupportedQueryError } from '../errors.js';
import { parseDuration } from '../influxql/parser.js';
import type { ConditionNode, SelectNode } from '../influxql/select-ast.js';
import type { StoredFieldValue } from '../line-protocol/line-parser.js';
import { makeLines, type Point } from '../line-protocol/make-lines.js';
import { floorDiv, MIN_NANO_TIME } from '../line-protocol/time.js';
import { MemoryStore, StoredDatabase } from './memory-store.js';
import { type EvalSeries, evaluateSelect, timeRangeOf } from './select-evaluator.js';
import { INNER } from './select-functions.js';

const unsupported = (what: string): never => {
  throw new InfluxUnsupportedQueryError(what);
};

/** The database name of the points an inner statement produced. */
const SUBQUERY_DB = 'subquery';

/**
 * Evaluates a SELECT whose FROM may be a subquery (nested ones too); others go to
 * `evaluateSelect` unchanged.
 */
export function evaluateStatement(
  store: MemoryStore,
  node: SelectNode,
  database: string | undefined,
  now: bigint,
): EvalSeries[] {
  if (node.from.kind !== 'subquery') return evaluateSelect(store, node, database, now);
  const inner = node.from.query;
  for (const s of [node, inner]) {
    if (s.slimit !== undefined || s.soffset !== undefined) unsupported('SLIMIT/SOFFSET with a subquery');
    if (s.tz !== undefined && s.tz !== 'UTC') unsupported(`tz('${s.tz}') with a subquery`);
    if (s.into !== undefined && s !== node) unsupported('an INTO clause inside a subquery');
  }
  if (node.groupBy?.all) unsupported('GROUP BY * over a subquery');
  // Measured: influxd's answer with a LIMIT/OFFSET inside a subquery differs from the inner
  // statement's own answer in ways the engine does not model.
  if (inner.limit !== undefined || inner.offset !== undefined) unsupported('LIMIT/OFFSET inside a subquery');
  // influxd refuses some of these ("subqueries must be ordered in the same direction as the query
  // itself") and answers others; which, the engine does not model.
  if (inner.orderDesc !== node.orderDesc)
    unsupported('a subquery ordered in the other direction than the outer query');
  const range = timeRangeOf(node.where, now);
  const outerTime = topLevelTime(node.where);
  const innerAggregate = inner.fields.some((f) => f.expr.kind === 'call');
  const outerTags = node.groupBy?.tags ?? [];
  const innerTags = inner.groupBy?.tags ?? [];
  const tags = [...innerTags, ...outerTags.filter((t) => !innerTags.includes(t))];
  // Transformations, sample(), top()/bottom(), distinct() and integral() inside a subquery are not
  // checked against influxd yet.
  const other = inner.fields.find((f) => f.expr.kind === 'call' && !INNER.has(f.expr.name));
  if (other !== undefined && other.expr.kind === 'call')
    unsupported(`${other.expr.name}() inside a subquery`);
  const time = inner.groupBy?.time ?? (innerAggregate ? node.groupBy?.time : undefined);
  const effective: SelectNode = {
    ...inner,
    where: [...inner.where, ...outerTime],
    groupBy:
      tags.length > 0 || time !== undefined || inner.groupBy?.all
        ? { time, tags, all: inner.groupBy?.all ?? false }
        : undefined,
    fill: innerAggregate && (inner.fill === undefined || inner.fill === 'null') ? 'none' : inner.fill,
    orderDesc: node.orderDesc,
  };
  const rows = evaluateStatement(store, effective, database, now);
  // An inner window that starts before the outer range (an unaligned `time >= …`) still lands in
  // the outer GROUP BY time window of that bound, as with influxd; elsewhere such a row is refused.
  let lowest = range.min;
  const gt = node.groupBy?.time;
  if (gt !== undefined && range.min > MIN_NANO_TIME) {
    const interval = parseDuration(gt.interval);
    const offset =
      gt.offset === undefined ? 0n : ((parseDuration(gt.offset) % interval) + interval) % interval;
    if (interval > 0n) lowest = floorDiv(range.min - offset, interval) * interval + offset;
  }
  // The inner rows as points of a store of their own.
  const points = new Store();
  const outerRaw = !node.fields.some((f) => f.expr.kind === 'call');
  // Measured: an inner fill (previous, a number, linear) makes influxd aggregate the inner series
  // of one outer GROUP BY time group one after the other (a run of windows per inner series).
  const filledRuns =
    node.groupBy?.time !== undefined &&
    innerAggregate &&
    effective.fill !== undefined &&
    effective.fill !== 'none' &&
    effective.fill !== 'null';
  for (const s of rows) {
    const seriesTags: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.tags ?? {})) {
      if (v === '') continue;
      seriesTags[k] = v;
      if ((outerRaw || node.orderDesc || filledRuns) && !outerTags.includes(k)) {
        // Measured: influxd emits such inner series one after the other (unsorted, and with
        // ORDER BY time DESC an aggregate per inner series).
        unsupported(
          `a ${outerRaw ? 'raw query' : node.orderDesc ? 'query ordered by time DESC' : 'GROUP BY time query'} over a subquery${filledRuns && !outerRaw && !node.orderDesc ? ' with fill' : ''} whose series it merges`,
        );
      }
    }
    const seen = new Set<bigint>();
    for (const row of s.rows) {
      if (row.time < lowest || row.time > range.max) {
        unsupported('a subquery row outside the outer time range (influxd ends the outer query there)');
      }
      if (seen.has(row.time)) unsupported('a subquery series with two rows at one time');
      seen.add(row.time);
      const fields: Record<string, StoredFieldValue> = {};
      let any = false;
      row.values.forEach((v, i) => {
        if (v === null) {
          // influxd's raw outer query emits such rows (nulls included) where the engine has no point.
          if (outerRaw) unsupported('a raw query over subquery rows with null values');
          return;
        }
        fields[s.columns[i + 1]!] = v;
        any = true;
      });
      if (any) points.add({ measurement: s.name, tags: seriesTags, fields, time: row.time });
    }
  }
  const stored = points.store(now);
  checkCalls(node, inner, stored);
  const outer: SelectNode = {
    ...node,
    where:
      lowest === range.min
        ? node.where
        : [
            ...node.where.filter((c) => !(c.kind === 'time' && (c.op === '>' || c.op === '>='))),
            { kind: 'time', op: '>=', value: { kind: 'absolute', nanos: lowest } },
          ],
    from: {
      kind: 'measurement',
      database: SUBQUERY_DB,
      retentionPolicy: undefined,
      name: undefined,
      regex: '',
    },
  };
  return evaluateSelect(stored, outer, SUBQUERY_DB, now);
}

/**
 * influxd types an inner column by the inner statement, not by its values: a function of a column
 * that has no value here, or a numeric function of a string or boolean column (whose error names
 * influxd's iterator types), is refused.
 */
function checkCalls(node: SelectNode, inner: SelectNode, stored: MemoryStore): void {
  const types = new Map<string, string>();
  for (const m of stored.database(SUBQUERY_DB).retentionPolicies.get('autogen')!.measurements.values()) {
    for (const [k, t] of m.fieldTypes()) types.set(k, t);
  }
  const innerColumns = new Set(inner.fields.map((f) => f.alias ?? (f.expr.kind === 'key' ? f.expr.key : '')));
  for (const f of node.fields) {
    if (f.expr.kind !== 'call') continue;
    const arg = f.expr.args[0];
    if (arg?.kind !== 'key') continue;
    const type = types.get(arg.key);
    if (type === undefined && innerColumns.has(arg.key)) {
      unsupported(`${f.expr.name}() of subquery column "${arg.key}" that has no value`);
    }
    const anyType = ['count', 'first', 'last', 'mode', 'distinct'].includes(f.expr.name);
    if ((type === 'string' || type === 'boolean') && !anyType) {
      unsupported(`${f.expr.name}() of ${type} subquery column "${arg.key}"`);
    }
  }
}

/** The time conditions of a WHERE clause's top-level AND. */
function topLevelTime(where: readonly ConditionNode[]): ConditionNode[] {
  const out: ConditionNode[] = [];
  const visit = (c: ConditionNode): void => {
    if (c.kind === 'time') out.push(c);
    else if (c.kind === 'and') c.operands.forEach(visit);
  };
  where.forEach(visit);
  return out;
}

/** Collects points, then stores them (a column with two types is refused). */
class Store {
  readonly #points: Point[] = [];
  add(p: Point): void {
    this.#points.push(p);
  }
  store(now: bigint): MemoryStore {
    const store = new MemoryStore();
    store.databases.set(SUBQUERY_DB, new StoredDatabase(SUBQUERY_DB));
    if (this.#points.length === 0) return store;
    try {
      store.write(makeLines(this.#points), SUBQUERY_DB, undefined, 1n, now);
    } catch {
      unsupported('a subquery column whose values have different types');
    }
    return store;
  }
}
