import type { MeasurementDecoratorOptions } from '../../decorators/decorator-store.js';
import { Field } from '../../decorators/field-decorator.js';
import { Measurement } from '../../decorators/measurement-decorator.js';
import { Tag } from '../../decorators/tag-decorator.js';
import { Timestamp } from '../../decorators/timestamp-decorator.js';
import { InfluxValidationError } from '../errors.js';
import type { Point } from '../line-protocol/make-lines.js';
import type { SeriesRegistry } from '../registry/series-registry.js';
import type { CommitSink } from '../sink.js';
import { SeriesModel } from './series-model.js';

type FieldTypeName = 'float' | 'integer' | 'string' | 'boolean';

/** A field of {@link defineMeasurement}: a type name, or options. */
export type FieldSpec =
  | FieldTypeName
  | { readonly type: FieldTypeName; readonly integerAs?: 'number' | 'bigint'; readonly name?: string };

/** The timestamp of {@link defineMeasurement}: a property name, or options. */
export type TimestampSpec = string | { readonly property: string; readonly type?: 'date' | 'bigint' };

/** The JS type a field holds. */
export type FieldValueOf<S> = S extends 'float' | 'integer'
  ? number
  : S extends 'string'
    ? string
    : S extends 'boolean'
      ? boolean
      : S extends { type: 'integer'; integerAs: 'bigint' }
        ? bigint
        : S extends { type: infer X }
          ? FieldValueOf<X>
          : never;

/** A tag of {@link defineMeasurement}: a property name (the tag key too), or a property and its key. */
export type TagSpec = string | { readonly property: string; readonly name: string };

type TagProperty<S> = S extends string ? S : S extends { property: infer P extends string } ? P : never;

type TimestampProperty<S> = S extends string ? S : S extends { property: infer P extends string } ? P : never;
type TimestampValue<S> = S extends { type: 'bigint' } ? bigint : Date;

declare const modelTags: unique symbol;

/**
 * Type-only marker of a model instance type naming its tag properties (never present at run
 * time). `defineMeasurement` instances carry it, so the query builder's types tell their tags from
 * their fields; decorator classes type their tags with `Tag` instead.
 */
export interface ModelTags<K extends string> {
  readonly [modelTags]?: K;
}

/**
 * The instance type of a class made by {@link defineMeasurement}: tags are strings (and named by
 * {@link ModelTags} for the query builder's types), fields typed as declared.
 */
export type DefinedInstance<
  Tags extends readonly TagSpec[],
  Fields extends Record<string, FieldSpec>,
  TS extends TimestampSpec | undefined,
  Optional extends readonly string[] = [],
> = { readonly [K in TagProperty<Tags[number]>]: string } & {
  readonly [K in Optional[number]]?: string;
} & ModelTags<TagProperty<Tags[number]> | Optional[number]> & {
    readonly [K in keyof Fields]: FieldValueOf<Fields[K]>;
  } & (TS extends string | { property: string }
    ? { readonly [K in TimestampProperty<TS>]: TimestampValue<TS> }
    : unknown);

/**
 * The values a class made by {@link defineMeasurement} is built from: every tag of `tags` is
 * required, those of `optionalTags` may be left out; fields are optional one by one (at least one
 * needs a value at run time).
 */
export type DefinedInit<
  Tags extends readonly TagSpec[],
  Fields extends Record<string, FieldSpec>,
  TS extends TimestampSpec | undefined,
  Optional extends readonly string[] = [],
> = { [K in TagProperty<Tags[number]>]: string } & { [K in Optional[number]]?: string | null } & {
  [K in keyof Fields]?: FieldValueOf<Fields[K]> | null;
} & (TS extends string | { property: string }
    ? { [K in TimestampProperty<TS>]?: TimestampValue<TS> }
    : unknown);

/** A class made by {@link defineMeasurement}: `new` builds and buffers a point; statics as on SeriesModel. */
export interface DefinedModel<Instance, Init> {
  new (values: Init): Instance;
  readonly prototype: Instance;
  readonly name: string;
  commit(sink?: CommitSink): Promise<void>;
  pending(): Point[];
  pendingLines(): string[];
  reset(): number;
  registry(): SeriesRegistry;
}

/** Options of {@link defineMeasurement}. */
export interface DefineMeasurementOptions<
  Tags extends readonly TagSpec[],
  Fields extends Record<string, FieldSpec>,
  TS extends TimestampSpec | undefined,
  Optional extends readonly string[] = [],
