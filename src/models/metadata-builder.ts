import {
  type CommitOptionsRecord,
  type DecoratorRecord,
  type FieldDecoratorOptions,
  type MemberRecord,
  ownDecoratorRecord,
  type SeriesOptionsRecord,
} from '../../decorators/decorator-store.js';
import { checkConsistency } from '../client/write-consistency.js';
import { InfluxValidationError } from '../errors.js';
import { escapeFieldKey, escapeMeasurement, escapeTag } from '../line-protocol/escape.js';
import { checkPrecision } from '../line-protocol/precision.js';
import { type CommitSink, SERIES_REGISTRY, type SeriesRegistryRef, type WriteConsistency } from '../sink.js';
import type {
  FieldMetadata,
  IntegerRepresentation,
  ModelClass,
  ModelFieldType,
  ModelMetadata,
  TagMetadata,
  TimestampMetadata,
} from './model-metadata.js';

/**
 * Commit options a model class declares through `@Measurement` (undefined: the registry's). A
 * record apart from the schema ({@link ModelMetadata}): the registry side reads it, the schema
 * never holds a sink or a registry.
 */
export interface ModelCommitOptions {
  readonly bulkSize: number | undefined;
  readonly flushInterval: number | undefined;
  readonly maxBatchBytes: number | undefined;
  readonly autocommit: boolean | undefined;
  readonly sink: CommitSink | undefined;
  readonly registry: SeriesRegistryRef | undefined;
  readonly consistency: WriteConsistency | undefined;
}

const FIELD_TYPES: ReadonlySet<string> = new Set(['float', 'integer', 'string', 'boolean']);
const TEMPLATE_PART = /\{([^{}]*)\}/g;

const metadataCache = new WeakMap<object, ModelMetadata>();
const commitOptionsCache = new WeakMap<object, ModelCommitOptions>();
const failures = new WeakMap<object, InfluxValidationError>();

