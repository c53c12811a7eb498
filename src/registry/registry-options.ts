import { type RetryOptions, RetryPolicy } from '../client/retry-policy.js';
import { checkConsistency } from '../client/write-consistency.js';
import { InfluxConfigError } from '../errors.js';
import type { WriteConsistency } from '../sink.js';
import type { CommitBatch, CommitSink } from './commit-sink.js';

/** What the registry hands to `onError` when a batch could not be stored. */
export interface CommitFailure {
  /** The model class of the points (undefined for points replayed from a spool). */
  readonly model: abstract new (
    ...args: never[]
  ) => unknown;
  /** The model class's name (also for points replayed from a spool). */
  readonly className: string;
  /** The batch as sent: `body` holds the lines, `instances` the points, in line order. */
  readonly batch: CommitBatch;
  /** The lines that were not stored (without their trailing newline). */
  readonly lines: readonly string[];
  /** The instances behind `lines`. */
  readonly instances: readonly object[];
  /** How many attempts were made. */
  readonly attempts: number;
  /** True for an error retrying cannot fix (a 4xx, a partial write, a bad sink configuration). */
  readonly permanent: boolean;
  /** True when `close({ timeout })` gave up on the batch while it was in flight (it may have been stored). */
  readonly abandoned: boolean;
  /**
   * For a partial write: true when `lines` are exactly the refused lines (the server named them);
   * false when the server's message did not say which lines (`lines` is then the whole batch).
   */
  readonly exact: boolean;
}

/** What `onRetry` receives with each transient failure that will be retried. */
export interface RetryInfo {
  /** The model class of the points (undefined for points replayed from a spool). */
  readonly model: (abstract new (...args: never[]) => unknown) | undefined;
  readonly className: string;
  /** Points in the batch. */
  readonly lines: number;
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  /** Milliseconds until the next attempt. */
  readonly delay: number;
}

/** Options of a registry's durable on-disk spool (see README "Registry, autocommit and failures"). */
export interface SpoolOptions {
  /** Directory of the segment files (created if missing; one registry process at a time). */
  dir: string;
  /** Most bytes of unacknowledged points on disk; beyond it, back-pressure (`maxPending` rules). Default 1 GiB. */
  maxBytes?: number;
  /**
   * Group commit: points constructed are appended to the spool at the end of the current tick
   * (0, default) or at most this many ms later. A point is durable against the application's
   * death once its group commit completed.
   */
  groupCommitMs?: number;
  /** Also fsync each group commit (durable against a machine crash; slower). Default false. */
  fsync?: boolean;
  /** Size at which a segment file is closed and a new one started. Default 64 MiB. */
  segmentBytes?: number;
}

/** Options of a {@link SeriesRegistry} (and of `configureSeries`). */
export interface SeriesRegistryOptions {
  /** Where points are written (an `InfluxDBClient`, a UDP client or a `MemorySink`). */
  sink?: CommitSink | undefined;
  /** Autocommit a class once this many of its points are pending. Default 5000. */
  bulkSize?: number;
  /** Autocommit a class this many ms after its first pending point; 0 = never. Default 1000. */
  flushInterval?: number;
  /** Autocommit a class once its pending line protocol reaches this many bytes. Default 4 MiB. */
  maxBatchBytes?: number;
  /** Commit automatically (default true); when false, points wait for `commit()`/`flush()`. */
  autocommit?: boolean;
  /**
   * Points the registry may hold before a new one is refused (buffered, in flight and waiting for
   * a retry, all classes together). Default 100000.
   */
  maxPending?: number;
  /**
   * What a construction does when `maxPending` is reached: `'throw'` (default) throws
   * `InfluxBufferFullError` and buffers nothing; `'accept'` buffers anyway (memory is unbounded).
   */
  whenFull?: 'throw' | 'accept';
  /** Batches written at the same time, all classes together. Default 2. */
  concurrency?: number;
  /**
   * Retries of transient failures: a `RetryPolicy` (the same object can be given to the client) or
   * its options. Default `RetryPolicy.REGISTRY_DEFAULTS`: as many attempts as fit in 2 minutes
   * (`giveUpAfter: 120000`), 100 ms doubling to 5 s, jitter 0.2. The registry asks the sink for a
   * single attempt per registry attempt (`commit(batch, { retry: false })`). With a sink that
   * replicates, the servers' queues retry and only `giveUpAfter` applies while a copy is queued
   * (README "Several servers").
   */
  retry?: RetryPolicy | RetryOptions;
  /**
   * Flush when the event loop empties (`beforeExit`), so a script that ends normally loses nothing.
   * Default true. Signals are opt-in: `installShutdownHooks()`.
   */
  flushOnExit?: boolean;
  /**
   * Called with every transient failure that will be retried. The first transient failure of a
   * registry also emits one process warning (`INFLUX_MODELS_RETRYING`). Never throws into the
   * pipeline (an exception becomes a warning).
   */
  onRetry?: (error: Error, info: RetryInfo) => void;
  /** A durable on-disk spool (opt-in): see {@link SpoolOptions}. Given to the constructor only. */
  spool?: SpoolOptions;
  /**
   * Called with the points of a batch that could not be stored: a permanent error (4xx, partial
   * write), or a transient one once `retry.maxAttempts` is used up. Never throws into the
   * producer; an exception thrown by the hook is reported as a process warning. Default: a
   * process warning naming the class, the count and the error.
   */
  onError?: (error: Error, failure: CommitFailure) => void;
  /**
   * InfluxDB Enterprise write consistency of every commit (`?consistency=` of `/write`):
   * `'any' | 'one' | 'quorum' | 'all'`; `@Measurement({ consistency })` overrides it per class.
   * Default: the server's (`one` unless configured). A 1.x OSS server ignores it.
   */
  consistency?: WriteConsistency | undefined;
}

