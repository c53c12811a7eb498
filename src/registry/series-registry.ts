import { InfluxBufferFullError, InfluxClosedError, InfluxConfigError } from '../errors.js';
import type { Point } from '../line-protocol/make-lines.js';
import { parseLine } from '../line-protocol/parse-line.js';
import { type CommitSink, SERIES_REGISTRY } from '../sink.js';
import { ClassBuffer, type SeriesClass } from './class-buffer.js';
import { CommitLoop, clearTimer } from './commit-loop.js';
import { noSinkError, warnBulkSizeIgnored } from './diagnostics.js';
import { armExitFlush, disarmExitFlush } from './exit-flush.js';
import type { Flight } from './flight.js';
import {
  awaitCommit,
  checkTimeout,
  closeAll,
  type FlushOptions,
  type FlushResult,
  flushAll,
  type RegistryParts,
  sinkOf,
  sinksOf,
} from './flush-close.js';
import {
  DEFAULT_REGISTRY_OPTIONS,
  type ResolvedRegistryOptions,
  resolveRegistryOptions,
  type SeriesRegistryOptions,
} from './registry-options.js';
import type { RegistryStats } from './registry-stats.js';
import { installShutdownHooks, type ShutdownHookOptions } from './shutdown-hooks.js';
import { SpoolJournal } from './spool-journal.js';
import { replaySpool } from './spool-replay.js';

export type { FlushOptions, FlushResult } from './flush-close.js';

// biome-ignore lint/suspicious/noExplicitAny: constructors of any argument list
type ModelClass = abstract new (...args: any[]) => object;

