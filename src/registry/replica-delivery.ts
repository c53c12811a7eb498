import type {
  CommitOptions,
  CommitSink,
  FlushReport,
  HostOutcome,
  ReplicaBacklog,
  ReplicatingSink,
} from '../sink.js';

/**
 * The registry's side of a sink that replicates (`InfluxDBClient` with `replicate: 'all'`): which
 * server has which batch. A batch counts as written once ONE server stored it (the client's rule);
 * each server's copy is followed to its end so that the spool acknowledges the batch only when
 * every server has it (per server in between), and `flush()` reports per server.
 */

/** The servers `sink` replicates to, or undefined when it does not replicate. */
export function replicaUrlsOf(sink: CommitSink): readonly string[] | undefined {
  const f = (sink as Partial<ReplicatingSink>).replicaUrls;
  if (typeof f !== 'function') return undefined;
  const urls = f.call(sink);
  return urls.length > 0 ? urls : undefined;
}

/** What `registry.flush()` and `close()` report about one server when the sink replicates. */
export interface HostFlushResult {
  /** Base URL of the server. */
  readonly url: string;
  /** Points this server stored, since the registry started (replayed points it stored included). */
  readonly written: number;
  /** Points still queued for this server (it is down or behind); with a spool they survive a restart. */
  readonly pending: number;
  /** Points this server refused for good (a 4xx there: e.g. its database is missing). */
  readonly failed: number;
  /** True while the last attempt to this server failed (it is retried with back-off). */
  readonly failing: boolean;
  /** The last error of this server, when any. */
  readonly lastError?: string;
}

interface HostCount {
  written: number;
  failed: number;
  pending: number;
}

/** Per-server point counters of one registry. */
export class HostTotals {
  private readonly counts = new Map<string, HostCount>();

  of(url: string): HostCount {
    let c = this.counts.get(url);
    if (c === undefined) {
      c = { written: 0, failed: 0, pending: 0 };
      this.counts.set(url, c);
    }
    return c;
  }

  /**
   * Waits (at most `ms`; unbounded when not finite) until every server that answers has the copies
   * of the `sinks` that replicate (a server that is down is tried once, then not waited for: its
   * copies stay queued), then reports each server. Undefined when no sink replicates.
   */
  async flush(
    sinks: readonly (CommitSink | undefined)[],
    ms: number,
  ): Promise<HostFlushResult[] | undefined> {
    const replicating = new Set<ReplicatingSink>();
    for (const s of sinks)
      if (s !== undefined && replicaUrlsOf(s) !== undefined) replicating.add(s as ReplicatingSink);
    if (replicating.size === 0) return undefined;
    const timeout = !Number.isFinite(ms) ? 0 : Math.max(1, Math.ceil(ms));
    const keepAlive = setInterval(noop, 1 << 30); // flush() keeps the process alive until it settles
    try {
      const reports = await Promise.all(
        [...replicating].map((s) => s.flush({ timeout, waitForDown: false }).catch(() => undefined)),
      );
      return this.report(reports.filter((r) => r !== undefined));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Each server of `reports` (in their order), with the client's view of it. */
  private report(reports: readonly FlushReport[]): HostFlushResult[] {
    const out: HostFlushResult[] = [];
    const seen = new Set<string>();
    for (const r of reports) {
      for (const h of r.hosts) {
        if (seen.has(h.url)) continue;
        seen.add(h.url);
        out.push(hostResult(h, this.of(h.url)));
      }
    }
    return out;
  }
}

function hostResult(h: ReplicaBacklog, c: HostCount): HostFlushResult {
  return {
    url: h.url,
    written: c.written,
    pending: c.pending,
    failed: c.failed,
    failing: h.failing,
    ...(h.lastError !== undefined ? { lastError: h.lastError } : {}),
  };
}

interface HostCopy {
  /** Final for this batch: stored there, refused there, or stored there by an earlier process. */
  outcome: 'stored' | 'refused' | 'had' | undefined;
  /** Copies of this batch queued for the server now. */
  queued: number;
}

/** One batch's copies on the servers of a replicating sink. */
export class HostDelivery {
  private readonly hosts = new Map<string, HostCopy>();
  private left: number;
  private whenDone: (() => void) | undefined;

  /**
   * @param had servers that stored the batch already (an earlier process, from the spool)
   * @param onFinal called when a server stored (or refused) it: the spool marks it for that server
   */
  constructor(
    urls: readonly string[],
    had: readonly string[],
    private readonly lines: number,
    private readonly totals: HostTotals,
    private readonly onFinal: (url: string) => void,
  ) {
    for (const url of urls)
      this.hosts.set(url, { outcome: had.includes(url) ? 'had' : undefined, queued: 0 });
    this.left = [...this.hosts.values()].filter((h) => h.outcome === undefined).length;
  }

  /** True when every server has the batch (stored or refused there). */
  get complete(): boolean {
    return this.left === 0;
  }

  /**
   * The options of the next commit: the servers that do not have the batch yet; queued only (no
   * waiting, no deadline) when some server stored it already, since the batch is then written.
   */
  commitOptions(signal: AbortSignal): CommitOptions {
    const targets: string[] = [];
    let anyHas = false;
    for (const [url, h] of this.hosts) {
      if (h.outcome === undefined) targets.push(url);
      else if (h.outcome !== 'refused') anyHas = true;
    }
    for (const url of targets) {
      (this.hosts.get(url) as HostCopy).queued++;
      this.totals.of(url).pending += this.lines;
    }
    const onHost = (url: string, outcome: HostOutcome) => this.settleCopy(url, outcome);
    return anyHas
      ? { retry: false, hosts: targets, onHost, queueOnly: true }
      : { signal, retry: false, hosts: targets, onHost };
  }

  /** Runs `f` once every server has the batch (at once when it is already so). */
  onComplete(f: () => void): void {
    if (this.left === 0) f();
    else this.whenDone = f;
  }

  private settleCopy(url: string, outcome: HostOutcome): void {
    const h = this.hosts.get(url);
    if (h === undefined) return;
    h.queued--;
    const c = this.totals.of(url);
    c.pending -= this.lines;
    if (h.outcome !== undefined || outcome === 'unsent') return;
    h.outcome = outcome;
    if (outcome === 'stored') c.written += this.lines;
    else c.failed += this.lines;
    this.onFinal(url);
    if (--this.left === 0) {
      const f = this.whenDone;
      this.whenDone = undefined;
      f?.();
    }
  }
}

const noop = (): void => {};
