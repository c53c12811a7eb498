import { retryAfterOf, sleep } from '../client/retry-policy.js';
import {
  InfluxAbortError,
  InfluxConfigError,
  InfluxDBPartialWriteError,
  InfluxTimeoutError,
  isPermanent,
} from '../errors.js';
import type { CommitBatch, CommitSink } from '../sink.js';
import type { ClassBuffer, PendingBatch } from './class-buffer.js';
import {
  announceRetry,
  noSinkError,
  publishEnd,
  publishGiveUp,
  publishStart,
  reportFailure,
} from './diagnostics.js';
import { emptyBatch, Flight, type FlightData, GiveUp, noop, type Outcome, toError } from './flight.js';
import { LazyCommitBatch } from './lazy-commit-batch.js';
import { refusedLines } from './partial-write.js';
import type { CommitFailure, ResolvedRegistryOptions } from './registry-options.js';
import { emptyClassStats, type RegistryStats, type SeriesClassStats } from './registry-stats.js';
import { HostDelivery, ReplicaHosts, replicaUrlsOf } from './replica-delivery.js';
import type { SpoolJournal, SpoolTag } from './spool-journal.js';

type Waiter = { n: number; resolve: () => void; reject: (e: Error) => void };

const noSinkSink: CommitSink = {
  commit: () => Promise.reject(new InfluxConfigError('no sink')),
};

export function clearTimer(buffer: ClassBuffer): void {
  if (buffer.timer !== undefined) {
    clearTimeout(buffer.timer);
    buffer.timer = undefined;
  }
}

function takeLines(buffer: ClassBuffer): PendingBatch {
  clearTimer(buffer);
  return buffer.cut();
}

/**
 * The batches of a SeriesRegistry once cut: `concurrency` slots and a queue, the attempts of each
 * batch with retries and the retry policy's deadline, the outcome of each (counters, capacity, spool
 * acknowledgement), and the points held (`maxPending` back-pressure).
 */
export class CommitLoop {
  /** Points held: buffered, being written, or waiting for a retry. */
  pendingPoints = 0;
  /** Points of flights that wait on disk only (spilled or replayed from the spool). */
  spilled = 0;
  /** Batches cut and not yet settled. */
  readonly flights = new Set<Flight>();
  readonly capacityWaiters: Waiter[] = [];
  readonly totals = new Map<string, SeriesClassStats>();
  /** Each server of the sinks that replicate: counters and lanes (see replica-delivery.ts). */
  readonly replicaHosts: ReplicaHosts;
  private inFlight = 0;
  private readonly queue: Flight[] = [];
  private warnedRetry = false;

  /**
   * `registry` is the SeriesRegistry (named in diagnostics messages); `opts` reads the options in
   * force at each step.
   */
  constructor(
    private readonly registry: object,
    private readonly opts: () => ResolvedRegistryOptions,
    readonly spool: SpoolJournal | undefined,
  ) {
    this.replicaHosts = new ReplicaHosts(
      spool,
      (n) => opts().retry.delay(n),
      () => opts().consistency,
    );
  }

  /** True when `n` more points fit under `maxPending` (or, with a healthy spool, under its `maxBytes`). */
  hasCapacity(n: number): boolean {
    const spool = this.spool;
    if (spool?.healthy) return spool.liveBytes < spool.maxBytes;
    return this.pendingPoints - this.spilled + n <= this.opts().maxPending;
  }

  /** Cuts the buffer into a batch and starts (or queues) its flight. */
  dispatch(buffer: ClassBuffer, sink: CommitSink, report: boolean): Flight {
    const tag = this.spool?.beforeCut(buffer);
    const f = this.newFlight(buffer, takeLines(buffer), sink, report, tag);
    this.run(f);
    return f;
  }

  /**
   * No sink for `buffer` at close: nothing can be written; its points are reported (through
   * `onError`) instead of being lost silently. Returns their count.
   */
  failNoSink(buffer: ClassBuffer): number {
    const n = buffer.count;
    const tag = this.spool?.beforeCut(buffer);
    const batch = takeLines(buffer);
    const f = this.newFlight(buffer, batch, noSinkSink, true, tag);
    this.settle(f, this.failOutcome(f, noSinkError(buffer), true, f.lines(), f.instances(), true));
    return n;
  }

  private newFlight(
    buffer: ClassBuffer,
    batch: PendingBatch,
    sink: CommitSink,
    report: boolean,
    tag: SpoolTag | undefined,
  ): Flight {
    const meta = batch.buffer.meta;
    const commitBatch = new LazyCommitBatch(
      batch.bytes,
      batch.ascii,
      batch.lineCount,
      {
        database: meta.database,
        retentionPolicy: meta.retentionPolicy,
        precision: meta.precision,
        consistency: buffer.options.consistency ?? this.opts().consistency,
      },
      batch.buffer.model as CommitBatch['model'],
      batch.instances,
    );
    const f = new Flight(buffer, meta.className, batch.lineCount, sink, report, tag);
    f.data = { commitBatch, lines: () => batch.lines(), instances: batch.instances };
    this.trackHosts(f, []);
    this.flights.add(f);
    return f;
  }

