import { installReflectMetadata } from '../src/lazy-require.js';
import { type MeasurementDecoratorOptions, recordMeasurement } from './decorator-store.js';
import type { ModelClassDecorator } from './member-decorator.js';

/**
 * Declares a model class as an InfluxDB measurement. Records its argument on the class; nothing is
 * checked until the class is first used (then `getModelMetadata()` reports mistakes naming the class
 * and the property). Works with legacy (`experimentalDecorators`) and standard (TC39) decorators.
 *
 * On a class that extends `SeriesModel` it returns the finished model class: a subclass with the
 * same name whose constructor, after the class's own field initialisers have run, assigns the given
 * values over the defaults, validates, freezes and buffers the instance. `new CpuLoad(...)` is then
 * frozen when it returns; `instanceof`, statics and `CpuLoad.name` behave as on the written class.
 *
 * ```ts
 * @Measurement({ name: 'cpu_load', bulkSize: 500 })
 * class CpuLoad extends SeriesModel<CpuLoad> {
 *   @Tag() host!: string;
 *   @Field('float') usage!: number;
 * }
 * new CpuLoad({ host: 'a', usage: 0.5 });
 * // buffered line: cpu_load,host=a usage=0.5 1700000000123456789
 * ```
 *
 * A name may be a template filled from the instance: `@Measurement('events.stats.{serverName}')`.
 */
export function Measurement(nameOrOptions?: string | MeasurementDecoratorOptions): ModelClassDecorator {
  installReflectMetadata(); // before TypeScript's design:* helpers run (see lazy-require.ts)
  return ((target: unknown, context?: unknown) =>
    recordMeasurement(nameOrOptions, target, context)) as ModelClassDecorator;
}
