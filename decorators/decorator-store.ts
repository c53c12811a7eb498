import type { CommitSink, SeriesRegistryRef, WriteConsistency } from '../src/sink.js';

/**
 * Where the decorators record their raw arguments: a symbol-keyed own property of the class
 * object (legacy decorators), or an own property of the class's `Symbol.metadata` object (TC39
 * decorators: field decorators see the metadata object, not the class). The symbols come from the
 * global registry (`Symbol.for`), so a second copy of this module (two installs of the package in
 * one process) reads and writes the same records, and the key is the class object itself, never
 * its name, so two classes named alike never collide.
 *
 * Nothing is checked here; `getModelMetadata()` (src/models/metadata-builder.ts) compiles the
 * records lazily and reports mistakes at first use.
 *
 * Which standard called a decorator is found at decoration time from its arguments: legacy
 * (`experimentalDecorators`) passes `(prototype, propertyKey)` and `(class)`; TC39 passes
 * `(value, context)` with `context.kind`.
 */

// TC39 decorators hand `context.metadata` only where `Symbol.metadata` exists when the class is
// defined (TypeScript's emitted code checks for it). Node 20 and 22 lack it: define it once, with
// the registry symbol that other polyfills (TypeScript's documentation, core-js) use too.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');
const SYMBOL_METADATA = (Symbol as unknown as { metadata: symbol }).metadata;

/** The field types a model can declare. */
export type FieldTypeName = 'float' | 'integer' | 'string' | 'boolean';

/**
 * Options of `@Measurement`. `name`, `database`, `retentionPolicy` and `precision` describe the
 * series (the schema); the others are commit options, recorded apart from the schema and read
 * only by the registry side.
 */
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
  /** The registry (a `SeriesRegistry`) that buffers this class; the default registry when omitted. */
  registry?: SeriesRegistryRef;
  /**
   * InfluxDB Enterprise write consistency of this class's commits (`?consistency=` of `/write`):
   * `'any' | 'one' | 'quorum' | 'all'`. Overrides the registry's `consistency`; a 1.x OSS server
   * ignores it.
   */
  consistency?: WriteConsistency;
}

/** Options of `@Tag`. */
export interface TagDecoratorOptions {
  /** Tag key in InfluxDB (default: the property name). */
  name?: string;
  /**
   * A tag that may be missing (then left out of the line). Default false: constructing without a
   * value (missing, `undefined` or `null`) and without an initialiser default throws. Declare the
   * property optional too (`region?: string`) so the constructor's type agrees.
   */
  optional?: boolean;
}

