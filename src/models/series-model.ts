import { FINISH_CONSTRUCTION, MODEL_CLASS } from '../../decorators/decorator-store.js';
import type { Point } from '../line-protocol/make-lines.js';
import type { SeriesRegistry } from '../registry/series-registry.js';
import type { CommitSink } from '../sink.js';
import type { ModelClass } from './model-metadata.js';
import { constructModel, runtimeOf } from './model-runtime.js';

type DataKeys<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? never : K;
}[keyof T];

/**
 * The values a model is built from: its data properties, optional where the class says so, and
 * optional too for the properties named in `D` (those with an initialiser default, e.g.
 * `class Cpu extends SeriesModel<Cpu, 'region'> { @Tag() region = 'eu'; }`).
 */
export type ModelInit<T, D extends keyof T = never> = Omit<Pick<T, DataKeys<T>>, D> &
  Partial<Pick<T, D & DataKeys<T>>>;

/**
 * Base class of decorator-declared series models: the seed's `SeriesHelper`, evolved.
 * Building an instance validates it (types, keys the line protocol can carry, class-validator
 * constraints when the class declares some), assigns the current time when it has none, freezes
 * it and hands it to its class's buffer in the registry, which commits in bulk.
 *
 * ```ts
 * @Measurement({ name: 'cpu_load', bulkSize: 500 })
 * class CpuLoad extends SeriesModel<CpuLoad, 'region'> { // 'region' has a default
 *   @Tag() host!: string;
 *   @Tag() region = 'eu';
 *   @Field() usage!: number;
 *   @Field({ type: 'integer' }) cores!: number;
 *   @Timestamp() time?: Date;
 * }
 * const p = new CpuLoad({ host: 'a', usage: 0.5, cores: 4 });
 * // pending line: cpu_load,host=a,region=eu cores=4i,usage=0.5 1700000000123456789
 * p.host = 'b'; // TypeError: instances are immutable
 * CpuLoad.pending(); // [{ measurement: 'cpu_load', tags: { host: 'a', region: 'eu' }, fields: {...}, time: 1700000000123456789n }]
 * await CpuLoad.commit(); // write now
 * ```
 *
 * Errors: {@link InfluxValidationError} (naming the class and property) for a bad value or a
 * mistake in the model, `InfluxBufferFullError` when the registry holds `maxPending` points,
 * `InfluxClosedError` after `registry.close()`. In every case nothing was buffered.
 *
 * Defaults go in field initialisers (`region = 'eu'`); a given value wins over a default. A
 * decorated subclass of a model adds or overrides properties and is a model of its own (its own
 * buffer; `@Measurement` again); an undecorated subclass of a model is refused at first use.
 */
export abstract class SeriesModel<T extends object = object, D extends keyof T = never> {
  // biome-ignore lint/correctness/noUnusedFunctionParameters: the values are read once the subclass's initialisers ran
  constructor(values: ModelInit<T, D>) {
    // The class @Measurement made finishes the instance after the initialisers (FINISH_CONSTRUCTION
    // below). A class it did not make (no @Measurement, or an undecorated subclass of a model) is
    // refused here, naming the class, before anything is buffered.
    const Model = new.target as unknown as Record<symbol, unknown>;
    if (Model[MODEL_CLASS] === undefined) runtimeOf(new.target as ModelClass);
  }

  /**
   * Called by the constructor of the class `@Measurement` made (decorators/decorator-store.ts),
   * after the field initialisers ran: assigns, validates, freezes and buffers the instance.
   * Internal.
   *
   * ```ts
   * // what `new Cpu({ host: 'a', usage: 0.5 })` runs once Cpu's initialisers are done:
   * return Cpu[FINISH_CONSTRUCTION](Cpu, this, values); // frozen, buffered: cpu,host=a usage=0.5 <now>
   * ```
   */
  static [FINISH_CONSTRUCTION](model: ModelClass, instance: object, values: unknown): object {
    return constructModel(model, instance, values);
  }

  /**
   * Writes this class's pending points now and waits for its batches in flight; `sink` (e.g. an
   * `InfluxDBClient`) wins over the configured sink. Rejects with the write's error.
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4, time: new Date(1000) });
   * await Cpu.commit(); // POST /write?db=…&precision=n   cpu,host=a cores=4i,usage=0.5 1000000000
   * await Cpu.commit(otherClient); // or through a given sink
   * ```
   */
  static commit(this: ModelClass, sink?: CommitSink): Promise<void> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the model subclass the static is called on
    return runtimeOf(this).registry.commit(this, sink);
  }

  /**
   * The points waiting in this class's buffer (the seed's `_json_body_`).
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4, time: new Date(1000) });
   * Cpu.pending();
   * // [{ measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 0.5, cores: 4n }, time: 1000000000n }]
   * ```
   */
  static pending(this: ModelClass): Point[] {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the model subclass the static is called on
    return runtimeOf(this).registry.pending(this);
  }

  /**
   * The line protocol waiting in this class's buffer, one line per point.
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4, time: new Date(1000) });
   * Cpu.pendingLines(); // ['cpu,host=a cores=4i,usage=0.5 1000000000']
   * ```
   */
  static pendingLines(this: ModelClass): string[] {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the model subclass the static is called on
    return runtimeOf(this).registry.pendingLines(this);
  }

  /**
   * Empties this class's buffer; returns how many points were dropped.
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4 });
   * Cpu.reset(); // 1
   * Cpu.pendingLines(); // []
   * ```
   */
  static reset(this: ModelClass): number {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the model subclass the static is called on
    return runtimeOf(this).registry.reset(this);
  }

  /**
   * The registry that buffers this class.
   *
   * ```ts
   * Cpu.registry() === defaultRegistry; // true unless @Measurement({ registry }) names another
   * await Cpu.registry().flush();
   * ```
   */
  static registry(this: ModelClass): SeriesRegistry {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the model subclass the static is called on
    return runtimeOf(this).registry;
  }
}
