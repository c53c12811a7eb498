import { InfluxValidationError } from '../errors.js';
import { checkDuration } from '../influxql/literals.js';
import type { ArithmeticOperator, ExprNode } from './query-ast.js';

/**
 * How the value of a select expression is typed in result rows:
 * `float` → `number`; `count` → `number`; `same` → the type of the model property it reads
 * (an integer field declared as `bigint` stays a `bigint`, exact).
 */
export type ValueKind = 'float' | 'count' | 'same';

/**
 * One item of a SELECT list: a field, a function call or arithmetic, with its output name.
 * `Refs` is the union of model property names it reads (checked against the model by `select`),
 * `Name` the key of the value in result rows, `Kind` how that value is typed.
 *
 * Build them with the helpers (`field`, `mean`, `max`, `derivative`, `mul`, …) and rename with
 * `.as(name)`.
 *
 * ```ts
 * repo.query().select(mean('usage').as('avgUsage')).groupBy(time('5m'));
 * // SELECT mean("usage"::field) AS "avgUsage" FROM "cpu" GROUP BY time(5m)
 * ```
 */
export class SelectExpr<
  Refs extends string = string,
  Name extends string = string,
  Kind extends ValueKind = ValueKind,
  Plain extends boolean = boolean,
> {
  /** Phantom members carrying the type parameters (never set at run time). */
  declare readonly __refs?: Refs;
  declare readonly __kind?: Kind;
  /** `true` for `field(p)` (a tag may be renamed too); `false` for functions and arithmetic (fields only). */
  declare readonly __plain?: Plain;

  constructor(
    /** The tree, with property names in place of keys (resolved against the model by the builder). */
    readonly node: ExprNode,
    /** Output name in rows (`AS "name"`); `''` when it must be given with `.as()`. */
    readonly name: Name,
    readonly kind: Kind,
    /** For `same`: the property whose declared type converts the value. */
    readonly source: string | undefined,
  ) {
    Object.freeze(this);
  }

  /**
   * Names the output column (and the row key).
   *
   * ```ts
   * repo.query().select(max('usage').as('peak')).all(); // rows: { time, peak }
   * // SELECT max("usage"::field) AS "peak" FROM "cpu"
   * ```
   */
  as<A extends string>(alias: A): SelectExpr<Refs, A, Kind, Plain> {
    if (typeof alias !== 'string' || alias.length === 0) {
      throw new InfluxValidationError('select', undefined, 'an alias must be a non-empty string');
    }
    return new SelectExpr(this.node, alias, this.kind, this.source);
  }
}

/** A property name or a nested expression, as accepted by the helpers. */
export type ExprInput = string | SelectExpr;

type RefsOf<E> = E extends SelectExpr<infer R, string, ValueKind, boolean> ? R : E extends string ? E : never;
type KindOf<E> = E extends SelectExpr<string, string, infer K, boolean> ? K : 'same';

function toNode(
  input: ExprInput,
  fn: string,
): { node: ExprNode; source: string | undefined; kind: ValueKind } {
  if (input instanceof SelectExpr) return { node: input.node, source: input.source, kind: input.kind };
  if (typeof input === 'string' && input.length > 0) {
    return { node: { kind: 'key', key: input, cast: undefined }, source: input, kind: 'same' };
  }
  throw new InfluxValidationError(
    `${fn}()`,
    undefined,
    `expects a property name or an expression, got ${input === '' ? 'an empty string' : typeof input}`,
  );
}

function intArg(n: unknown, fn: string, what: string, min = 1): ExprNode {
  if (typeof n === 'bigint') n = Number(n);
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new InfluxValidationError(`${fn}()`, what, `must be an integer >= ${min}, got ${String(n)}`);
  }
  return { kind: 'number', value: n, integer: true };
}

function call<E extends ExprInput, N extends string, K extends ValueKind>(
  name: N,
  input: E,
  kind: K,
  extra: ExprNode[] = [],
): SelectExpr<RefsOf<E>, N, K, false> {
  const inner = toNode(input, name);
  return new SelectExpr(
    { kind: 'call', name, args: [inner.node, ...extra] },
    name,
    kind,
    kind === 'same' ? inner.source : undefined,
  );
}

/** A call whose value has the input's kind (difference, cumulative_sum, …); `fn` names the helper in errors. */
function sameKindCall<E extends ExprInput, N extends string>(
  name: N,
  input: E,
  fn: string,
): SelectExpr<RefsOf<E>, N, KindOf<E>, false> {
  const inner = toNode(input, fn);
  return call(name, input, inner.kind) as SelectExpr<RefsOf<E>, N, KindOf<E>, false>;
}

