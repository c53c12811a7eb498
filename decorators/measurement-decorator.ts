import { decoratorRecordFor, type MeasurementDecoratorOptions } from './decorator-store.js';

/**
 * Declares a model class as an InfluxDB measurement. Records its argument on the class; nothing is
 * checked until the class is first used (then `getModelMetadata()` reports mistakes naming the class
 * and the property).
 *
 * ```ts
 * @Measurement({ name: 'cpu_load', bulkSize: 500 })
 * class CpuLoad extends SeriesModel<CpuLoad> {
 *   @Tag() host!: string;
 *   @Field() usage!: number;
 * }
 * new CpuLoad({ host: 'a', usage: 0.5 });
 * // buffered line: cpu_load,host=a usage=0.5 1700000000123456789
 * ```
 *
 * A name may be a template filled from the instance: `@Measurement('events.stats.{serverName}')`.
 */
export function Measurement(nameOrOptions?: string | MeasurementDecoratorOptions): ClassDecorator {
  return (target) => {
    const record = decoratorRecordFor(target);
    record.measurement = nameOrOptions;
    record.measured = true;
  };
}
