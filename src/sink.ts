/*
 * The bottom of the layering (beside errors.ts): what the registry writes to and what a model
 * class names as its registry. Decorators, models, the registry, the client and the testing sinks
 * all depend on these types; this file depends on nothing above it.
 */

/**
 * One batch of line protocol handed to a {@link CommitSink}. `body` holds `lineCount` lines, each
 * ending with `\n`, all for the same database, retention policy and precision.
 */
export interface CommitBatch {
  /** Line protocol, one point per line, each line terminated by `\n`. */
  readonly body: string;
  /**
   * The same line protocol as UTF-8 bytes, when the producer holds it as bytes (the registry
   * does; `body` is then decoded only when a sink reads it). A sink that sends bytes should prefer
   * it: `InfluxDBClient#commit` posts it as it is.
   */
  readonly bytes?: Uint8Array | undefined;
  /** Number of lines (points) in `body`. */
  readonly lineCount: number;
  /** Target database; the sink's default when undefined. */
  readonly database?: string | undefined;
  /** Target retention policy; the database's default when undefined. */
  readonly retentionPolicy?: string | undefined;
  /** Precision of the timestamps in `body`. */
  readonly precision: 'n' | 'ns' | 'u' | 'ms' | 's' | 'm' | 'h';
  /** The model class whose instances produced the lines, when the batch comes from the registry. */
  readonly model?: abstract new (
    ...args: never[]
  ) => unknown;
  /** The instances behind the lines, in line order, when the batch comes from the registry. */
  readonly instances?: readonly object[];
  /**
   * Write consistency of an InfluxDB Enterprise cluster (`?consistency=` of `/write`); the server's
   * default when undefined. The registry sets it from `@Measurement({ consistency })` or its own
   * `consistency` option. A 1.x OSS server ignores it.
   */
  readonly consistency?: WriteConsistency | undefined;
}

/** InfluxDB Enterprise's write consistency: how many data nodes must store a point before `/write` answers. */
export type WriteConsistency = 'any' | 'one' | 'quorum' | 'all';

/**
 * The one interface the series registry writes through. `InfluxDBClient` implements it (HTTP, or
 * UDP when built with `useUdp`), and so does `MemorySink` from `influx-models/testing`.
 *
 * `commit` resolves once the whole batch is stored and rejects with a typed error otherwise
 * (`InfluxDBClientError` and its subclasses are permanent, everything else is transient and may be
 * retried by the registry).
 */
export interface CommitSink {
  commit(batch: CommitBatch, options?: CommitOptions): Promise<void>;
}

/** What the registry passes with each `commit`. */
export interface CommitOptions {
  /**
   * Aborts the commit: the registry aborts it when it gives up (its retry policy's `giveUpAfter`,
   * `close({ timeout })`). A sink should stop waiting and reject.
   */
  signal?: AbortSignal | undefined;
  /**
   * `false` when the caller retries (the registry does, with its own `RetryPolicy`): the sink
   * makes a single attempt, so that attempts do not multiply. `InfluxDBClient` honours it.
   */
  retry?: boolean | undefined;
  /**
   * With a sink that replicates (see {@link ReplicatingSink}): the servers (base URLs from
   * `replicaUrls()`) this batch is queued for; every server when undefined. The registry leaves out
   * the servers that already stored the batch (a retry, or a batch replayed from its spool).
   */
  hosts?: readonly string[] | undefined;
  /**
   * With a sink that replicates: called once for each server the batch was queued for, when that
   * server's copy is settled: `'stored'`, `'refused'` (a 4xx: that server will never take it; `error`
   * says why) or `'unsent'` (not delivered by this process: dropped over the backlog limit,
   * withdrawn when the call gave up, or still queued when the client was closed). May be called
   * after `commit` settled.
   */
  onHost?: ((url: string, outcome: HostOutcome, error?: Error) => void) | undefined;
  /**
   * With a sink that replicates: resolve as soon as the copies are queued, without waiting for a
   * server to store one and without a deadline; the copies not yet sent are withdrawn only when
   * `signal` aborts. The registry queues every batch so (it follows each copy through `onHost`),
   * so that a batch is queued once per server and each server's order is the commit order.
   */
  queueOnly?: boolean | undefined;
}