/**
 * Selects a field (or tag) under another name: `field('usage').as('u')` → `"usage"::field AS "u"`.
 *
 * ```ts
 * repo.query().select(field('usage').as('u'));
 * // SELECT "usage"::field AS "u" FROM "cpu"
 * ```
 */
export function field<P extends string>(property: P): SelectExpr<P, P, 'same', true> {
  const n = toNode(property, 'field');
  return new SelectExpr(n.node, property, 'same', property);
}

// --- aggregates -------------------------------------------------------------------------------

/**
 * `COUNT(field)` — non-null values per interval. Row value: number.
 *
 * ```ts
 * repo.query().select(count('usage')).groupBy(time('1m'));
 * // SELECT count("usage"::field) AS "count" FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function count<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'count', 'count', false> {
  return call('count', input, 'count');
}
/**
 * `DISTINCT(field)` — distinct values (one row each). Row value: the field's type.
 *
 * ```ts
 * repo.query().select(distinct('cores'));
 * // SELECT distinct("cores"::field) AS "distinct" FROM "cpu"
 * ```
 */
export function distinct<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'distinct', 'same', false> {
  return call('distinct', input, 'same');
}
/**
 * `INTEGRAL(field[, unit])` — area under the curve. Row value: number.
 *
 * ```ts
 * repo.query().select(integral('usage', '1m'));
 * // SELECT integral("usage"::field, 1m) AS "integral" FROM "cpu"
 * ```
 */
export function integral<E extends ExprInput>(
  input: E,
  unit?: string,
): SelectExpr<RefsOf<E>, 'integral', 'float', false> {
  return call('integral', input, 'float', unit === undefined ? [] : [durationNode(unit, 'integral')]);
}
/**
 * `MEAN(field)`. Row value: number.
 *
 * ```ts
 * repo.query().select(mean('usage')).groupBy(time('1m'));
 * // SELECT mean("usage"::field) AS "mean" FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function mean<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'mean', 'float', false> {
  return call('mean', input, 'float');
}
/**
 * `MEDIAN(field)`. Row value: number.
 *
 * ```ts
 * repo.query().select(median('usage'));
 * // SELECT median("usage"::field) AS "median" FROM "cpu"
 * ```
 */
export function median<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'median', 'float', false> {
  return call('median', input, 'float');
}
/**
 * `MODE(field)` — most frequent value. Row value: the field's type.
 *
 * ```ts
 * repo.query().select(mode('cores'));
 * // SELECT mode("cores"::field) AS "mode" FROM "cpu"
 * ```
 */
export function mode<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'mode', 'same', false> {
  return call('mode', input, 'same');
}
/**
 * `SPREAD(field)` — max − min. Row value: the field's type (integer fields stay integers).
 *
 * ```ts
 * repo.query().select(spread('usage'));
 * // SELECT spread("usage"::field) AS "spread" FROM "cpu"
 * ```
 */
export function spread<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'spread', 'same', false> {
  return call('spread', input, 'same');
}
/**
 * `STDDEV(field)`. Row value: number.
 *
 * ```ts
 * repo.query().select(stddev('usage'));
 * // SELECT stddev("usage"::field) AS "stddev" FROM "cpu"
 * ```
 */
export function stddev<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'stddev', 'float', false> {
  return call('stddev', input, 'float');
}
/**
 * `SUM(field)`. Row value: the field's type (an integer sum stays an integer, exact as bigint).
 *
 * ```ts
 * repo.query().select(sum('cores')).groupBy(time('1h'));
 * // SELECT sum("cores"::field) AS "sum" FROM "cpu" GROUP BY time(1h)
 * ```
 */
export function sum<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'sum', KindOf<E>, false> {
  const inner = toNode(input, 'sum');
  return call('sum', input, inner.kind) as SelectExpr<RefsOf<E>, 'sum', KindOf<E>, false>;
}

// --- selectors --------------------------------------------------------------------------------

/**
 * `FIRST(field)` — oldest value. Row value: the field's type.
 *
 * ```ts
 * repo.query().select(first('usage'));
 * // SELECT first("usage"::field) AS "first" FROM "cpu"
 * ```
 */
export function first<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'first', 'same', false> {
  return call('first', input, 'same');
}
/**
 * `LAST(field)` — newest value.
 *
 * ```ts
 * repo.query().select(last('usage')).groupBy('host');
 * // SELECT last("usage"::field) AS "last" FROM "cpu" GROUP BY "host"
 * ```
 */
export function last<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'last', 'same', false> {
  return call('last', input, 'same');
}
/**
 * `MAX(field)`.
 *
 * ```ts
 * repo.query().select(max('usage').as('peak'));
 * // SELECT max("usage"::field) AS "peak" FROM "cpu"
 * ```
 */
