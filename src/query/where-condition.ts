import { InfluxValidationError } from '../errors.js';
import type { ComparisonOperator } from './query-ast.js';

/**
 * A time bound in WHERE: a `Date`, a `bigint` of nanoseconds since the epoch, an RFC3339 string
 * (nanoseconds kept), or a time relative to the server's clock: `'now()'`, `'now() - 1h'` (see
 * {@link ago}).
 */
export type TimeValue = Date | bigint | string;

/** Unresolved condition tree: property names, not keys; values not yet checked against the model. */
export type RawCondition =
  | {
      readonly kind: 'cmp';
      readonly property: string;
      readonly op: ComparisonOperator;
      readonly value: unknown;
    }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly RawCondition[] };

/**
 * A WHERE condition over model properties (`Refs`), built with {@link cond}, {@link and} and
 * {@link or}; the builder checks it against the model (unknown property, a value of the wrong type)
 * and binds every value.
 *
 * ```ts
 * repo.query().where(or(cond('host', '=', 'a'), cond('host', '=~', /^web-/)));
 * // … WHERE ("host"::tag = $p0 OR "host"::tag =~ /^web-/)
 * ```
 */
export class Condition<Refs extends string = string> {
  declare readonly __refs?: Refs;
  constructor(readonly raw: RawCondition) {
    Object.freeze(this);
  }
}

const OPS = new Set<string>(['=', '!=', '<>', '<', '<=', '>', '>=', '=~', '!~']);

/**
 * `property op value`. `op` is one of `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, or `=~` / `!~` with a
 * `RegExp` or RE2 source string. Use the property `'time'` (or the model's timestamp property) for
 * time bounds.
 *
 * ```ts
 * repo.query().select('usage').where(or(cond('host', '=', 'a'), cond('host', '=~', /^web-\d+$/)));
 * // SELECT "usage"::field FROM "cpu" WHERE ("host"::tag = $p0 OR "host"::tag =~ /^web-\d+$/)
 * //   params: { p0: 'a' }
 * ```
 */
export function cond<P extends string>(property: P, op: ComparisonOperator, value: unknown): Condition<P> {
  if (typeof property !== 'string' || property.length === 0) {
    throw new InfluxValidationError('where', undefined, `expects a property name, got ${typeof property}`);
  }
  if (!OPS.has(op)) {
    throw new InfluxValidationError('where', property, `unknown operator ${JSON.stringify(op)}`);
  }
  return new Condition({ kind: 'cmp', property, op, value });
}

type RefsOf<C> = C extends Condition<infer R> ? R : never;

/**
 * All of the conditions: `(a AND b AND …)`.
 *
 * ```ts
 * repo.query().select('usage')
 *   .where(or(and(cond('host', '=', 'a'), cond('usage', '>', 0.9)), cond('region', '=', 'eu')));
 * // SELECT "usage"::field FROM "cpu"
 * //   WHERE (("host"::tag = $p0 AND "usage"::field > $p1) OR "region"::tag = $p2)
 * ```
 */
export function and<C extends Condition[]>(...conditions: C): Condition<RefsOf<C[number]>> {
  return group('and', conditions);
}

/**
 * Any of the conditions: `(a OR b OR …)`.
 *
 * ```ts
 * repo.query().select('usage').where(or(cond('host', '=', 'a'), cond('host', '=', 'b')));
 * // SELECT "usage"::field FROM "cpu" WHERE ("host"::tag = $p0 OR "host"::tag = $p1)
 * //   params: { p0: 'a', p1: 'b' }
 * ```
 */
export function or<C extends Condition[]>(...conditions: C): Condition<RefsOf<C[number]>> {
  return group('or', conditions);
}

function group<R extends string>(kind: 'and' | 'or', conditions: Condition[]): Condition<R> {
  if (conditions.length === 0) {
    throw new InfluxValidationError('where', undefined, `${kind}() needs at least one condition`);
  }
  for (const c of conditions) {
    if (!(c instanceof Condition)) {
      throw new InfluxValidationError(
        'where',
        undefined,
        `${kind}() takes conditions made with cond(), and() or or()`,
      );
    }
  }
  return new Condition({ kind, operands: conditions.map((c) => c.raw) });
}

/**
 * A time relative to the server's clock: `ago('1h')` is `'now() - 1h'`.
 *
 * ```ts
 * repo.find({ from: ago('15m') }); // … WHERE time >= now() - 15m
 * ```
 */
export function ago(duration: string): string {
  return `now() - ${duration}`;
}
