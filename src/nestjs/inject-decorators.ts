import { Inject } from '@nestjs/common';
import { getInfluxClientToken, getSeriesRegistryToken, getSeriesRepositoryToken } from './influx-tokens.js';

/**
 * Injects the `Repository<T>` of a model provided by `InfluxModule.forFeature([Model])`.
 *
 * ```ts
 * constructor(@InjectSeriesRepository(CpuLoad) private readonly cpu: Repository<CpuLoad>) {}
 * // this.cpu.find({ where: { host: 'web-1' }, limit: 10 })
 * // SELECT "host"::tag, "usage"::field FROM "cpu_load" WHERE "host"::tag = $p0 LIMIT 10
 * ```
 */
export function InjectSeriesRepository(
  Model: abstract new (...args: never[]) => unknown,
  connectionName?: string,
): PropertyDecorator & ParameterDecorator {
  return Inject(getSeriesRepositoryToken(Model, connectionName));
}

/**
 * Injects a connection's `InfluxDBClient` (for admin statements, raw queries, `writePoints`).
 *
 * ```ts
 * constructor(@InjectInfluxClient() private readonly influx: InfluxDBClient) {}
 * // await this.influx.query('SHOW MEASUREMENTS')
 * ```
 */
export function InjectInfluxClient(connectionName?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getInfluxClientToken(connectionName));
}

/**
 * Injects a connection's `SeriesRegistry` (`flush()`, `pendingCount`, `waitForCapacity()`).
 *
 * ```ts
 * constructor(@InjectSeriesRegistry() private readonly registry: SeriesRegistry) {}
 * // await this.registry.flush()  -> POST /write?db=metrics&precision=n with every pending line
 * ```
 */
export function InjectSeriesRegistry(connectionName?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getSeriesRegistryToken(connectionName));
}
