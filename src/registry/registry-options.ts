import { InfluxConfigError } from '../errors.js';
import type { CommitBatch, CommitSink } from './commit-sink.js';

/** How the registry retries a commit that failed with a transient error. */
export interface RetryOptions {
  /** Attempts per batch, the first included; `Infinity` (default) retries until it is stored. */
  maxAttempts?: number;
  /** Delay before the first retry, in ms (default 100). Doubles at each attempt. */
  minDelay?: number;
  /** Longest delay between attempts, in ms (default 5000). */
  maxDelay?: number;
  /** Random spread of each delay (0..1, default 0.2), so that many producers do not retry in step. */
  jitter?: number;
}

/** What the registry hands to `onError` when a batch could not be stored. */
export interface CommitFailure {
  /** The model class of the points. */
  readonly model: abstract new (
    ...args: never[]
  ) => unknown;
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
  /** Retries of transient failures. */
  retry?: RetryOptions;
  /**
   * Called with the points of a batch that could not be stored: a permanent error (4xx, partial
   * write), or a transient one once `retry.maxAttempts` is used up. Never throws into the
   * producer; an exception thrown by the hook is reported as a process warning. Default: a
   * process warning naming the class, the count and the error.
   */
  onError?: (error: Error, failure: CommitFailure) => void;
}

export interface ResolvedRegistryOptions {
  sink: CommitSink | undefined;
  bulkSize: number;
  flushInterval: number;
  maxBatchBytes: number;
  autocommit: boolean;
  maxPending: number;
  whenFull: 'throw' | 'accept';
  concurrency: number;
  retry: Required<RetryOptions>;
  onError: ((error: Error, failure: CommitFailure) => void) | undefined;
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
  retry: Object.freeze({ maxAttempts: Number.POSITIVE_INFINITY, minDelay: 100, maxDelay: 5000, jitter: 0.2 }),
  onError: undefined,
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
  let retry = base.retry;
  if (o.retry !== undefined) {
    const r = o.retry;
    check(r !== null && typeof r === 'object', 'retry', r, 'must be an object');
    if (r.maxAttempts !== undefined)
      check(
        r.maxAttempts === Number.POSITIVE_INFINITY || isInt(r.maxAttempts, 1),
        'retry.maxAttempts',
        r.maxAttempts,
        'must be a positive integer or Infinity',
      );
    if (r.minDelay !== undefined)
      check(isInt(r.minDelay, 0), 'retry.minDelay', r.minDelay, 'must be >= 0 (ms)');
    if (r.maxDelay !== undefined)
      check(isInt(r.maxDelay, 0), 'retry.maxDelay', r.maxDelay, 'must be >= 0 (ms)');
    if (r.jitter !== undefined)
      check(
        typeof r.jitter === 'number' && r.jitter >= 0 && r.jitter <= 1,
        'retry.jitter',
        r.jitter,
        'must be in 0..1',
      );
    retry = Object.freeze({ ...base.retry, ...stripUndefined(r) }) as Required<RetryOptions>;
  }
  return Object.freeze({ ...base, ...stripUndefined(o), retry }) as ResolvedRegistryOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
