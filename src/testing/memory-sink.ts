import { InfluxConfigError, InfluxConnectionError } from '../errors.js';
import { scanLineLength } from '../line-protocol/make-lines.js';
import type { CommitBatch, CommitSink } from '../sink.js';

/**
 * Splits a body into lines the way InfluxDB does: a newline inside a quoted string field does not
 * end a line.
 */
function splitLines(body: string): string[] {
  const out: string[] = [];
  let rest = body;
  for (let guard = 0; rest.length > 0 && guard < 10_000_000; guard++) {
    const n = scanLineLength(rest);
    out.push(rest.slice(0, n));
    rest = rest.slice(n + 1);
  }
  return out;
}

/** One commit a {@link MemorySink} accepted. */
export interface RecordedCommit {
  readonly batch: CommitBatch;
  /** The batch's lines, without trailing newlines. */
  readonly lines: readonly string[];
}

/**
 * A {@link CommitSink} that keeps what would have been written, for tests without a server:
 * the lines, the batches and the instances per model class. It can be told to fail the next
 * commits (to test retries and `onError`) and to hold commits until released (to test
 * back-pressure).
 *
 * ```ts
 * const sink = new MemorySink();
 * configureSeries({ sink, bulkSize: 2 });
 * new CpuLoad({ host: 'a', usage: 0.5 });
 * new CpuLoad({ host: 'b', usage: 0.7 });
 * sink.lines();            // ['cpu_load,host=a usage=0.5 1700000000123456789', 'cpu_load,host=b ...']
 * sink.points(CpuLoad);    // the two frozen instances
 * sink.failNext(1);        // the next commit rejects with InfluxConnectionError (transient)
 * ```
 */
export class MemorySink implements CommitSink {
  private readonly accepted: RecordedCommit[] = [];
  private failures: Array<() => Error> = [];
  private held: Array<() => void> | undefined;
  /** Every call of `commit`, accepted or failed. */
  attempts = 0;

  /**
   * Records `batch` (the {@link CommitSink} side; the registry calls it), or rejects when a failure
   * was planned with {@link failNext}; waits for {@link release} while held.
   *
   * ```ts
   * await sink.commit({ body: 'cpu,host=a usage=0.5 1\n', lineCount: 1, precision: 'n' });
   * sink.lines(); // ['cpu,host=a usage=0.5 1']
   * ```
   */
  commit(batch: CommitBatch): Promise<void> {
    this.attempts++;
    const fail = this.failures.shift();
    if (fail !== undefined) return Promise.reject(fail());
    if (typeof batch?.body !== 'string') {
      return Promise.reject(new InfluxConfigError('MemorySink.commit: batch.body must be a string'));
    }
    const record = (): void => {
      this.accepted.push({ batch, lines: splitLines(batch.body) });
    };
    if (this.held !== undefined) {
      const held = this.held;
      return new Promise((resolve) => {
        held.push(() => {
          record();
          resolve();
        });
      });
    }
    record();
    return Promise.resolve();
  }

  /**
   * Makes the next `count` commits reject, with `error` (an Error or a factory) or, by default, an
   * `InfluxConnectionError`, which the registry treats as transient and retries.
   *
   * ```ts
   * sink.failNext(2); // the next two commits reject with InfluxConnectionError, then succeed
   * sink.failNext(1, new Error('boom')); // or with a given error
   * ```
   */
  failNext(count: number, error?: Error | (() => Error)): this {
    if (!Number.isInteger(count) || count < 0) {
      throw new InfluxConfigError(
        `MemorySink.failNext(count): count must be a non-negative integer, got ${count}`,
      );
    }
    const make =
      error === undefined
        ? () => new InfluxConnectionError('MemorySink: simulated connection failure')
        : typeof error === 'function'
          ? error
          : () => error;
    for (let i = 0; i < count; i++) this.failures.push(make);
    return this;
  }

  /**
   * Holds every commit from now on until {@link release} (tests of back-pressure).
   *
   * ```ts
   * sink.hold();
   * const done = registry.flush(); // pending: the commit is held
   * sink.release();
   * await done; // the held commit is recorded
   * ```
   */
  hold(): this {
    this.held ??= [];
    return this;
  }

  /**
   * Lets the held commits complete (in order) and stops holding.
   *
   * ```ts
   * sink.hold();
   * // … points committed here stay pending …
   * sink.release(); // they are recorded, in order
   * ```
   */
  release(): this {
    const held = this.held ?? [];
    this.held = undefined;
    for (const r of held) r();
    return this;
  }

  /**
   * Commits accepted so far, in order.
   *
   * ```ts
   * sink.commits().length; // 1
   * sink.commits()[0].lines; // ['cpu,host=a usage=0.5 1']
   * sink.commits()[0].batch.model; // Cpu (when it came from the registry)
   * ```
   */
  commits(): readonly RecordedCommit[] {
    return this.accepted;
  }

  /**
   * Every accepted line (without trailing newline), in order; only `model`'s when given.
   *
   * ```ts
   * sink.lines(); // ['cpu,host=a usage=0.5 1', 'mem,host=a used=1i 1']
   * sink.lines(Cpu); // ['cpu,host=a usage=0.5 1']
   * ```
   */
  lines(model?: abstract new (...args: never[]) => unknown): string[] {
    const out: string[] = [];
    for (const c of this.accepted) if (model === undefined || c.batch.model === model) out.push(...c.lines);
    return out;
  }

  /**
   * The instances of `model` whose lines were accepted, in order.
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5 });
   * await registry.flush();
   * sink.points(Cpu); // [Cpu { host: 'a', usage: 0.5, … }]
   * ```
   */
  points<T>(model: abstract new (...args: never[]) => T): T[] {
    const out: T[] = [];
    for (const c of this.accepted) {
      if (c.batch.model === model && c.batch.instances !== undefined) out.push(...(c.batch.instances as T[]));
    }
    return out;
  }

  /** Number of accepted lines. */
  get lineCount(): number {
    let n = 0;
    for (const c of this.accepted) n += c.lines.length;
    return n;
  }

  /**
   * Forgets everything recorded and every planned failure.
   *
   * ```ts
   * sink.clear();
   * sink.lines(); // []
   * sink.attempts; // 0
   * ```
   */
  clear(): this {
    this.accepted.length = 0;
    this.failures = [];
    this.attempts = 0;
    return this;
  }
}
