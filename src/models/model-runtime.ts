import { MODEL_CLASS } from '../../decorators/decorator-store.js';
import { InfluxValidationError } from '../errors.js';
import { checkSeriesKey, MAX_SERIES_KEY_BYTES } from '../line-protocol/series-key.js';
import type { ClassBuffer } from '../registry/class-buffer.js';
import { defaultRegistry } from '../registry/default-registry.js';
import { SeriesRegistry } from '../registry/series-registry.js';
import { compileConstructTail } from './construct-codegen.js';
import { getModelCommitOptions, getModelMetadata } from './metadata-builder.js';
import { checkConstraints, declaresConstraints } from './model-constraints.js';
import type { ModelClass, ModelMetadata } from './model-metadata.js';
import { compileSerializer, type ModelSerializer } from './model-serializer.js';

/**
 * How a model instance is built: one path for every class shape.
 *
 * `@Measurement` returns a subclass of the written class (same name; see
 * decorators/decorator-store.ts). Its constructor calls `super(values)`, so the written class's
 * field initialisers run first (with `useDefineForClassFields`, `host!: string` defines `host` as
 * undefined and `region = 'eu'` its default), then hands the instance to {@link constructModel},
 * which assigns the given values over the defaults, checks required tags, serializes (the built-in
 * validation), runs class-validator constraints, freezes and buffers it. The instance is frozen
 * when `new` returns; nothing is proxied, nothing is constructed twice.
 *
 * A decorated subclass of a model finishes the instance itself (its parent's finishing step sees a
 * different `new.target` and leaves it); an undecorated subclass is refused at first use.
 */

export interface ModelRuntime {
  readonly meta: ModelMetadata;
  readonly serialize: ModelSerializer;
  /** The model's properties: tags, fields, then the timestamp (the serializer's value order). */
  readonly properties: readonly string[];
  /** Property name → index in `properties`. */
  readonly propertyIndex: ReadonlyMap<string, number>;
  /** Number of tags (the first entries of `properties`). */
  readonly tagCount: number;
  /** Per tag (by index): true when it may be missing (`@Tag({ optional: true })`). */
  readonly tagOptional: readonly boolean[];
  /**
   * True when no model property is an accessor on the class's prototype chain: the values read
   * from the given object are then the values the instance holds, and are handed to the
   * serializer as they are (instead of being read back from the instance).
   */
  readonly plainValues: boolean;
  /** Scratch space for one construction's values (`scratchBusy` while in use). */
  readonly scratch: unknown[];
  scratchBusy: boolean;
  /** The keys of the last values object, in for-in order, and their property indices. */
  lastKeys: string[];
  lastIndices: number[];
  readonly constraints: boolean;
  readonly registry: SeriesRegistry;
  readonly buffer: ClassBuffer;
  /**
   * Finishes one instance (assigns, validates, freezes, buffers): the class's generated
   * constructor tail (src/models/construct-codegen.ts), or {@link constructGeneric} where code
   * cannot be generated.
   */
  finish: (self: object, values: unknown) => object;
}

const runtimes = new WeakMap<object, ModelRuntime>();
/** Not yet read (distinct from a given `undefined`). */
const MISSING = Symbol('missing');

function buildRuntime(Model: ModelClass): ModelRuntime {
  const meta = getModelMetadata(Model);
  if ((Model as unknown as Record<symbol, unknown>)[MODEL_CLASS] !== Model) {
    throw new InfluxValidationError(
      meta.className,
      undefined,
      'cannot be constructed: it was not finished by @Measurement (it does not extend SeriesModel, or was given its model record another way); extend SeriesModel and decorate the class with @Measurement',
    );
  }
  const options = getModelCommitOptions(Model);
  const registry = (options.registry ?? defaultRegistry) as SeriesRegistry;
  if (!(registry instanceof SeriesRegistry)) {
    throw new InfluxValidationError(
      meta.className,
      undefined,
      '@Measurement option registry must be a SeriesRegistry',
    );
  }
  const properties = [
    ...meta.tags.map((t) => t.property),
    ...meta.fields.map((f) => f.property),
    ...(meta.timestamp ? [meta.timestamp.property] : []),
  ];
  const serialize = serializerOf(Model);
  const rt: ModelRuntime = {
    meta,
    serialize,
    properties,
    propertyIndex: new Map(properties.map((p, i) => [p, i])),
    tagCount: meta.tags.length,
    tagOptional: meta.tags.map((t) => t.optional === true),
    plainValues: properties.every((p) => !isAccessor(Model.prototype, p)),
    scratch: new Array(properties.length),
    scratchBusy: false,
    lastKeys: [],
    lastIndices: [],
    constraints: declaresConstraints(Model),
    finish: (self, values) => constructGeneric(rt, self, values),
    registry,
    buffer: registry.bufferFor(Model, {
      target: {
        className: meta.className,
        database: meta.database,
        retentionPolicy: meta.retentionPolicy,
        precision: meta.precision,
      },
      options: {
        bulkSize: options.bulkSize,
        flushInterval: options.flushInterval,
        maxBatchBytes: options.maxBatchBytes,
        autocommit: options.autocommit,
        sink: options.sink,
        consistency: options.consistency,
      },
      serialize,
    }),
  };
  rt.finish = compileConstructTail(rt, tailHelpers(rt)) ?? rt.finish;
  runtimes.set(Model, rt);
  return rt;
}

