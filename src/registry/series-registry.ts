import {
  InfluxAbortError,
  InfluxBufferFullError,
  InfluxClosedError,
  InfluxConfigError,
  InfluxDBClientError,
  InfluxValidationError,
} from '../errors.js';
import type { Point } from '../line-protocol/make-lines.js';
import { parseLine } from '../line-protocol/parse-line.js';
import { type CommitBatch, type CommitSink, SERIES_REGISTRY } from '../sink.js';
import { ClassBuffer, type PendingBatch, type SeriesClass } from './class-buffer.js';
import {
  type CommitFailure,
  DEFAULT_REGISTRY_OPTIONS,
  type ResolvedRegistryOptions,
  resolveRegistryOptions,
  type SeriesRegistryOptions,
} from './registry-options.js';
import { installShutdownHooks, type ShutdownHookOptions } from './shutdown-hooks.js';

/**
 * What `flush()` and `close()` report about the points they cut from the buffers. Batches that were
 * already in flight are waited for too, but counted by nobody (their failures go to `onError`).
 */
export interface FlushResult {
  /** Points cut by this call and stored. */
  readonly written: number;
  /** Points cut by this call that could not be stored (each reported through `onError`). */
  readonly failed: number;
}

type Waiter = { n: number; resolve: () => void; reject: (e: Error) => void };

// biome-ignore lint/suspicious/noExplicitAny: constructors of any argument list
type ModelClass = abstract new (...args: any[]) => object;

/** Warns once per registry, or once per class, that a `bulkSize` has no effect without autocommit. */
function warnBulkSizeIgnored(what: string): void {
  process.emitWarning(
    `influx-models: ${what} sets bulkSize with autocommit off; bulkSize has no effect until autocommit is on (points wait for commit()/flush())`,
    { code: 'INFLUX_MODELS_BULKSIZE_WITHOUT_AUTOCOMMIT' },
  );
}

/**
 * Buffers model instances per class and commits them in batches through a {@link CommitSink}:
 * when a class reaches `bulkSize` points, `maxBatchBytes` bytes, or `flushInterval` ms after its
 * first pending point. Failed batches keep their points: transient errors are retried with
 * exponential backoff, permanent ones (4xx, partial writes) are handed to `onError` with the points.
 * Timers never keep the process alive; call `flush()` or `close()` before exiting (or
 * `installShutdownHooks()`).
 *
 * Models use the default registry (configured with `configureSeries`) unless `@Measurement`
 * names another: `@Measurement({ name: 'cpu', registry: myRegistry })`.
 *
 * ```ts
 * const registry = new SeriesRegistry({ sink: client, bulkSize: 5000, maxPending: 200_000 });
 * for (const row of rows) {
 *   if (!registry.hasCapacity()) await registry.waitForCapacity();
 *   new CpuLoad(row); // buffered; written in batches of 5000 lines
 * }
 * await registry.close(); // writes what is left
 * ```
 */
