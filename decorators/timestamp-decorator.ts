import {
  classOfDecoratedMember,
  decoratorRecordFor,
  type TimestampDecoratorOptions,
} from './decorator-store.js';

/**
 * Declares the property that holds the point's time: a `Date` (default) or, with
 * `{ type: 'bigint' }`, integer nanoseconds since the epoch. When an instance is built without
 * it, the current time (nanosecond resolution, strictly increasing in the process) is assigned.
 *
 * ```ts
 * @Timestamp() time?: Date;                       // ... 1700000000123000000
 * @Timestamp({ type: 'bigint' }) time?: bigint;   // ... 1700000000123456789
 * ```
 */
export function Timestamp(options?: TimestampDecoratorOptions): PropertyDecorator {
  return (target, property) => {
    decoratorRecordFor(classOfDecoratedMember(target)).members.push({
      kind: 'timestamp',
      property: property as string,
      options,
    });
  };
}