/** Options of `@Field`. */
export interface FieldDecoratorOptions {
  /** Field key in InfluxDB (default: the property name). */
  name?: string;
  /**
   * `float`, `integer` (written with the `i` suffix), `string` or `boolean`. May be left out only
   * when the compiler emits `design:type` (legacy decorators with `emitDecoratorMetadata`) for a
   * `string`, `boolean`, `number` (float) or `bigint` (integer) property.
   */
  type?: FieldTypeName;
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

/** The series part of `@Measurement`'s options (what the schema is built from). */
export type SeriesOptionsRecord = Pick<
  MeasurementDecoratorOptions,
  'name' | 'database' | 'retentionPolicy' | 'precision'
>;

/** The commit part of `@Measurement`'s options, recorded apart from the schema. */
export type CommitOptionsRecord = Omit<MeasurementDecoratorOptions, keyof SeriesOptionsRecord>;

const SERIES_KEYS: ReadonlySet<string> = new Set(['name', 'database', 'retentionPolicy', 'precision']);

/** The raw decorator arguments recorded on one class (its own, not inherited). */
export interface DecoratorRecord {
  /**
   * The series part of `@Measurement`'s argument: a name, or the options object's `name`,
   * `database`, `retentionPolicy` and `precision` (any other value, unchecked); `undefined` if absent.
   */
  measurement: string | SeriesOptionsRecord | undefined;
  /** The commit part of `@Measurement`'s options (`bulkSize`, `sink`, `registry`, …), as given. */
  commit: CommitOptionsRecord | undefined;
  /** True once `@Measurement` was applied to this class. */
  measured: boolean;
  /** Property decorators, in the order they ran. */
  readonly members: MemberRecord[];
  /** On a class as written: the model class `@Measurement` made from it (for messages). */
  finishedAs?: object;
}

/** Global key of the own property that holds a class's {@link DecoratorRecord}. */
export const DECORATOR_RECORD: unique symbol = Symbol.for('influx-models.decorators') as never;

/**
 * Global key of the static method a base class (SeriesModel) offers to finish constructing an
 * instance: `@Measurement` on a class that inherits it returns a subclass whose constructor calls it
 * after the class's own field initialisers ran (see src/models/model-runtime.ts).
 */
export const FINISH_CONSTRUCTION: unique symbol = Symbol.for('influx-models.finish-construction') as never;

/**
 * Global key of the static property that names the class `@Measurement` made: on that class it
 * holds the class itself, so `C[MODEL_CLASS] === C` says "C is a finished model class" (a subclass
 * that inherits the property without being decorated is not).
 */
export const MODEL_CLASS: unique symbol = Symbol.for('influx-models.model-class') as never;

/** What a base class's {@link FINISH_CONSTRUCTION} static does: returns the finished instance. */
export type FinishConstruction = (model: object, instance: object, values: unknown) => object;

function emptyRecord(): DecoratorRecord {
  return { measurement: undefined, commit: undefined, measured: false, members: [] };
}

/** The record owned by `cls` itself (not inherited), or undefined. */
export function ownDecoratorRecord(cls: object): DecoratorRecord | undefined {
  if (Object.hasOwn(cls, DECORATOR_RECORD)) {
    return (cls as Record<symbol, unknown>)[DECORATOR_RECORD] as DecoratorRecord;
  }
  // TC39 field decorators of a class without @Measurement: the record stays in its metadata.
  const meta = Object.hasOwn(cls, SYMBOL_METADATA)
    ? ((cls as Record<symbol, unknown>)[SYMBOL_METADATA] as object | null)
    : null;
  if (meta !== null && typeof meta === 'object' && Object.hasOwn(meta, DECORATOR_RECORD)) {
    return (meta as Record<symbol, unknown>)[DECORATOR_RECORD] as DecoratorRecord;
  }
  return undefined;
}

/** The record owned by `holder` (a class, or a TC39 metadata object), created when missing. */
export function decoratorRecordFor(holder: object): DecoratorRecord {
  if (Object.hasOwn(holder, DECORATOR_RECORD)) {
    return (holder as Record<symbol, unknown>)[DECORATOR_RECORD] as DecoratorRecord;
  }
  const record = emptyRecord();
  Object.defineProperty(holder, DECORATOR_RECORD, { value: record, enumerable: false, configurable: true });
  return record;
}

/** A TC39 decorator context (the second argument of a standard decorator). */
interface StandardContext {
  readonly kind: string;
  readonly name: string | symbol;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly metadata?: object;
}

function isStandardContext(value: unknown): value is StandardContext {
  return (
    value !== null && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/** Records `@Measurement`'s argument, split into its series part and its commit part. */
function recordArgument(
  record: DecoratorRecord,
  arg: string | MeasurementDecoratorOptions | undefined,
): void {
  record.measured = true;
  if (arg === null || typeof arg !== 'object') {
    record.measurement = arg;
    return;
  }
  const series: Record<string, unknown> = {};
  const commit: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(arg)) (SERIES_KEYS.has(k) ? series : commit)[k] = v;
  record.measurement = series as SeriesOptionsRecord;
  record.commit = commit as CommitOptionsRecord;
}

/** Thrown for a decorator call that neither standard makes. */
function misuse(decorator: string, detail: string): TypeError {
  return new TypeError(
    `influx-models: ${decorator} ${detail}. It works as a legacy decorator ("experimentalDecorators": true in tsconfig.json, as NestJS uses) and as a standard (TC39) decorator (TypeScript 5+ without experimentalDecorators); parameter decorators and decorators on methods or setters exist only as legacy syntax and are not model members.`,
  );
}

/**
 * Records a member decorator (`@Tag`, `@Field`, `@Timestamp`) called by either standard:
 * legacy `(prototype, key)` or TC39 `(undefined, context)` for a field, accessor or getter.
 */
export function recordMember(
  decorator: string,
  make: (property: string) => MemberRecord,
  target: unknown,
  keyOrContext: unknown,
): void {
  if (isStandardContext(keyOrContext)) {
    const c = keyOrContext;
    if (c.kind !== 'field' && c.kind !== 'accessor' && c.kind !== 'getter') {
      throw misuse(decorator, `decorates a class property, not a ${c.kind} (${String(c.name)})`);
    }
    if (c.private === true || typeof c.name !== 'string') {
      throw misuse(decorator, `decorates a public, string-named property, not ${String(c.name)}`);
    }
    if (c.metadata === undefined || c.metadata === null) {
      throw misuse(decorator, 'got no decorator metadata object (context.metadata) from the compiler');
    }
    decoratorRecordFor(c.metadata).members.push(make(c.name));
    return;
  }
  if ((typeof target === 'object' && target !== null) || typeof target === 'function') {
    if (typeof keyOrContext === 'string') {
      const cls = typeof target === 'function' ? target : (target as { constructor: object }).constructor;
      decoratorRecordFor(cls).members.push(make(keyOrContext));
      return;
    }
    if (typeof keyOrContext === 'number' || keyOrContext === undefined) {
      throw misuse(decorator, 'was applied to a constructor or method parameter');
    }
  }
  throw misuse(
    decorator,
    `was called with (${typeOfArg(target)}, ${typeOfArg(keyOrContext)}), which neither decorator standard passes; if the compiler reported TS1240 or TS1270, check "experimentalDecorators" in tsconfig.json`,
  );
}

function typeOfArg(v: unknown): string {
  return v === null ? 'null' : typeof v;
}

/**
 * Records `@Measurement` called by either standard, and finishes the class: when the class
 * inherits a {@link FINISH_CONSTRUCTION} static (it extends SeriesModel), returns a subclass that
 * keeps the class's name and whose constructor, once the class's own field initialisers have run
 * (that is, after `super()`), hands the instance to it. Otherwise the class is returned as it is
 * (a model used for queries only).
 */
export function recordMeasurement(
  nameOrOptions: string | MeasurementDecoratorOptions | undefined,
  target: unknown,
  context: unknown,
): unknown {
  if (typeof target !== 'function') {
    throw misuse('@Measurement', `decorates a class, not ${typeOfArg(target)}`);
  }
  if (isStandardContext(context) && context.kind !== 'class') {
    throw misuse('@Measurement', `decorates a class, not a ${context.kind}`);
  }
  if (context !== undefined && !isStandardContext(context)) {
    throw misuse('@Measurement', 'decorates a class, not a property or parameter');
  }
  const standard = isStandardContext(context);
  // TC39: the member records of the class sit in its metadata object; move them onto the class
  // (a copy of the array: the metadata object is the prototype of the subclasses' metadata).
  const members =
    standard && context.metadata !== undefined && Object.hasOwn(context.metadata, DECORATOR_RECORD)
      ? ((context.metadata as Record<symbol, DecoratorRecord>)[DECORATOR_RECORD] as DecoratorRecord).members
      : [];
  const own = decoratorRecordFor(target);
  if (members.length > 0 && own.members !== members) own.members.push(...members);
  const finish = (target as unknown as Record<symbol, unknown>)[FINISH_CONSTRUCTION];
  if (typeof finish !== 'function') {
    recordArgument(own, nameOrOptions);
    return undefined;
  }
  const base = target as new (values: unknown) => object;
  const finishConstruction = finish as FinishConstruction;
  // The finished class: the class's own record (its members) stays on `base`; the @Measurement
  // record goes onto the finished class, so that a subclass of it must be decorated itself.
  const Model = class extends base {
    constructor(values: unknown) {
      super(values);
      // biome-ignore lint/correctness/noConstructorReturn: the base class hands back the finished instance
      if (new.target === Model) return finishConstruction(Model, this, values);
      // A decorated subclass finishes the instance itself, after its own initialisers; an
      // undecorated one is refused (the finishing step names it).
      const Sub = new.target as unknown as Record<symbol, unknown>;
      // biome-ignore lint/correctness/noConstructorReturn: see above
      if (Sub[MODEL_CLASS] !== Sub) return finishConstruction(new.target, this, values);
    }
  };
  Object.defineProperty(Model, 'name', { value: base.name, configurable: true });
  Object.defineProperty(Model, MODEL_CLASS, { value: Model, enumerable: false });
  recordArgument(decoratorRecordFor(Model), nameOrOptions);
  own.finishedAs = Model;
  return Model;
}
