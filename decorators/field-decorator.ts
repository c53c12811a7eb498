import { installReflectMetadata } from '../src/lazy-require.js';
import { type FieldDecoratorOptions, type FieldTypeName, recordMember } from './decorator-store.js';
import type { MemberDecorator } from './member-decorator.js';

/**
 * Declares a property as a field. A JS `number` is a float unless the field is declared
 * `integer`; integers are written with the `i` suffix. The type may be given as the only argument
 * (`@Field('integer')`) or in the options. Works with legacy and with standard (TC39) decorators;
 * without `emitDecoratorMetadata` (always so with TC39 decorators) give the type.
 *
 * ```ts
 * @Field('float') usage!: number;                   // usage=0.5
 * @Field({ type: 'integer' }) cores!: number;       // cores=4i
 * @Field({ type: 'integer', integerAs: 'bigint' }) bytes!: bigint; // bytes=9007199254740993i
 * @Field({ type: 'string' }) note!: string;         // note="a \"quoted\" text"
 * @Field() ok!: boolean;  // type from design:type (legacy decorators + emitDecoratorMetadata only)
 * ```
 */
export function Field(typeOrOptions?: FieldTypeName | FieldDecoratorOptions): MemberDecorator {
  installReflectMetadata(); // before TypeScript's design:type helper runs (see lazy-require.ts)
  const options: FieldDecoratorOptions | undefined =
    typeof typeOrOptions === 'string' ? { type: typeOrOptions } : typeOrOptions;
  return ((target: unknown, key: unknown) =>
    recordMember(
      '@Field',
      (property) => ({ kind: 'field', property, options }),
      target,
      key,
    )) as MemberDecorator;
}
