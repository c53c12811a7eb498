import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConfigError, InfluxModelsError } from '../errors.js';
import { getInfluxClientToken } from './influx-tokens.js';

/** The status object of a health indicator, in @nestjs/terminus's shape. */
export type InfluxHealthResult = Record<
  string,
  { status: 'up' | 'down'; version?: string; message?: string; connection?: string }
>;

/**
 * Thrown by {@link InfluxHealthIndicator.pingCheck} when the server does not answer. It carries
 * `causes` (the `down` status) and `isHealthCheckError`, which is what @nestjs/terminus looks for
 * to report the indicator as down instead of failing the whole check.
 *
 * ```ts
 * try {
 *   await influx.pingCheck('influxdb');
 * } catch (e) {
 *   if (e instanceof InfluxHealthCheckError) e.causes; // { influxdb: { status: 'down', message: '…', connection: 'default' } }
 * }
 * ```
 */
export class InfluxHealthCheckError extends InfluxModelsError {
  override name = 'InfluxHealthCheckError';
  override readonly code: string = 'INFLUX_ERR_HEALTH_CHECK';
  readonly isHealthCheckError = true;
  constructor(
    message: string,
    readonly causes: InfluxHealthResult,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options of {@link InfluxHealthIndicator.pingCheck}. */
export interface InfluxPingCheckOptions {
  /** The connection to check (default `'default'`). */
  connectionName?: string;
  /** Longest wait for the ping, in ms (default 1000). */
  timeout?: number;
}

/**
 * A health indicator over `client.ping()` (`GET /ping`), usable with @nestjs/terminus without
 * depending on it: `pingCheck` resolves `{ [key]: { status: 'up', version } }` and throws an
 * {@link InfluxHealthCheckError} carrying `{ [key]: { status: 'down', message } }` otherwise.
 * Provided and exported by every `InfluxModule.forRoot`/`forRootAsync`.
 *
 * ```ts
 * @Controller('health')
 * export class HealthController {
 *   constructor(private health: HealthCheckService, private influx: InfluxHealthIndicator) {}
 *   @Get() @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.influx.pingCheck('influxdb', { timeout: 800 })]);
 *   }
 * }
 * // GET /health -> { status: 'ok', info: { influxdb: { status: 'up', version: '1.6.7~rc0' } }, ... }
 * ```
 */
@Injectable()
export class InfluxHealthIndicator {
  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  /**
   * Pings the connection's server; see the class description.
   *
   * ```ts
   * await influx.pingCheck(); // { influxdb: { status: 'up', version: '1.8.10' } }
   * await influx.pingCheck('archive-db', { connectionName: 'archive', timeout: 500 });
   * // { 'archive-db': { status: 'up', version: '1.8.10' } }, or throws InfluxHealthCheckError
   * ```
   */
  async pingCheck(key = 'influxdb', options: InfluxPingCheckOptions = {}): Promise<InfluxHealthResult> {
    if (typeof key !== 'string' || key === '') {
      throw new InfluxConfigError('InfluxHealthIndicator.pingCheck(key): key must be a non-empty string');
    }
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError('InfluxHealthIndicator.pingCheck(key, options): options must be an object');
    }
    const timeout = options.timeout ?? 1000;
    if (!Number.isInteger(timeout) || timeout < 1) {
      throw new InfluxConfigError(
        `InfluxHealthIndicator.pingCheck: timeout must be a positive integer (ms), got ${String(timeout)}`,
      );
    }
    const token = getInfluxClientToken(options.connectionName);
    const connection = options.connectionName ?? 'default';
    let client: InfluxDBClient;
    try {
      client = this.moduleRef.get<InfluxDBClient>(token, { strict: false });
    } catch (e) {
      throw new InfluxConfigError(
        `InfluxHealthIndicator.pingCheck: no InfluxModule connection '${connection}' in this application`,
        { cause: e },
      );
    }
    try {
      const version = await client.ping({ signal: AbortSignal.timeout(timeout) });
      return { [key]: { status: 'up', version } };
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      throw new InfluxHealthCheckError(
        `InfluxDB connection '${connection}' is down: ${message}`,
        { [key]: { status: 'down', message, connection } },
        { cause: e },
      );
    }
  }
}
