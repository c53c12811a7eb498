import { describeValue } from '../check-value.js';
import { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConfigError } from '../errors.js';
import { DEFAULT_REGISTRY_OPTIONS, resolveRegistryOptions } from '../registry/registry-options.js';
import type { InfluxModuleOptions, InfluxModuleRootOptions } from './influx-module-options.js';

const MODULE_KEYS = [
  'dsn',
  'series',
  'sink',
  'memory',
  'shutdownTimeout',
  'connectionName',
  'retryAttempts',
  'retryDelay',
  'schema',
] as const;

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Checks the module's own options (the client checks its own when it is built); throws
 * {@link InfluxConfigError} naming the option and the connection. Never echoes a DSN (it may carry
 * a password).
 */
export function checkModuleOptions(options: unknown, where: string): InfluxModuleRootOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InfluxConfigError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  const o = options as InfluxModuleRootOptions;
  if (o.dsn !== undefined && (typeof o.dsn !== 'string' || o.dsn === '')) {
    throw new InfluxConfigError(`${where}: option dsn must be a non-empty string`);
  }
  if (o.sink !== undefined && typeof (o.sink as { commit?: unknown } | null)?.commit !== 'function') {
    throw new InfluxConfigError(`${where}: option sink must implement commit(batch) (a CommitSink)`);
  }
  if (o.memory !== undefined) {
    const m = o.memory as unknown as Record<string, unknown> | null;
    if (
      m === null ||
      typeof m !== 'object' ||
      ['commit', 'query', 'queryStream', 'write'].some((k) => typeof m[k] !== 'function')
    ) {
      throw new InfluxConfigError(
        `${where}: option memory must be a MemoryInflux from influx-models/testing`,
      );
    }
    if (o.sink !== undefined) {
      throw new InfluxConfigError(`${where}: give either memory or sink, not both (memory is the sink)`);
    }
  }
  for (const [key, unit] of [
    ['shutdownTimeout', ' (ms)'],
    ['retryAttempts', ''],
    ['retryDelay', ' (ms)'],
  ] as const) {
    if (o[key] !== undefined && !isCount(o[key])) {
      throw new InfluxConfigError(
        `${where}: option ${key} must be a non-negative integer${unit}, got ${String(o[key])}`,
      );
    }
  }
  if (o.schema !== undefined && (o.schema as { kind?: unknown } | null)?.kind !== 'influx-models.schema') {
    throw new InfluxConfigError(`${where}: option schema must be what defineSchema({...}) returns`);
  }
  if (o.series !== undefined) {
    if (o.series === null || typeof o.series !== 'object') {
      throw new InfluxConfigError(`${where}: option series must be an object of registry options`);
    }
    if ('sink' in o.series) {
      throw new InfluxConfigError(
        `${where}: option series.sink is not taken; give the module's sink option (or override getInfluxSinkToken())`,
      );
    }
    try {
      resolveRegistryOptions(DEFAULT_REGISTRY_OPTIONS, o.series);
    } catch (e) {
      throw new InfluxConfigError(`${where}: option series: ${(e as Error).message}`);
    }
  }
  return o;
}

/** Builds the connection's client from checked options. */
export function createClient(options: InfluxModuleOptions, where: string): InfluxDBClient {
  const clientOptions: Record<string, unknown> = { ...options };
  for (const k of MODULE_KEYS) delete clientOptions[k];
  try {
    return options.dsn !== undefined
      ? InfluxDBClient.fromDsn(options.dsn, clientOptions)
      : new InfluxDBClient(clientOptions);
  } catch (e) {
    if (e instanceof InfluxConfigError) {
      throw new InfluxConfigError(`${where}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