export class SeriesRegistry {
  /** Brand that `@Measurement({ registry })` checks (see SeriesRegistryRef in src/sink.ts). */
  readonly [SERIES_REGISTRY] = true as const;
  private opts: ResolvedRegistryOptions;
  private readonly buffers = new Map<object, ClassBuffer>();
  private pendingPoints = 0;
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];
  private readonly capacityWaiters: Waiter[] = [];
  private closed = false;
  private giveUp = false;
  private readonly sleepers = new Set<() => void>();
  private warnedNoSink = false;
  private warnedBulkSize = false;
  private uninstallHooks: (() => void) | undefined;

  constructor(options?: SeriesRegistryOptions) {
    this.opts = resolveRegistryOptions(DEFAULT_REGISTRY_OPTIONS, options);
    this.checkBulkSize(options);
  }

  /**
   * Changes the options; applies to batches cut from now on.
   *
   * ```ts
   * registry.configure({ sink: client, bulkSize: 1000, flushInterval: 500 });
   * ```
   */
  configure(options: SeriesRegistryOptions): this {
    this.opts = resolveRegistryOptions(this.opts, options);
    this.checkBulkSize(options);
    return this;
  }

  private checkBulkSize(options: SeriesRegistryOptions | undefined): void {
    if (options?.bulkSize !== undefined && !this.opts.autocommit && !this.warnedBulkSize) {
      this.warnedBulkSize = true;
      warnBulkSizeIgnored('the series registry');
    }
  }

  /** The options in force (defaults filled in). */
  get options(): Readonly<ResolvedRegistryOptions> {
    return this.opts;
  }

  /** Points held: buffered, being written, or waiting for a retry. */
  get pendingCount(): number {
    return this.pendingPoints;
  }

  /**
   * True when `n` more points fit under `maxPending`.
   *
   * ```ts
   * if (!registry.hasCapacity(rows.length)) await registry.waitForCapacity(rows.length);
   * ```
   */
  hasCapacity(n = 1): boolean {
    return this.pendingPoints + n <= this.opts.maxPending;
  }

  /**
   * Resolves once `n` more points fit under `maxPending` (back-pressure for producers); points
   * sitting below `bulkSize` are written at once so that room comes back. Rejects with
   * {@link InfluxClosedError} if the registry is (or gets) closed.
   *
   * ```ts
   * for (const row of rows) {
   *   await registry.waitForCapacity(); // resolves at once while there is room
   *   new Cpu(row);
   * }
   * ```
   */
  waitForCapacity(n = 1): Promise<void> {
    if (this.closed) return Promise.reject(new InfluxClosedError('series registry is closed'));
    if (!Number.isInteger(n) || n < 1 || n > this.opts.maxPending) {
      return Promise.reject(
        new InfluxConfigError(
          `waitForCapacity(n): n must be an integer in 1..maxPending (${this.opts.maxPending}), got ${n}`,
        ),
      );
    }
    if (this.hasCapacity(n)) return Promise.resolve();
    this.kickIdleBuffers();
    return new Promise((resolve, reject) => this.capacityWaiters.push({ n, resolve, reject }));
  }

  /**
   * Resolves once the pending points fall to half of `maxPending` or below (like a stream's
   * 'drain'): producers that stop at `!hasCapacity()` resume with room for a burst.
   *
   * ```ts
   * for (const row of rows) {
   *   if (!registry.hasCapacity()) await registry.drain();
   *   new Cpu(row);
   * }
   * ```
   */
  drain(): Promise<void> {
    return this.waitForCapacity(Math.max(1, Math.ceil(this.opts.maxPending / 2)));
  }

  /**
   * The buffer of a model class (internal; the model runtime makes it on the class's first use,
   * telling the registry the class's series, commit options and serializer).
   *
   * ```ts
   * const buffer = registry.bufferFor(Cpu, { target, options, serialize });
   * buffer.count; // points of Cpu buffered, not yet handed to a sink
   * ```
   */
  bufferFor(model: ModelClass, series: SeriesClass): ClassBuffer {
    let buffer = this.buffers.get(model);
    if (buffer === undefined) {
      buffer = new ClassBuffer(model, series);
      this.buffers.set(model, buffer);
      const o = series.options;
      if (o.bulkSize !== undefined && !(o.autocommit ?? this.opts.autocommit)) {
        warnBulkSizeIgnored(`${series.target.className} (@Measurement)`);
      }
    }
    return buffer;
  }

  /**
   * Throws when a new point of `buffer`'s class cannot be accepted (closed, or full with
   * `whenFull: 'throw'`). Called before the point is built, so nothing is buffered.
   *
   * ```ts
   * await registry.close();
   * registry.checkAccept(registry.bufferFor(Cpu)); // throws InfluxClosedError
   * ```
   */
  checkAccept(buffer: ClassBuffer): void {
    if (this.closed) {
      throw new InfluxClosedError(
        `${buffer.meta.className}: the series registry is closed; no point was buffered`,
      );
    }
    if (this.pendingPoints >= this.opts.maxPending && this.opts.whenFull === 'throw') {
      this.kickIdleBuffers();
      throw new InfluxBufferFullError(buffer.meta.className, this.pendingPoints, this.opts.maxPending);
    }
  }

  /**
   * Records a built instance whose line the serializer just wrote into `buffer.writer`
   * (internal; used by `SeriesModel`). May cut a batch (at `bulkSize` / `maxBatchBytes`) or start
   * the `flushInterval` timer.
   *
   * ```ts
   * // what `new Cpu({ … })` does, in short:
   * const buffer = registry.bufferFor(Cpu);
   * registry.checkAccept(buffer);
   * // … the serializer appends the line to buffer.writer …
   * registry.add(buffer, instance);
   * ```
   */
  add(buffer: ClassBuffer, instance: object): void {
    buffer.ends.push(buffer.writer.pos);
    buffer.instances.push(instance);
    this.pendingPoints++;
    const o = this.opts;
    const autocommit = buffer.options.autocommit ?? o.autocommit;
    if (!autocommit) return;
    if (
      buffer.count >= (buffer.options.bulkSize ?? o.bulkSize) ||
      buffer.bytes >= (buffer.options.maxBatchBytes ?? o.maxBatchBytes)
    ) {
      this.autoCut(buffer);
    } else if (buffer.count === 1) {
      const interval = buffer.options.flushInterval ?? o.flushInterval;
      if (interval > 0) {
        buffer.timer = setTimeout(() => {
          buffer.timer = undefined;
          this.autoCut(buffer);
        }, interval);
        buffer.timer.unref();
      }
    }
  }

  /**
   * The lines of a class not yet handed to a sink (without trailing newlines).
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4, time: new Date(1000) });
   * registry.pendingLines(Cpu); // ['cpu,host=a cores=4i,usage=0.5 1000000000']
   * ```
   */
  pendingLines(model: ModelClass): string[] {
    return this.buffers.get(model)?.lines() ?? [];
  }

  /**
   * The points of a class not yet handed to a sink, as write-body points (the seed's
   * `_json_body_`). `time` is a bigint counted in the class's precision, so
   * `makeLines(Model.pending(), meta.precision)` gives the lines that will be written.
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4, time: new Date(1000) });
   * registry.pending(Cpu);
   * // [{ measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 0.5, cores: 4n }, time: 1000000000n }]
   * ```
   */
  pending(model: ModelClass): Point[] {
    // Read back from the buffered lines: exactly what will be written, made by the one
    // instance -> line function (the class's serializer).
    return this.pendingLines(model).map(parseLine);
  }

  /**
   * Takes the given instances out of their class's buffer, if still there (not yet handed to a
   * sink), and returns each taken instance's line (with its `\n`). `Repository.write` uses it so
   * that an instance written directly is not also autocommitted.
   *
   * ```ts
   * const a = new Cpu({ host: 'a', usage: 0.5, cores: 4 });
   * registry.withdraw(Cpu, [a]); // Map { a => <Buffer 'cpu,host=a cores=4i,usage=0.5 …\n'> }
   * registry.pendingLines(Cpu); // []
   * ```
   */
  withdraw(model: ModelClass, instances: readonly object[]): Map<object, Buffer> {
    const buffer = this.buffers.get(model);
    if (buffer === undefined || buffer.count === 0) return new Map();
    const taken = buffer.withdraw(new Set(instances));
    if (taken.size > 0) {
      if (buffer.count === 0) this.clearTimer(buffer);
      this.release(taken.size);
    }
    return taken;
  }

  /**
   * Empties a class's buffer (points already handed to a sink are not recalled). Returns the count.
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4 });
   * registry.reset(Cpu); // 1
   * registry.pendingLines(Cpu); // []
   * ```
   */
  reset(model: ModelClass): number {
    const buffer = this.buffers.get(model);
    if (buffer === undefined) return 0;
    const n = buffer.count;
    this.clearTimer(buffer);
    buffer.clear();
    this.release(n);
    return n;
  }

  /**
   * Writes a class's buffered points now, through `sink` if given (it wins over the configured
   * sinks), and waits for its batches already in flight. Rejects with the error of the batch cut
   * here if it could not be stored (that batch is not also reported to `onError`).
   *
   * ```ts
   * new Cpu({ host: 'a', usage: 0.5, cores: 4 });
   * await registry.commit(Cpu); // POST /write … cpu,host=a cores=4i,usage=0.5 <now>
   * await registry.commit(Cpu, new MemorySink()); // or through another sink
   * ```
   */
  async commit(model: ModelClass, sink?: CommitSink): Promise<void> {
    const buffer = this.buffers.get(model);
    if (sink !== undefined && typeof (sink as { commit?: unknown })?.commit !== 'function') {
      throw new InfluxConfigError(
        `${buffer?.meta.className ?? model.name}.commit(sink): sink must implement commit(batch)`,
      );
    }
    if (buffer === undefined) return; // nothing of this class was ever buffered here
    const earlier = [...buffer.active];
    let mine: Promise<Error | undefined> | undefined;
    if (buffer.count > 0) {
      const resolved = sink ?? this.sinkOf(buffer);
      if (resolved === undefined) throw this.noSinkError(buffer);
      mine = this.dispatch(buffer, resolved, false);
    }
    await Promise.all(earlier);
    const error = mine === undefined ? undefined : await mine;
    if (error !== undefined) throw error;
  }

  /**
   * Writes everything buffered now and waits for every batch in flight. Failures are reported
   * through `onError`, never thrown. Rejects with {@link InfluxConfigError} (keeping the points)
   * when a class with buffered points has no sink.
   *
   * ```ts
   * const { written, failed } = await registry.flush(); // e.g. { written: 120, failed: 0 }
   * ```
   */
  async flush(): Promise<FlushResult> {
    const all: Array<{ n: number; p: Promise<Error | undefined> }> = [];
    for (const buffer of this.buffers.values()) {
      if (buffer.count > 0 && this.sinkOf(buffer) === undefined) throw this.noSinkError(buffer);
    }
    for (const buffer of this.buffers.values()) {
      for (const p of buffer.active) all.push({ n: -1, p });
      if (buffer.count > 0) {
        const n = buffer.count;
        all.push({ n, p: this.dispatch(buffer, this.sinkOf(buffer) as CommitSink, true) });
      }
    }
    let written = 0;
    let failed = 0;
    for (const { n, p } of all) {
      const error = await p;
      if (n < 0) continue;
      if (error === undefined) written += n;
      else failed += n;
    }
    return { written, failed };
  }

  /**
   * Flushes, then refuses new points. With `timeout` (ms), batches still retrying when it expires
   * stop retrying and are reported through `onError`. Idempotent.
   *
   * ```ts
   * await registry.close({ timeout: 5000 }); // { written, failed }
   * new Cpu({ host: 'a', usage: 0.5, cores: 4 }); // now throws InfluxClosedError
   * ```
   */
  async close(options: { timeout?: number } = {}): Promise<FlushResult> {
    this.closed = true;
    this.uninstallHooks?.();
    this.uninstallHooks = undefined;
    for (const w of this.capacityWaiters.splice(0)) {
      w.reject(new InfluxClosedError('series registry was closed while waiting for capacity'));
    }
    let timer: NodeJS.Timeout | undefined;
    if (options.timeout !== undefined) {
      timer = setTimeout(() => this.stopRetrying(), options.timeout);
      timer.unref();
    }
    try {
      let result: FlushResult;
      try {
        result = await this.flush();
      } catch (e) {
        if (!(e instanceof InfluxConfigError)) throw e;
        // Classes without a sink: nothing can be written; report their points instead of losing them.
        for (const buffer of this.buffers.values()) {
          if (buffer.count === 0 || this.sinkOf(buffer) !== undefined) continue;
          const batch = this.takeLines(buffer);
          this.release(batch.lineCount);
          this.report(e, this.failureOf(batch, this.toCommitBatch(batch), 0, true));
        }
        result = await this.flush();
      }
      return result;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Opt-in: flush on `beforeExit` and close (then re-raise the signal) on SIGINT/SIGTERM, so a
   * process that ends normally or is interrupted writes its pending points first. Returns a
   * function that removes the hooks. See {@link ShutdownHookOptions}.
   *
   * ```ts
   * const uninstall = registry.installShutdownHooks();
   * // … on SIGTERM the pending points are written before the process exits …
   * uninstall();
   * ```
   */
  installShutdownHooks(options?: ShutdownHookOptions): () => void {
    this.uninstallHooks?.();
    const uninstall = installShutdownHooks(this, options);
    this.uninstallHooks = uninstall;
    return () => {
      uninstall();
      if (this.uninstallHooks === uninstall) this.uninstallHooks = undefined;
    };
  }

  // ---------------------------------------------------------------------------------------------

  private sinkOf(buffer: ClassBuffer): CommitSink | undefined {
    return buffer.options.sink ?? this.opts.sink;
  }

  private noSinkError(buffer: ClassBuffer): InfluxConfigError {
    return new InfluxConfigError(
      `${buffer.meta.className}: no sink to write to; call configureSeries({ sink: client }) (or registry.configure), give @Measurement({ sink }), or pass one to commit(sink). The points stay buffered.`,
    );
  }

  private kickIdleBuffers(): void {
    // When the limit is reached with points still sitting in buffers (below bulkSize), write them
    // now so that capacity can come back without waiting for flushInterval.
    for (const buffer of this.buffers.values()) {
      if (buffer.count > 0 && (buffer.options.autocommit ?? this.opts.autocommit)) this.autoCut(buffer);
    }
  }

  private autoCut(buffer: ClassBuffer): void {
    if (buffer.count === 0) return;
    const sink = this.sinkOf(buffer);
    if (sink === undefined) {
      if (!this.warnedNoSink) {
        this.warnedNoSink = true;
        process.emitWarning(this.noSinkError(buffer).message, { code: 'INFLUX_MODELS_NO_SINK' });
      }
      return;
    }
    void this.dispatch(buffer, sink, true);
  }

  private takeLines(buffer: ClassBuffer): PendingBatch {
    this.clearTimer(buffer);
    return buffer.cut();
  }

  private clearTimer(buffer: ClassBuffer): void {
    if (buffer.timer !== undefined) {
      clearTimeout(buffer.timer);
      buffer.timer = undefined;
    }
  }

  private toCommitBatch(batch: PendingBatch): CommitBatch {
    const meta = batch.buffer.meta;
    return {
      // decoded only if the sink reads it (the client posts `bytes`; MemorySink reads the text)
      get body() {
        return batch.body;
      },
      bytes: batch.bytes,
      lineCount: batch.lineCount,
      database: meta.database,
      retentionPolicy: meta.retentionPolicy,
      precision: meta.precision,
      model: batch.buffer.model as CommitBatch['model'],
      instances: batch.instances,
    };
  }

  /** Cuts the buffer into a batch and writes it; the promise never rejects. */
  private dispatch(buffer: ClassBuffer, sink: CommitSink, report: boolean): Promise<Error | undefined> {
    const batch = this.takeLines(buffer);
    const p = this.run(batch, sink, report);
    buffer.active.add(p);
    void p.then(() => buffer.active.delete(p));
    return p;
  }

  /** Starts the batch now when a slot is free (so the sink sees it synchronously), else queues it. */
  private run(batch: PendingBatch, sink: CommitSink, report: boolean): Promise<Error | undefined> {
    if (this.inFlight < this.opts.concurrency) {
      this.inFlight++;
      return this.attempt(batch, sink, report);
    }
    return new Promise((resolve) =>
      this.queue.push(() => {
        this.inFlight++;
        resolve(this.attempt(batch, sink, report));
      }),
    );
  }

  private async attempt(batch: PendingBatch, sink: CommitSink, report: boolean): Promise<Error | undefined> {
    const n = batch.lineCount;
    const commitBatch = this.toCommitBatch(batch);
    let attempts = 0;
    let error: Error | undefined;
    try {
      for (;;) {
        attempts++;
        try {
          await sink.commit(commitBatch);
          error = undefined;
          break;
        } catch (e) {
          error = e instanceof Error ? e : new Error(String(e));
          const permanent = isPermanent(error);
          if (permanent || attempts >= this.opts.retry.maxAttempts || this.giveUp) {
            if (report) this.report(error, this.failureOf(batch, commitBatch, attempts, permanent));
            break;
          }
          await this.sleep(this.delay(attempts));
        }
      }
    } finally {
      this.releaseSlot();
      this.release(n);
    }
    return error;
  }

  private failureOf(
    batch: PendingBatch,
    commitBatch: CommitBatch,
    attempts: number,
    permanent: boolean,
  ): CommitFailure {
    return {
      model: batch.buffer.model as CommitFailure['model'],
      batch: commitBatch,
      lines: batch.lines(),
      instances: batch.instances,
      attempts,
      permanent,
    };
  }

  private report(error: Error, failure: CommitFailure): void {
    const hook = this.opts.onError;
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
    const className = this.buffers.get(failure.model as ModelClass)?.meta.className ?? failure.model.name;
    process.emitWarning(
      `influx-models: ${failure.lines.length} points of ${className} were not written after ${failure.attempts} attempt(s): ${error.message}`,
      { code: 'INFLUX_MODELS_COMMIT_FAILED' },
    );
  }

  private delay(attempt: number): number {
    const r = this.opts.retry;
    const base = Math.min(r.maxDelay, r.minDelay * 2 ** Math.min(attempt - 1, 30));
    return Math.round(base * (1 - r.jitter * Math.random()));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref();
      this.sleepers.add(done);
    });
  }

  private stopRetrying(): void {
    this.giveUp = true;
    for (const wake of [...this.sleepers]) wake();
  }

  private releaseSlot(): void {
    this.inFlight--;
    const next = this.queue.shift();
    if (next !== undefined) next();
  }

  private release(n: number): void {
    this.pendingPoints -= n;
    if (this.capacityWaiters.length === 0) return;
    const max = this.opts.maxPending;
    let kept = 0;
    for (const w of this.capacityWaiters) {
      if (this.pendingPoints + w.n <= max) w.resolve();
      else this.capacityWaiters[kept++] = w;
    }
    this.capacityWaiters.length = kept;
  }
}

/**
 * Permanent errors are not retried: the server refused the data, or the sink cannot work.
 *
 * ```ts
 * isPermanent(new InfluxConnectionError('ECONNREFUSED')); // false (retried)
 * isPermanent(new InfluxDBClientError('unable to parse …', 400)); // true
 * ```
 */
export function isPermanent(error: Error): boolean {
  return (
    error instanceof InfluxDBClientError ||
    error instanceof InfluxValidationError ||
    error instanceof InfluxConfigError ||
    error instanceof InfluxClosedError ||
    error instanceof InfluxAbortError
  );
}
