import { classOfDecoratedMember, decoratorRecordFor, type TagDecoratorOptions } from './decorator-store.js';

/**
 * Declares a property as a tag (a string, indexed). An empty or missing tag is left out of the line.
 *
 * ```ts
 * @Tag() host!: string;                 // cpu,host=a ...
 * @Tag({ name: 'data center' }) dc!: string;  // cpu,data\ center=x ...
 * ```
 */
export function Tag(options?: TagDecoratorOptions): PropertyDecorator {
  return (target, property) => {
    decoratorRecordFor(classOfDecoratedMember(target)).members.push({
      kind: 'tag',
      property: property as string,
      options,
    });
  };
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