export function max<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'max', 'same', false> {
  return call('max', input, 'same');
}
/**
 * `MIN(field)`.
 *
 * ```ts
 * repo.query().select(min('usage'));
 * // SELECT min("usage"::field) AS "min" FROM "cpu"
 * ```
 */
export function min<E extends ExprInput>(input: E): SelectExpr<RefsOf<E>, 'min', 'same', false> {
  return call('min', input, 'same');
}
/**
 * `PERCENTILE(field, n)` with 0 < n <= 100. Row value: the field's type.
 *
 * ```ts
 * repo.query().select(percentile('usage', 95).as('p95'));
 * // SELECT percentile("usage"::field, 95) AS "p95" FROM "cpu"
 * ```
 */
export function percentile<E extends ExprInput>(
  input: E,
  n: number,
): SelectExpr<RefsOf<E>, 'percentile', 'same', false> {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new InfluxValidationError(
      'percentile()',
      'n',
      `must be a number between 0 and 100, got ${String(n)}`,
    );
  }
  return call('percentile', input, 'same', [{ kind: 'number', value: n, integer: Number.isInteger(n) }]);
}
/**
 * `SAMPLE(field, n)` — n random points.
 *
 * ```ts
 * repo.query().select(sample('usage', 3));
 * // SELECT sample("usage"::field, 3) AS "sample" FROM "cpu"
 * ```
 */
export function sample<E extends ExprInput>(
  input: E,
  n: number,
): SelectExpr<RefsOf<E>, 'sample', 'same', false> {
  return call('sample', input, 'same', [intArg(n, 'sample', 'n')]);
}
/**
 * `TOP(field, n)` — the n greatest values.
 *
 * ```ts
 * repo.query().select(top('usage', 3));
 * // SELECT top("usage"::field, 3) AS "top" FROM "cpu"
 * ```
 */
export function top<E extends ExprInput>(input: E, n: number): SelectExpr<RefsOf<E>, 'top', 'same', false> {
  return call('top', input, 'same', [intArg(n, 'top', 'n')]);
}
/**
 * `BOTTOM(field, n)` — the n smallest values.
 *
 * ```ts
 * repo.query().select(bottom('usage', 3));
 * // SELECT bottom("usage"::field, 3) AS "bottom" FROM "cpu"
 * ```
 */
export function bottom<E extends ExprInput>(
  input: E,
  n: number,
): SelectExpr<RefsOf<E>, 'bottom', 'same', false> {
  return call('bottom', input, 'same', [intArg(n, 'bottom', 'n')]);
}

// --- transformations --------------------------------------------------------------------------

/**
 * `DERIVATIVE(field|aggregate[, unit])`. Row value: number.
 *
 * ```ts
 * repo.query().select(derivative(mean('usage'), '1s')).groupBy(time('1m'));
 * // SELECT derivative(mean("usage"::field), 1s) AS "derivative" FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function derivative<E extends ExprInput>(
  input: E,
  unit?: string,
): SelectExpr<RefsOf<E>, 'derivative', 'float', false> {
  return call('derivative', input, 'float', unit === undefined ? [] : [durationNode(unit, 'derivative')]);
}
/**
 * `NON_NEGATIVE_DERIVATIVE(field|aggregate[, unit])`. Row value: number.
 *
 * ```ts
 * repo.query().select(nonNegativeDerivative(max('cores'), '1s')).groupBy(time('1m'));
 * // SELECT non_negative_derivative(max("cores"::field), 1s) AS "non_negative_derivative"
 * //   FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function nonNegativeDerivative<E extends ExprInput>(
  input: E,
  unit?: string,
): SelectExpr<RefsOf<E>, 'non_negative_derivative', 'float', false> {
  return call(
    'non_negative_derivative',
    input,
    'float',
    unit === undefined ? [] : [durationNode(unit, 'nonNegativeDerivative')],
  );
}
/**
 * `DIFFERENCE(field|aggregate)`. Row value: the input's type.
 *
 * ```ts
 * repo.query().select(difference(max('cores'))).groupBy(time('1m'));
 * // SELECT difference(max("cores"::field)) AS "difference" FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function difference<E extends ExprInput>(
  input: E,
): SelectExpr<RefsOf<E>, 'difference', KindOf<E>, false> {
  return sameKindCall('difference', input, 'difference');
}
/**
 * `NON_NEGATIVE_DIFFERENCE(field|aggregate)`: like `difference`, without the negative ones. Row
 * value: the input's type.
 *
 * ```ts
 * repo.query().select(nonNegativeDifference(max('cores'))).groupBy(time('1m'));
 * // SELECT non_negative_difference(max("cores"::field)) AS "non_negative_difference" FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function nonNegativeDifference<E extends ExprInput>(
  input: E,
): SelectExpr<RefsOf<E>, 'non_negative_difference', KindOf<E>, false> {
  return sameKindCall('non_negative_difference', input, 'nonNegativeDifference');
}
/**
 * `ELAPSED(field|aggregate[, unit])`: the time between successive points, in `unit` (default
 * `1ns`). Row value: number.
 *
 * ```ts
 * repo.query().select(elapsed('usage', '1s'));
 * // SELECT elapsed("usage"::field, 1s) AS "elapsed" FROM "cpu"
 * ```
 */