/** What a generated constructor tail calls on its rare paths (errors, long keys, constraints). */
function tailHelpers(rt: ModelRuntime) {
  return {
    notObject: (values: unknown): never => notAnObject(rt, values),
    unknownKey: (key: string): never => unknownProperty(rt, key),
    missingTag: (index: number): never => missingTag(rt, rt.properties[index] as string),
    /** Checks a long series key and the class-validator constraints; drops the line on error. */
    check: (target: Record<string, unknown>, start: number): void => checkBuilt(rt, target, start),
    maxLineBytes: rt.constraints ? -1 : MAX_SERIES_KEY_BYTES,
  };
}

export type ConstructTailHelpers = ReturnType<typeof tailHelpers>;

/** True when `key` is an accessor somewhere on the prototype chain from `proto`. */
function isAccessor(proto: object | null, key: string): boolean {
  for (let o = proto; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d !== undefined) return d.get !== undefined || d.set !== undefined;
  }
  return false;
}

const serializers = new WeakMap<object, ModelSerializer>();

/**
 * The compiled serializer of a model class (the one instance -> line function), built at first
 * use; also for model classes that are only read and written through a repository.
 */
export function serializerOf(Model: ModelClass): ModelSerializer {
  let serialize = serializers.get(Model);
  if (serialize === undefined) {
    serialize = compileSerializer(getModelMetadata(Model));
    serializers.set(Model, serialize);
  }
  return serialize;
}

/** The registry buffering a model class, once an instance was built (or a static used). */
export function bufferingRegistry(Model: ModelClass): SeriesRegistry | undefined {
  return runtimes.get(Model)?.registry;
}

/** The compiled runtime of a model class (built at first use). */
export function runtimeOf(Model: ModelClass): ModelRuntime {
  return runtimes.get(Model) ?? buildRuntime(Model);
}

let lastModel: object | undefined;
let lastFinish: ModelRuntime['finish'] | undefined;

/**
 * Finishes one instance: assigns, validates, freezes and buffers it (called by the constructor of
 * the class `@Measurement` made, after the field initialisers ran). Returns the instance.
 */
export function constructModel(Model: ModelClass, self: object, values: unknown): object {
  // The class built last is recognised without a lookup (most loops build one class).
  if (Model === lastModel) return (lastFinish as ModelRuntime['finish'])(self, values);
  const rt = runtimes.get(Model) ?? buildRuntime(Model);
  lastModel = Model;
  lastFinish = rt.finish;
  return rt.finish(self, values);
}

function notAnObject(rt: ModelRuntime, values: unknown): never {
  throw new InfluxValidationError(
    rt.meta.className,
    undefined,
    `expects an object of property values, got ${values === null ? 'null' : typeof values}`,
  );
}

function unknownProperty(rt: ModelRuntime, key: string): never {
  throw new InfluxValidationError(
    rt.meta.className,
    key,
    `is not a tag, field or timestamp of the model (known: ${rt.properties.join(', ')})`,
  );
}

/**
 * The generic constructor tail: the fallback of the generated one (same steps, same errors), for
 * classes whose properties are accessors and where code cannot be generated.
 */