export type { RetryOptions };

export interface ResolvedRegistryOptions {
  sink: CommitSink | undefined;
  bulkSize: number;
  flushInterval: number;
  maxBatchBytes: number;
  autocommit: boolean;
  maxPending: number;
  whenFull: 'throw' | 'accept';
  concurrency: number;
  retry: RetryPolicy;
  flushOnExit: boolean;
  onError: ((error: Error, failure: CommitFailure) => void) | undefined;
  onRetry: ((error: Error, info: RetryInfo) => void) | undefined;
  spool: SpoolOptions | undefined;
  consistency: WriteConsistency | undefined;
}

export const DEFAULT_REGISTRY_OPTIONS: ResolvedRegistryOptions = Object.freeze({
  sink: undefined,
  bulkSize: 5000,
  flushInterval: 1000,
  maxBatchBytes: 4 * 1024 * 1024,
  autocommit: true,
  maxPending: 100_000,
  whenFull: 'throw',
  concurrency: 2,
  retry: new RetryPolicy({}, RetryPolicy.REGISTRY_DEFAULTS),
  flushOnExit: true,
  onError: undefined,
  onRetry: undefined,
  spool: undefined,
  consistency: undefined,
}) as ResolvedRegistryOptions;

function check(ok: boolean, name: string, value: unknown, what: string): void {
  if (!ok) throw new InfluxConfigError(`series registry option ${name}: ${what}, got ${String(value)}`);
}

const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Checks options given by a user and merges them over `base`. */
export function resolveRegistryOptions(
  base: ResolvedRegistryOptions,
  options: SeriesRegistryOptions | undefined,
): ResolvedRegistryOptions {
  if (options === undefined) return base;
  if (options === null || typeof options !== 'object') {
    throw new InfluxConfigError(`series registry options must be an object, got ${String(options)}`);
  }
  const o = options;
  const known = new Set(Object.keys(DEFAULT_REGISTRY_OPTIONS));
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new InfluxConfigError(`series registry option ${JSON.stringify(k)} is unknown`);
  }
  if (o.sink !== undefined) {
    check(
      typeof (o.sink as { commit?: unknown })?.commit === 'function',
      'sink',
      o.sink,
      'must implement commit(batch)',
    );
  }
  if (o.bulkSize !== undefined)
    check(isInt(o.bulkSize, 1), 'bulkSize', o.bulkSize, 'must be a positive integer');
  if (o.flushInterval !== undefined)
    check(isInt(o.flushInterval, 0), 'flushInterval', o.flushInterval, 'must be a non-negative integer (ms)');
  if (o.maxBatchBytes !== undefined)
    check(isInt(o.maxBatchBytes, 1), 'maxBatchBytes', o.maxBatchBytes, 'must be a positive integer');
  if (o.maxPending !== undefined)
    check(isInt(o.maxPending, 1), 'maxPending', o.maxPending, 'must be a positive integer');
  if (o.concurrency !== undefined)
    check(isInt(o.concurrency, 1), 'concurrency', o.concurrency, 'must be a positive integer');
  if (o.autocommit !== undefined)
    check(typeof o.autocommit === 'boolean', 'autocommit', o.autocommit, 'must be a boolean');
  if (o.whenFull !== undefined)
    check(
      o.whenFull === 'throw' || o.whenFull === 'accept',
      'whenFull',
      o.whenFull,
      "must be 'throw' or 'accept'",
    );
  if (o.onError !== undefined)
    check(typeof o.onError === 'function', 'onError', o.onError, 'must be a function');
  if (o.onRetry !== undefined)
    check(typeof o.onRetry === 'function', 'onRetry', o.onRetry, 'must be a function');
  if (o.flushOnExit !== undefined)
    check(typeof o.flushOnExit === 'boolean', 'flushOnExit', o.flushOnExit, 'must be a boolean');
  if (o.spool !== undefined) checkSpool(o.spool);
  if (o.consistency !== undefined) checkConsistency(o.consistency, 'series registry option consistency');
  const retry =
    o.retry === undefined
      ? base.retry
      : o.retry instanceof RetryPolicy
        ? o.retry
        : new RetryPolicy(o.retry, base.retry.settings(), 'series registry option retry');
  return Object.freeze({ ...base, ...stripUndefined(o), retry }) as ResolvedRegistryOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function checkSpool(s: SpoolOptions): void {
  check(s !== null && typeof s === 'object', 'spool', s, 'must be an object like { dir }');
  for (const k of Object.keys(s)) {
    check(
      ['dir', 'maxBytes', 'groupCommitMs', 'fsync', 'segmentBytes'].includes(k),
      `spool.${k}`,
      k,
      'is unknown',
    );
  }
  check(typeof s.dir === 'string' && s.dir !== '', 'spool.dir', s.dir, 'must be a directory path');
  if (s.maxBytes !== undefined)
    check(isInt(s.maxBytes, 1), 'spool.maxBytes', s.maxBytes, 'must be a positive integer');
  if (s.groupCommitMs !== undefined)
    check(
      isInt(s.groupCommitMs, 0),
      'spool.groupCommitMs',
      s.groupCommitMs,
      'must be a non-negative integer (ms)',
    );
  if (s.fsync !== undefined) check(typeof s.fsync === 'boolean', 'spool.fsync', s.fsync, 'must be a boolean');
  if (s.segmentBytes !== undefined)
    check(isInt(s.segmentBytes, 4096), 'spool.segmentBytes', s.segmentBytes, 'must be an integer >= 4096');
}
