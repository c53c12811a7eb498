import { InfluxDBServerError } from '../errors.js';
import type {
  CommitBatch,
  CommitSink,
  HostFlushResult,
  HostOutcome,
  ReplicaBacklog,
  ReplicatingSink,
} from '../sink.js';
import type { SpoolJournal, SpoolTag } from './spool-journal.js';

export type { HostFlushResult };

/**
 * The registry's side of a sink that replicates (`InfluxDBClient` with `replicate: 'all'`): which
 * server has which batch, and each server's order.
 *
 * - A batch counts as written once ONE server stored it (the client's rule). Each batch is queued
 *   ONCE per server (`commit(batch, { queueOnly: true, hosts, onHost })`) and followed through
 *   `onHost`: the registry waits for the first server that stores it, without a deadline of its
 *   own and without retrying while a copy is queued (the server's queue retries, with the client's
 *   retry policy: one retry policy at a time). So each server receives the batches in commit order,
 *   each once.
 * - With a durable spool, a copy the client did not deliver (dropped over `maxReplicaBacklog`) does
 *   not get lost for that server: the server's {@link HostLine} lane takes it, and every later batch
 *   for that server too (to keep the order), and sends them, one at a time and read back from the
 *   spool, once that server's earlier copies are settled. Memory holds one such batch per server.
 * - The spool acknowledges a batch only when every server has it (per server in between), and
 *   `flush()`/`stats()` report per server.
 */

/** The servers `sink` replicates to, or undefined when it does not replicate. */
export function replicaUrlsOf(sink: CommitSink): readonly string[] | undefined {
  const f = (sink as Partial<ReplicatingSink>).replicaUrls;
  if (typeof f !== 'function') return undefined;
  const urls = f.call(sink);
  return urls.length > 0 ? urls : undefined;
}

/** One server, in one registry: counters and the lane of batches it gets from the spool. */
interface HostLine {
  written: number;
  failed: number;
  dropped: number;
  pending: number;
  pendingBatches: number;
  pendingBytes: number;
  /** Copies this registry queued in the client for the server and that are not settled. */
  direct: number;
  /** Batches waiting to be sent to the server from the spool, in commit order. */
  lane: HostDelivery[];
  /** The lane's batch whose copy is queued in the client now. */
  pumping: HostDelivery | undefined;
  /** A lane copy the client turned away is tried again after this timer. */
  timer: NodeJS.Timeout | undefined;
  laneFailures: number;
  /** An error of the registry's own (a batch it could not read back from the spool). */
  lastError: string | undefined;
}

/** The servers of the replicating sinks of one registry (see the comment at the top). */
export class ReplicaHosts {
  private readonly lines = new Map<string, HostLine>();
  private seq = 0;
  private watchers: (() => void)[] = [];
  private stopped = false;

  /**
   * @param spool the registry's spool (undefined without one: an undelivered copy is dropped)
   * @param laneDelay the back-off before a lane copy the client turned away is offered again
   */
  constructor(
    private readonly spool: SpoolJournal | undefined,
    private readonly laneDelay: (failures: number) => number,
    private readonly consistency: () => CommitBatch['consistency'],
  ) {}

