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
}

/**
 * The one interface the series registry writes through. `InfluxDBClient` implements it (HTTP, or
 * UDP when built with `useUdp`), and so does `MemorySink` from `influx-models/testing`.
 *
 * `commit` resolves once the whole batch is stored and rejects with a typed error otherwise
 * (`InfluxDBClientError` and its subclasses are permanent, everything else is transient and may be
 * retried by the registry).
 */
export interface CommitSink {
  commit(batch: CommitBatch, options?: { signal?: AbortSignal }): Promise<void>;
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
