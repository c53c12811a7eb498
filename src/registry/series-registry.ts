import { retryAfterOf, sleep } from '../client/retry-policy.js';
import {
  InfluxAbortError,
  InfluxBufferFullError,
  InfluxClosedError,
  InfluxConfigError,
  InfluxDBClientError,
  InfluxDBPartialWriteError,
  InfluxFlushError,
  InfluxTimeoutError,
  InfluxValidationError,
} from '../errors.js';
import type { Point } from '../line-protocol/make-lines.js';
import { parseLine } from '../line-protocol/parse-line.js';
import { type CommitBatch, type CommitSink, SERIES_REGISTRY } from '../sink.js';
import { ClassBuffer, type PendingBatch, type SeriesClass } from './class-buffer.js';
import { armExitFlush, disarmExitFlush } from './exit-flush.js';
import { refusedLines } from './partial-write.js';
import {
  type CommitFailure,
  DEFAULT_REGISTRY_OPTIONS,
  type ResolvedRegistryOptions,
  resolveRegistryOptions,
  type SeriesRegistryOptions,
} from './registry-options.js';
import { channels, emptyClassStats, type RegistryStats, type SeriesClassStats } from './registry-stats.js';
import { HostDelivery, type HostFlushResult, HostTotals, replicaUrlsOf } from './replica-delivery.js';
import { installShutdownHooks, type ShutdownHookOptions } from './shutdown-hooks.js';
import { SpoolJournal, type SpoolTag } from './spool-journal.js';

/**
 * What `flush()` and `close()` report about every batch they waited for: the batches they cut and
 * those already in flight (cut earlier by autocommit). `written + failed + abandoned` is every
 * point of those batches; a partial write counts its stored lines as written and only the refused
 * ones as failed.
 */
export interface FlushResult {
  /** Points stored. */
  readonly written: number;
  /** Points that could not be stored (each reported through `onError`). */
  readonly failed: number;
  /** Points in flight when `close({ timeout })` gave up on them (reported through `onError`). */
  readonly abandoned: number;
  /**
   * When a sink replicates (`InfluxDBClient` with `replicate: 'all'`): each server's points (see
   * {@link HostFlushResult}). A point counts as `written` above once ONE server stored it.
   */
  readonly hosts?: readonly HostFlushResult[];
}

/** Options of `registry.flush()`. */
export interface FlushOptions {
  /** Longest wait in ms; default the retry policy's `giveUpAfter` (120000 by default). */
  timeout?: number;
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
  private pendingPoints = 0;
  private inFlight = 0;
  private readonly queue: Flight[] = [];
  private readonly flights = new Set<Flight>();
  private readonly capacityWaiters: Waiter[] = [];
  private closed = false;
  private closing: Promise<FlushResult> | undefined;
  private warnedNoSink = false;
  private warnedRetry = false;
  private exitArmed = false;
  /** Points of flights that wait on disk only (spilled or replayed from the spool). */
  private spilled = 0;
  private readonly totals = new Map<string, SeriesClassStats>();
  private readonly spool: SpoolJournal | undefined;
  private warnedBulkSize = false;
  private uninstallHooks: (() => void) | undefined;
  /** Points per server, with a sink that replicates. */
  private readonly hostTotals = new HostTotals();

  constructor(options?: SeriesRegistryOptions) {
    this.opts = resolveRegistryOptions(DEFAULT_REGISTRY_OPTIONS, options);
    this.checkBulkSize(options);
    if (this.opts.spool !== undefined) {
      this.spool = SpoolJournal.open(this.opts.spool);
      this.replaySpool();
    }
  }