  line(url: string): HostLine {
    let l = this.lines.get(url);
    if (l === undefined) {
      l = {
        written: 0,
        failed: 0,
        dropped: 0,
        pending: 0,
        pendingBatches: 0,
        pendingBytes: 0,
        direct: 0,
        lane: [],
        pumping: undefined,
        timer: undefined,
        laneFailures: 0,
        lastError: undefined,
      };
      this.lines.set(url, l);
    }
    return l;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** True when the server has batches waiting in its lane: a later batch must wait behind them. */
  lagging(url: string): boolean {
    const l = this.line(url);
    return l.lane.length > 0 || l.pumping !== undefined || l.timer !== undefined;
  }

  /** True when an undelivered copy of the batch can be sent again from the spool in this run. */
  canCatchUp(tag: SpoolTag | undefined): boolean {
    return !this.stopped && tag !== undefined && this.spool?.readable(tag) === true;
  }

  /** True when the registry closed with the batch in its spool: a restart sends it (not dropped). */
  keptForRestart(tag: SpoolTag | undefined): boolean {
    return this.stopped && tag !== undefined && this.spool !== undefined;
  }

  /** Puts `d` in the server's lane, in commit order, and starts the lane when it can go. */
  enqueue(url: string, d: HostDelivery): void {
    const lane = this.line(url).lane;
    let i = lane.length;
    while (i > 0 && (lane[i - 1] as HostDelivery).seq > d.seq) i--;
    lane.splice(i, 0, d);
    this.kick(url);
  }

  /** Takes `d` out of the server's lane (given up). */
  remove(url: string, d: HostDelivery): void {
    const lane = this.line(url).lane;
    const i = lane.indexOf(d);
    if (i >= 0) lane.splice(i, 1);
  }

  /**
   * Sends the server the next batch of its lane, read back from the spool, once none of its earlier
   * copies is still queued in the client (so that the order is the commit order).
   */
  kick(url: string): void {
    const l = this.line(url);
    if (this.stopped || l.pumping !== undefined || l.direct > 0 || l.timer !== undefined) return;
    const spool = this.spool as SpoolJournal;
    for (;;) {
      const d = l.lane.shift();
      if (d === undefined) return;
      let batch: CommitBatch;
      try {
        batch = spool.read(d.tag as SpoolTag, this.consistency()).commitBatch;
      } catch (e) {
        l.lastError = `could not read a batch back from the spool: ${(e as Error).message}`;
        d.lost(url);
        continue;
      }
      l.pumping = d;
      d.sendFromLane(url, batch);
      return;
    }
  }

  /** The lane copy of `d` settled (`retry`: the client turned it away; offered again later). */
  laneSettled(url: string, d: HostDelivery, retry: boolean): void {
    const l = this.line(url);
    if (l.pumping === d) l.pumping = undefined;
    if (!retry) {
      l.laneFailures = 0;
      this.kick(url);
      return;
    }
    l.lane.unshift(d);
    if (this.stopped) return;
    l.timer = setTimeout(
      () => {
        l.timer = undefined;
        this.kick(url);
      },
      this.laneDelay(++l.laneFailures),
    );
    l.timer.unref();
  }

  /** Something changed (a copy settled): wakes {@link flush}. */
  notify(): void {
    const w = this.watchers;
    this.watchers = [];
    for (const f of w) f();
  }

  /**
   * Waits (at most `ms`; unbounded when not finite) until every server that answers has the copies
   * of the `sinks` that replicate, those of its lane included (a server that is down is tried once,
   * then not waited for: its copies stay queued), then reports each server. Undefined when no sink
   * replicates.
   */
  async flush(
    sinks: readonly (CommitSink | undefined)[],
    ms: number,
  ): Promise<HostFlushResult[] | undefined> {
    const replicating = replicatingSinks(sinks);
    if (replicating.length === 0) return undefined;
    const end = Date.now() + ms;
    const keepAlive = setInterval(noop, 1 << 30); // flush() keeps the process alive until it settles
    try {
      for (;;) {
        const timeout = !Number.isFinite(ms) ? 0 : Math.max(1, Math.ceil(end - Date.now()));
        const reports = await Promise.all(
          replicating.map((s) => s.flush({ timeout, waitForDown: false }).catch(() => undefined)),
        );
        const failing = new Set<string>();
        for (const r of reports)
          for (const h of r?.hosts ?? []) if (h.failing && h.pending > 0) failing.add(h.url);
        const waiting = [...this.lines].some(([url]) => !failing.has(url) && this.lagging(url));
        if (!waiting || Date.now() >= end || this.stopped) break;
        // a lane still has batches for a server that answers: wait for its next copy to settle
        await new Promise<void>((resolve) => {
          const timer = Number.isFinite(ms) ? setTimeout(resolve, Math.max(1, end - Date.now())) : undefined;
          this.watchers.push(() => {
            if (timer !== undefined) clearTimeout(timer);
            resolve();
          });
        });
      }
      return this.report(sinks);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Each server of the replicating `sinks` (in their order), or undefined when none replicates. */
  report(sinks: readonly (CommitSink | undefined)[]): HostFlushResult[] | undefined {
    const replicating = replicatingSinks(sinks);
    if (replicating.length === 0) return undefined;
    const out: HostFlushResult[] = [];
    const seen = new Set<string>();
    for (const s of replicating) {
      const backlog = typeof s.replicaBacklog === 'function' ? s.replicaBacklog() : [];
      for (const url of s.replicaUrls()) {
        if (seen.has(url)) continue;
        seen.add(url);
        out.push(
          hostResult(
            url,
            this.line(url),
            backlog.find((b) => b.url === url),
          ),
        );
      }
    }
    return out;
  }

  /** The registry closes: lanes stop (what they hold stays in the spool for the next start). */
  stop(): void {
    this.stopped = true;
    for (const l of this.lines.values()) {
      if (l.timer !== undefined) clearTimeout(l.timer);
      l.timer = undefined;
    }
    this.notify();
  }
}

function replicatingSinks(sinks: readonly (CommitSink | undefined)[]): ReplicatingSink[] {
  const out = new Set<ReplicatingSink>();
  for (const s of sinks) if (s !== undefined && replicaUrlsOf(s) !== undefined) out.add(s as ReplicatingSink);
  return [...out];
}

function hostResult(url: string, l: HostLine, b: ReplicaBacklog | undefined): HostFlushResult {
  const lastError = b?.lastError ?? l.lastError;
  return {
    url,
    written: l.written,
    pending: l.pending,
    pendingBatches: l.pendingBatches,
    pendingBytes: l.pendingBytes,
    failed: l.failed,
    dropped: l.dropped,
    failing: b?.failing ?? false,
    ...(lastError !== undefined ? { lastError } : {}),
  };
}

interface HostCopy {
  /** Final for this batch: stored there, refused there, or stored there by an earlier process. */
  outcome: 'stored' | 'refused' | 'had' | undefined;
  /** Where the server's copy is now: queued in the client, or in the server's lane. */
  at: 'direct' | 'lane' | undefined;
}

/** One batch's copies on the servers of a replicating sink. */
export class HostDelivery {
  /** Commit order (set when the batch is first queued). */
  seq = 0;
  private readonly hosts = new Map<string, HostCopy>();
  private left: number;
  private whenDone: (() => void) | undefined;
  private bytes = 0;
  private sink: CommitSink | undefined;
  private signal: AbortSignal | undefined;
  /** The batch was given up (failed or abandoned): copies not delivered are not caught up. */
  private cancelled = false;
  private stored = false;
  private refusal: Error | undefined;
  private commitError: Error | undefined;
  private waiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  /**
   * @param had servers that stored the batch already (an earlier process, from the spool)
   * @param onFinal called when a server stored (or refused) it: the spool marks it for that server
   */
  constructor(
    urls: readonly string[],
    had: readonly string[],
    private readonly lines: number,
    private readonly owner: ReplicaHosts,
    readonly tag: SpoolTag | undefined,
    private readonly onFinal: (url: string) => void,
  ) {
    for (const url of urls) {
      const h: HostCopy = { outcome: had.includes(url) ? 'had' : undefined, at: undefined };
      this.hosts.set(url, h);
      if (h.outcome === 'had') this.stored = true;
    }
    this.left = [...this.hosts.values()].filter((h) => h.outcome === undefined).length;
  }

  /** True when every server has the batch (stored or refused there). */
  get complete(): boolean {
    return this.left === 0;
  }

  /**
   * One registry attempt: queues the batch for each server that has neither the batch nor a copy
   * of it queued (behind the server's lane when it lags), and resolves once one server stored it
   * (at once when one already has it). Rejects when every server refused it for good (the first
   * refusal), when the sink refused the call, or when no copy is queued anywhere (every server's
   * backlog was full, without a spool): only then does the registry retry.
   */
  deliver(sink: CommitSink, batch: CommitBatch, signal: AbortSignal): Promise<void> {
    this.sink = sink;
    this.signal = signal;
    this.commitError = undefined;
    if (this.seq === 0) this.seq = this.owner.nextSeq();
    if (this.bytes === 0) this.bytes = batch.bytes?.byteLength ?? Buffer.byteLength(batch.body);
    const targets: string[] = [];
    for (const [url, h] of this.hosts) {
      if (h.outcome !== undefined || h.at !== undefined) continue;
      if (this.owner.lagging(url) && this.owner.canCatchUp(this.tag)) {
        this.hold(url, h, 'lane');
        this.owner.enqueue(url, this);
      } else {
        this.hold(url, h, 'direct');
        this.owner.line(url).direct++;
        targets.push(url);
      }
    }
    const onAbort = () => {
      const w = this.waiter;
      this.waiter = undefined;
      w?.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const result = new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    }).finally(() => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    if (targets.length > 0) {
      const onHost = (url: string, outcome: HostOutcome, error?: Error) =>
        this.settle(url, outcome, error, 'direct');
      sink
        .commit(batch, { signal, retry: false, hosts: targets, onHost, queueOnly: true })
        .catch((e: Error) => {
          // the call failed before queueing (closed client, bad batch): nothing to catch up later
          this.commitError = e;
          for (const url of targets) {
            if ((this.hosts.get(url) as HostCopy).at === 'direct')
              this.settle(url, 'unsent', e, 'direct', false);
          }
          this.check();
        });
    }
    this.check();
    return result;
  }

  /** The lane's copy for `url`, read back from the spool: queued in the client for that server only. */
  sendFromLane(url: string, batch: CommitBatch): void {
    const onHost = (u: string, outcome: HostOutcome, error?: Error) => this.settle(u, outcome, error, 'lane');
    (this.sink as CommitSink)
      .commit(batch, { retry: false, hosts: [url], onHost, queueOnly: true })
      .catch((e: Error) => {
        this.owner.line(url).lastError = e.message;
        this.settle(url, 'unsent', e, 'lane');
      });
  }

  /** The lane could not read the batch back: that server will not get it from this process. */
  lost(url: string): void {
    const h = this.hosts.get(url);
    if (h?.at !== 'lane') return;
    this.release(url, h);
    this.owner.line(url).dropped += this.lines;
    this.owner.notify();
    this.check();
  }

  /** The batch was given up (failed or abandoned): copies in lanes are taken out, none is caught up. */
  cancel(): void {
    this.cancelled = true;
    for (const [url, h] of this.hosts) {
      if (h.at !== 'lane') continue;
      this.owner.remove(url, this);
      if (this.owner.line(url).pumping === this) continue; // its copy is queued: settles on its own
      this.release(url, h);
    }
    this.owner.notify();
  }

  /** Runs `f` once every server has the batch (at once when it is already so). */
  onComplete(f: () => void): void {
    if (this.left === 0) f();
    else this.whenDone = f;
  }

  private hold(url: string, h: HostCopy, at: 'direct' | 'lane'): void {
    h.at = at;
    const l = this.owner.line(url);
    l.pending += this.lines;
    l.pendingBatches++;
    l.pendingBytes += this.bytes;
  }

  private release(url: string, h: HostCopy): void {
    h.at = undefined;
    const l = this.owner.line(url);
    l.pending -= this.lines;
    l.pendingBatches--;
    l.pendingBytes -= this.bytes;
  }

  private settle(
    url: string,
    outcome: HostOutcome,
    error: Error | undefined,
    via: 'direct' | 'lane',
    catchUp = true,
  ): void {
    const h = this.hosts.get(url);
    if (h === undefined || h.at !== via) return;
    const l = this.owner.line(url);
    this.release(url, h);
    if (via === 'direct') l.direct--;
    let laneRetry = false;
    if (outcome === 'unsent') {
      const givenUp = this.cancelled || this.signal?.aborted === true;
      if (!givenUp && catchUp && this.owner.canCatchUp(this.tag)) {
        // the client did not deliver it: the server gets it from the spool, in order
        this.hold(url, h, 'lane');
        if (via === 'lane') laneRetry = true;
        else this.owner.enqueue(url, this);
      } else if (!givenUp && !this.owner.keptForRestart(this.tag)) l.dropped += this.lines;
    } else if (h.outcome === undefined) {
      h.outcome = outcome;
      if (outcome === 'stored') {
        l.written += this.lines;
        this.stored = true;
      } else {
        l.failed += this.lines;
        this.refusal ??= error ?? new InfluxDBServerError(`${url} refused the batch`);
      }
      this.onFinal(url);
      if (--this.left === 0) {
        const f = this.whenDone;
        this.whenDone = undefined;
        f?.();
      }
    }
    if (via === 'lane') this.owner.laneSettled(url, this, laneRetry);
    else this.owner.kick(url);
    this.owner.notify();
    this.check();
  }

  /** Settles the current attempt when its outcome is known. */
  private check(): void {
    const w = this.waiter;
    if (w === undefined) return;
    if (this.stored) {
      this.waiter = undefined;
      w.resolve();
      return;
    }
    for (const h of this.hosts.values()) if (h.at !== undefined) return; // a copy is still on its way
    this.waiter = undefined;
    w.reject(
      this.refusal ??
        this.commitError ??
        new InfluxDBServerError(
          "no server's queue took the batch (every server's backlog is over maxReplicaBacklog); it is retried",
        ),
    );
  }
}

const noop = (): void => {};
