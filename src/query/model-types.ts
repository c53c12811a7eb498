/**
 * Type-level helpers that read a model class's instance type: which property names a query may
 * use, and how the values of result rows are typed.
 */

// biome-ignore lint/suspicious/noExplicitAny: any function signature
type AnyFunction = (...args: any[]) => any;

/**
 * The data property names of a model instance type: string keys whose values are not methods.
 * Decorators cannot change a class's type, so tags, fields and the timestamp are all in here; the
 * builder tells them apart at run time from the model's metadata.
 */
export type ModelProperty<T> = {
  [K in keyof T]-?: K extends string ? (NonNullable<T[K]> extends AnyFunction ? never : K) : never;
}[keyof T];

/** The time type of result rows: `Date` when the model has a `Date` property, else `Date | bigint`. */
export type ModelTime<T> = [DateProperty<T>] extends [never] ? Date | bigint : Date;
type DateProperty<T> = { [K in keyof T]-?: NonNullable<T[K]> extends Date ? K : never }[keyof T];

/** Flattens an intersection for readable hover types. */
export type Simplify<O> = { [K in keyof O]: O[K] } & {};
