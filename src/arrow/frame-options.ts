import type { Precision } from '../line-protocol/precision.js';

/** A scalar tag value given in {@link WriteFrameOptions.tags}. */
export type FrameTagValue = string | number | bigint | boolean | null | undefined;

/**
 * Options of {@link FrameClient.writeFrame}. Column roles follow influxdb-python's
 * `DataFrameClient.write_points`:
 *
 * - `tagColumns` and `fieldColumns` both given: exactly those columns.
 * - only `tagColumns`: every other column (but the time column) is a field.
 * - only `fieldColumns`: every other column (but the time column) is a tag.
 * - neither: every column (but the time column) is a field.
 */
export interface WriteFrameOptions {
  /** Tags added to every row; a row's own non-empty tag of the same key wins. */
  tags?: Readonly<Record<string, FrameTagValue>>;
  /** Columns written as tags (Utf8, Dictionary, integer, float or Bool columns). */
  tagColumns?: readonly string[];
  /** Columns written as fields, in this order. */
  fieldColumns?: readonly string[];
  /**
   * The column holding each row's time: a Timestamp (any unit) or Date column, an integer column
   * counted in `timePrecision`, or a Utf8 column of RFC3339 strings. Default: the column named
   * `time`, else the table's only Timestamp/Date column. `null`: write no timestamps (the server's
   * time of arrival). A null time in a row is refused.
   */
  timeColumn?: string | null;
  /** Precision of the timestamps written (default 'n'); finer times are floored toward the past. */
  timePrecision?: Precision;
  database?: string;
  retentionPolicy?: string;
  /** Lines per HTTP request. Default 5000. */
  batchSize?: number;
  /** Write requests in flight at once (the next batch is encoded meanwhile). Default 4, as writePoints. */
  concurrency?: number;
  /**
   * Float fields are rounded to this many decimals (0–100; ties away from zero), as the seed's
   * `numeric_precision`; `'full'` (default) writes the shortest text that reads back exactly.
   */
  numericPrecision?: number | 'full';
  /**
   * Skip NaN float values as nulls (pandas' convention). Default false: a NaN is refused with an
   * {@link InfluxValidationError}, because InfluxDB cannot store it. Infinity is always refused.
   */
  nanAsNull?: boolean;
  signal?: AbortSignal;
}

/** What {@link FrameClient.writeFrame} did. */
export interface WriteFrameResult {
  /** Lines (points) sent and accepted. */
  written: number;
  /** Rows skipped because every field was null. */
  skipped: number;
  /** HTTP requests made. */
  requests: number;
}

/** A column type forced on a query result column (see {@link QueryFramesOptions.columnTypes}). */
export type FrameColumnType = 'float' | 'integer' | 'boolean' | 'string';

/** Options of {@link FrameClient.queryFrames}. */
export interface QueryFramesOptions {
  database?: string;
  retentionPolicy?: string;
  /** Values bound to `$name` placeholders. */
  bindParams?: Record<string, string | number | boolean | bigint>;
  /** Extra query-string parameters. */
  params?: Record<string, string>;
  /** Rows per chunk of the chunked response (default 10000); each chunk becomes record batches. */
  chunkSize?: number;
  /** Drop the columns that are null in every row, as the seed's `dropna=True`. Default true. */
  dropna?: boolean;
  /**
   * Types of result columns. JSON cannot tell an integer field from a float one holding whole
   * numbers, so by default FrameClient asks the server (`SHOW FIELD KEYS`) for the fields of each
   * measurement in the result, and types `count` columns as integers; other numeric columns
   * (aggregates, aliases) are Float64 unless a value beyond 2^53 shows them to be integers.
   */
  columnTypes?: Readonly<Record<string, FrameColumnType>>;
  /** Ask the server for field types with `SHOW FIELD KEYS` (default true). */
  fieldTypeLookup?: boolean;
  signal?: AbortSignal;
}

/** Options of {@link FrameClient.queryTable}: {@link QueryFramesOptions} plus the measurement column. */
export interface QueryTableOptions extends QueryFramesOptions {
  /**
   * Name of a Dictionary column holding each row's measurement. Required when the result spans
   * more than one measurement (otherwise the rows could not be told apart).
   */
  measurementColumn?: string;
}
