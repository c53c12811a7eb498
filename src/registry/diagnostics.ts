import { InfluxConfigError } from '../errors.js';
import type { ClassBuffer } from './class-buffer.js';
import { type Flight, type FlightData, type Outcome, toError } from './flight.js';
import type { CommitFailure, ResolvedRegistryOptions } from './registry-options.js';
import { channels } from './registry-stats.js';

/**
 * The registry's warnings, hooks (`onError`, `onRetry`) and `diagnostics_channel` messages
 * (see REGISTRY_CHANNELS in registry-stats.ts). `registry` in each message is the SeriesRegistry.
 */

/** Warns once per registry, or once per class, that a `bulkSize` has no effect without autocommit. */
export function warnBulkSizeIgnored(what: string): void {
  process.emitWarning(
    `influx-models: ${what} sets bulkSize with autocommit off; bulkSize has no effect until autocommit is on (points wait for commit()/flush())`,
    { code: 'INFLUX_MODELS_BULKSIZE_WITHOUT_AUTOCOMMIT' },
  );
}

export function noSinkError(buffer: ClassBuffer): InfluxConfigError {
  return new InfluxConfigError(
    `${buffer.meta.className}: no sink to write to; call configureSeries({ sink: client }) (or registry.configure), give @Measurement({ sink }), or pass one to commit(sink). The points stay buffered.`,
  );
}

/** Hands a batch given up to `onError`, or warns (`INFLUX_MODELS_COMMIT_FAILED`) without one. */
export function reportFailure(
  hook: ResolvedRegistryOptions['onError'],
  error: Error,
  failure: CommitFailure,
): void {
  try {
    if (hook !== undefined) {
      hook(error, failure);
      return;
    }
  } catch (e) {
    process.emitWarning(`influx-models: onError threw: ${(e as Error)?.message ?? String(e)}`, {
      code: 'INFLUX_MODELS_ON_ERROR',
    });
  }
  process.emitWarning(
    `influx-models: ${failure.lines.length} points of ${failure.className} were not written after ${failure.attempts} attempt(s): ${error.message}`,
    { code: 'INFLUX_MODELS_COMMIT_FAILED' },
  );
}

/**
 * A transient failure that will be retried in `delay` ms: the registry's one warning (when
 * `warn`), `onRetry`, and the `influx-models:batch:retry` channel.
 */
export function announceRetry(
  registry: object,
  hook: ResolvedRegistryOptions['onRetry'],
  f: Flight,
  error: Error,
  delay: number,
  warn: boolean,
): void {
  if (warn) {
    process.emitWarning(
      `influx-models: writing ${f.n} points of ${f.className} failed (${error.message}); retrying in ${delay} ms. Later failures are not warned about: see onRetry, registry.stats() and the influx-models:batch:* diagnostics channels`,
      { code: 'INFLUX_MODELS_RETRYING' },
    );
  }
  if (hook !== undefined) {
    try {
      hook(error, {
        model: f.buffer?.model,
        className: f.className,
        lines: f.n,
        attempt: f.attempts,
        delay,
      });
    } catch (e) {
      process.emitWarning(`influx-models: onRetry threw: ${toError(e).message}`, {
        code: 'INFLUX_MODELS_ON_RETRY',
      });
    }
  }
  if (channels.retry.hasSubscribers) {
    channels.retry.publish({
      registry,
      className: f.className,
      lines: f.n,
      attempt: f.attempts,
      delay,
      error,
    });
  }
}

/** `influx-models:batch:start`, before each attempt. */
export function publishStart(registry: object, f: Flight, data: FlightData): void {
  if (channels.start.hasSubscribers) {
    channels.start.publish({
      registry,
      className: f.className,
      lines: f.n,
      bytes: data.commitBatch.bytes?.byteLength,
      attempt: f.attempts,
    });
  }
}

/** `influx-models:batch:give-up`, when a batch (or its refused `lines`) is given up. */
export function publishGiveUp(
  registry: object,
  f: Flight,
  lines: readonly string[],
  error: Error,
  abandoned: boolean,
): void {
  if (channels.giveUp.hasSubscribers) {
    channels.giveUp.publish({
      registry,
      className: f.className,
      lines: lines.length,
      attempt: f.attempts,
      error,
      abandoned,
    });
  }
}

/** `influx-models:batch:end`, once a batch is settled. */
export function publishEnd(registry: object, f: Flight, o: Outcome): void {
  if (channels.end.hasSubscribers) {
    channels.end.publish({
      registry,
      className: f.className,
      lines: f.n,
      bytes: f.data?.commitBatch.bytes?.byteLength,
      attempt: f.attempts,
      written: o.written,
      failed: o.failed,
      abandoned: o.abandoned,
      error: o.error,
    });
  }
}
