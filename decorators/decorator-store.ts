import type { CommitSink } from '../src/registry/commit-sink.js';
import type { SeriesRegistry } from '../src/registry/series-registry.js';

/**
 * Where the decorators record their raw arguments: a symbol-keyed own property of the class
 * object. The symbol comes from the global registry (`Symbol.for`), so a second copy of this module
 * (two installs of the package in one process) reads and writes the same records, and the key is
 * the class object itself, never its name, so two classes named alike never collide.
 *
 * Nothing is checked here; `getModelMetadata()` (src/models/metadata-builder.ts) compiles the
 * records lazily and reports mistakes at first use.
 */

/** Options of `@Measurement`. */
export interface MeasurementDecoratorOptions {
  /**
   * Measurement name, or a template filled from the instance, e.g. `'events.stats.{serverName}'`.
   * Default: the class name.
   */
  name?: string;
  /** Database the points go to; the sink's default when omitted. */
  database?: string;
  /** Retention policy the points go to; the database's default when omitted. */
  retentionPolicy?: string;
  /** Precision of the timestamps written (default `'n'`). */
  precision?: 'n' | 'ns' | 'u' | 'ms' | 's' | 'm' | 'h';
  /** Autocommit once this many points of the class are pending. Overrides the registry default. */
  bulkSize?: number;
  /** Autocommit this many ms after the first pending point. Overrides the registry default. */
  flushInterval?: number;
  /** Autocommit once the pending line protocol of the class reaches this many bytes. */
  maxBatchBytes?: number;
  /** Commit automatically (default true). When false, points wait for `commit()`/`flush()`. */
  autocommit?: boolean;
  /** Where this class's points are written; overrides the registry's sink. */
  sink?: CommitSink;
  /** The registry that buffers this class; the default registry when omitted. */
  registry?: SeriesRegistry;
}

/** Options of `@Tag`. */
export interface TagDecoratorOptions {
  /** Tag key in InfluxDB (default: the property name). */
  name?: string;
}

/** Options of `@Field`. */
export interface FieldDecoratorOptions {
  /** Field key in InfluxDB (default: the property name). */
  name?: string;
  /**
   * `float`, `integer` (written with the `i` suffix), `string` or `boolean`. May be left out when
   * the compiler emits `design:type` for a `string`, `boolean`, `number` (float) or `bigint`
   * (integer) property.
   */
  type?: 'float' | 'integer' | 'string' | 'boolean';
  /** For `integer` fields: hold the value as a `number` (safe integers) or a `bigint`. */
  integerAs?: 'number' | 'bigint';
}

/** Options of `@Timestamp`. */
export interface TimestampDecoratorOptions {
  /** `'date'` (a `Date`, the default) or `'bigint'` (nanoseconds since the epoch). */
  type?: 'date' | 'bigint';
}

export type MemberRecord =
  | { readonly kind: 'tag'; readonly property: string; readonly options: TagDecoratorOptions | undefined }
  | { readonly kind: 'field'; readonly property: string; readonly options: FieldDecoratorOptions | undefined }
  | {
      readonly kind: 'timestamp';
      readonly property: string;
      readonly options: TimestampDecoratorOptions | undefined;
    };

/** The raw decorator arguments recorded on one class (its own, not inherited). */
export interface DecoratorRecord {
  /** Arguments of `@Measurement`, as given (a name or an options object); `undefined` if absent. */
  measurement: string | MeasurementDecoratorOptions | undefined;
  /** True once `@Measurement` was applied to this class. */
  measured: boolean;
  /** Property decorators, in the order they ran. */
  readonly members: MemberRecord[];
}

/** Global key of the own property that holds a class's {@link DecoratorRecord}. */
export const DECORATOR_RECORD: unique symbol = Symbol.for('influx-models.decorators') as never;

/** The record owned by `cls` itself (not inherited), or undefined. */
export function ownDecoratorRecord(cls: object): DecoratorRecord | undefined {
  return Object.hasOwn(cls, DECORATOR_RECORD)
    ? ((cls as Record<symbol, unknown>)[DECORATOR_RECORD] as DecoratorRecord)
    : undefined;
}

/** The record owned by `cls`, created (as a non-enumerable own property) when missing. */
export function decoratorRecordFor(cls: object): DecoratorRecord {
  let record = ownDecoratorRecord(cls);
  if (record === undefined) {
    record = { measurement: undefined, measured: false, members: [] };
    Object.defineProperty(cls, DECORATOR_RECORD, { value: record, enumerable: false, configurable: true });
  }
  return record;
}

/** Property decorators receive the prototype (instance members) or the class (static members). */
export function classOfDecoratedMember(target: object): object {
  return typeof target === 'function' ? target : (target as { constructor: object }).constructor;
}
