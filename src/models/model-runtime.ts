import { InfluxValidationError } from '../errors.js';
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
  readonly properties: readonly string[];
  readonly propertySet: ReadonlySet<string>;
  readonly hasOwnFields: boolean;
  readonly constraints: boolean;
  readonly registry: SeriesRegistry;
  readonly buffer: ClassBuffer;
}

const runtimes = new WeakMap<object, ModelRuntime>();
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
    hasOwnFields: Reflect.ownKeys(probe).length > 0,
    constraints: declaresConstraints(Model),
    registry,
    buffer: registry.bufferFor(Model),
  };
  runtimes.set(Model, rt);
  return rt;
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
  for (const k in given) {
    if (!rt.propertySet.has(k)) {
      throw new InfluxValidationError(
        rt.meta.className,
        k,
        `is not a tag, field or timestamp of the model (known: ${rt.properties.join(', ')})`,
      );
    }
  }
  const target = rt.hasOwnFields ? constructPlain(Model, values) : (self as Record<string, unknown>);
  const props = rt.properties;
  for (let i = 0; i < props.length; i++) {
    const p = props[i] as string;
    const v = given[p];
    if (v !== undefined) target[p] = v;
  }
  const writer = rt.buffer.writer;
  const start = writer.pos;
  rt.serialize(target, writer);
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