  /** With a sink that replicates: follows each server's copy (spool marks, per-server counts). */
  trackHosts(f: Flight, had: readonly string[]): void {
    const urls = replicaUrlsOf(f.sink);
    if (urls === undefined) return;
    const spool = this.spool;
    const tag = f.tag;
    f.delivery = new HostDelivery(urls, had, f.n, this.replicaHosts, tag, (url) => {
      if (tag !== undefined) spool?.hostStored(tag, url);
    });
  }

  /** Starts the flight now when a slot is free (so the sink sees it synchronously), else queues it. */
  run(f: Flight): void {
    if (this.inFlight < this.opts().concurrency) {
      this.start(f);
      return;
    }
    // With a spool, a batch that would push memory over maxPending waits on disk only (spilled).
    if (
      this.spool !== undefined &&
      f.tag !== undefined &&
      this.pendingPoints - this.spilled > this.opts().maxPending
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
        f.data = (this.spool as SpoolJournal).load(f.tag as SpoolTag, this.opts().consistency);
      } catch (e) {
        this.settle(f, this.failOutcome(f, toError(e), true, [], [], false));
        return;
      }
    }
    void this.attempt(f);
  }

  private async attempt(f: Flight): Promise<void> {
    const data = f.data as FlightData;
    const policy = this.opts().retry;
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
      publishStart(this.registry, f, data);
      try {
        // replicated: queued once per server and waited for until one server stored it (the
        // servers' queues retry); this loop retries only when no server's queue took the batch
        if (f.delivery !== undefined) await f.delivery.deliver(f.sink, data.commitBatch, f.controller.signal);
        else await f.sink.commit(data.commitBatch, { signal: f.controller.signal, retry: false });
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
    const warn = !this.warnedRetry;
    this.warnedRetry = true;
    announceRetry(this.registry, this.opts().onRetry, f, error, delay, warn);
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
    if (f.report) reportFailure(this.opts().onError, error, failure);
    publishGiveUp(this.registry, f, lines, error, abandoned);
    const lost = Math.min(lines.length, f.n);
    return abandoned
      ? { written: 0, failed: 0, abandoned: f.n, error }
      : { written: f.n - lost, failed: lost, abandoned: 0, error };
  }

  abandonOutcome(f: Flight, reason: GiveUp): Outcome {
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
  abandon(f: Flight, reason: GiveUp): void {
    const q = this.queue.indexOf(f);
    if (q >= 0) {
      this.queue.splice(q, 1);
      this.settle(f, this.abandonOutcome(f, reason));
      return;
    }
    f.controller.abort(reason);
  }

  /** Records a flight's outcome once: counters, capacity, slot, spool acknowledgement, channel. */
  settle(f: Flight, o: Outcome): void {
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
    // given up: the copies not delivered yet are not caught up
    if (f.delivery !== undefined && (o.error !== undefined || o.abandoned > 0)) f.delivery.cancel();
    publishEnd(this.registry, f, o);
    if (f.holdsSlot) {
      f.holdsSlot = false;
      this.releaseSlot();
    }
    this.release(f.n);
    f.resolve(o);
  }

  /** The cumulative counters of a class (made on first use). */
  countOf(className: string): SeriesClassStats {
    let c = this.totals.get(className);
    if (c === undefined) {
      c = emptyClassStats();
      this.totals.set(className, c);
    }
    return c;
  }

  private releaseSlot(): void {
    this.inFlight--;
    const next = this.queue.shift();
    if (next !== undefined) this.start(next);
  }

  /** `n` points no longer held: resolves the capacity waiters that now fit. */
  release(n: number): void {
    this.pendingPoints -= n;
    if (this.capacityWaiters.length === 0) return;
    let kept = 0;
    for (const w of this.capacityWaiters) {
      if (this.hasCapacity(w.n)) w.resolve();
      else this.capacityWaiters[kept++] = w;
    }
    this.capacityWaiters.length = kept;
  }

  /** See SeriesRegistry.stats(): the buffers' points plus the flights' and the cumulative counts. */
  stats(buffers: Iterable<ClassBuffer>): RegistryStats {
    const classes: Record<string, SeriesClassStats> = {};
    const of = (name: string): SeriesClassStats => {
      let c = classes[name];
      if (c === undefined) {
        c = { ...(this.totals.get(name) ?? emptyClassStats()) };
        classes[name] = c;
      }
      return c;
    };
    for (const buffer of buffers) of(buffer.meta.className).buffered += buffer.count;
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
}
