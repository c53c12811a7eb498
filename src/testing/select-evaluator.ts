/**
 * Evaluates a parsed SELECT over a {@link MemoryStore} the way InfluxDB 1.6 does, for a defined
 * subset; everything else throws `InfluxUnsupportedQueryError` naming the part (never a different
 * answer). The supported set is listed in the README ("Testing without a server").
 */
import { InfluxDBClientError, InfluxUnsupportedQueryError } from '../errors.js';
import { parseDuration } from '../influxql/parser.js';
import type {
  ConditionNode,
  ExprNode,
  KeyRefNode,
  MeasurementNode,
  ScalarValue,
  SelectNode,
  TimeValueNode,
} from '../influxql/select-ast.js';
import { compareUtf8, type StoredFieldValue } from '../line-protocol/line-parser.js';
import { floorDiv, MAX_NANO_TIME, MIN_NANO_TIME } from '../line-protocol/time.js';
import type { RawSeries, ResultValue } from '../results/result-set.js';
import { fillLinear } from './linear-fill.js';
import {
  type FieldType,
  type MemoryStore,
  type StoredMeasurement,
  type StoredSeries,
  shardStart,
} from './memory-store.js';
import { type EvalSeries, evaluateFunctions, stddev, usesSelectFunctions } from './select-functions.js';

export type { EvalSeries } from './select-functions.js';

import { limitSeries, seriesInShards } from './series-limit.js';
import { checkZone, zonedWindows } from './time-zone.js';

/** A value during evaluation: floats are numbers, integers bigints, `null` for none. */
type Value = StoredFieldValue | null;

const unsupported = (what: string): never => {
  throw new InfluxUnsupportedQueryError(what);
};

/** The field of a call whose key the measurement does not have (never a real key: keys have no NUL). */
const NO_FIELD = '\u0000none';
const AGGREGATES = new Set(['count', 'sum', 'mean', 'spread', 'median', 'mode', 'stddev']);
const SELECTORS = new Set(['first', 'last', 'min', 'max', 'percentile']);