function className(cls: object): string {
  const name = (cls as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : '(anonymous model)';
}

/** Records of the class and its ancestors, base first. */
function recordChain(cls: object): Array<{ cls: object; record: DecoratorRecord }> {
  const chain: Array<{ cls: object; record: DecoratorRecord }> = [];
  let c: object | null = cls;
  let guard = 0;
  while (c !== null && c !== Function.prototype && guard++ < 1000) {
    const record = ownDecoratorRecord(c);
    if (record !== undefined) chain.unshift({ cls: c, record });
    c = Object.getPrototypeOf(c) as object | null;
  }
  return chain;
}

function designType(cls: object, property: string): unknown {
  const R = Reflect as unknown as { getMetadata?: (k: string, t: object, p: string) => unknown };
  if (typeof R.getMetadata !== 'function') return undefined;
  const proto = (cls as { prototype?: object }).prototype;
  return proto === undefined ? undefined : R.getMetadata('design:type', proto, property);
}

function typeName(dt: unknown): string {
  const name = typeof dt === 'function' ? (dt as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name !== '' ? name : String(dt);
}

/** `@Measurement({ consistency })`: checked with the client's one check, reported on the class. */
function consistencyOption(value: unknown, where: string): WriteConsistency | undefined {
  if (value === undefined) return undefined;
  try {
    return checkConsistency(value, '@Measurement option consistency');
  } catch (e) {
    throw new InfluxValidationError(where, undefined, (e as Error).message);
  }
}

function positiveInt(value: unknown, where: string, option: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new InfluxValidationError(
      where,
      undefined,
      `@Measurement option ${option} must be ${allowZero ? 'a non-negative' : 'a positive'} integer, got ${String(value)}`,
    );
  }
  return value;
}

function resolveFieldType(
  cls: object,
  where: string,
  property: string,
  options: FieldDecoratorOptions | undefined,
): { type: ModelFieldType; integerAs: IntegerRepresentation } {
  const dt = designType(cls, property);
  let type = options?.type as string | undefined;
  if (type !== undefined && !FIELD_TYPES.has(type)) {
    throw new InfluxValidationError(
      where,
      property,
      `field type ${JSON.stringify(type)} is unknown; use 'float', 'integer', 'string' or 'boolean'`,
    );
  }
  if (type === undefined) {
    if (dt === Number) type = 'float';
    else if (dt === String) type = 'string';
    else if (dt === Boolean) type = 'boolean';
    else if (dt === BigInt) type = 'integer';
    else {
      throw new InfluxValidationError(
        where,
        property,
        dt === undefined
          ? `field type is not declared and the compiler emitted no type metadata (design:type) for it; declare the type as one of 'float', 'integer', 'string' or 'boolean', e.g. @Field({ type: 'integer' }) or @Field('string'), or compile with "experimentalDecorators": true and "emitDecoratorMetadata": true (legacy decorators) so that a string, boolean, number (float) or bigint (integer) property is typed from its declaration`
          : `field type is not declared and its declared TypeScript type (${typeName(dt)}) does not say one; declare the type as one of 'float', 'integer', 'string' or 'boolean', e.g. @Field({ type: 'integer' }) or @Field('string') (with "emitDecoratorMetadata", only a string, boolean, number or bigint property is typed from its declaration)`,
      );
    }
  }
  let integerAs: IntegerRepresentation = 'number';
  const as = options?.integerAs;
  if (as !== undefined) {
    if (as !== 'number' && as !== 'bigint') {
      throw new InfluxValidationError(
        where,
        property,
        `integerAs ${JSON.stringify(as)} is unknown; use 'number' or 'bigint'`,
      );
    }
    if (type !== 'integer') {
      throw new InfluxValidationError(where, property, `integerAs applies to integer fields, not ${type}`);
    }
    integerAs = as;
  } else if (type === 'integer' && dt === BigInt) {
    integerAs = 'bigint';
  }
  return { type: type as ModelFieldType, integerAs };
}

function build(cls: ModelClass): { meta: ModelMetadata; options: ModelCommitOptions } {
  const where = className(cls);
  const chain = recordChain(cls);
  const measured = ownDecoratorRecord(cls);
  if (measured === undefined || !measured.measured) {
    // A class is a model only when @Measurement made it (or was applied to it): a subclass of a
    // model that is not decorated itself would silently write its parent's series.
    if (measured?.finishedAs !== undefined) {
      throw new InfluxValidationError(
        where,
        undefined,
        'is the class as written; @Measurement returned the model class to use (a subclass of the same name). Applied by hand, use what it returns: const Model = Measurement(options)(WrittenClass)',
      );
    }
    let parent: { cls: object; record: DecoratorRecord } | undefined;
    for (const link of chain) if (link.record.measured && link.cls !== cls) parent = link;
    if (parent !== undefined) {
      throw new InfluxValidationError(
        where,
        undefined,
        `extends the model ${className(parent.cls)} but is not decorated with @Measurement itself; decorate it (e.g. @Measurement('${className(parent.cls)}') to write the same measurement) to make it a model`,
      );
    }
    throw new InfluxValidationError(
      where,
      undefined,
      'is not a measurement: decorate it with @Measurement(...) or create it with defineMeasurement(...)',
    );
  }

  // Resolve members through inheritance: a subclass re-declaring a property replaces it.
  const members = new Map<string, MemberRecord>();
  for (const { record } of chain) {
    const own = new Map<string, MemberRecord>();
    for (const m of record.members) {
      const prev = own.get(m.property);
      if (prev !== undefined) {
        if (prev.kind === m.kind) {
          throw new InfluxValidationError(where, m.property, `is decorated with @${cap(m.kind)} twice`);
        }
        throw new InfluxValidationError(
          where,
          m.property,
          `is declared both as ${prev.kind} and as ${m.kind}; a property is one of tag, field or timestamp`,
        );
      }
      own.set(m.property, m);
    }
    for (const [p, m] of own) {
      members.delete(p);
      members.set(p, m);
    }
  }

  const tags: TagMetadata[] = [];
  const fields: FieldMetadata[] = [];
  let timestamp: TimestampMetadata | undefined;
  const tagKeys = new Map<string, string>();
  const fieldKeys = new Map<string, string>();
  for (const m of members.values()) {
    if (m.kind === 'timestamp') {
      if (timestamp !== undefined) {
        throw new InfluxValidationError(
          where,
          m.property,
          `is a second @Timestamp (${timestamp.property} is one already); a model has at most one`,
        );
      }
      let type = m.options?.type as string | undefined;
      if (type === undefined) type = designType(cls, m.property) === BigInt ? 'bigint' : 'date';
      if (type !== 'date' && type !== 'bigint') {
        throw new InfluxValidationError(
          where,
          m.property,
          `timestamp type ${JSON.stringify(type)} is unknown; use 'date' or 'bigint'`,
        );
      }
      timestamp = Object.freeze({ property: m.property, type });
      continue;
    }
    const key = m.options?.name ?? m.property;
    if (typeof key !== 'string' || key === '') {
      throw new InfluxValidationError(where, m.property, `${m.kind} key must be a non-empty string`);
    }
    if (key === 'time') {
      throw new InfluxValidationError(
        where,
        m.property,
        `${m.kind} key 'time' is reserved by InfluxDB; name it otherwise (e.g. @${cap(m.kind)}({ name: 'time_' }))`,
      );
    }
    if (m.kind === 'tag') {
      if (tagKeys.has(key)) {
        throw new InfluxValidationError(
          where,
          m.property,
          `tag key ${JSON.stringify(key)} is also used by ${tagKeys.get(key)}`,
        );
      }
      escapeTag(key, where, m.property, 'key');
      tagKeys.set(key, m.property);
      const optional = m.options?.optional;
      if (optional !== undefined && typeof optional !== 'boolean') {
        throw new InfluxValidationError(where, m.property, '@Tag option optional must be a boolean');
      }
      tags.push(Object.freeze({ property: m.property, key, optional: optional === true }));
    } else {
      if (fieldKeys.has(key)) {
        throw new InfluxValidationError(
          where,
          m.property,
          `field key ${JSON.stringify(key)} is also used by ${fieldKeys.get(key)}`,
        );
      }
      escapeFieldKey(key, `${where}.${m.property}`);
      const { type, integerAs } = resolveFieldType(cls, where, m.property, m.options);
      fieldKeys.set(key, m.property);
      fields.push(Object.freeze({ property: m.property, key, type, integerAs }));
    }
  }
  for (const [key, property] of fieldKeys) {
    if (tagKeys.has(key)) {
      throw new InfluxValidationError(
        where,
        property,
        `key ${JSON.stringify(key)} is both a tag (${tagKeys.get(key)}) and a field; InfluxDB queries could not tell them apart`,
      );
    }
  }
  if (fields.length === 0) {
    throw new InfluxValidationError(
      where,
      undefined,
      'declares no @Field; InfluxDB cannot store a point without fields (compiled without experimentalDecorators, decorators on `declare` fields are not applied: TC39 decorators cannot decorate them, tsc reports TS1206; write `usage!: number` instead, or turn experimentalDecorators on)',
    );
  }

  const raw = measured.measurement;
  if (raw !== undefined && typeof raw !== 'string' && (raw === null || typeof raw !== 'object')) {
    throw new InfluxValidationError(where, undefined, '@Measurement takes a name or an options object');
  }
  const opts: SeriesOptionsRecord & CommitOptionsRecord = {
    ...(raw === undefined ? {} : typeof raw === 'string' ? { name: raw } : raw),
    ...measured.commit,
  };
  const name = opts.name ?? where;
  if (typeof name !== 'string' || name === '') {
    throw new InfluxValidationError(where, undefined, '@Measurement name must be a non-empty string');
  }
  const templateProperties: string[] = [];
  for (const match of name.matchAll(TEMPLATE_PART)) {
    const p = match[1] as string;
    if (!members.has(p) || members.get(p)?.kind === 'timestamp') {
      throw new InfluxValidationError(
        where,
        p,
        `measurement template ${JSON.stringify(name)} reads {${p}}, which is not a tag or field of the model`,
      );
    }
    templateProperties.push(p);
  }
  if (templateProperties.length === 0) escapeMeasurement(name, where);
  let precision: ModelMetadata['precision'] = 'n';
  if (opts.precision !== undefined) {
    try {
      precision = checkPrecision(opts.precision, `${where} @Measurement precision`);
    } catch (e) {
      throw new InfluxValidationError(where, undefined, (e as Error).message);
    }
  }
  for (const k of ['database', 'retentionPolicy'] as const) {
    const v = opts[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw new InfluxValidationError(
        where,
        undefined,
        `@Measurement option ${k} must be a non-empty string`,
      );
    }
  }
  if (opts.autocommit !== undefined && typeof opts.autocommit !== 'boolean') {
    throw new InfluxValidationError(where, undefined, '@Measurement option autocommit must be a boolean');
  }
  if (opts.sink !== undefined && typeof (opts.sink as { commit?: unknown })?.commit !== 'function') {
    throw new InfluxValidationError(
      where,
      undefined,
      '@Measurement option sink must implement commit(batch)',
    );
  }
  if (
    opts.registry !== undefined &&
    (opts.registry as unknown as Record<symbol, unknown>)?.[SERIES_REGISTRY] !== true
  ) {
    throw new InfluxValidationError(
      where,
      undefined,
      '@Measurement option registry must be a SeriesRegistry',
    );
  }
  const options: ModelCommitOptions = Object.freeze({
    bulkSize: positiveInt(opts.bulkSize, where, 'bulkSize'),
    flushInterval: positiveInt(opts.flushInterval, where, 'flushInterval', true),
    maxBatchBytes: positiveInt(opts.maxBatchBytes, where, 'maxBatchBytes'),
    autocommit: opts.autocommit,
    sink: opts.sink,
    registry: opts.registry,
    consistency: consistencyOption(opts.consistency, where),
  });

  const allProperties = [
    ...tags.map((t) => t.property),
    ...fields.map((f) => f.property),
    ...(timestamp ? [timestamp.property] : []),
  ];
  const proto = (cls as unknown as { prototype: object }).prototype;
  const meta: ModelMetadata = Object.freeze({
    model: cls,
    className: where,
    measurement: name,
    templateProperties: Object.freeze(templateProperties),
    database: opts.database,
    retentionPolicy: opts.retentionPolicy,
    precision,
    tags: Object.freeze(tags),
    fields: Object.freeze(fields),
    timestamp,
    tagsByProperty: new Map(tags.map((t) => [t.property, t])),
    fieldsByProperty: new Map(fields.map((f) => [f.property, f])),
    hydrate(values: Record<string, unknown>) {
      const o = Object.create(proto) as Record<string, unknown>;
      for (const p of allProperties) o[p] = values[p];
      return Object.freeze(o);
    },
  });
  return { meta, options };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function compile(Model: ModelClass): void {
  if (typeof Model !== 'function') {
    throw new InfluxValidationError(
      'getModelMetadata',
      undefined,
      `expects a model class, got ${typeof Model}`,
    );
  }
  const failed = failures.get(Model);
  if (failed !== undefined) throw failed;
  try {
    const { meta, options } = build(Model);
    metadataCache.set(Model, meta);
    commitOptionsCache.set(Model, options);
  } catch (e) {
    if (e instanceof InfluxValidationError) failures.set(Model, e);
    throw e;
  }
}

/**
 * The compiled, frozen metadata of a model class (built once, at first use, from what the
 * decorators or `defineMeasurement` recorded). Throws {@link InfluxValidationError} naming the class
 * and property for a mistake in the model; the same error is thrown again on later uses.
 *
 * ```ts
 * const meta = getModelMetadata(CpuLoad);
 * meta.measurement; // 'cpu_load'
 * meta.fields.map((f) => `${f.key}:${f.type}`); // ['usage:float', 'cores:integer', ...]
 * ```
 */
export function getModelMetadata<T extends object>(Model: ModelClass<T>): ModelMetadata<T> {
  let meta = metadataCache.get(Model);
  if (meta === undefined) {
    compile(Model);
    meta = metadataCache.get(Model) as ModelMetadata;
  }
  return meta as ModelMetadata<T>;
}

/** The commit options `@Measurement` declared for a class (internal to the registry). */
export function getModelCommitOptions(Model: ModelClass): ModelCommitOptions {
  let options = commitOptionsCache.get(Model);
  if (options === undefined) {
    compile(Model);
    options = commitOptionsCache.get(Model) as ModelCommitOptions;
  }
  return options;
}
