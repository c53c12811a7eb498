import { InfluxConfigError } from '../errors.js';

/** Settings of a {@link RetryPolicy}; every field is optional and falls back to the policy's defaults. */
export interface RetryOptions {
  /** Attempts in all, the first included (1 = never retry); `Infinity` = bounded by `giveUpAfter` only. */
  maxAttempts?: number;
  /** Delay before the first retry, in ms. Doubles at each attempt. */
  minDelay?: number;
  /** Longest delay between attempts, in ms; also the cap on a server's `Retry-After`. */
  maxDelay?: number;
  /** Random spread of each delay (0..1): a delay `d` becomes a value in `[d * (1 - jitter), d]`. */
  jitter?: number;
  /**
   * Total time in ms, from the first attempt, after which no new attempt starts (and a waiting
   * retry is abandoned); `Infinity` = bounded by `maxAttempts` only.
   */
  giveUpAfter?: number;
}

/** The values of a {@link RetryPolicy}, all present. */
export type RetrySettings = Readonly<Required<RetryOptions>>;

/**
 * The one retry policy of the library: attempts, exponential backoff with jitter, the server's
 * `Retry-After` (seconds or an HTTP date), and a total give-up time. The client
 * (`new InfluxDBClient({ retry })`) and the series registry (`new SeriesRegistry({ retry })`) both
 * take one; when the registry writes through a client, the registry drives the attempts and the
 * client makes exactly one request per registry attempt, so the totals are the registry's policy
 * (never the product of two loops). With `replicate: 'all'` the registry queues each batch once per
 * server and the servers' queues retry with the client's policy while the registry waits (bounded
 * by its `giveUpAfter`): again one policy at a time.
 *
 * Defaults (never retry forever):
 * - client: `{ maxAttempts: 3, minDelay: 100, maxDelay: 30000, jitter: 0.5, giveUpAfter: Infinity }`
 * - registry: `{ maxAttempts: Infinity, minDelay: 100, maxDelay: 5000, jitter: 0.2, giveUpAfter: 120000 }`
 *
 * ```ts
 * const retry = new RetryPolicy({ maxAttempts: 10, minDelay: 200, maxDelay: 5000, giveUpAfter: 60_000 });
 * const client = new InfluxDBClient({ database: 'metrics', retry });
 * configureSeries({ sink: client, retry }); // at most 10 POSTs per batch, none after 60 s
 * retry.delay(3); // 800 ms minus up to 20% jitter
 * ```
 */
export class RetryPolicy implements RetrySettings {
  /** The client's defaults (3 attempts). */
  static readonly CLIENT_DEFAULTS: RetrySettings = Object.freeze({
    maxAttempts: 3,
    minDelay: 100,
    maxDelay: 30_000,
    jitter: 0.5,
    giveUpAfter: Number.POSITIVE_INFINITY,
  });
  /** The registry's defaults (as many attempts as fit in 2 minutes). */
  static readonly REGISTRY_DEFAULTS: RetrySettings = Object.freeze({
    maxAttempts: Number.POSITIVE_INFINITY,
    minDelay: 100,
    maxDelay: 5000,
    jitter: 0.2,
    giveUpAfter: 120_000,
  });

  readonly maxAttempts: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly jitter: number;
  readonly giveUpAfter: number;

