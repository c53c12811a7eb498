import type { CompiledQuery } from '../influxql/compiler.js';
import type { ModelMetadata } from '../models/model-metadata.js';
import type { ValueKind } from './select-expression.js';

/** How one output column of a query is converted. */
export interface ColumnPlan {
  /** Output name (the `AS` name, or the key when not aliased) and row key. */
  readonly name: string;
  readonly kind: ValueKind;
  /** Model property whose declared type converts the value (`same` kind). */
  readonly property: string | undefined;
  /** Keep the server's value unchanged (a subquery column or an unknown source). */
  readonly raw: boolean;
}

/** Everything the row mapper needs to turn a result series into instances or rows. */
export interface RowPlan<T extends object> {
  readonly meta: ModelMetadata<T>;
  /** false: hydrate model instances; true: plain typed row objects. */
  readonly rows: boolean;
  /** By output column name. */
  readonly columns: ReadonlyMap<string, ColumnPlan>;
  /** Tag key → property, for series tags of GROUP BY. */
  readonly tagKeys: ReadonlyMap<string, string>;
  /** For a templated measurement name: captures the template properties from a series name. */
  readonly template: RegExp | undefined;
}

/** Runs compiled queries for a bound builder (implemented by `Repository`). */
export interface QueryExecutor<T extends object> {
  all(compiled: CompiledQuery, plan: RowPlan<T>, database: string | undefined): Promise<unknown[]>;
  stream(
    compiled: CompiledQuery,
    plan: RowPlan<T>,
    database: string | undefined,
    options: StreamOptions,
  ): AsyncIterable<unknown>;
}

/** Options of `stream()`. */
export interface StreamOptions {
  /** Points per chunk the server sends (`chunk_size`). Default 10000. */
  chunkSize?: number;
  signal?: AbortSignal;
}
