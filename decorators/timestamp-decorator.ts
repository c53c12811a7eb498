import { installReflectMetadata } from '../src/lazy-require.js';
import { recordMember, type TimestampDecoratorOptions } from './decorator-store.js';
import type { MemberDecorator } from './member-decorator.js';

/**
 * Declares the property that holds the point's time: a `Date` (default) or, with
 * `{ type: 'bigint' }`, integer nanoseconds since the epoch. When an instance is built without
 * it, the current time (nanosecond resolution, strictly increasing in the process) is assigned.
 * Works with legacy and with standard (TC39) decorators.
 *
 * ```ts
 * @Timestamp() time?: Date;                       // ... 1700000000123000000
 * @Timestamp({ type: 'bigint' }) time?: bigint;   // ... 1700000000123456789
 * ```
 */
export function Timestamp(options?: TimestampDecoratorOptions): MemberDecorator {
  installReflectMetadata(); // before TypeScript's design:type helper runs (see lazy-require.ts)
  return ((target: unknown, key: unknown) =>
    recordMember(
      '@Timestamp',
      (property) => ({ kind: 'timestamp', property, options }),
      target,
      key,
    )) as MemberDecorator;
}