> extends Omit<MeasurementDecoratorOptions, 'name'> {
  /** Measurement name or template (`'events.stats.{server}'`). */
  name: string;
  /** Class name used in messages (default: derived from the name). */
  className?: string;
  /** Required tag properties: a name (tag key = property name) or `{ property, name }` for another key. */
  tags?: Tags;
  /** Optional tag properties (`@Tag({ optional: true })`): left out of the line when missing. */
  optionalTags?: Optional;
  /** Field properties and their types. */
  fields: Fields;
  /** The timestamp property (a `Date` unless `type: 'bigint'`). */
  timestamp?: TS;
}

/**
 * Declares a model without decorators (for toolchains that cannot emit them), with full type
 * inference of the instance and of the values it is built from. Feeds the same metadata as the
 * decorators, so the registry, serializer and query builder treat both alike.
 *
 * ```ts
 * const CpuLoad = defineMeasurement({
 *   name: 'cpu_load',
 *   tags: ['host', 'region'],
 *   optionalTags: ['rack'],
 *   fields: { usage: 'float', cores: 'integer', healthy: 'boolean' },
 *   timestamp: 'time',
 *   bulkSize: 500,
 * });
 * // a tag key that is not a good property name: tags: [{ property: 'dataCenter', name: 'data center' }]
 * type CpuLoad = InstanceType<typeof CpuLoad>; // { host: string; usage: number; time: Date; ... }
 * new CpuLoad({ host: 'a', region: 'eu', usage: 0.5, cores: 4, healthy: true });
 * // cpu_load,host=a,region=eu cores=4i,healthy=true,usage=0.5 1700000000123456789
 * ```
 */
export function defineMeasurement<
  const Tags extends readonly TagSpec[] = [],
  const Fields extends Record<string, FieldSpec> = Record<string, FieldSpec>,
  const TS extends TimestampSpec | undefined = undefined,
  const Optional extends readonly string[] = [],
>(
  definition: DefineMeasurementOptions<Tags, Fields, TS, Optional>,
): DefinedModel<DefinedInstance<Tags, Fields, TS, Optional>, DefinedInit<Tags, Fields, TS, Optional>> {
  if (definition === null || typeof definition !== 'object') {
    throw new InfluxValidationError('defineMeasurement', undefined, 'expects a definition object');
  }
  const { className, tags, optionalTags, fields, timestamp, ...options } = definition;
  const where = `defineMeasurement(${JSON.stringify(definition.name)})`;
  if (fields === null || typeof fields !== 'object') {
    throw new InfluxValidationError(where, 'fields', 'must be an object of field types');
  }
  if (tags !== undefined && !Array.isArray(tags)) {
    throw new InfluxValidationError(where, 'tags', 'must be an array of property names');
  }
  if (optionalTags !== undefined && !Array.isArray(optionalTags)) {
    throw new InfluxValidationError(where, 'optionalTags', 'must be an array of property names');
  }
  const name =
    className ??
    (String(definition.name)
      .replace(/\{[^}]*\}/g, '')
      .replace(/(?:^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, c: string) => c.toUpperCase())
      .replace(/[^A-Za-z0-9]/g, '') ||
      'Model');
  const Cls = class extends SeriesModel {};
  Object.defineProperty(Cls, 'name', { value: name });
  const proto = Cls.prototype as object;
  for (const t of tags ?? []) {
    if (typeof t === 'string') Tag()(proto, t);
    else if (t !== null && typeof t === 'object' && typeof t.property === 'string') {
      Tag({ name: t.name })(proto, t.property);
    } else {
      throw new InfluxValidationError(
        name,
        undefined,
        `tag spec must be a property name or { property, name }, got ${String(t)}`,
      );
    }
  }
  for (const t of optionalTags ?? []) Tag({ optional: true })(proto, t);
  for (const [property, spec] of Object.entries(fields)) {
    if (typeof spec === 'string') Field({ type: spec })(proto, property);
    else if (spec !== null && typeof spec === 'object') Field({ ...spec })(proto, property);
    else
      throw new InfluxValidationError(
        name,
        property,
        `field spec must be a type name or options, got ${String(spec)}`,
      );
  }
  if (timestamp !== undefined) {
    if (typeof timestamp === 'string') Timestamp()(proto, timestamp);
    else Timestamp({ type: timestamp.type ?? 'date' })(proto, timestamp.property);
  }
  // The finished class (see @Measurement): builds, validates, freezes and buffers on `new`.
  return Measurement(options as MeasurementDecoratorOptions)(Cls) as never;
}
