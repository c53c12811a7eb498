import type { Precision } from '../line-protocol/precision.js';

/**
 * The compiled, frozen description of a model class: what the decorators (or `defineMeasurement`)
 * declared, checked and resolved through inheritance. Built lazily on first use by
 * `getModelMetadata(Model)` (src/models/metadata-builder.ts); shared by the serializer, the
 * registry, the query builder and the row mapper.
 */

/** Field types a model can declare. `integer` is written with the `i` suffix. */
export type ModelFieldType = 'float' | 'integer' | 'string' | 'boolean';

/** How a model property of type `integer` is represented in JS. */
export type IntegerRepresentation = 'number' | 'bigint';

/** How a model's timestamp property is represented in JS. */
export type TimestampRepresentation = 'date' | 'bigint';

/** Any model class (constructor). */
// biome-ignore lint/suspicious/noExplicitAny: constructors of any argument list
export type ModelClass<T = object> = abstract new (...args: any[]) => T;

/**
 * One declared tag of a model: `@Tag() host!: string` gives `{ property: 'host', key: 'host' }`.
 */
export interface TagMetadata {
  /** Property name on the class. */
  readonly property: string;
  /** Tag key in InfluxDB (defaults to the property name). */
  readonly key: string;
  /**
   * `@Tag({ optional: true })`: may be missing. A required tag (the default) that is missing,
   * `undefined` or `null` at construction, with no initialiser default, is refused.
   */
  readonly optional?: boolean;
}

/**
 * One declared field of a model: `@Field({ type: 'integer' }) cores!: number` gives
 * `{ property: 'cores', key: 'cores', type: 'integer', integerAs: 'number' }`.
 */
export interface FieldMetadata {
  readonly property: string;
  /** Field key in InfluxDB (defaults to the property name). */
  readonly key: string;
  readonly type: ModelFieldType;
  /** For `integer` fields: `number` (safe integers only) or `bigint`. */
  readonly integerAs: IntegerRepresentation;
}

/** The model's timestamp property (`@Timestamp()`) and how it is represented in JS. */
export interface TimestampMetadata {
  readonly property: string;
  readonly type: TimestampRepresentation;
}

/**
 * The compiled metadata of one model class (built internally by `getModelMetadata(Model)`): for
 * `@Measurement('cpu') class Cpu { @Tag() host!: string; … }`, `measurement` is `'cpu'` and
 * `tags` holds `{ property: 'host', key: 'host', optional: false }`.
 */
export interface ModelMetadata<T extends object = object> {
  readonly model: ModelClass<T>;
  /** The class name, for messages only (never used as a key). */
  readonly className: string;
  /**
   * The measurement name, or the template text when `template` is set
   * (e.g. `'events.stats.{serverName}'`).
   */
  readonly measurement: string;
  /** For a templated name: the properties it reads, in order; empty for a fixed name. */
  readonly templateProperties: readonly string[];
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
  /** Precision of the timestamps written for this class (default `'n'`). */
  readonly precision: Precision;
  readonly tags: readonly TagMetadata[];
  readonly fields: readonly FieldMetadata[];
  readonly timestamp: TimestampMetadata | undefined;
  /** Lookup by property name. */
  readonly tagsByProperty: ReadonlyMap<string, TagMetadata>;
  readonly fieldsByProperty: ReadonlyMap<string, FieldMetadata>;
  /**
   * Builds a frozen instance from already-typed property values WITHOUT validating constraints
   * or buffering it (used for query results). Values must already have the declared JS types.
   */
  hydrate(values: Record<string, unknown>): T;
}