/** What became of one server's copy of a batch (see {@link CommitOptions.onHost}). */
export type HostOutcome = 'stored' | 'refused' | 'unsent';

/** One server's write queue, as `client.flush()`, `client.hosts()` and `client.close()` report it. */
export interface ReplicaBacklog {
  /** Base URL of the server. */
  url: string;
  /** Batches waiting for this server (the one in flight included). */
  pending: number;
  /** Their size in bytes. */
  pendingBytes: number;
  /** Batches this server stored. */
  written: number;
  /** Batches this server refused for good (4xx: bad data, unknown database, auth): not retried. */
  failed: number;
  /** Batches not queued for this server because its backlog was over `maxReplicaBacklog`. */
  dropped: number;
  /** True while the last attempt to this server failed (it is retried with back-off). */
  failing: boolean;
  /** The last refusal or failure, when any. */
  lastError?: string;
}

/**
 * One server of a sink that replicates, as a series registry sees it: `registry.flush()`'s and
 * `close()`'s `hosts`, `InfluxFlushError#hosts` and `registry.stats().hosts`. Counts are in points
 * (the registry's unit) except `pendingBatches` and `pendingBytes`; `failing` and `lastError` are
 * the client's (its `hosts()[i].backlog`).
 */
export interface HostFlushResult {
  /** Base URL of the server. */
  readonly url: string;
  /** Points this server stored, since the registry started (replayed points it stored included). */
  readonly written: number;
  /**
   * Points this process still has to deliver to this server: queued in the client, or waiting in
   * the spool for it (with a spool they also survive a restart).
   */
  readonly pending: number;
  /** The batches behind `pending`. */
  readonly pendingBatches: number;
  /** Their size in bytes (line protocol). */
  readonly pendingBytes: number;
  /** Points this server refused for good (a 4xx there: e.g. its database is missing). */
  readonly failed: number;
  /**
   * Points this server will not get from these copies: copies the client turned away for it over
   * `maxReplicaBacklog` when the registry has no spool to send them from later (a batch the
   * registry retries counts again at each attempt turned away).
   */
  readonly dropped: number;
  /** True while the last attempt to this server failed (it is retried with back-off). */
  readonly failing: boolean;
  /** The last error of this server, when any. */
  readonly lastError?: string;
}

/** What `client.flush()` found: each server's backlog after waiting. */
export interface FlushReport {
  /** True when every server's queue is empty. */
  drained: boolean;
  hosts: ReplicaBacklog[];
}

/** Options of a replicating sink's `flush` (`client.flush(options)`). */
export interface ReplicaFlushOptions {
  /** Longest wait in ms (0 = no limit). */
  timeout?: number;
  /**
   * `true` (default): wait until every server's queue is empty. `false`: stop waiting for a server
   * whose last attempt failed (it is down: its copies stay queued and keep being retried) and
   * return once every other server's queue is empty.
   */
  waitForDown?: boolean;
}

/**
 * A sink that writes every batch to several servers, each through its own queue
 * (`InfluxDBClient` with `replicate: 'all'`). The registry uses it to acknowledge a batch in its
 * spool per server and to report per server in `flush()`.
 */
export interface ReplicatingSink extends CommitSink {
  /** Base URLs of the servers every batch is written to; empty when the sink does not replicate. */
  replicaUrls(): readonly string[];
  /** Waits for the servers' queues (see {@link ReplicaFlushOptions}) and reports each server. */
  flush(options?: ReplicaFlushOptions): Promise<FlushReport>;
  /** Each server's queue now, in the order of {@link replicaUrls} (what `flush()` reports, without waiting). */
  replicaBacklog(): readonly ReplicaBacklog[];
}

/** Global key of the brand that marks a series registry (see {@link SeriesRegistryRef}). */
export const SERIES_REGISTRY: unique symbol = Symbol.for('influx-models.series-registry') as never;

/**
 * A series registry as `@Measurement({ registry })` names it: `SeriesRegistry` carries the brand.
 * Declared here so that the decorators need not import the registry.
 */
export interface SeriesRegistryRef {
  readonly [SERIES_REGISTRY]: true;
}
