import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { InfluxDBClient } from '../client/influxdb-client.js';
import { getModelMetadata } from '../models/metadata-builder.js';
import type { ModelClass } from '../models/model-metadata.js';
import type { CommitSink } from '../registry/commit-sink.js';
import type { CommitFailure } from '../registry/registry-options.js';
import type { FlushResult } from '../registry/series-registry.js';
import { applySchema } from '../schema/apply-schema.js';
import { checkConnectionAtStartup, DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_DELAY } from './connection-check.js';
import { type ConnectionRegistry, getConnectionRegistry } from './connection-registry.js';
import type { InfluxModuleOptions } from './influx-module-options.js';

const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;

/**
 * One running InfluxModule connection (a provider of the core module): it applies the `schema`
 * option (if any), attaches the connection's registry to this application's sink when created, and on `onApplicationShutdown`
 * flushes every pending point, detaches the registry, then closes the client's pool.
 */
export class InfluxConnection implements OnApplicationShutdown {
  readonly registry: ConnectionRegistry;
  readonly #logger: Logger;
  #shutdown: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    readonly client: InfluxDBClient,
    readonly sink: CommitSink,
    private readonly shutdownTimeout: number,
  ) {
    this.registry = getConnectionRegistry(name);
    this.#logger = new Logger(`InfluxModule(${name})`);
  }

  /** Creates the connection and attaches its registry (the factory of the connection provider). */
  static async open(
    name: string,
    options: InfluxModuleOptions,
    client: InfluxDBClient,
    sink: CommitSink,
  ): Promise<InfluxConnection> {
    if (options.schema !== undefined) {
      const logger = new Logger(`InfluxModule(${name})`);
      await applySchema(client, options.schema, { log: (text) => logger.log(text) });
    }
    const connection = new InfluxConnection(
      name,
      client,
      sink,
      options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT,
    );
    if (options.retryAttempts !== undefined || options.retryDelay !== undefined) {
      await checkConnectionAtStartup(
        client,
        name,
        options.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
        options.retryDelay ?? DEFAULT_RETRY_DELAY,
        connection.#logger,
      );
    }
    const displaced = await connection.registry.attach(connection, {
      sink,
      series: options.series,
      defaultOnError: (error, failure) => connection.reportFailure(error, failure),
    });
    if (displaced) {
      connection.#logger.warn(
        `connection '${name}' was still held by a Nest application that was not closed; its pending points were flushed through its own sink and the connection now belongs to the new application. Close applications with app.close().`,
      );
    }
    return connection;
  }

  private reportFailure(error: Error, failure: CommitFailure): void {
    let className = '(unknown model)';
    try {
      className = getModelMetadata(failure.model as ModelClass).className;
    } catch {}
    this.#logger.error(
      `${failure.lines.length} points of ${className} were not written after ${failure.attempts} attempt(s)${failure.permanent ? ' (permanent error)' : ''}: ${error.message}`,
    );
  }

  /** Flushes, detaches the registry and closes the client; idempotent. */
  onApplicationShutdown(): Promise<void> {
    this.#shutdown ??= this.#close();
    return this.#shutdown;
  }

  async #close(): Promise<void> {
    try {
      if (this.registry.isOwnedBy(this)) {
        const deadline = Date.now() + this.shutdownTimeout;
        // Points may still be recorded while the first flush runs; they are accepted and written
        // by the second one, after which the registry refuses new points.
        let result = await this.#flushUntil(deadline);
        this.registry.detach(this);
        if (result !== undefined) result = await this.#flushUntil(deadline);
        if (result === undefined) {
          this.#logger.warn(
            `shutdown: ${this.registry.pendingCount} points were still being written after ${this.shutdownTimeout} ms (shutdownTimeout); those not stored before the client closes are reported as failed`,
          );
        }
      }
    } catch (e) {
      this.registry.detach(this);
      this.#logger.error(`shutdown flush failed: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      await this.client.close();
    }
  }

  /** Flushes; resolves undefined if the deadline passes first. */
  async #flushUntil(deadline: number): Promise<FlushResult | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([this.registry.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
