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