  /**
   * Checks `options` (throws {@link InfluxConfigError} naming `where` and the field) and fills in
   * `defaults`.
   */
  constructor(
    options: RetryOptions = {},
    defaults: RetrySettings = RetryPolicy.CLIENT_DEFAULTS,
    where = 'RetryPolicy',
  ) {
    if (options === null || typeof options !== 'object') {
      throw new InfluxConfigError(`${where}: must be an object, got ${String(options)}`);
    }
    const o = options instanceof RetryPolicy ? options.settings() : options;
    const known = ['maxAttempts', 'minDelay', 'maxDelay', 'jitter', 'giveUpAfter'];
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) throw new InfluxConfigError(`${where}: option ${JSON.stringify(k)} is unknown`);
    }
    const bad = (name: string, value: unknown, what: string) =>
      new InfluxConfigError(`${where}.${name}: ${what}, got ${String(value)}`);
    const intOrInf = (name: keyof RetryOptions, min: number): number => {
      const v = o[name];
      if (v === undefined) return defaults[name];
      if (v === Number.POSITIVE_INFINITY) return v;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
        throw bad(name, v, `must be an integer >= ${min} or Infinity`);
      }
      return v;
    };
    const ms = (name: 'minDelay' | 'maxDelay'): number => {
      const v = o[name];
      if (v === undefined) return defaults[name];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad(name, v, 'must be >= 0 (ms)');
      return v;
    };
    this.maxAttempts = intOrInf('maxAttempts', 1);
    this.minDelay = ms('minDelay');
    this.maxDelay = ms('maxDelay');
    this.giveUpAfter = intOrInf('giveUpAfter', 0);
    const j = o.jitter ?? defaults.jitter;
    if (typeof j !== 'number' || !(j >= 0 && j <= 1)) throw bad('jitter', j, 'must be in 0..1');
    this.jitter = j;
    Object.freeze(this);
  }

  /**
   * The settings as a plain object.
   *
   * ```ts
   * new RetryPolicy({ maxAttempts: 5 }).settings(); // { maxAttempts: 5, minDelay: 100, maxDelay: 30000, jitter: 0.5, giveUpAfter: Infinity }
   * ```
   */
  settings(): RetrySettings {
    const { maxAttempts, minDelay, maxDelay, jitter, giveUpAfter } = this;
    return { maxAttempts, minDelay, maxDelay, jitter, giveUpAfter };
  }

  /**
   * A copy with some settings changed (checked the same way).
   *
   * ```ts
   * const patient = policy.with({ giveUpAfter: 600_000 });
   * ```
   */
  with(options: RetryOptions): RetryPolicy {
    return new RetryPolicy({ ...this.settings(), ...stripUndefined(options) }, this.settings());
  }

  /**
   * The delay before attempt `attempt + 1` (`attempt` counts from 1): the server's `Retry-After`
   * when it gave one (capped at `maxDelay`), otherwise `minDelay * 2^(attempt-1)` capped at
   * `maxDelay`, less up to `jitter` of it.
   *
   * ```ts
   * const p = new RetryPolicy({ minDelay: 100, maxDelay: 1000, jitter: 0 });
   * [p.delay(1), p.delay(2), p.delay(5), p.delay(1, 300)]; // [100, 200, 1000, 300]
   * ```
   */
  delay(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), this.maxDelay);
    const ceiling = Math.min(this.maxDelay, this.minDelay * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
    return Math.round(ceiling * (1 - this.jitter * Math.random()));
  }

  /**
   * What to do after attempt `attempt` failed with a transient error: the delay before the next
   * attempt, or `undefined` to give up (attempts used up, or the next attempt would start after
   * `startedAt + giveUpAfter`).
   *
   * ```ts
   * const t0 = Date.now();
   * policy.next(1, t0); // e.g. 93 (ms)
   * policy.next(policy.maxAttempts, t0); // undefined: give up
   * ```
   */
  next(attempt: number, startedAt: number, retryAfterMs?: number, now = Date.now()): number | undefined {
    if (attempt >= this.maxAttempts) return undefined;
    const d = this.delay(attempt, retryAfterMs);
    if (now + d - startedAt >= this.giveUpAfter) return undefined;
    return d;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Parses a `Retry-After` header: delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). Returns milliseconds from `now`, or undefined.
 *
 * ```ts
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')); // 30000
 * ```
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The `Retry-After` (ms) a transient error carries, when the server sent one. */
export function retryAfterOf(error: unknown): number | undefined {
  const v = (error as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof v === 'number' ? v : undefined;
}

/** Sleeps `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
