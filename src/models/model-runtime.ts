import { InfluxValidationError } from '../errors.js';
import { checkSeriesKey, MAX_SERIES_KEY_BYTES } from '../line-protocol/series-key.js';
import type { ClassBuffer } from '../registry/class-buffer.js';
import { defaultRegistry } from '../registry/default-registry.js';
import type { SeriesRegistry } from '../registry/series-registry.js';
import { getModelCommitOptions, getModelMetadata } from './metadata-builder.js';
import { checkConstraints, declaresConstraints } from './model-constraints.js';
import type { ModelClass, ModelMetadata } from './model-metadata.js';
import { compileSerializer, type ModelSerializer } from './model-serializer.js';

/**
 * How a model instance is built (see SeriesModel's constructor).
 *
 * With `useDefineForClassFields` (the TypeScript default), every field a subclass declares
 * (`host!: string`, `region = 'eu'`) is redefined on the instance after the base constructor
 * returns, wiping what it assigned. So:
 *
 * - A class whose chain declares no instance fields (fields declared with `declare`, classes made
 *   by `defineMeasurement`, or code compiled without define semantics) is built in place: the base
 *   constructor assigns, validates, freezes and buffers `this`. This is the fast path.
 * - Otherwise the base constructor first builds the real instance with a nested construction of
 *   the same class (so field initialisers and their defaults run on it), assigns the given values
 *   over the defaults, validates, buffers it, and returns a Proxy of it whose only traps refuse
 *   assignment and deletion and ignore the field definitions that the outer construction then
 *   performs. The real instance is frozen at the end of the current job (a microtask), after which
 *   `Object.isFrozen(instance)` is true too. Property reads are not trapped.
 *
 * Which path a class takes is found once, by constructing a probe instance without values.
 */

export interface ModelRuntime {
  readonly meta: ModelMetadata;
  readonly serialize: ModelSerializer;
  /** The model's properties: tags, fields, then the timestamp (the serializer's value order). */
  readonly properties: readonly string[];
  readonly propertySet: ReadonlySet<string>;
  /** Property name → index in `properties`. */
  readonly propertyIndex: ReadonlyMap<string, number>;
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
  readonly hasOwnFields: boolean;
  readonly constraints: boolean;
  readonly registry: SeriesRegistry;
  readonly buffer: ClassBuffer;
}

const runtimes = new WeakMap<object, ModelRuntime>();
/** Not yet read (distinct from a given `undefined`). */
const MISSING = Symbol('missing');
let plain = false;

/** Called first by SeriesModel's constructor: true when this construction must only run initialisers. */
export function consumePlainConstruction(): boolean {
  if (!plain) return false;
  plain = false;
  return true;
}

function constructPlain(Model: ModelClass, values: unknown): Record<string, unknown> {
  plain = true;
  try {
    return Reflect.construct(Model, [values]) as Record<string, unknown>;
  } finally {
    plain = false;
  }
}

function buildRuntime(Model: ModelClass): ModelRuntime {
  const meta = getModelMetadata(Model);
  const options = getModelCommitOptions(Model);
  const registry = options.registry ?? defaultRegistry;
  const properties = [
    ...meta.tags.map((t) => t.property),
    ...meta.fields.map((f) => f.property),
    ...(meta.timestamp ? [meta.timestamp.property] : []),
  ];
  const probe = constructPlain(Model, {});
  const rt: ModelRuntime = {
    meta,
    serialize: compileSerializer(meta),
    properties,
    propertySet: new Set(properties),
    propertyIndex: new Map(properties.map((p, i) => [p, i])),
    plainValues: properties.every((p) => !isAccessor(Model.prototype, p)),
    scratch: new Array(properties.length),
    scratchBusy: false,
    lastKeys: [],
    lastIndices: [],
    hasOwnFields: Reflect.ownKeys(probe).length > 0,
    constraints: declaresConstraints(Model),
    registry,
    buffer: registry.bufferFor(Model),
  };
  runtimes.set(Model, rt);
  return rt;
}

/** True when `key` is an accessor somewhere on the prototype chain from `proto`. */
function isAccessor(proto: object | null, key: string): boolean {
  for (let o = proto; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d !== undefined) return d.get !== undefined || d.set !== undefined;
  }
  return false;
}

/** The compiled runtime of a model class (built at first use). */
export function runtimeOf(Model: ModelClass): ModelRuntime {
  return runtimes.get(Model) ?? buildRuntime(Model);
}

const immutable: ProxyHandler<Record<string, unknown>> = {
  set(_target, key) {
    throw new TypeError(`Cannot assign to '${String(key)}': model instances are immutable`);
  },
  deleteProperty(_target, key) {
    throw new TypeError(`Cannot delete '${String(key)}': model instances are immutable`);
  },
  defineProperty(target, key, descriptor) {
    // Field definitions of the outer construction are ignored; once frozen, the target refuses.
    return Object.isFrozen(target) ? Reflect.defineProperty(target, key, descriptor) : true;
  },
  setPrototypeOf() {
    return false;
  },
};

let toFreeze: object[] = [];
function freezeScheduled(): void {
  const list = toFreeze;
  toFreeze = [];
  for (let i = 0; i < list.length; i++) Object.freeze(list[i]);
}

/** Builds, validates, freezes and buffers one instance (the body of SeriesModel's constructor). */
export function constructModel(Model: ModelClass, self: object, values: unknown): object {
  const rt = runtimeOf(Model);
  rt.registry.checkAccept(rt.buffer);
  if (values === null || typeof values !== 'object') {
    throw new InfluxValidationError(
      rt.meta.className,
      undefined,
      `expects an object of property values, got ${values === null ? 'null' : typeof values}`,
    );
  }
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
        if (i === undefined) {
          throw new InfluxValidationError(
            rt.meta.className,
            k,
            `is not a tag, field or timestamp of the model (known: ${props.join(', ')})`,
          );
        }
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
    const target = rt.hasOwnFields ? constructPlain(Model, values) : (self as Record<string, unknown>);
    assign(target, props, vals, n);
    return finishModel(rt, target, rt.plainValues ? vals : undefined);
  } finally {
    if (vals === rt.scratch) rt.scratchBusy = false;
  }
}

/**
 * `target[props[i]] = vals[i]` for each value that is not undefined, in order. The first eight
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

/** Serializes, checks constraints, freezes (or proxies) and buffers a built instance. */
function finishModel(rt: ModelRuntime, target: Record<string, unknown>, vals: unknown[] | undefined): object {
  const writer = rt.buffer.writer;
  const start = writer.pos;
  rt.serialize(target, writer, vals);
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
  let instance: object;
  if (rt.hasOwnFields) {
    instance = new Proxy(target, immutable);
    if (toFreeze.length === 0) queueMicrotask(freezeScheduled);
    toFreeze.push(target);
  } else {
    instance = Object.freeze(target);
  }
  rt.registry.add(rt.buffer, instance);
  return instance;
}