/** RE2 syntax that JS RegExp reads differently or not at all. */
const RE2_ONLY = /\\[pPzAQEC]|\[\[:|\(\?P|\(\?<?[=!]|\\[1-9]|\(\?[a-zA-Z]*U|\\s|\\S/;

/** Compiles an InfluxQL (RE2) regex to a JS RegExp, refusing syntax whose meaning differs. */
export function compileRegex(source: string): RegExp {
  let body = source;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'U') unsupported(`regex flag U in /${source}/`);
      if (!flags.includes(f)) flags += f;
    }
    body = body.slice(lead[0].length);
  }
  if (RE2_ONLY.test(body)) unsupported(`regex /${source}/ (RE2 syntax that JavaScript reads differently)`);
  try {
    return new RegExp(body, flags);
  } catch (e) {
    throw new InfluxDBClientError(`error parsing query: invalid regex /${source}/: ${(e as Error).message}`);
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Resolved time bounds (inclusive) of a WHERE clause. */
interface TimeRange {
  min: bigint;
  max: bigint;
  hasMin: boolean;
  hasMax: boolean;
}

function timeOf(v: TimeValueNode, now: bigint): bigint {
  if (v.kind === 'absolute') return v.nanos;
  if (v.offset === undefined) return now;
  const d = parseDuration(v.offset);
  return v.sign === '+' ? now + d : now - d;
}

/** Splits WHERE into the time range (top-level AND only) and the rest. */
function splitWhere(
  where: readonly ConditionNode[],
  now: bigint,
): { range: TimeRange; rest: ConditionNode[] } {
  const range: TimeRange = { min: MIN_NANO_TIME, max: MAX_NANO_TIME, hasMin: false, hasMax: false };
  const rest: ConditionNode[] = [];
  const visit = (c: ConditionNode): void => {
    if (c.kind === 'and') {
      for (const o of c.operands) visit(o);
      return;
    }
    if (c.kind === 'time') {
      const t = timeOf(c.value, now);
      switch (c.op) {
        case '>':
          range.min = maxB(range.min, t + 1n);
          range.hasMin = true;
          break;
        case '>=':
          range.min = maxB(range.min, t);
          range.hasMin = true;
          break;
        case '<':
          range.max = minB(range.max, t - 1n);
          range.hasMax = true;
          break;
        case '<=':
          range.max = minB(range.max, t);
          range.hasMax = true;
          break;
        case '=':
          range.min = maxB(range.min, t);
          range.max = minB(range.max, t);
          range.hasMin = range.hasMax = true;
          break;
        default:
          unsupported(`time ${c.op} in WHERE`);
      }
      return;
    }
    if (c.kind === 'or' && containsTime(c)) unsupported('a time condition inside OR');
    rest.push(c);
  };
  for (const c of where) visit(c);
  return { range, rest };
}

/** The inclusive time range of a WHERE clause (its top-level AND's time conditions). */
export function timeRangeOf(where: readonly ConditionNode[], now: bigint): { min: bigint; max: bigint } {
  const { range } = splitWhere(where, now);
  return { min: range.min, max: range.max };
}

function containsTime(c: ConditionNode): boolean {
  if (c.kind === 'time') return true;
  if (c.kind === 'and' || c.kind === 'or') return c.operands.some(containsTime);
  return false;
}

const maxB = (a: bigint, b: bigint) => (a > b ? a : b);
const minB = (a: bigint, b: bigint) => (a < b ? a : b);

/** What a key in a condition or the select list refers to in a measurement. */
function resolveKey(
  ref: KeyRefNode,
  fields: Map<string, FieldType>,
  tagKeys: ReadonlySet<string>,
): { kind: 'field'; type: FieldType } | { kind: 'tag' } | { kind: 'none' } {
  const ft = fields.get(ref.key);
  const isTag = tagKeys.has(ref.key);
  if (ref.cast === 'tag') return isTag ? { kind: 'tag' } : { kind: 'none' };
  if (ref.cast === 'field') return ft !== undefined ? { kind: 'field', type: ft } : { kind: 'none' };
  if (ft !== undefined && isTag)
    unsupported(`key "${ref.key}" that is both a tag and a field without a ::tag/::field cast`);
  if (ft !== undefined) return { kind: 'field', type: ft };
  if (isTag) return { kind: 'tag' };
  return { kind: 'none' };
}

/** A compiled row predicate over (series tags, row fields). */
type Predicate = (
  tags: Readonly<Record<string, string>>,
  row: ReadonlyMap<string, StoredFieldValue> | undefined,
) => boolean;

function compileCondition(
  c: ConditionNode,
  fields: Map<string, FieldType>,
  tagKeys: ReadonlySet<string>,
): Predicate {
  switch (c.kind) {
    case 'and': {
      const ps = c.operands.map((o) => compileCondition(o, fields, tagKeys));
      return (t, r) => ps.every((p) => p(t, r));
    }
    case 'or': {
      const ps = c.operands.map((o) => compileCondition(o, fields, tagKeys));
      return (t, r) => ps.some((p) => p(t, r));
    }
    case 'time':
      return unsupported('time condition here');
    case 'regex': {
      const re = compileRegex(c.source);
      const k = resolveKey(c.left, fields, tagKeys);
      const negate = c.op === '!~';
      if (k.kind === 'tag') return (t) => re.test(t[c.left.key] ?? '') !== negate;
      if (k.kind === 'field') {
        if (k.type !== 'string') unsupported(`regex on ${k.type} field "${c.left.key}"`);
        return (_t, r) => {
          const v = r?.get(c.left.key);
          return typeof v === 'string' && re.test(v) !== negate;
        };
      }
      // No such key: a tag that no series has reads as ''.
      return () => re.test('') !== negate;
    }
    case 'comparison': {
      const k = resolveKey(c.left, fields, tagKeys);
      const op = c.op === '<>' ? '!=' : c.op;
      const value = c.value;
      // A key this measurement does not have compared with a number or boolean: a missing field.
      if (k.kind === 'none' && typeof value !== 'string') return () => false;
      if (k.kind === 'tag' || k.kind === 'none') {
        if (typeof value !== 'string') unsupported(`comparing tag "${c.left.key}" with a ${typeof value}`);
        if (op !== '=' && op !== '!=') unsupported(`operator ${op} on tag "${c.left.key}"`);
        return (t) => ((t[c.left.key] ?? '') === value) === (op === '=');
      }
      const type = k.type;
      if (type === 'string') {
        if (typeof value !== 'string')
          unsupported(`comparing string field "${c.left.key}" with a ${typeof value}`);
        if (op !== '=' && op !== '!=') unsupported(`operator ${op} on string field "${c.left.key}"`);
      } else if (type === 'boolean') {
        if (typeof value !== 'boolean')
          unsupported(`comparing boolean field "${c.left.key}" with a ${typeof value}`);
        if (op !== '=' && op !== '!=') unsupported(`operator ${op} on boolean field "${c.left.key}"`);
      } else if (typeof value !== 'number' && typeof value !== 'bigint') {
        unsupported(`comparing ${type} field "${c.left.key}" with a ${typeof value}`);
      }
      return (_t, r) => {
        const v = r?.get(c.left.key);
        if (v === undefined) return false;
        return compareValues(v, op, value);
      };
    }
  }
}

function compareValues(v: StoredFieldValue, op: string, w: ScalarValue): boolean {
  let d: number;
  if (typeof v === 'string' || typeof v === 'boolean') d = v === w ? 0 : 1;
  else if (typeof v === 'bigint' && typeof w === 'bigint') d = cmp(v, w);
  else if (typeof v === 'bigint' && typeof w === 'number' && Number.isInteger(w)) d = cmp(v, BigInt(w));
  else {
    if (typeof v === 'bigint' && (v > 2n ** 53n || v < -(2n ** 53n)))
      unsupported('comparing an integer beyond 2^53 with a float');
    const x = Number(v);
    const y = Number(w);
    if (typeof w === 'bigint' && (w > 2n ** 53n || w < -(2n ** 53n)))
      unsupported('comparing a float with an integer beyond 2^53');
    d = x < y ? -1 : x > y ? 1 : 0;
  }
  switch (op) {
    case '=':
      return d === 0;
    case '!=':
      return d !== 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    default:
      return d >= 0;
  }
}

// --- sources --------------------------------------------------------------------------------------

function measurements(
  store: MemoryStore,
  from: MeasurementNode,
  database: string | undefined,
): StoredMeasurement[] {
  const dbName = from.database ?? database;
  if (dbName === undefined) throw new InfluxDBClientError('database name required');
  const db = store.database(dbName);
  const rp = store.retentionPolicy(db, from.retentionPolicy);
  if (from.regex !== undefined) {
    const re = compileRegex(from.regex);
    return [...rp.measurements.values()]
      .filter((m) => re.test(m.name))
      .sort((a, b) => compareUtf8(a.name, b.name));
  }
  const m = rp.measurements.get(from.name as string);
  return m === undefined ? [] : [m];
}

function shardDurationOf(store: MemoryStore, from: MeasurementNode, database: string | undefined): bigint {
  const db = store.database((from.database ?? database) as string);
  return store.retentionPolicy(db, from.retentionPolicy).shardGroupDuration;
}

// --- the select list ------------------------------------------------------------------------------

interface Column {
  name: string;
  /** Raw: reads a row. */
  raw?: (tags: Readonly<Record<string, string>>, row: ReadonlyMap<string, StoredFieldValue>) => Value;
  /** Aggregate: the function name and the field it reads. */
  call?: { name: string; field: string; type: FieldType; arg?: number | undefined };
  /** True for a raw column that reads a field (a row is output only when one of them is set). */
  isField?: boolean;
}

function rawExpr(
  e: ExprNode,
  fields: Map<string, FieldType>,
  tagKeys: ReadonlySet<string>,
): { fn: Column['raw'] & object; field: boolean } {
  switch (e.kind) {
    case 'key': {
      const k = resolveKey(e, fields, tagKeys);
      if (k.kind === 'tag') return { fn: (t) => t[e.key] ?? null, field: false };
      if (k.kind === 'field') return { fn: (_t, r) => r.get(e.key) ?? null, field: true };
      return { fn: () => null, field: true };
    }
    case 'number': {
      const v = typeof e.value === 'bigint' || e.integer ? BigInt(e.value) : e.value;
      return { fn: () => v, field: false };
    }
    case 'arithmetic': {
      const l = rawExpr(e.left, fields, tagKeys);
      const r = rawExpr(e.right, fields, tagKeys);
      return { fn: (t, row) => arithmetic(e.op, l.fn(t, row), r.fn(t, row)), field: l.field || r.field };
    }
    case 'call':
      return unsupported(`${e.name}() mixed with other expressions`);
    default:
      return unsupported(`${e.kind} in the SELECT list`);
  }
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case '+':
        return BigInt.asIntN(64, a + b);
      case '-':
        return BigInt.asIntN(64, a - b);
      case '*':
        return BigInt.asIntN(64, a * b);
      case '/':
        return b === 0n ? 0 : Number(a) / Number(b);
      default:
        return b === 0n ? 0n : a % b;
    }
  }
  if (typeof a === 'string' || typeof b === 'string' || typeof a === 'boolean' || typeof b === 'boolean') {
    return unsupported(
      `arithmetic on ${typeof a === 'string' || typeof b === 'string' ? 'strings' : 'booleans'}`,
    );
  }
  if (
    (typeof a === 'bigint' && (a > 2n ** 53n || a < -(2n ** 53n))) ||
    (typeof b === 'bigint' && (b > 2n ** 53n || b < -(2n ** 53n)))
  ) {
    unsupported('mixed integer/float arithmetic on an integer beyond 2^53');
  }
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return y === 0 ? 0 : x / y;
    default:
      return unsupported('% with a float operand');
  }
}

// --- aggregates -----------------------------------------------------------------------------------

interface Point {
  time: bigint;
  value: StoredFieldValue;
  /** The (series, shard) the point was read from, where a reducer needs it (mean()); else 0. */
  part?: number;
}

/** InfluxDB's selector tie rules (query/functions.go) for first/last/min/max. */
function better(name: string, p: Point, prev: Point): boolean {
  // Go compares strings by bytes (UTF-8), JavaScript's `>` by UTF-16 code units.
  const gt = (a: StoredFieldValue, b: StoredFieldValue): boolean =>
    typeof a === 'boolean'
      ? a && !b
      : typeof a === 'string'
        ? compareUtf8(a, b as string) > 0
        : a > (b as number | bigint);
  switch (name) {
    case 'first':
      // BooleanFirstReduce keeps false of points at one time, the other types the greater value.
      return (
        p.time < prev.time ||
        (p.time === prev.time &&
          (typeof p.value === 'boolean' ? !p.value && prev.value === true : gt(p.value, prev.value)))
      );
    case 'last':
      return p.time > prev.time || (p.time === prev.time && gt(p.value, prev.value));
    case 'min':
      return p.value < prev.value || (p.value === prev.value && p.time < prev.time);
    default:
      return p.value > prev.value || (p.value === prev.value && p.time < prev.time);
  }
}

/** Values in ascending order (strings by UTF-8 bytes, false before true). */
function byValue(a: Point, b: Point): number {
  const x = a.value;
  const y = b.value;
  if (typeof x === 'string') return compareUtf8(x, y as string);
  return x < y ? -1 : x > y ? 1 : 0;
}

function reduce(
  name: string,
  type: FieldType,
  points: readonly Point[],
  arg?: number,
  timeMatters = false,
): { value: Value; time?: bigint } {
  if (points.length === 0) return { value: name === 'count' ? 0n : null };
  switch (name) {
    case 'median': {
      // query/functions.go: the middle value, or lo + (hi - lo) / 2 of the two middle ones.
      if (points.length === 1) return { value: Number(points[0]!.value) };
      const sorted = [...points].sort(byValue);
      const n = sorted.length;
      if (n % 2 === 1) return { value: Number(sorted[n >> 1]!.value) };
      const lo = sorted[n / 2 - 1]!.value;
      const hi = sorted[n / 2]!.value;
      if (type === 'integer')
        return { value: Number(lo) + Number(BigInt.asIntN(64, (hi as bigint) - (lo as bigint))) / 2 };
      return { value: (lo as number) + ((hi as number) - (lo as number)) / 2 };
    }
    case 'mode': {
      // The most frequent value. Booleans: true when as frequent as false (query/functions.go).
      if (type === 'boolean') {
        let t = 0;
        for (const p of points) if (p.value === true) t++;
        return { value: t >= points.length - t };
      }
      const sorted = [...points].sort(byValue);
      let best = sorted[0]!.value;
      let bestN = 0;
      let tied = false;
      for (let i = 0; i < sorted.length; ) {
        let j = i + 1;
        while (j < sorted.length && sorted[j]!.value === sorted[i]!.value) j++;
        if (j - i > bestN) {
          bestN = j - i;
          best = sorted[i]!.value;
          tied = false;
        } else if (j - i === bestN) tied = true;
        i = j;
      }
      // influxd breaks a tie by the times of an unstable sort: not reproducible.
      if (tied) unsupported('mode() when several values are equally frequent');
      return { value: best };
    }
    case 'percentile': {
      const n = points.length;
      const i = Math.floor((n * (arg as number)) / 100 + 0.5) - 1;
      if (i < 0 || i >= n)
        unsupported('percentile() of too few points for the percentile (influxd omits the value)');
      const sorted = [...points].sort(byValue);
      const chosen = sorted[i]!;
      if (timeMatters && sorted.some((p) => p.value === chosen.value && p.time !== chosen.time)) {
        // influxd sorts with an unstable sort: which of the equal values' times it returns is not defined.
        unsupported('the time of percentile() when several points hold the selected value');
      }
      return { value: chosen.value, time: chosen.time };
    }
    case 'count':
      return { value: BigInt(points.length) };
    case 'stddev':
      return { value: stddev(points.map((p) => p.value)) };
    case 'sum': {
      if (type === 'integer') {
        let s = 0n;
        for (const p of points) s = BigInt.asIntN(64, s + (p.value as bigint));
        return { value: s };
      }
      let s = 0;
      for (const p of points) s += p.value as number;
      return { value: s };
    }
    case 'mean': {
      // influxd reduces each series of each shard on its own (tsm1 createCallIterator: "wrap each
      // series in a call iterator"): IntegerMeanReducer sums integers in int64 (wrapping on
      // overflow), then float64(sum) / count; FloatMeanReducer sums floats. The partial means
      // are then combined by FloatMeanReducer: sum += mean * count (a one-point partial: + mean),
      // divided by the total count.
      const parts = new Map<number, { isum: bigint; fsum: number; n: number }>();
      for (const p of points) {
        const k = p.part ?? 0;
        let e = parts.get(k);
        if (e === undefined) {
          e = { isum: 0n, fsum: 0, n: 0 };
          parts.set(k, e);
        }
        if (type === 'integer') e.isum = BigInt.asIntN(64, e.isum + (p.value as bigint));
        else e.fsum += p.value as number;
        e.n++;
      }
      let sum = 0;
      let count = 0;
      for (const e of parts.values()) {
        const mean = (type === 'integer' ? Number(e.isum) : e.fsum) / e.n;
        if (e.n >= 2) sum += mean * e.n;
        else sum += mean;
        count += e.n;
      }
      return { value: sum / count };
    }
    case 'spread': {
      let lo = points[0]!.value as number | bigint;
      let hi = lo;
      for (const p of points) {
        const v = p.value as number | bigint;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      return {
        value:
          type === 'integer'
            ? BigInt.asIntN(64, (hi as bigint) - (lo as bigint))
            : (hi as number) - (lo as number),
      };
    }
    default: {
      let best = points[0]!;
      for (let i = 1; i < points.length; i++) if (better(name, points[i]!, best)) best = points[i]!;
      if (best.value === 0) {
        // -0 and 0 at one time compare equal: influxd keeps the one its merge order reads first
        // (ascending series for first(), descending for last(), the query's order for min/max,
        // measured), and that order among series at one time is its merge heap's.
        const v = best.value;
        if (points.some((p) => p.time === best.time && p.value === 0 && !Object.is(p.value, v)))
          unsupported(
            `${name}() over -0 and 0 at the same time in one group (influxd's merge order decides)`,
          );
      }
      return { value: best.value, time: best.time };
    }
  }
}

/** True when influxd 1.6 cannot apply aggregate `name` to a field of `type`. */
function refusesType(name: string, type: FieldType): boolean {
  if (name === 'count' || name === 'first' || name === 'last' || name === 'mode') return false;
  return type === 'string' || (type === 'boolean' && name !== 'min' && name !== 'max');
}

/**
 * How influxd 1.6 answers a function over a field whose type the function cannot take (measured):
 * it raises the type error when it builds the field's iterator of a measurement, which it does
 * only when a series passing the WHERE clause's tag conditions (and SLIMIT/SOFFSET) has points in
 * a shard overlapping the query's range. `error` when the first measurement of FROM (in name order) raises it;
 * `panic` when a later one does (influxd answers with a panic text then); `none` when none does
 * (the measurement then contributes no rows).
 */
export function typeErrorState(
  store: MemoryStore,
  node: SelectNode,
  database: string | undefined,
  now: bigint,
  key: string,
  refuses: (type: FieldType) => boolean,
): 'error' | 'panic' | 'none' {
  const { range, rest } = splitWhere(node.where, now);
  const max = range.hasMax || node.groupBy?.time === undefined ? range.max : now;
  const from = node.from as MeasurementNode;
  const ms = measurements(store, from, database);
  const shardDuration = shardDurationOf(store, from, database);
  for (const [i, m] of ms.entries()) {
    const fields = m.fieldTypes();
    const type = fields.get(key);
    if (type === undefined || !refuses(type)) continue;
    const o = { where: rest, fields, regex: compileRegex, min: range.min, max, shardDuration };
    const found =
      node.slimit !== undefined || node.soffset !== undefined
        ? limitSeries(m.sortedSeries(), {
            ...o,
            groupKeys: node.groupBy?.all ? m.tagKeys() : [...(node.groupBy?.tags ?? [])].sort(compareUtf8),
            slimit: node.slimit,
            soffset: node.soffset,
          }).length > 0
        : seriesInShards(m.sortedSeries(), o).size > 0;
    if (found) return i === 0 ? 'error' : 'panic';
  }
  return 'none';
}

// --- evaluation -----------------------------------------------------------------------------------

/**
 * Evaluates one SELECT. `now` is the statement's `now()` in nanoseconds.
 */
export function evaluateSelect(
  store: MemoryStore,
  node: SelectNode,
  database: string | undefined,
  now: bigint,
): EvalSeries[] {
  if (node.into !== undefined) unsupported('SELECT … INTO');
  // Subqueries are evaluated by evaluateStatement (subquery.ts), which calls this for each level.
  if (node.from.kind === 'subquery') unsupported('subqueries (use evaluateStatement)');
  if (node.tz !== undefined && node.tz !== 'UTC') checkZone(node.tz);
  const { range, rest } = splitWhere(node.where, now);
  const ms = measurements(store, node.from as MeasurementNode, database);
  const shardDuration = shardDurationOf(store, node.from as MeasurementNode, database);
  const calls = node.fields.filter((f) => f.expr.kind === 'call');
  const isAggregate = calls.length > 0;
  if (isAggregate && calls.length !== node.fields.length) {
    if (calls.length === 1 && SELECTORS.has((calls[0]!.expr as { name: string }).name)) {
      unsupported('a selector together with fields or tags');
    }
    throw new InfluxDBClientError('mixing aggregate and non-aggregate queries is not supported');
  }
  const groupTime = node.groupBy?.time;
  if (!isAggregate && groupTime !== undefined) {
    throw new InfluxDBClientError('GROUP BY requires at least one aggregate function');
  }
  const out: EvalSeries[] = [];
  // `*` and `GROUP BY *` expand over the keys of every measurement of the FROM clause.
  const allFields = new Map<string, FieldType>();
  const allTags = new Set<string>();
  for (const m of ms) {
    for (const [k, t] of m.fieldTypes()) {
      const had = allFields.get(k);
      if (had !== undefined && had !== t)
        unsupported(`field "${k}" with types ${had} and ${t} in different measurements`);
      allFields.set(k, t);
    }
    for (const k of m.tagKeys()) allTags.add(k);
  }
  for (const k of allFields.keys()) {
    if (allTags.has(k) && node.fields.some((f) => f.expr.kind === 'wildcard')) {
      unsupported(`* over key "${k}" that is both a tag and a field`);
    }
  }
  if (usesSelectFunctions(node)) {
    // Their windows and output times under a zone other than UTC are not proven against influxd.
    if (node.tz !== undefined && node.tz !== 'UTC') {
      unsupported(`tz('${node.tz}') with distinct, integral, sample, top, bottom or a transformation`);
    }
    if (node.fill === 'linear') {
      unsupported('fill(linear) with distinct, integral, sample, top, bottom or a transformation');
    }
    // distinct, integral, sample, top, bottom and the transformations: src/testing/select-functions.ts
    return evaluateFunctions(node, {
      evaluate: (n) => evaluateSelect(store, n, database, now),
      range,
      now,
      fieldType: (k) => allFields.get(k),
      isTag: (k) => allTags.has(k),
      typeErrorState: (k, refuses) => typeErrorState(store, node, database, now, k, refuses),
    });
  }
  const groupKeys = node.groupBy?.all
    ? [...allTags].sort(compareUtf8)
    : [...(node.groupBy?.tags ?? [])].sort(compareUtf8);
  for (const m of ms) {
    const fieldTypes = m.fieldTypes();
    const tagKeys = new Set(m.tagKeys());
    const pred =
      rest.length === 0 ? undefined : compileCondition({ kind: 'and', operands: rest }, fieldTypes, tagKeys);
    // Columns
    const columns: Column[] = [];
    for (const item of node.fields) {
      const e = item.expr;
      if (e.kind === 'wildcard') {
        if (isAggregate) unsupported('* with aggregates');
        const names: Array<{ name: string; tag: boolean }> = [];
        if (e.cast !== 'tag') for (const k of allFields.keys()) names.push({ name: k, tag: false });
        if (e.cast !== 'field')
          for (const k of allTags) if (!groupKeys.includes(k)) names.push({ name: k, tag: true });
        names.sort((a, b) => compareUtf8(a.name, b.name));
        for (const n of names) {
          columns.push(
            n.tag
              ? { name: n.name, raw: (t) => t[n.name] ?? null }
              : { name: n.name, raw: (_t, r) => r.get(n.name) ?? null, isField: true },
          );
        }
        continue;
      }
      if (e.kind === 'call') {
        if (!AGGREGATES.has(e.name) && !SELECTORS.has(e.name)) unsupported(`function ${e.name}()`);
        const arity = e.name === 'percentile' ? 2 : 1;
        if (e.args.length !== arity)
          throw new InfluxDBClientError(
            `invalid number of arguments for ${e.name}, expected ${arity}, got ${e.args.length}`,
          );
        let arg: number | undefined;
        if (arity === 2) {
          const n = e.args[1]!;
          if (n.kind !== 'number') throw new InfluxDBClientError(`expected float argument in percentile()`);
          arg = Number(n.value);
        }
        const a = e.args[0]!;
        if (a.kind === 'wildcard') {
          // count(*) / mean(*) …: one column per field (of every measurement of FROM) the function
          // takes, named function_field.
          if (a.cast === 'tag') unsupported(`${e.name}(*::tag)`);
          if (item.alias !== undefined) unsupported(`${e.name}(*) AS …`);
          if (arg !== undefined) unsupported(`${e.name}(*, …)`);
          const anyType = e.name === 'count' || e.name === 'first' || e.name === 'last' || e.name === 'mode';
          const minMax = e.name === 'min' || e.name === 'max';
          for (const key of [...allFields.keys()].sort(compareUtf8)) {
            const t = fieldTypes.get(key);
            const declared = allFields.get(key)!;
            const numeric = declared === 'float' || declared === 'integer';
            if (!anyType && !numeric && !(minMax && declared === 'boolean')) continue;
            columns.push({
              name: `${e.name}_${key}`,
              call: { name: e.name, field: t === undefined ? NO_FIELD : key, type: declared },
            });
          }
          continue;
        }
        if (a.kind !== 'key') return unsupported(`${e.name}() of an expression`);
        const k = resolveKey(a, fieldTypes, tagKeys);
        if (k.kind === 'tag') unsupported(`${e.name}() of a tag`);
        if (k.kind === 'none' && typeof node.fill === 'object' && e.name === 'count') {
          unsupported(`fill(<number>) with count() of a key "${a.key}" the measurement does not have`);
        }
        const type = k.kind === 'field' ? k.type : 'float';
        if (
          typeof node.fill === 'object' &&
          e.name !== 'count' &&
          (type === 'boolean' || type === 'string')
        ) {
          unsupported(`fill(<number>) with ${e.name}() of a ${type} field`);
        }
        if (k.kind === 'field' && refusesType(e.name, type)) {
          const state = typeErrorState(store, node, database, now, a.key, (t) => refusesType(e.name, t));
          if (state === 'panic')
            unsupported(
              `${e.name}() of a ${type} field of a measurement after the first of FROM (influxd panics)`,
            );
          if (state === 'error')
            // influxd's text names the Go iterator type of the field.
            throw new InfluxDBClientError(
              `unsupported ${e.name} iterator type: *query.${type}InterruptIterator`,
            );
        }
        columns.push({
          name: item.alias ?? e.name,
          call: { name: e.name, field: k.kind === 'field' ? a.key : NO_FIELD, type, arg },
        });
        continue;
      }
      const r = rawExpr(e, fieldTypes, tagKeys);
      const name = item.alias ?? (e.kind === 'key' ? e.key : unsupported('an expression without AS'));
      columns.push({ name, raw: r.fn, isField: r.field });
    }
    const names = columns.map((c) => c.name);
    const seen = new Set<string>(['time']);
    for (const n of names) {
      // influxd's renaming of repeated column names differs between raw fields and functions.
      if (seen.has(n)) unsupported(`two columns named "${n}"`);
      seen.add(n);
    }
    // Groups of series
    const groups = new Map<string, { tags: Record<string, string>; series: StoredSeries[] }>();
    const seriesLimited = node.slimit !== undefined || node.soffset !== undefined;
    const sorted = seriesLimited
      ? limitSeries(m.sortedSeries(), {
          groupKeys,
          slimit: node.slimit,
          soffset: node.soffset,
          where: rest,
          fields: fieldTypes,
          min: range.min,
          max: range.hasMax || node.groupBy?.time === undefined ? range.max : now,
          shardDuration,
          regex: compileRegex,
        })
      : m.sortedSeries();
    for (const s of sorted) {
      const tags: Record<string, string> = {};
      for (const k of groupKeys) tags[k] = s.tagMap[k] ?? '';
      const id = groupKeys.map((k) => `${k}\u0000${tags[k]}`).join('\u0001');
      let g = groups.get(id);
      if (g === undefined) {
        g = { tags, series: [] };
        groups.set(id, g);
      }
      g.series.push(s);
    }
    const ordered = [...groups.entries()].sort((a, b) => compareUtf8(a[0], b[0]));
    const found: EvalSeries[] = [];
    for (const [, g] of ordered) {
      const rows = isAggregate
        ? aggregateRows(g.series, columns, pred, range, node, now, shardDuration)
        : rawRows(g.series, columns, pred, range, node.limit !== undefined || node.offset !== undefined);
      if (rows.length === 0) continue;
      found.push({
        name: m.name,
        tags: groupKeys.length > 0 ? g.tags : undefined,
        columns: ['time', ...names],
        rows,
      });
    }
    out.push(...found);
  }
  // ORDER BY, LIMIT/OFFSET per series.
  // Descending output runs the series in reverse order too (influxd's merge heap compares the
  // measurement and tags the other way round).
  const series = node.orderDesc ? out.reverse() : out;
  for (const s of series) {
    if (node.orderDesc) s.rows.reverse();
    if (isAggregate && node.fill === 'none' && node.groupBy?.time !== undefined) continue; // done per call
    const rows = limitOffset(s.rows, node, isAggregate);
    if (rows !== s.rows) s.rows.splice(0, s.rows.length, ...rows);
  }
  return series.filter((s) => s.rows.length > 0);
}

/** LIMIT/OFFSET of one series (or of one call's windows). */
function limitOffset<T>(rows: T[], node: SelectNode, aggregate: boolean): T[] {
  const start = node.offset ?? 0;
  // For raw queries, influxd 1.6 stops after OFFSET + 1 rows when there is an OFFSET but no
  // LIMIT (measured; aggregates skip OFFSET windows and return the rest).
  const limit =
    node.limit === undefined || node.limit === 0 ? (start > 0 && !aggregate ? 1 : undefined) : node.limit;
  if (start === 0 && limit === undefined) return rows;
  return rows.slice(start, limit === undefined ? undefined : start + limit);
}

function rawRows(
  series: StoredSeries[],
  columns: Column[],
  pred: Predicate | undefined,
  range: TimeRange,
  limited: boolean,
): Array<{ time: bigint; values: Value[] }> {
  const rows: Array<{ time: bigint; values: Value[]; order: number }> = [];
  series.forEach((s, order) => {
    for (const t of timesIn(s, range)) {
      const row = s.rows.get(t)!;
      if (pred !== undefined && !pred(s.tagMap, row)) continue;
      const values: Value[] = [];
      let any = false;
      for (const c of columns) {
        const v = c.raw!(s.tagMap, row);
        if (c.isField && v !== null) any = true;
        values.push(v);
      }
      if (any) rows.push({ time: t, values, order });
    }
  });
  rows.sort((a, b) => cmp(a.time, b.time) || a.order - b.order);
  if (limited) {
    for (let i = 1; i < rows.length; i++) {
      if (rows[i]!.time === rows[i - 1]!.time) {
        // influxd orders rows of different series with one time by its merge heap; with LIMIT or
        // OFFSET that order decides which rows are returned.
        unsupported('LIMIT/OFFSET over rows of different series with the same time in one output series');
      }
    }
  }
  return rows.map((r) => ({ time: r.time, values: r.values }));
}

/** The times of `s` within the range, ascending (binary search on the sorted times). */
function timesIn(s: StoredSeries, range: TimeRange): readonly bigint[] {
  const times = s.times();
  const lo = lowerBound(times, range.min);
  const hi = lowerBound(times, range.max + 1n);
  return lo === 0 && hi === times.length ? times : times.slice(lo, hi);
}

function lowerBound(a: readonly bigint[], v: bigint): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function aggregateRows(
  series: StoredSeries[],
  columns: Column[],
  pred: Predicate | undefined,
  range: TimeRange,
  node: SelectNode,
  now: bigint,
  shardDuration: bigint,
): Array<{ time: bigint; values: Value[] }> {
  const gt = node.groupBy?.time;
  let interval = 0n;
  let offset = 0n;
  if (gt !== undefined) {
    interval = parseDuration(gt.interval);
    if (interval <= 0n) throw new InfluxDBClientError('GROUP BY time interval must be positive');
    offset = gt.offset === undefined ? 0n : parseDuration(gt.offset);
    offset = ((offset % interval) + interval) % interval;
  }
  const r: TimeRange = { ...range };
  if (gt !== undefined && !r.hasMax) r.max = now;
  const zoned =
    interval !== 0n && node.tz !== undefined && node.tz !== 'UTC'
      ? zonedWindows(node.tz, interval, offset)
      : undefined;
  const window = (t: bigint): bigint =>
    interval === 0n
      ? 0n
      : zoned !== undefined
        ? zoned.window(t).start
        : floorDiv(t - offset, interval) * interval + offset;
  // Points per column per window. Fast path, explained: a series' times are sorted, so the window
  // is recomputed (a bigint division) only when a time passes the current window's end, and each
  // column's list of the current window is looked up in its Map only then, not for every point.
  const perColumn: Array<Map<bigint, Point[]>> = columns.map(() => new Map());
  const fields = columns.map((c) => c.call!.field);
  const current: Array<Point[] | undefined> = columns.map(() => undefined);
  let firstTime: bigint | undefined;
  // mean() reduces per series and shard (see reduce): the points carry their (series, shard) run.
  const partitioned = columns.some((c) => c.call!.name === 'mean');
  let part = 0;
  for (const s of series) {
    const times = timesIn(s, r);
    let windowEnd: bigint | undefined;
    let w = 0n;
    let shardEnd: bigint | undefined;
    part++;
    for (let k = 0; k < times.length; k++) {
      const t = times[k]!;
      if (partitioned && (shardEnd === undefined || t >= shardEnd)) {
        if (shardEnd !== undefined) part++;
        shardEnd = shardStart(t, shardDuration) + shardDuration;
      }
      const row = s.rows.get(t)!;
      if (pred !== undefined && !pred(s.tagMap, row)) continue;
      if (zoned !== undefined) {
        // Every point's own window is checked: see zonedWindows.partition.
        const z = zoned.window(t);
        if (z.start !== w || windowEnd === undefined) {
          zoned.partition(z);
          w = z.start;
          windowEnd = z.end;
          current.fill(undefined);
        }
      } else if (windowEnd === undefined || t >= windowEnd) {
        w = window(t);
        windowEnd = interval === 0n ? MAX_NANO_TIME + 1n : w + interval;
        current.fill(undefined);
      }
      for (let i = 0; i < fields.length; i++) {
        const v = row.get(fields[i]!);
        if (v === undefined) continue;
        let list = current[i];
        if (list === undefined) {
          list = perColumn[i]!.get(w);
          if (list === undefined) {
            list = [];
            perColumn[i]!.set(w, list);
          }
          current[i] = list;
        }
        list.push(partitioned ? { time: t, value: v, part } : { time: t, value: v });
        if (firstTime === undefined || t < firstTime) firstTime = t;
      }
    }
  }
  if (firstTime === undefined) return [];
  zoned?.verify();
  const singleSelector = columns.length === 1 && SELECTORS.has(columns[0]!.call!.name);
  if (interval === 0n) {
    const values: Value[] = [];
    let time = r.hasMin ? r.min : 0n;
    columns.forEach((c, i) => {
      const pts = perColumn[i]!.get(0n);
      if (pts === undefined) {
        values.push(null); // no iterator for this group: even count() is null
        return;
      }
      const res = reduce(c.call!.name, c.call!.type, pts, c.call!.arg, singleSelector);
      values.push(res.value);
      if (singleSelector && res.time !== undefined) time = res.time;
    });
    return [{ time, values }];
  }
  let list: bigint[];
  /** Per column, the windows its fill iterator emits (only under tz(); else every window of list). */
  let steps: Array<Set<bigint> | undefined> | undefined;
  if (node.fill === 'none') {
    // Each call is its own iterator with its own LIMIT/OFFSET; rows are the union of their windows.
    const windows = new Set<bigint>();
    for (const m of perColumn) {
      const own = [...m.keys()].sort(cmp);
      if (node.orderDesc) own.reverse();
      const kept = new Set(limitOffset(own, node, true));
      for (const w of own) if (!kept.has(w)) m.delete(w);
      for (const w of kept) windows.add(w);
    }
    list = [...windows].sort(cmp);
  } else if (zoned !== undefined) {
    // Each call's fill iterator steps through its own windows (corrected at DST changes) and emits
    // its real windows as they come; rows are the union of their times.
    steps = perColumn.map((m) =>
      m.size === 0
        ? undefined
        : zoned.fillSequence([...m.keys()], r.hasMin ? r.min : firstTime, r.max, node.orderDesc, 1_000_000),
    );
    const times = new Set<bigint>();
    for (const seq of steps) for (const w of seq ?? []) times.add(w);
    list = [...times].sort(cmp);
  } else {
    const start = window(r.hasMin ? r.min : firstTime);
    const end = window(r.max);
    const count = (end - start) / interval + 1n;
    if (count > 1_000_000n) unsupported(`GROUP BY time with ${count} windows (more than 1000000)`);
    list = [];
    for (let w = start; w <= end; w += interval) list.push(w);
  }
  const rows: Array<{ time: bigint; values: Value[] }> = [];
  const previous: Value[] = columns.map(() => null);
  // fill(linear): each column's windows and reduced values (undefined = empty window), filled
  // after the loop.
  const linear =
    node.fill === 'linear'
      ? columns.map(() => ({ times: [] as bigint[], values: [] as Array<Value | undefined> }))
      : undefined;
  // fill(previous) runs in output order: with ORDER BY time DESC, "previous" is the later window.
  if (node.orderDesc) list.reverse();
  for (const w of list) {
    const values: Value[] = [];
    columns.forEach((c, i) => {
      const pts = perColumn[i]!.get(w);
      let v: Value;
      const own = steps?.[i];
      if (own !== undefined && !own.has(w)) {
        // Another call's window: this call has no point there.
        values.push(null);
        return;
      }
      if (pts !== undefined) {
        v = reduce(c.call!.name, c.call!.type, pts, c.call!.arg).value;
        if (linear !== undefined) {
          linear[i]!.times.push(w);
          linear[i]!.values.push(v);
        }
      } else if (linear !== undefined) {
        v = null;
        linear[i]!.times.push(w);
        linear[i]!.values.push(perColumn[i]!.size === 0 ? null : undefined);
      }
      // A call with no point in the whole group has no iterator of its own for it: the row's
      // column is null, or the fill number as written.
      else if (perColumn[i]!.size === 0)
        v =
          typeof node.fill === 'object'
            ? // influxd answers this with the fill number or null depending on its shard and type
              // state, which the engine does not model.
              unsupported(`fill(<number>) with ${c.call!.name}() of a field that has no point in a series`)
            : null;
      else if (node.fill === undefined || node.fill === 'null') v = c.call!.name === 'count' ? 0n : null;
      else if (node.fill === 'previous') v = previous[i]!;
      else if (node.fill === 'none') v = null;
      else v = fillValue((node.fill as { value: number | bigint }).value, c.call!);
      previous[i] = v;
      values.push(v);
    });
    rows.push({ time: w, values });
  }
  if (linear !== undefined) {
    const at = new Map(rows.map((row, k) => [row.time, k]));
    linear.forEach((column, i) => {
      fillLinear(column.times, column.values, interval).forEach((v, k) => {
        rows[at.get(column.times[k]!)!]!.values[i] = v;
      });
    });
  }
  if (node.orderDesc) rows.reverse();
  return rows;
}

function fillValue(v: number | bigint, call: { name: string; type: FieldType }): Value {
  // The fill number is cast to the column's type, as influxd's fill iterators do.
  const float = call.name === 'mean' || call.name === 'median' || call.name === 'stddev';
  if (call.name === 'count' || (call.type === 'integer' && !float)) {
    return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
  }
  // castToBoolean / castToString accept only booleans / strings: a number gives the zero value.
  if (call.type === 'boolean') return false;
  if (call.type === 'string') return '';
  return Number(v);
}

/** Shapes evaluated series as the server's response (times per `epoch`, integers per the value contract). */
export function toRawSeries(s: EvalSeries, timeOut: (t: bigint) => ResultValue): RawSeries {
  const values = s.rows.map((r) => [timeOut(r.time), ...r.values.map(outValue)]);
  const raw: RawSeries = { name: s.name, columns: [...s.columns], values };
  if (s.tags !== undefined) raw.tags = { ...s.tags };
  return raw;
}

function outValue(v: Value): ResultValue {
  if (typeof v === 'bigint') return v >= -(2n ** 53n) && v < 2n ** 53n ? Number(v) : v;
  return v;
}
