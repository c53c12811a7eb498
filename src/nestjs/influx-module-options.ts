import type { InfluxDBClientConfig } from '../client/influxdb-client.js';
import type { RepositoryClient } from '../query/repository.js';
import type { CommitSink } from '../registry/commit-sink.js';
import type { SeriesRegistryOptions } from '../registry/registry-options.js';
import type { InfluxSchema } from '../schema/schema-definition.js';

/**
 * Options of one InfluxModule connection: the `InfluxDBClient` options (host, port, database,
 * username, password, token, ssl, timeout, retries, poolSize, ...), or a `dsn`, plus what the
 * module adds.
 *
 * ```ts
 * InfluxModule.forRoot({
 *   host: 'influx.internal', port: 8086, database: 'metrics',
 *   series: { bulkSize: 5000, flushInterval: 1000 },
 *   shutdownTimeout: 10_000,
 * });
 * ```
 */
export interface InfluxModuleOptions extends InfluxDBClientConfig {
  /**
   * A DSN such as `'influxdb://user:pass@host:8086/metrics'` (or `https+influxdb://`,
   * `udp+influxdb://`); the other client options override what it says.
   */
  dsn?: string;
  /**
   * Options of the connection's series registry (batching, retries, limits, `onError`). Default
   * `onError`: the failed points are reported through Nest's `Logger` (context `InfluxModule`).
   */
  series?: Omit<SeriesRegistryOptions, 'sink'>;
  /**
   * Where the registry writes instead of the client, e.g. a `MemorySink` in tests (the same as
   * overriding the `getInfluxSinkToken()` provider).
   */
  sink?: CommitSink;
  /**
   * An in-memory InfluxDB (`new MemoryInflux()` from `influx-models/testing`) for tests: the
   * registry writes to it and every repository of the connection reads from it, so a service that
   * writes and reads runs with no server. (Overriding `getInfluxSinkToken()` with a `MemoryInflux`
   * does the same.) Not together with `sink`.
   *
   * ```ts
   * const memory = new MemoryInflux({ database: 'metrics' });
   * Test.createTestingModule({ imports: [InfluxModule.forRoot({ database: 'metrics', memory }), InfluxModule.forFeature([Cpu])] });
   * ```
   */
  memory?: CommitSink & RepositoryClient;
  /**
   * Longest time `onApplicationShutdown` waits for the pending points to be written, in ms
   * (default 10000). Batches still retrying then fail when the client closes and are reported
   * through `onError` (never dropped silently).
   */
  shutdownTimeout?: number;
  /**
   * Check the connection at startup (as `@nestjs/typeorm` and `@nestjs/mongoose` do): when this or
   * `retryDelay` is given, the application's startup pings InfluxDB, and after a failed ping tries
   * again up to `retryAttempts` more times (default 9 when only `retryDelay` is given), logging
   * each failed attempt (logger context `InfluxModule(<connection>)`); when every attempt fails,
   * startup fails with an `InfluxConnectionError` naming the connection and the server's URL.
   * Without either option the application starts without contacting the server, and points
   * recorded while it is down are retried by the registry (`series` options).
   *
   * ```ts
   * InfluxModule.forRoot({ host: 'influx', database: 'metrics', retryAttempts: 5, retryDelay: 2000 });
   * ```
   */
  retryAttempts?: number;
  /** Pause between two startup pings in ms (default 3000); see {@link retryAttempts}. */
  retryDelay?: number;
  /**
   * A schema from `defineSchema` (influx-models/schema), applied when the application starts
   * (`applySchema`: only the statements needed; nothing dropped). The plan is logged; a failure
   * stops the start.
   */
  schema?: InfluxSchema;
}

/** What `forRoot` takes: the connection options and, optionally, the connection's name. */
export interface InfluxModuleRootOptions extends InfluxModuleOptions {
  /** Name of the connection (default `'default'`); several named connections can live side by side. */
  connectionName?: string;
}

/** A class that makes the options of a connection (`forRootAsync({ useClass })`). */
export interface InfluxOptionsFactory {
  createInfluxOptions(): InfluxModuleOptions | Promise<InfluxModuleOptions>;
}

/** A Nest injection token: a class, a string or a symbol. */
// biome-ignore lint/suspicious/noExplicitAny: Nest's own InjectionToken type accepts any class.
export type InfluxInjectionToken = string | symbol | (abstract new (...args: any[]) => unknown) | Function;

/**
 * Options of `forRootAsync`: exactly one of `useFactory` (with `inject`), `useClass` or
 * `useExisting` (an {@link InfluxOptionsFactory}).
 *
 * ```ts
 * InfluxModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ dsn: config.get('INFLUX_DSN') }),
 * });
 * ```
 */
export interface InfluxModuleAsyncOptions {
  /** Name of the connection (default `'default'`). It names the tokens, so it is known up front. */
  connectionName?: string;
  /** Modules whose exported providers `useFactory`, `useClass` or `useExisting` need. */
  // biome-ignore lint/suspicious/noExplicitAny: Nest's module import type (classes, dynamic modules, promises, forward refs).
  imports?: any[];
  // biome-ignore lint/suspicious/noExplicitAny: the factory receives whatever `inject` names.
  useFactory?: (...args: any[]) => InfluxModuleOptions | Promise<InfluxModuleOptions>;
  /** Tokens whose values are passed to `useFactory`, in order. */
  inject?: InfluxInjectionToken[];
  /** A class instantiated in the module to make the options. */
  useClass?: new (
    ...args: never[]
  ) => InfluxOptionsFactory;
  /** An existing provider (from `imports`) that makes the options. */
  useExisting?: InfluxInjectionToken;
}

/**
 * A model given to `forFeature`: a class (its repository is provided, and its recorded points go
 * through the connection's registry), or `{ model, bind: false }` for a repository only (reading,
 * `repo.write`), e.g. on a second connection when the class records through another.
 */
export type InfluxFeatureModel =
  | (abstract new (
      ...args: never[]
    ) => object)
  | { readonly model: abstract new (...args: never[]) => object; readonly bind?: boolean };