/**
 * Buffers model instances per class and commits them in batches through a {@link CommitSink}:
 * when a class reaches `bulkSize` points, `maxBatchBytes` bytes, or `flushInterval` ms after its
 * first pending point. Failed batches keep their points: transient errors are retried with
 * exponential backoff, permanent ones (4xx, partial writes) are handed to `onError` with the points.
 * Autocommit timers never keep the process alive; when the event loop empties, the registry
 * flushes (`flushOnExit`, default true), and `flush()`/`close()` keep the process alive until they
 * settle. Signals are opt-in (`installShutdownHooks()`).
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
  /** The batches once cut: attempts, retries, outcomes, the points held and the spool. */
  private readonly loop: CommitLoop;
  private closed = false;
  private closing: Promise<FlushResult> | undefined;
  private warnedNoSink = false;
  private exitArmed = false;
  private warnedBulkSize = false;
  private uninstallHooks: (() => void) | undefined;
  /** What flush, close and commit use (see flush-close.ts). */
  private readonly parts: RegistryParts;

  constructor(options?: SeriesRegistryOptions) {
    this.opts = resolveRegistryOptions(DEFAULT_REGISTRY_OPTIONS, options);
    this.checkBulkSize(options);
    this.loop = new CommitLoop(
      this,
      () => this.opts,
      this.opts.spool === undefined ? undefined : SpoolJournal.open(this.opts.spool),
    );
    this.parts = { loop: this.loop, buffers: this.buffers, options: () => this.opts };
    if (this.loop.spool !== undefined) this.replaySpool();
  }

  /** Queues the points a previous registry left in the spool, once a sink is known. */
  private replaySpool(): void {
    if (replaySpool(this.loop, this.opts.sink)) this.armExit();
  }

  private armExit(): void {
    this.exitArmed = true;
    if (this.opts.flushOnExit && !this.closed) armExitFlush(this);
  }

  /**
   * Changes the options; applies to batches cut from now on.
   *
   * ```ts
   * registry.configure({ sink: client, bulkSize: 1000, flushInterval: 500 });
   * ```
   */
  configure(options: SeriesRegistryOptions): this {
    if (options?.spool !== undefined) {
      throw new InfluxConfigError(
        'series registry option spool: give it to the constructor (new SeriesRegistry({ spool }))',
      );
    }
    this.opts = resolveRegistryOptions(this.opts, options);
    this.checkBulkSize(options);
    if (this.exitArmed) {
      if (this.opts.flushOnExit && !this.closed) armExitFlush(this);
      else disarmExitFlush(this);
    }
    this.replaySpool();
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
    return this.loop.pendingPoints;
  }

  /**
   * True when `n` more points fit under `maxPending`.
   *
   * ```ts
   * if (!registry.hasCapacity(rows.length)) await registry.waitForCapacity(rows.length);
   * ```
   */
  hasCapacity(n = 1): boolean {
    return this.loop.hasCapacity(n);
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
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > this.opts.maxPending) {
      return Promise.reject(
        new InfluxConfigError(
          `waitForCapacity(n): n must be an integer in 1..maxPending (${this.opts.maxPending}), got ${n}`,
        ),
      );
    }
    if (this.hasCapacity(n)) return Promise.resolve();
    this.kickIdleBuffers();
    return new Promise((resolve, reject) => this.loop.capacityWaiters.push({ n, resolve, reject }));
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
    if (this.opts.whenFull === 'throw' && !this.hasCapacity()) {
      this.kickIdleBuffers();
      const spool = this.loop.spool;
      if (spool?.healthy) {
        throw new InfluxBufferFullError(
          `${buffer.meta.className} (spool ${spool.liveBytes} of spool.maxBytes=${spool.maxBytes} bytes)`,
          this.loop.pendingPoints,
          this.opts.maxPending,
        );
      }
      throw new InfluxBufferFullError(buffer.meta.className, this.loop.pendingPoints, this.opts.maxPending);
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
    buffer.push(instance);
    this.loop.pendingPoints++;
    if (!this.exitArmed) this.armExit();
    if (this.loop.spool !== undefined) this.loop.spool.noteAdd();
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
      if (interval > 0) this.startTimer(buffer, interval);
    }
  }

  /**
   * The `flushInterval` timer of a buffer that just got its first point. Its own method so that
   * `add` holds no closure: a closure over `buffer` would make every call of `add` allocate a
   * context for it (about 48 bytes per point buffered, a sixth of the garbage per point).
   */
  private startTimer(buffer: ClassBuffer, interval: number): void {
    buffer.timer = setTimeout(() => {
      buffer.timer = undefined;
      this.autoCut(buffer);
    }, interval);
    buffer.timer.unref();
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
      if (buffer.count === 0) clearTimer(buffer);
      this.loop.release(taken.size);
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
    clearTimer(buffer);
    this.loop.spool?.discard(buffer);
    buffer.clear();
    this.loop.countOf(buffer.meta.className).dropped += n;
    this.loop.release(n);
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
    const earlier = [...this.loop.flights].filter((f) => f.buffer === buffer).map((f) => f.done);
    let mine: Flight | undefined;
    if (buffer.count > 0) {
      const resolved = sink ?? this.sinkOf(buffer);
      if (resolved === undefined) throw noSinkError(buffer);
      mine = this.loop.dispatch(buffer, resolved, false);
    }
    await awaitCommit(earlier, mine);
  }

  /**
   * Writes everything buffered now and waits for every batch not yet settled (those cut earlier by
   * autocommit included), keeping the process alive meanwhile. Resolves `{ written, failed: 0,
   * abandoned: 0 }` when all of them were stored. Otherwise rejects with {@link InfluxFlushError},
   * which says how many points of which classes were not written and why: `failed` (refused or
   * retries used up; each also reported through `onError`) and `pending` (still being retried when
   * `timeout` passed; they keep being retried). `timeout` defaults to the retry policy's
   * `giveUpAfter` (120 s by default). Rejects with {@link InfluxConfigError} (keeping the points)
   * when a class with buffered points has no sink.
   *
   * When a sink replicates (`InfluxDBClient` with `replicate: 'all'`), a point is written once one
   * server stored it; flush then also waits, within the same `timeout`, until every server that
   * answers has its copies (those it gets from the spool included; a server that is down is tried
   * once, then not waited for) and the result's `hosts` reports each server: points `written`,
   * `pending` (with `pendingBatches`, `pendingBytes`), `failed`, `dropped`, and `failing`,
   * `lastError`. An {@link InfluxFlushError} carries the same report in its `hosts`.
   *
   * ```ts
   * const { written } = await registry.flush(); // e.g. { written: 120, failed: 0, abandoned: 0 }
   * await registry.flush({ timeout: 5000 }); // InfluxFlushError if not all stored within 5 s
   * // through new InfluxDBClient({ hosts: [a, b], replicate: 'all' }) with b down:
   * // { written: 120, failed: 0, abandoned: 0, hosts: [
   * //   { url: 'http://a:8086', written: 120, pending: 0, pendingBatches: 0, pendingBytes: 0, failed: 0, dropped: 0, failing: false },
   * //   { url: 'http://b:8086', written: 0, pending: 120, pendingBatches: 1, pendingBytes: 5040, failed: 0, dropped: 0,
   * //     failing: true, lastError: '…' } ] }
   * ```
   */
  async flush(options: FlushOptions = {}): Promise<FlushResult> {
    const timeout = checkTimeout(options, 'flush');
    return flushAll(this.parts, timeout);
  }

  /**
   * Flushes, then refuses new points, and reports true counts: `written`, `failed` (reported
   * through `onError`) and `abandoned` (batches in flight or queued when `timeout` ms passed: their
   * commits are aborted, their points reported through `onError` with `abandoned: true`; with a
   * spool they stay on disk and are replayed by the next registry on the same directory). With a
   * sink that replicates, it reports each server in `hosts` as {@link flush} does; batches a server
   * is still missing stay in the spool and are sent to that server only, after a restart (the
   * copies already queued in the client keep going until the client is closed).
   * With `timeout`, it returns within `timeout` plus a short bounded margin (500 ms) even when the
   * server never answers; without, each batch is bounded by the retry policy. Idempotent (a second
   * call returns the first one's result).
   *
   * ```ts
   * await registry.close({ timeout: 5000 }); // { written: 5120, failed: 0, abandoned: 0 }
   * new Cpu({ host: 'a', usage: 0.5, cores: 4 }); // now throws InfluxClosedError
   * ```
   */
  close(options: { timeout?: number } = {}): Promise<FlushResult> {
    const timeout = checkTimeout(options, 'close');
    this.closing ??= this.doClose(timeout);
    return this.closing;
  }

  private async doClose(timeout: number | undefined): Promise<FlushResult> {
    this.closed = true;
    this.uninstallHooks?.();
    this.uninstallHooks = undefined;
    disarmExitFlush(this);
    for (const w of this.loop.capacityWaiters.splice(0)) {
      w.reject(new InfluxClosedError('series registry was closed while waiting for capacity'));
    }
    return closeAll(this.parts, timeout);
  }

  /**
   * A snapshot of the pipeline: points buffered, queued, in flight, retrying, and cumulative
   * written / failed / abandoned / dropped counts and retries, in all and per model class; with a
   * sink that replicates, `hosts`: each server as {@link flush} reports it, now.
   *
   * ```ts
   * const s = registry.stats();
   * s.pending; // buffered + queued + inFlight + retrying
   * s.classes.Cpu.written;
   * s.hosts?.[1]; // replicate: 'all': { url: 'http://b:8086', pending: 5000, pendingBatches: 10, failing: true, … }
   * ```
   */
  stats(): RegistryStats {
    const stats = this.loop.stats(this.buffers.values());
    const hosts = this.loop.replicaHosts.report(sinksOf(this.parts));
    return hosts === undefined ? stats : { ...stats, hosts };
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Opt-in: close (then re-raise the signal) on SIGINT/SIGTERM, so a process that is interrupted
   * writes its pending points first (flushing on a natural end is on by default: `flushOnExit`).
   * Returns a function that removes the hooks. See {@link ShutdownHookOptions}.
   *
   * ```ts
   * const uninstall = registry.installShutdownHooks({ timeout: 10_000 });
   * // … on SIGTERM the pending points are written (10 s at most) before the process exits …
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
    return sinkOf(this.parts, buffer);
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
        process.emitWarning(noSinkError(buffer).message, { code: 'INFLUX_MODELS_NO_SINK' });
      }
      return;
    }
    this.loop.dispatch(buffer, sink, true);
  }
}
