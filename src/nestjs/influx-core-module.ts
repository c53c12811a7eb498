import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConfigError } from '../errors.js';
import type { CommitSink } from '../registry/commit-sink.js';
import { InfluxConnection } from './influx-connection.js';
import { InfluxHealthIndicator } from './influx-health-indicator.js';
import type {
  InfluxModuleAsyncOptions,
  InfluxModuleOptions,
  InfluxModuleRootOptions,
  InfluxOptionsFactory,
} from './influx-module-options.js';
import { checkModuleOptions, createClient } from './influx-options-check.js';
import {
  checkConnectionName,
  getInfluxClientToken,
  getInfluxConnectionToken,
  getInfluxOptionsToken,
  getInfluxSinkToken,
  getSeriesRegistryToken,
} from './influx-tokens.js';

function connectionProviders(name: string): Provider[] {
  const where = `InfluxModule connection '${name}'`;
  const optionsToken = getInfluxOptionsToken(name);
  const clientToken = getInfluxClientToken(name);
  const sinkToken = getInfluxSinkToken(name);
  const connectionToken = getInfluxConnectionToken(name);
  return [
    {
      provide: clientToken,
      useFactory: (options: InfluxModuleOptions) => createClient(options, where),
      inject: [optionsToken],
    },
    {
      provide: sinkToken,
      useFactory: (options: InfluxModuleOptions, client: InfluxDBClient) =>
        options.memory ?? options.sink ?? client,
      inject: [optionsToken, clientToken],
    },
    {
      provide: connectionToken,
      useFactory: (
        options: InfluxModuleOptions,
        client: InfluxDBClient,
        sink: CommitSink,
        modules: ModulesContainer,
      ) => {
        if (sink === null || typeof (sink as { commit?: unknown })?.commit !== 'function') {
          throw new InfluxConfigError(`${where}: the sink provider must implement commit(batch)`);
        }
        shutDownLast(modules, connectionToken);
        return InfluxConnection.open(name, options, client, sink);
      },
      inject: [optionsToken, clientToken, sinkToken, ModulesContainer],
    },
    {
      provide: getSeriesRegistryToken(name),
      useFactory: (connection: InfluxConnection) => connection.registry,
      inject: [connectionToken],
    },
    InfluxHealthIndicator,
  ];
}

/**
 * Makes the module holding a connection run its shutdown hooks after every other module's, so
 * points recorded in the application's own `onModuleDestroy`, `beforeApplicationShutdown` or
 * `onApplicationShutdown` are accepted and written by the connection's final flush.
 *
 * Nest runs lifecycle hooks module by module, ordered by the module's `distance` (the greatest
 * first). Nest 11 and later give a global module the distance `Number.MAX_VALUE` and run the
 * termination hooks in reverse order, so this (global) module already shuts down last there.
 * Nest 10 computes a global module's distance from the imports like any other's and runs every
 * hook greatest-first, so this module (imported by InfluxModule, itself imported by the
 * application's modules) would flush and detach before the hooks of shallower modules run; there
 * it gets the distance -1 (below the root module's 0), last in every phase. Its providers have no
 * init hooks, so running last at init changes nothing. Called while the providers are built,
 * before Nest sorts the modules for the first hook.
 */
function shutDownLast(modules: ModulesContainer, connectionToken: symbol): void {
  for (const moduleRef of modules.values()) {
    if (moduleRef.metatype !== InfluxCoreModule || !moduleRef.providers.has(connectionToken)) continue;
    if (moduleRef.distance !== Number.MAX_VALUE) moduleRef.distance = -1;
  }
}

function exportsOf(name: string): Array<symbol | typeof InfluxHealthIndicator> {
  return [
    getInfluxClientToken(name),
    getInfluxSinkToken(name),
    getSeriesRegistryToken(name),
    getInfluxConnectionToken(name),
    InfluxHealthIndicator,
  ];
}

/**
 * The global module of one connection (what `InfluxModule.forRoot`/`forRootAsync` import): it
 * owns the client, the sink, the registry attachment and the health indicator. Internal; use
 * {@link InfluxModule}.
 */
@Global()
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module class is the public API (InfluxModule.forRoot).
export class InfluxCoreModule {
  static forRoot(options: InfluxModuleRootOptions = {}): DynamicModule {
    const checked = checkModuleOptions(options, 'InfluxModule.forRoot(options)');
    const name = checkConnectionName(checked.connectionName, 'InfluxModule.forRoot(options)');
    const where = `InfluxModule.forRoot(connection '${name}')`;
    // Fail at the call, not at application start, for a bad client option.
    void createClient(checked, where).close();
    return {
      module: InfluxCoreModule,
      providers: [{ provide: getInfluxOptionsToken(name), useValue: checked }, ...connectionProviders(name)],
      exports: exportsOf(name),
    };
  }

  static forRootAsync(options: InfluxModuleAsyncOptions): DynamicModule {
    const where0 = 'InfluxModule.forRootAsync(options)';
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`${where0}: options must be an object`);
    }
    const name = checkConnectionName(options.connectionName, where0);
    const where = `InfluxModule.forRootAsync(connection '${name}')`;
    const ways = (['useFactory', 'useClass', 'useExisting'] as const).filter((k) => options[k] !== undefined);
    if (ways.length !== 1) {
      throw new InfluxConfigError(
        `${where}: give exactly one of useFactory, useClass or useExisting${ways.length > 1 ? ` (got ${ways.join(', ')})` : ''}`,
      );
    }
    if (options.useFactory !== undefined && typeof options.useFactory !== 'function') {
      throw new InfluxConfigError(`${where}: useFactory must be a function`);
    }
    if (options.useClass !== undefined && typeof options.useClass !== 'function') {
      throw new InfluxConfigError(`${where}: useClass must be a class`);
    }
    if (options.inject !== undefined && !Array.isArray(options.inject)) {
      throw new InfluxConfigError(`${where}: inject must be an array of tokens`);
    }
    if (options.imports !== undefined && !Array.isArray(options.imports)) {
      throw new InfluxConfigError(`${where}: imports must be an array of modules`);
    }
    const optionsToken = getInfluxOptionsToken(name);
    const check = (value: unknown): InfluxModuleOptions => {
      const checked = checkModuleOptions(value, where);
      if (checked.connectionName !== undefined && checked.connectionName !== name) {
        throw new InfluxConfigError(
          `${where}: the factory returned connectionName '${String(checked.connectionName)}'; name the connection in forRootAsync({ connectionName }) instead`,
        );
      }
      return checked;
    };
    const providers: Provider[] = [];
    if (options.useFactory !== undefined) {
      const factory = options.useFactory;
      providers.push({
        provide: optionsToken,
        useFactory: async (...args: unknown[]) => check(await factory(...args)),
        inject: options.inject ?? [],
      });
    } else {
      const factoryToken = options.useClass ?? options.useExisting;
      if (options.useClass !== undefined)
        providers.push({ provide: options.useClass, useClass: options.useClass });
      providers.push({
        provide: optionsToken,
        useFactory: async (factory: InfluxOptionsFactory) => {
          if (typeof factory?.createInfluxOptions !== 'function') {
            throw new InfluxConfigError(
              `${where}: the options factory must have a createInfluxOptions() method`,
            );
          }
          return check(await factory.createInfluxOptions());
        },
        inject: [factoryToken as never],
      });
    }
    return {
      module: InfluxCoreModule,
      imports: options.imports ?? [],
      providers: [...providers, ...connectionProviders(name)],
      exports: exportsOf(name),
    };
  }
}
