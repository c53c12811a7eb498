import type { HostFlushResult } from '../sink.js';

/** Counters of one model class (or of all classes together) in {@link RegistryStats}. */
export interface SeriesClassStats {
  /** Points buffered, not yet cut into a batch. */
  buffered: number;
  /** Points in batches waiting for a free write slot (`concurrency`). */
  queued: number;
  /** Points in batches being written now. */
  inFlight: number;
  /** Points in batches waiting to be retried after a transient failure. */
  retrying: number;
  /** Points the server acknowledged (since the registry was created). */
  written: number;
  /** Points handed to `onError`: refused by the server, or their retries were used up. */
  failed: number;
  /** Points in flight when `close({ timeout })` gave up on them (also handed to `onError`). */
  abandoned: number;
  /** Points removed from the buffer by `reset()`. */
  dropped: number;
  /** Transient failures retried. */
  retries: number;
}

/**
 * A snapshot of a registry's pipeline, from `registry.stats()`.
 *
 * ```ts
 * registry.stats();
 * // { pending: 120, buffered: 20, queued: 0, inFlight: 100, retrying: 0, written: 50000, failed: 0,
 * //   abandoned: 0, dropped: 0, retries: 3, classes: { Cpu: { … } }, spool: undefined }
 * // with replicate: 'all', also hosts: [{ url: 'http://a:8086', written: 50000, pending: 0, pendingBatches: 0,
 * //   pendingBytes: 0, failed: 0, dropped: 0, failing: false }, …]
 * ```
 */
export interface RegistryStats extends SeriesClassStats {
  /** Points not yet stored nor given up: buffered + queued + inFlight + retrying. */
  pending: number;
  /** The same counters per model class name. */
  classes: Record<string, SeriesClassStats>;
  /** The spool's state when the registry has one. */
  spool: SpoolStats | undefined;
  /**
   * When a sink replicates (`replicate: 'all'`): each server, in the order of `hosts`, as
   * `flush()` reports it (points `written`, `pending`, `failed`, `dropped`; `pendingBatches`,
   * `pendingBytes`; the client's `failing` and `lastError`), now, without waiting.
   */
  hosts?: readonly HostFlushResult[];
}

/** What `registry.stats().spool` reports. */
export interface SpoolStats {
  /** The spool directory. */
  dir: string;
  /** Bytes in segment files not yet acknowledged (what a restart would replay, at most). */
  bytes: number;
  /** Segment files on disk. */
  segments: number;
  /** Points read back from the spool at start (replayed). */
  replayed: number;
  /** Points spilled out of memory (waiting on disk only). */
  spilled: number;
}

export function emptyClassStats(): SeriesClassStats {
  return {
    buffered: 0,
    queued: 0,
    inFlight: 0,
    retrying: 0,
    written: 0,
    failed: 0,
    abandoned: 0,
    dropped: 0,
    retries: 0,
  };
}

/**
 * `diagnostics_channel` names the registry publishes on (subscribe with
 * `diagnostics_channel.subscribe(name, fn)`; nothing is built when nobody listens):
 *
 * - `influx-models:batch:start` — `{ registry, className, lines, bytes, attempt }` before each attempt;
 * - `influx-models:batch:end` — `{ registry, className, lines, bytes, attempt, written, failed, abandoned, error? }`
 *   once a batch is settled;
 * - `influx-models:batch:retry` — `{ registry, className, lines, attempt, delay, error }` after a
 *   transient failure, before waiting `delay` ms;
 * - `influx-models:batch:give-up` — `{ registry, className, lines, attempt, error, abandoned }` when a
 *   batch is given up (retries used up, `giveUpAfter`, permanent error, `close({ timeout })`).
 *
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * diagnostics_channel.subscribe(REGISTRY_CHANNELS.retry, (m) => metrics.retries.add(1, { cls: m.className }));
 * ```
 */
export const REGISTRY_CHANNELS = Object.freeze({
  start: 'influx-models:batch:start',
  end: 'influx-models:batch:end',
  retry: 'influx-models:batch:retry',
  giveUp: 'influx-models:batch:give-up',
});

const diagnosticsChannel = process.getBuiltinModule('node:diagnostics_channel');

export const channels = {
  start: diagnosticsChannel.channel(REGISTRY_CHANNELS.start),
  end: diagnosticsChannel.channel(REGISTRY_CHANNELS.end),
  retry: diagnosticsChannel.channel(REGISTRY_CHANNELS.retry),
  giveUp: diagnosticsChannel.channel(REGISTRY_CHANNELS.giveUp),
};