  /** Queues the points a previous registry left in the spool, once a sink is known. */
  private replaySpool(): void {
    const spool = this.spool;
    const sink = this.opts.sink;
    if (spool === undefined || sink === undefined || !spool.hasReplay()) return;
    const urls = replicaUrlsOf(sink);
    for (const r of spool.takeReplay()) {
      // replicated: each server is sent only what it did not store before the restart
      if (urls?.every((u) => r.hosts.includes(u))) {
        spool.settled(r.tag);
        continue;
      }
      const f = new Flight(undefined, r.className, r.lineCount, sink, true, r.tag);
      this.trackHosts(f, r.hosts);
      this.flights.add(f);
      this.pendingPoints += f.n;
      this.spilled += f.n;
      this.run(f);
    }
    this.armExit();
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
    const spool = this.spool;
    if (spool?.healthy) return spool.liveBytes < spool.maxBytes;
    return this.pendingPoints - this.spilled + n <= this.opts.maxPending;
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
    if (this.opts.whenFull === 'throw' && !this.hasCapacity()) {
      this.kickIdleBuffers();
      if (this.spool?.healthy) {
        throw new InfluxBufferFullError(
          `${buffer.meta.className} (spool ${this.spool.liveBytes} of spool.maxBytes=${this.spool.maxBytes} bytes)`,
          this.pendingPoints,
          this.opts.maxPending,
        );
      }
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
    if (!this.exitArmed) this.armExit();
    if (this.spool !== undefined) this.spool.noteAdd();
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
    this.spool?.discard(buffer);
    buffer.clear();
    this.countOf(buffer.meta.className).dropped += n;
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
    const earlier = [...this.flights].filter((f) => f.buffer === buffer).map((f) => f.done);
    let mine: Flight | undefined;
    if (buffer.count > 0) {
      const resolved = sink ?? this.sinkOf(buffer);
      if (resolved === undefined) throw this.noSinkError(buffer);
      mine = this.dispatch(buffer, resolved, false);
    }
    const keepAlive = setInterval(noop, 1 << 30);
    try {
      await Promise.all(earlier);
      const outcome = mine === undefined ? undefined : await mine.done;
      if (outcome?.error !== undefined) throw outcome.error;
    } finally {
      clearInterval(keepAlive);
    }
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
   * answers has its copies (a server that is down is tried once, then not waited for) and the
   * result's `hosts` reports each server: `written`, `pending`, `failed`, `failing`, `lastError`.
   *
   * ```ts
   * const { written } = await registry.flush(); // e.g. { written: 120, failed: 0, abandoned: 0 }
   * await registry.flush({ timeout: 5000 }); // InfluxFlushError if not all stored within 5 s
   * // through new InfluxDBClient({ hosts: [a, b], replicate: 'all' }) with b down:
   * // { written: 120, failed: 0, abandoned: 0, hosts: [
   * //   { url: 'http://a:8086', written: 120, pending: 0, failed: 0, failing: false },
   * //   { url: 'http://b:8086', written: 0, pending: 120, failed: 0, failing: true, lastError: '…' } ] }
   * ```
   */
  async flush(options: FlushOptions = {}): Promise<FlushResult> {
    const timeout = checkTimeout(options, 'flush');
    for (const buffer of this.buffers.values()) {
      if (buffer.count > 0 && this.sinkOf(buffer) === undefined) throw this.noSinkError(buffer);
    }
    for (const buffer of this.buffers.values()) {
      if (buffer.count > 0) this.dispatch(buffer, this.sinkOf(buffer) as CommitSink, true);
    }
    const targets = [...this.flights];
    const limit = timeout ?? this.opts.retry.giveUpAfter;
    const started = Date.now();
    await this.waitFor(targets, limit);
    const result = tally(targets, `still being written after ${limit} ms (flush timeout)`);
    if (result.error !== undefined) throw result.error;
    const hosts = await this.hostReport(limit - (Date.now() - started));
    return hosts === undefined ? result.counts : { ...result.counts, hosts };
  }

  /** With sinks that replicate: see {@link HostTotals.flush}. Undefined when no sink replicates. */
  private hostReport(ms: number): Promise<HostFlushResult[] | undefined> {
    return this.hostTotals.flush(
      [this.opts.sink, ...[...this.buffers.values()].map((b) => b.options.sink)],
      ms,
    );
  }

  /**
   * Flushes, then refuses new points, and reports true counts: `written`, `failed` (reported
   * through `onError`) and `abandoned` (batches in flight or queued when `timeout` ms passed: their
   * commits are aborted, their points reported through `onError` with `abandoned: true`; with a
   * spool they stay on disk and are replayed by the next registry on the same directory). With a
   * sink that replicates, it reports each server in `hosts` as {@link flush} does; batches a server
   * is still missing stay in the spool and are sent to that server only, after a restart.
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
    for (const w of this.capacityWaiters.splice(0)) {
      w.reject(new InfluxClosedError('series registry was closed while waiting for capacity'));
    }
    let noSink = 0;
    for (const buffer of this.buffers.values()) {
      if (buffer.count === 0) continue;
      const sink = this.sinkOf(buffer);
      if (sink !== undefined) {
        this.dispatch(buffer, sink, true);
        continue;
      }
      // No sink: nothing can be written; report the points instead of losing them silently.
      const n = buffer.count;
      const tag = this.spool?.beforeCut(buffer);
      const batch = this.takeLines(buffer);
      const f = this.newFlight(buffer, batch, this.noSinkSink, true, tag);
      this.settle(f, this.failOutcome(f, this.noSinkError(buffer), true, f.lines(), f.instances(), true));
      noSink += n;
    }
    const targets = [...this.flights];
    const started = Date.now();
    if (timeout === undefined) await this.waitFor(targets, Number.POSITIVE_INFINITY);
    else {
      await this.waitFor(targets, timeout);
      const reason = new GiveUp('close', `abandoned by close({ timeout: ${timeout} })`);
      for (const f of targets) if (f.outcome === undefined) this.abandon(f, reason);
      await this.waitFor(targets, CLOSE_MARGIN);
      for (const f of targets) if (f.outcome === undefined) this.settle(f, this.abandonOutcome(f, reason));
    }
    const hosts = await this.hostReport(
      timeout === undefined ? Number.POSITIVE_INFINITY : Math.max(1, timeout - (Date.now() - started)),
    );
    this.spool?.close();
    const { counts } = tally(targets, 'closed');
    const result = { ...counts, failed: counts.failed + noSink };
    return hosts === undefined ? result : { ...result, hosts };
  }

  /**
   * A snapshot of the pipeline: points buffered, queued, in flight, retrying, and cumulative
   * written / failed / abandoned / dropped counts and retries, in all and per model class.
   *
   * ```ts
   * const s = registry.stats();
   * s.pending; // buffered + queued + inFlight + retrying
   * s.classes.Cpu.written;
   * ```
   */
  stats(): RegistryStats {
    const classes: Record<string, SeriesClassStats> = {};
    const of = (name: string): SeriesClassStats => {
      let c = classes[name];
      if (c === undefined) {
        c = { ...(this.totals.get(name) ?? emptyClassStats()) };
        classes[name] = c;
      }
      return c;
    };
    for (const buffer of this.buffers.values()) of(buffer.meta.className).buffered += buffer.count;
    for (const f of this.flights) {
      const c = of(f.className);
      if (f.state === 'queued') c.queued += f.n;
      else if (f.state === 'sending') c.inFlight += f.n;
      else c.retrying += f.n;
    }
    for (const name of this.totals.keys()) of(name);
    const all = emptyClassStats();
    for (const c of Object.values(classes)) {
      for (const k of Object.keys(all) as Array<keyof SeriesClassStats>) all[k] += c[k];
    }
    return {
      ...all,
      pending: all.buffered + all.queued + all.inFlight + all.retrying,
      classes,
      spool: this.spool?.stats(),
    };
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
    return buffer.options.sink ?? this.opts.sink;
  }

  private noSinkError(buffer: ClassBuffer): InfluxConfigError {
    return new InfluxConfigError(
      `${buffer.meta.className}: no sink to write to; call configureSeries({ sink: client }) (or registry.configure), give @Measurement({ sink }), or pass one to commit(sink). The points stay buffered.`,
    );
  }

  private readonly noSinkSink: CommitSink = {
    commit: () => Promise.reject(new InfluxConfigError('no sink')),
  };

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
    this.dispatch(buffer, sink, true);
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

  private newFlight(
    buffer: ClassBuffer,
    batch: PendingBatch,
    sink: CommitSink,
    report: boolean,
    tag: SpoolTag | undefined,
  ): Flight {
    const meta = batch.buffer.meta;
    const commitBatch: CommitBatch = {
      // decoded only if the sink reads it (the client posts `bytes`; MemorySink reads the text)
      get body() {
        return batch.body;
      },
      bytes: batch.bytes,
      lineCount: batch.lineCount,
      database: meta.database,
      retentionPolicy: meta.retentionPolicy,
      precision: meta.precision,
      consistency: buffer.options.consistency ?? this.opts.consistency,
      model: batch.buffer.model as CommitBatch['model'],
      instances: batch.instances,
    };
    const f = new Flight(buffer, meta.className, batch.lineCount, sink, report, tag);
    f.data = { commitBatch, lines: () => batch.lines(), instances: batch.instances };
    this.trackHosts(f, []);
    this.flights.add(f);
    return f;
  }

  /** With a sink that replicates: follows each server's copy (spool marks, per-server counts). */
  private trackHosts(f: Flight, had: readonly string[]): void {
    const urls = replicaUrlsOf(f.sink);
    if (urls === undefined) return;
    const spool = this.spool;
    const tag = f.tag;
    f.delivery = new HostDelivery(urls, had, f.n, this.hostTotals, (url) => {
      if (tag !== undefined) spool?.hostStored(tag, url);
    });
  }

  /** Cuts the buffer into a batch and starts (or queues) its flight. */
  private dispatch(buffer: ClassBuffer, sink: CommitSink, report: boolean): Flight {
    const tag = this.spool?.beforeCut(buffer);
    const f = this.newFlight(buffer, this.takeLines(buffer), sink, report, tag);
    this.run(f);
    return f;
  }

  /** Starts the flight now when a slot is free (so the sink sees it synchronously), else queues it. */
  private run(f: Flight): void {
    if (this.inFlight < this.opts.concurrency) {
      this.start(f);
      return;
    }
    // With a spool, a batch that would push memory over maxPending waits on disk only (spilled).
    if (
      this.spool !== undefined &&
      f.tag !== undefined &&
      this.pendingPoints - this.spilled > this.opts.maxPending
    ) {
      if (this.spool.spill(f.tag)) {
        f.data = undefined;
        this.spilled += f.n;
      }
    }
    this.queue.push(f);
  }

  private start(f: Flight): void {
    this.inFlight++;
    f.holdsSlot = true;
    if (f.data === undefined) {
      // spilled or replayed: read back from the spool
      this.spilled -= f.n;
      try {
        f.data = (this.spool as SpoolJournal).load(f.tag as SpoolTag, this.opts.consistency);
      } catch (e) {
        this.settle(f, this.failOutcome(f, toError(e), true, [], [], false));
        return;
      }
    }
    void this.attempt(f);
  }

  private async attempt(f: Flight): Promise<void> {
    const data = f.data as FlightData;
    const policy = this.opts.retry;
    f.startedAt = Date.now();
    if (Number.isFinite(policy.giveUpAfter)) {
      f.deadline = setTimeout(
        () =>
          f.controller.abort(
            new GiveUp('deadline', `gave up after retry.giveUpAfter=${policy.giveUpAfter} ms`),
          ),
        policy.giveUpAfter,
      );
      f.deadline.unref();
    }
    let outcome: Outcome;
    for (;;) {
      if (f.controller.signal.aborted) {
        outcome = this.abandonOutcome(f, f.controller.signal.reason as GiveUp);
        break;
      }
      f.attempts++;
      f.state = 'sending';
      if (channels.start.hasSubscribers) {
        channels.start.publish({
          registry: this,
          className: f.className,
          lines: f.n,
          bytes: data.commitBatch.bytes?.byteLength,
          attempt: f.attempts,
        });
      }
      try {
        await f.sink.commit(
          data.commitBatch,
          f.delivery?.commitOptions(f.controller.signal) ?? { signal: f.controller.signal, retry: false },
        );
        outcome = { written: f.n, failed: 0, abandoned: 0 };
        break;
      } catch (e) {
        if (f.controller.signal.aborted) continue; // reported as given up at the top of the loop
        const error = toError(e);
        f.lastError = error;
        if (error instanceof InfluxDBPartialWriteError) {
          const lines = data.lines();
          const idx = refusedLines(error, lines);
          if (idx !== undefined) {
            outcome = this.failOutcome(
              f,
              error,
              true,
              idx.map((i) => lines[i] as string),
              idx.map((i) => data.instances[i] as object),
              true,
            );
            break;
          }
          outcome = this.failOutcome(f, error, true, lines, data.instances, false);
          break;
        }
        if (isPermanent(error)) {
          outcome = this.failOutcome(f, error, true, data.lines(), data.instances, true);
          break;
        }
        const delay = policy.next(f.attempts, f.startedAt, retryAfterOf(error));
        if (delay === undefined) {
          outcome = this.failOutcome(f, error, false, data.lines(), data.instances, true);
          break;
        }
        this.noteRetry(f, error, delay);
        f.state = 'retrying';
        await sleep(delay, f.controller.signal).catch(noop);
      }
    }
    this.settle(f, outcome);
  }

  private noteRetry(f: Flight, error: Error, delay: number): void {
    this.countOf(f.className).retries++;
    if (!this.warnedRetry) {
      this.warnedRetry = true;
      process.emitWarning(
        `influx-models: writing ${f.n} points of ${f.className} failed (${error.message}); retrying in ${delay} ms. Later failures are not warned about: see onRetry, registry.stats() and the influx-models:batch:* diagnostics channels`,
        { code: 'INFLUX_MODELS_RETRYING' },
      );
    }
    const hook = this.opts.onRetry;
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
        registry: this,
        className: f.className,
        lines: f.n,
        attempt: f.attempts,
        delay,
        error,
      });
    }
  }

  /** A batch (or its refused `lines`) given up: reported through `onError` (when `f.report`). */
  private failOutcome(
    f: Flight,
    error: Error,
    permanent: boolean,
    lines: readonly string[],
    instances: readonly object[],
    exact: boolean,
    abandoned = false,
  ): Outcome {
    const failure: CommitFailure = {
      model: f.buffer?.model as CommitFailure['model'],
      className: f.className,
      batch: (f.data as FlightData | undefined)?.commitBatch ?? emptyBatch(f),
      lines,
      instances,
      attempts: f.attempts,
      permanent,
      abandoned,
      exact,
    };
    if (f.report) this.report(error, failure);
    if (channels.giveUp.hasSubscribers) {
      channels.giveUp.publish({
        registry: this,
        className: f.className,
        lines: lines.length,
        attempt: f.attempts,
        error,
        abandoned,
      });
    }
    const lost = Math.min(lines.length, f.n);
    return abandoned
      ? { written: 0, failed: 0, abandoned: f.n, error }
      : { written: f.n - lost, failed: lost, abandoned: 0, error };
  }

  private abandonOutcome(f: Flight, reason: GiveUp): Outcome {
    const data = f.data as FlightData | undefined;
    if (reason.kind === 'deadline') {
      const error =
        f.lastError ?? new InfluxTimeoutError(`${f.className}: ${reason.message}; the server did not answer`);
      return this.failOutcome(f, error, false, data?.lines() ?? [], data?.instances ?? [], true);
    }
    const error = new InfluxAbortError(
      `${f.className}: ${f.n} points ${reason.message}${f.lastError ? ` (last error: ${f.lastError.message})` : ''}`,
      { cause: f.lastError },
    );
    const lines = data?.lines() ?? [];
    return this.failOutcome(f, error, false, lines, data?.instances ?? [], true, true);
  }

  /** Aborts a flight: its commit's signal fires; a queued flight is settled at once. */
  private abandon(f: Flight, reason: GiveUp): void {
    const q = this.queue.indexOf(f);
    if (q >= 0) {
      this.queue.splice(q, 1);
      this.settle(f, this.abandonOutcome(f, reason));
      return;
    }
    f.controller.abort(reason);
  }

  /** Records a flight's outcome once: counters, capacity, slot, spool acknowledgement, channel. */
  private settle(f: Flight, o: Outcome): void {
    if (f.outcome !== undefined) return;
    f.outcome = o;
    if (f.deadline !== undefined) clearTimeout(f.deadline);
    this.flights.delete(f);
    const c = this.countOf(f.className);
    c.written += o.written;
    c.failed += o.failed;
    c.abandoned += o.abandoned;
    if (f.data === undefined && !f.holdsSlot) this.spilled -= f.n;
    // abandoned points stay in the spool (replayed by the next registry on the directory); a batch
    // written to a replicating sink is acknowledged once every server has it (until then each
    // server that stored it is marked, so that a restart sends it only to the others)
    const spool = this.spool;
    const tag = f.tag;
    if (o.abandoned === 0 && tag !== undefined && spool !== undefined) {
      if (f.delivery !== undefined && o.error === undefined) f.delivery.onComplete(() => spool.settled(tag));
      else spool.settled(tag);
    }
    if (channels.end.hasSubscribers) {
      channels.end.publish({
        registry: this,
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
    if (f.holdsSlot) {
      f.holdsSlot = false;
      this.releaseSlot();
    }
    this.release(f.n);
    f.resolve(o);
  }

  private countOf(className: string): SeriesClassStats {
    let c = this.totals.get(className);
    if (c === undefined) {
      c = emptyClassStats();
      this.totals.set(className, c);
    }
    return c;
  }

  /** Waits until every flight of `targets` settled or `ms` passed, keeping the process alive. */
  private async waitFor(targets: readonly Flight[], ms: number): Promise<void> {
    const open = targets.filter((f) => f.outcome === undefined);
    if (open.length === 0) return;
    const keepAlive = setInterval(noop, 1 << 30);
    let timer: NodeJS.Timeout | undefined;
    try {
      const all = Promise.all(open.map((f) => f.done)).then(noop);
      if (!Number.isFinite(ms)) await all;
      else await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    } finally {
      clearInterval(keepAlive);
      if (timer !== undefined) clearTimeout(timer);
    }
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
    process.emitWarning(
      `influx-models: ${failure.lines.length} points of ${failure.className} were not written after ${failure.attempts} attempt(s): ${error.message}`,
      { code: 'INFLUX_MODELS_COMMIT_FAILED' },
    );
  }

  private releaseSlot(): void {
    this.inFlight--;
    const next = this.queue.shift();
    if (next !== undefined) this.start(next);
  }

  private release(n: number): void {
    this.pendingPoints -= n;
    if (this.capacityWaiters.length === 0) return;
    let kept = 0;
    for (const w of this.capacityWaiters) {
      if (this.hasCapacity(w.n)) w.resolve();
      else this.capacityWaiters[kept++] = w;
    }
    this.capacityWaiters.length = kept;
  }
}

const noop = (): void => {};

/** Longest wait, after `close({ timeout })` aborted the commits, for them to settle. */
const CLOSE_MARGIN = 500;

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function checkTimeout(options: { timeout?: number } | undefined, method: string): number | undefined {
  if (options === null || (options !== undefined && typeof options !== 'object')) {
    throw new InfluxConfigError(`${method}(options): must be an object like { timeout: 5000 }`);
  }
  const t = options?.timeout;
  if (t === undefined) return undefined;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) {
    throw new InfluxConfigError(
      `${method}({ timeout }): must be a non-negative integer (ms), got ${String(t)}`,
    );
  }
  return t;
}

function emptyBatch(f: Flight): CommitBatch {
  return {
    body: '',
    lineCount: 0,
    precision: 'n',
    ...(f.buffer ? { model: f.buffer.model as CommitBatch['model'] } : {}),
  };
}

/** Why a flight stopped before it settled on its own. */
class GiveUp {
  constructor(
    readonly kind: 'deadline' | 'close',
    readonly message: string,
  ) {}
}

interface Outcome {
  readonly written: number;
  readonly failed: number;
  readonly abandoned: number;
  readonly error?: Error | undefined;
}

/** What a flight sends, in memory (absent while the batch waits on disk only). */
interface FlightData {
  readonly commitBatch: CommitBatch;
  lines(): readonly string[];
  readonly instances: readonly object[];
}

/** One batch, from the moment it is cut (or read back from a spool) until it is settled. */
class Flight {
  state: 'queued' | 'sending' | 'retrying' = 'queued';
  attempts = 0;
  startedAt = 0;
  holdsSlot = false;
  lastError: Error | undefined;
  outcome: Outcome | undefined;
  deadline: NodeJS.Timeout | undefined;
  data: FlightData | undefined;
  /** Each server's copy, when the sink replicates. */
  delivery: HostDelivery | undefined;
  readonly controller = new AbortController();
  readonly done: Promise<Outcome>;
  resolve!: (o: Outcome) => void;
  constructor(
    readonly buffer: ClassBuffer | undefined,
    readonly className: string,
    readonly n: number,
    readonly sink: CommitSink,
    readonly report: boolean,
    readonly tag: SpoolTag | undefined,
  ) {
    this.done = new Promise((r) => {
      this.resolve = r;
    });
  }

  lines(): readonly string[] {
    return this.data?.lines() ?? [];
  }

  instances(): readonly object[] {
    return this.data?.instances ?? [];
  }
}

/** Sums the outcomes of `targets`; an {@link InfluxFlushError} when any point was not written. */
function tally(
  targets: readonly Flight[],
  pendingReason: string,
): { counts: FlushResult; error: InfluxFlushError | undefined } {
  let written = 0;
  let failed = 0;
  let abandoned = 0;
  let pending = 0;
  const per = new Map<string, { failed: number; abandoned: number; pending: number; reason: string }>();
  for (const f of targets) {
    const o = f.outcome;
    if (o !== undefined) {
      written += o.written;
      failed += o.failed;
      abandoned += o.abandoned;
    } else pending += f.n;
    const lost = o === undefined ? f.n : o.failed + o.abandoned;
    if (lost === 0) continue;
    let c = per.get(f.className);
    if (c === undefined) {
      c = { failed: 0, abandoned: 0, pending: 0, reason: '' };
      per.set(f.className, c);
    }
    if (o === undefined) {
      c.pending += f.n;
      c.reason ||= `${pendingReason}${f.lastError ? `: ${f.lastError.message}` : ''}`;
    } else {
      c.failed += o.failed;
      c.abandoned += o.abandoned;
      c.reason ||= o.error?.message ?? 'not written';
    }
  }
  const counts = { written, failed, abandoned };
  if (failed + abandoned + pending === 0) return { counts, error: undefined };
  const classes = [...per].map(([className, c]) => ({ className, ...c }));
  return { counts, error: new InfluxFlushError(written, failed, abandoned, pending, classes) };
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
