import type { SeriesRegistryOptions } from './registry-options.js';
import { SeriesRegistry } from './series-registry.js';

/**
 * The registry every model class uses unless its `@Measurement` names another one.
 *
 * ```ts
 * configureSeries({ sink: client }); // configures defaultRegistry
 * new Cpu({ host: 'a', usage: 0.5, cores: 4 }); // buffered in defaultRegistry
 * await defaultRegistry.close(); // flush before exiting
 * ```
 */
export const defaultRegistry: SeriesRegistry = new SeriesRegistry();

/**
 * Sets the options of the default registry (the sink, batch sizes, limits, retries, `onError`).
 * `@Measurement` options override them per class.
 *
 * ```ts
 * configureSeries({ sink: new InfluxDBClient({ database: 'metrics' }), bulkSize: 5000, flushInterval: 1000 });
 * ```
 */
export function configureSeries(options: SeriesRegistryOptions): SeriesRegistry {
  return defaultRegistry.configure(options);
}
