import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConfigError } from '../errors.js';
import type { ModelClass } from '../models/model-metadata.js';
import { createRepository, type RepositoryClient } from '../query/repository.js';
import { type ConnectionRegistry, getConnectionRegistry } from './connection-registry.js';
import type { InfluxConnection } from './influx-connection.js';
import { InfluxCoreModule } from './influx-core-module.js';
import type {
  InfluxFeatureModel,
  InfluxModuleAsyncOptions,
  InfluxModuleRootOptions,
} from './influx-module-options.js';
import {
  checkConnectionName,
  checkModelClass,
  getInfluxClientToken,
  getInfluxConnectionToken,
  getSeriesRegistryToken,
  getSeriesRepositoryToken,
} from './influx-tokens.js';
import { bindModel } from './model-binding.js';

/**
 * NestJS integration, in the manner of `@nestjs/typeorm` and `@nestjs/mongoose`.
 *
 * - `forRoot(options)` / `forRootAsync({...})` (once per connection, usually in the root module)
 *   set up a global connection: an `InfluxDBClient`, the sink the connection's series registry
 *   writes through (the client unless overridden) and an `InfluxHealthIndicator`.
 * - `forFeature([CpuLoad, MemUsage], connectionName?)` provides a `Repository<T>` per model
 *   (inject it with `@InjectSeriesRepository(CpuLoad)`) and binds each class to the connection:
 *   from then on `new CpuLoad({...})` anywhere in the application buffers the point in the
 *   connection's registry, which autocommits in bulk through the connection's client.
 * - On `onApplicationShutdown` (`app.close()`, or a signal after `app.enableShutdownHooks()`) every
 *   pending point is written, then the client's pool is closed. Points recorded after that are
 *   refused with `InfluxClosedError` (never buffered for nobody).
 *
 * ```ts
 * @Measurement('http_requests')
 * export class HttpRequest extends SeriesModel<HttpRequest> {
 *   @Tag() route!: string;
 *   @Field({ type: 'integer' }) status!: number;
 *   @Field() durationMs!: number;
 * }
 *
 * @Injectable()
 * export class MetricsService {
 *   constructor(@InjectSeriesRepository(HttpRequest) private readonly requests: Repository<HttpRequest>) {}
 *   record(route: string, status: number, durationMs: number) {
 *     new HttpRequest({ route, status, durationMs }); // buffered; written in bulk
 *     // line: http_requests,route=/users durationMs=12.5,status=200i 1700000000123456789
 *   }
 *   slowest() {
 *     return this.requests.find({ orderBy: 'desc', limit: 10 });
 *     // SELECT "route"::tag, "durationMs"::field, "status"::field FROM "http_requests" ORDER BY time DESC LIMIT 10
 *   }
 * }
 *
 * @Module({
 *   imports: [
 *     InfluxModule.forRoot({ host: 'localhost', port: 8086, database: 'metrics' }),
 *     InfluxModule.forFeature([HttpRequest]),
 *   ],
 *   providers: [MetricsService],
 * })
 * export class AppModule {}
 * ```
 *
 * A model class records through one connection: bind it with `forFeature` before it is first used,
 * and list it on other connections as `{ model, bind: false }` (repository only).
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module class is the public API (InfluxModule.forRoot).
export class InfluxModule {
  /**
   * A connection from static options (client options or a `dsn`, plus `series`, `sink`,
   * `shutdownTimeout` and `connectionName`). Throws `InfluxConfigError` at once for a bad option.
   *
   * ```ts
   * InfluxModule.forRoot({ dsn: 'influxdb://writer:secret@influx:8086/metrics', series: { bulkSize: 5000 } })
   * InfluxModule.forRoot({ connectionName: 'archive', host: 'archive', database: 'archive' })
   * ```
   */
  static forRoot(options: InfluxModuleRootOptions = {}): DynamicModule {
    return { module: InfluxModule, imports: [InfluxCoreModule.forRoot(options)] };
  }

  /**
   * A connection whose options are made at application start: `useFactory` (+ `inject`,
   * `imports`), `useClass` or `useExisting` (an `InfluxOptionsFactory`).
   *
   * ```ts
   * InfluxModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ host: config.get('INFLUX_HOST'), database: 'metrics' }),
   * })
   * ```
   */
  static forRootAsync(options: InfluxModuleAsyncOptions): DynamicModule {
    return { module: InfluxModule, imports: [InfluxCoreModule.forRootAsync(options)] };
  }

  /**
   * Provides `Repository<T>` for each model on a connection (token:
   * `getSeriesRepositoryToken(Model, connectionName)`) and binds each class (unless given as
   * `{ model, bind: false }`) so that constructing it records through the connection's registry.
   * Throws `InfluxConfigError` for something that is not a model class, or a class already bound
   * to another connection or already in use with another registry.
   *
   * ```ts
   * @Module({ imports: [InfluxModule.forFeature([CpuLoad, MemUsage])], providers: [HostMetrics] })
   * export class HostMetricsModule {}
   * ```
   */
  static forFeature(models: readonly InfluxFeatureModel[], connectionName?: string): DynamicModule {
    const name = checkConnectionName(connectionName, 'InfluxModule.forFeature(models, connectionName)');
    if (!Array.isArray(models)) {
      throw new InfluxConfigError(
        'InfluxModule.forFeature(models): models must be an array of model classes',
      );
    }
    const registry: ConnectionRegistry = getConnectionRegistry(name);
    const providers: Provider[] = [];
    const seen = new Set<unknown>();
    models.forEach((entry, i) => {
      const where = `InfluxModule.forFeature(models[${i}])`;
      let Model: unknown = entry;
      let bind = true;
      if (entry !== null && typeof entry === 'object') {
        Model = (entry as { model?: unknown }).model;
        const b = (entry as { bind?: unknown }).bind;
        if (b !== undefined && typeof b !== 'boolean') {
          throw new InfluxConfigError(`${where}: bind must be a boolean`);
        }
        bind = b ?? true;
      }
      const className = checkModelClass(Model, where);
      if (seen.has(Model)) return;
      seen.add(Model);
      if (bind) bindModel(Model as ModelClass, registry, className);
      providers.push({
        provide: getSeriesRepositoryToken(Model as ModelClass, name),
        // A sink that can also be read (the `memory` option, or a MemoryInflux given as the sink
        // provider) answers the repository's queries too: a service that writes and reads runs
        // with no server.
        useFactory: (client: InfluxDBClient, _registry: unknown, connection: InfluxConnection) =>
          createRepository(isReadTarget(connection.sink) ? connection.sink : client, Model as ModelClass),
        // The registry is injected (unused) so that the connection is attached before any
        // repository, hence any service using one, exists.
        inject: [getInfluxClientToken(name), getSeriesRegistryToken(name), getInfluxConnectionToken(name)],
      });
    });
    return {
      module: InfluxModule,
      providers,
      exports: providers.map((p) => (p as { provide: symbol }).provide),
    };
  }
}

/** True for a sink that is also a query target (`query`, `queryStream`, `write`), e.g. `MemoryInflux`. */
function isReadTarget(sink: unknown): sink is RepositoryClient {
  const o = sink as Partial<Record<'query' | 'queryStream' | 'write', unknown>> | null;
  return (
    o !== null &&
    typeof o === 'object' &&
    typeof o.query === 'function' &&
    typeof o.queryStream === 'function' &&
    typeof o.write === 'function'
  );
}
