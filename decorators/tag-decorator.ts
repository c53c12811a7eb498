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
  return ((target: unknown, key: unknown) =>
    recordMember('@Tag', (property) => ({ kind: 'tag', property, options }), target, key)) as MemberDecorator;
}
