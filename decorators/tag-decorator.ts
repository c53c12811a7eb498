import { installReflectMetadata } from '../src/lazy-require.js';
import { recordMember, type TagDecoratorOptions } from './decorator-store.js';
import type { MemberDecorator } from './member-decorator.js';

/**
 * Declares a property as a tag (a string, indexed). A tag is required: building an instance
 * without it (missing, `undefined` or `null`) throws `InfluxValidationError`, unless the property
 * has an initialiser default or is declared `@Tag({ optional: true })` (then a missing tag is left
 * out of the line; so is an empty string). Works with legacy and with standard (TC39) decorators.
 *
 * ```ts
 * @Tag() host!: string;                        // cpu,host=a ...
 * @Tag({ name: 'data center' }) dc!: string;   // cpu,data\ center=x ...
 * @Tag({ optional: true }) rack?: string;      // left out when not given
 * @Tag() region = 'eu';                        // default when not given
 * ```
 */
export function Tag(options?: TagDecoratorOptions): MemberDecorator {
  installReflectMetadata(); // before TypeScript's design:type helper runs (see lazy-require.ts)
  return ((target: unknown, key: unknown) =>
    recordMember('@Tag', (property) => ({ kind: 'tag', property, options }), target, key)) as MemberDecorator;
}

declare const tagBrand: unique symbol;

/**
 * Type-only marker carried by {@link Tag}-typed properties (never present at run time): it tells
 * the query builder's types which properties are tags.
 */
export interface TagBrand<V extends string = string> {
  readonly [tagBrand]?: V;
}

/**
 * The type of a tag property: a string (or a union of allowed strings) that the query builder's
 * types know to be a tag. Reads and assigns as a plain string; nothing of it exists at run time.
 * Declaring a model's tags with it lets the compiler tell tags from fields: aggregates take fields
 * only, `groupBy` takes tags only, `where` on a tag takes strings or a regex.
 *
 * ```ts
 * @Measurement('cpu')
 * class Cpu extends SeriesModel<Cpu> {
 *   @Tag() host!: Tag;                  // any string
 *   @Tag() region!: Tag<'eu' | 'us'>;   // only these values
 *   @Field() usage!: number;
 * }
 * repo.query().select(mean('usage')).groupBy('host'); // ok
 * repo.query().select(mean('host'));                  // compile error: 'host' is a tag …
 * ```
 */
export type Tag<V extends string = string> = V & TagBrand<V>;