export function elapsed<E extends ExprInput>(
  input: E,
  unit?: string,
): SelectExpr<RefsOf<E>, 'elapsed', 'count', false> {
  return call('elapsed', input, 'count', unit === undefined ? [] : [durationNode(unit, 'elapsed')]);
}
/**
 * `MOVING_AVERAGE(field|aggregate, n)`. Row value: number.
 *
 * ```ts
 * repo.query().select(movingAverage(mean('usage'), 5)).groupBy(time('1m'));
 * // SELECT moving_average(mean("usage"::field), 5) AS "moving_average" FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function movingAverage<E extends ExprInput>(
  input: E,
  n: number,
): SelectExpr<RefsOf<E>, 'moving_average', 'float', false> {
  return call('moving_average', input, 'float', [intArg(n, 'movingAverage', 'n')]);
}
/**
 * `CUMULATIVE_SUM(field|aggregate)`. Row value: the input's type.
 *
 * ```ts
 * repo.query().select(cumulativeSum(sum('cores'))).groupBy(time('1m'));
 * // SELECT cumulative_sum(sum("cores"::field)) AS "cumulative_sum" FROM "cpu" GROUP BY time(1m)
 * ```
 */
export function cumulativeSum<E extends ExprInput>(
  input: E,
): SelectExpr<RefsOf<E>, 'cumulative_sum', KindOf<E>, false> {
  return sameKindCall('cumulative_sum', input, 'cumulativeSum');
}

// --- arithmetic -------------------------------------------------------------------------------

/** An operand of arithmetic: a property, an expression or a finite number. */
export type Operand = ExprInput | number;
type OperandRefs<O> = O extends number ? never : RefsOf<O>;

function operand(o: Operand, op: string): ExprNode {
  if (typeof o === 'number') {
    if (!Number.isFinite(o))
      throw new InfluxValidationError(op, undefined, `operand ${o} is not a finite number`);
    return { kind: 'number', value: o, integer: Number.isInteger(o) };
  }
  return toNode(o, op).node;
}

function arith<A extends Operand, B extends Operand>(
  op: ArithmeticOperator,
  a: A,
  b: B,
): SelectExpr<OperandRefs<A> | OperandRefs<B>, '', 'float', false> {
  return new SelectExpr(
    { kind: 'arithmetic', op, left: operand(a, op), right: operand(b, op) },
    '',
    'float',
    undefined,
  );
}

/**
 * `(a + b)`; name it with `.as()`. Row value: number.
 *
 * ```ts
 * repo.query().select(add('usage', 'idle').as('total'));
 * // SELECT ("usage"::field + "idle"::field) AS "total" FROM "cpu"
 * ```
 */
export function add<A extends Operand, B extends Operand>(a: A, b: B) {
  return arith('+', a, b);
}
/**
 * `(a - b)`; name it with `.as()`.
 *
 * ```ts
 * repo.query().select(sub(100, 'idle').as('busy'));
 * // SELECT (100 - "idle"::field) AS "busy" FROM "cpu"
 * ```
 */
export function sub<A extends Operand, B extends Operand>(a: A, b: B) {
  return arith('-', a, b);
}
/**
 * `(a * b)`; name it with `.as()`: `mul('usage', 100).as('pct')` → `("usage"::field * 100) AS "pct"`.
 *
 * ```ts
 * repo.query().select(mul('usage', 100).as('pct'));
 * // SELECT ("usage"::field * 100) AS "pct" FROM "cpu"
 * ```
 */
export function mul<A extends Operand, B extends Operand>(a: A, b: B) {
  return arith('*', a, b);
}
/**
 * `(a / b)`; name it with `.as()`.
 *
 * ```ts
 * repo.query().select(div(sum('usage'), count('usage')).as('avg'));
 * // SELECT (sum("usage"::field) / count("usage"::field)) AS "avg" FROM "cpu"
 * ```
 */
export function div<A extends Operand, B extends Operand>(a: A, b: B) {
  return arith('/', a, b);
}

function durationNode(value: string, fn: string): ExprNode {
  return { kind: 'duration', value: checkDuration(value, `${fn}()`, 'unit') };
}
