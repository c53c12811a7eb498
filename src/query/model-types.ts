/**
 * Type-level helpers that read a model class's instance type: which property names a query may
 * use where, how the values of result rows are typed, and the compile-error messages the builder
 * shows for a misspelled property or a tag used as a field (and the reverse).
 *
 * How tags are known: a property typed `Tag` (`@Tag() host!: Tag`) carries a type-only brand, and
 * a `defineMeasurement` instance type names its tags (`ModelTags`). A model with at least one such property is
 * "split": its other data properties are fields, except `Date` properties (the timestamp). A model
 * without any `Tag`-typed property is not split at compile time (every property is accepted where
 * a tag or a field may go, and the run-time checks against the model's metadata decide).
 *
 * These types are evaluated per call of the builder; they stay shallow on purpose (no recursion
 * over the select list beyond one mapped tuple, no deep conditional chains) so that `tsc` time on
 * code using the builder stays flat (see the README's "Type-check cost").
 */
import type { TagBrand } from '../../decorators/tag-decorator.js';
import type { ModelTags } from '../models/define-measurement.js';

// biome-ignore lint/suspicious/noExplicitAny: any function signature
type AnyFunction = (...args: any[]) => any;

/**
 * The data property names of a model instance type: string keys whose values are not methods
 * (tags, fields and the timestamp).
 */
export type ModelProperty<T> = {
  [K in keyof T]-?: K extends string ? (NonNullable<T[K]> extends AnyFunction ? never : K) : never;
}[keyof T];

/**
 * The tag properties as the types know them: those typed `Tag`, and those a `defineMeasurement`
 * instance names ({@link ModelTags}); `never` for a model that marks none.
 */
export type TagProperty<T> =
  | {
      [K in keyof T]-?: K extends string
        ? keyof TagBrand extends keyof NonNullable<T[K]>
          ? K
          : never
        : never;
    }[keyof T]
  | (T extends ModelTags<infer K> ? K & ModelProperty<T> : never);

/** The `Date` properties (the timestamp; a field is never a `Date`). */
export type TimeProperty<T> = {
  [K in keyof T]-?: K extends string ? (NonNullable<T[K]> extends Date ? K : never) : never;
}[keyof T];

/**
 * The field properties as far as the types know them: every data property but the tags and the
 * timestamp (for a model that does not mark its tags, the tags are in here too).
 */
export type FieldProperty<T> = Exclude<ModelProperty<T>, TagProperty<T> | TimeProperty<T>>;

/** What `groupBy` accepts by name: the tags, or (model not split) every non-time property. */
export type GroupProperty<T> = [TagProperty<T>] extends [never]
  ? Exclude<ModelProperty<T>, TimeProperty<T>>
  : TagProperty<T>;

/** The value type of a tag property (`Tag<'eu' | 'us'>` → `'eu' | 'us'`; a plain `string` stays). */
export type TagValueOf<V> = NonNullable<V> extends TagBrand<infer S> ? S : NonNullable<V>;

/** The time type of result rows: `Date` when the model has a `Date` property, else `Date | bigint`. */
export type ModelTime<T> = [TimeProperty<T>] extends [never] ? Date | bigint : Date;

/** Flattens an intersection for readable hover types. */
export type Simplify<O> = { [K in keyof O]: O[K] } & {};

type UnionToIntersection<U> = (U extends unknown ? (x: () => U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type LastOf<U> = UnionToIntersection<U> extends () => infer L ? L : never;

/** `'a' | 'b' | 'c'` → `'a, b, c'` (for error messages; evaluated only when there is an error). */
export type JoinNames<U extends string, Acc extends string = ''> = [U] extends [never]
  ? Acc extends ''
    ? '(none)'
    : Acc
  : LastOf<U> extends infer L extends string
    ? JoinNames<Exclude<U, L>, Acc extends '' ? L : `${L}, ${Acc}`>
    : Acc;

/**
 * A compile-time error: a parameter of this string-literal type accepts nothing a caller would
 * write, so the compiler prints the message (`Argument of type '"hots"' is not assignable to
 * parameter of type '"✗ where('hots'): not a property of the model; use one of: host, usage"'`).
 */
export type QueryTypeError<Message extends string> = `✗ ${Message}`;
