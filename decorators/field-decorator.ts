import { classOfDecoratedMember, decoratorRecordFor, type FieldDecoratorOptions } from './decorator-store.js';

/**
 * Declares a property as a field. A JS `number` is a float unless the field is declared
 * `integer`; integers are written with the `i` suffix.
 *
 * ```ts
 * @Field() usage!: number;                           // usage=0.5
 * @Field({ type: 'integer' }) cores!: number;       // cores=4i
 * @Field({ type: 'integer', integerAs: 'bigint' }) bytes!: bigint; // bytes=9007199254740993i
 * @Field({ type: 'string' }) note!: string;         // note="a \"quoted\" text"
 * ```
 */
export function Field(options?: FieldDecoratorOptions): PropertyDecorator {
  return (target, property) => {
    decoratorRecordFor(classOfDecoratedMember(target)).members.push({
      kind: 'field',
      property: property as string,
      options,
    });
  };
}