function constructGeneric(rt: ModelRuntime, self: object, values: unknown): object {
  rt.registry.checkAccept(rt.buffer);
  if (values === null || typeof values !== 'object') notAnObject(rt, values);
  const given = values as Record<string, unknown>;
  const props = rt.properties;
  const n = props.length;
  // Read each given value once, in for-in order (fast for the usual plain objects), checking the
  // keys on the way; the keys of the previous values object are recognised without a lookup.
  const vals = rt.scratchBusy ? new Array<unknown>(n) : rt.scratch;
  rt.scratchBusy = true;
  try {
    for (let i = 0; i < n; i++) vals[i] = MISSING;
    const lastKeys = rt.lastKeys;
    const lastIndices = rt.lastIndices;
    let j = 0;
    for (const k in given) {
      let i: number | undefined;
      if (j < lastKeys.length && lastKeys[j] === k) i = lastIndices[j] as number;
      else {
        i = rt.propertyIndex.get(k);
        if (i === undefined) unknownProperty(rt, k);
        if (j < 64) {
          lastKeys[j] = k;
          lastIndices[j] = i;
          lastKeys.length = j + 1;
          lastIndices.length = j + 1;
        }
      }
      vals[i] = given[k];
      j++;
    }
    if (j < lastKeys.length) {
      lastKeys.length = j;
      lastIndices.length = j;
    }
    // Properties the for-in did not see (omitted, or not enumerable) are read as before.
    for (let i = 0; i < n; i++) if (vals[i] === MISSING) vals[i] = given[props[i] as string];
    // Tags: `null` counts as not given (an initialiser default stays); the serializer then reads
    // the instance's value.
    const tagCount = rt.tagCount;
    for (let i = 0; i < tagCount; i++) if (vals[i] === null) vals[i] = undefined;
    const target = self as Record<string, unknown>;
    assign(target, props, vals, n);
    // A required tag needs a value: given, or an initialiser default.
    for (let i = 0; i < tagCount; i++) {
      if (vals[i] !== undefined || rt.tagOptional[i] === true) continue;
      const held = target[props[i] as string];
      if (held === undefined || held === null) missingTag(rt, props[i] as string);
    }
    return finishModel(rt, target, rt.plainValues ? vals : undefined);
  } finally {
    if (vals === rt.scratch) rt.scratchBusy = false;
  }
}

function missingTag(rt: ModelRuntime, property: string): never {
  throw new InfluxValidationError(
    rt.meta.className,
    property,
    `is a required tag and has no value (missing, undefined or null); give it a value, give the property a default (${property} = '…'), or declare it @Tag({ optional: true })`,
  );
}

/**
 * `target[props[i]] = vals[i]` for each value that is not undefined (nor null for a tag: see
 * constructModel), in order. The first eight
 * stores each have their own site: for one class, a site then always adds the same property to
 * the same shape of object (a fast, monomorphic store), where a single loop site would see every
 * property of every class (a slow, megamorphic one).
 */
function assign(
  target: Record<string, unknown>,
  props: readonly string[],
  vals: readonly unknown[],
  n: number,
): void {
  if (n > 0 && vals[0] !== undefined) target[props[0] as string] = vals[0];
  if (n > 1 && vals[1] !== undefined) target[props[1] as string] = vals[1];
  if (n > 2 && vals[2] !== undefined) target[props[2] as string] = vals[2];
  if (n > 3 && vals[3] !== undefined) target[props[3] as string] = vals[3];
  if (n > 4 && vals[4] !== undefined) target[props[4] as string] = vals[4];
  if (n > 5 && vals[5] !== undefined) target[props[5] as string] = vals[5];
  if (n > 6 && vals[6] !== undefined) target[props[6] as string] = vals[6];
  if (n > 7 && vals[7] !== undefined) target[props[7] as string] = vals[7];
  for (let i = 8; i < n; i++) if (vals[i] !== undefined) target[props[i] as string] = vals[i];
}

/** Serializes, checks constraints, freezes and buffers a built instance. */
function finishModel(rt: ModelRuntime, target: Record<string, unknown>, vals: unknown[] | undefined): object {
  const writer = rt.buffer.writer;
  const start = writer.pos;
  rt.serialize(target, writer, vals);
  checkBuilt(rt, target, start);
  Object.freeze(target);
  rt.registry.add(rt.buffer, target);
  return target;
}

/**
 * After the serializer wrote an instance's line from `start`: checks the series key of a long line
 * and the class-validator constraints; on an error the line is dropped and the error thrown.
 */
function checkBuilt(rt: ModelRuntime, target: Record<string, unknown>, start: number): void {
  const writer = rt.buffer.writer;
  if (writer.pos - start > MAX_SERIES_KEY_BYTES) {
    try {
      checkSeriesKey(writer.buf, start, writer.pos, rt.meta.className);
    } catch (e) {
      writer.pos = start;
      throw e;
    }
  }
  if (rt.constraints) {
    try {
      checkConstraints(rt.meta.className, target);
    } catch (e) {
      writer.pos = start;
      throw e;
    }
  }
}
