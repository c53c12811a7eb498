import { InfluxDBClientError } from '../errors.js';
import { canGenerateCode, compileFunction } from '../generated-code.js';
import { inspectCustom } from '../lazy-require.js';

/** A value of a result cell: see the value contract in `src/results/index.ts`. */
export type ResultValue = string | number | bigint | boolean | null;

/** A row of a series as an object keyed by column name. */
export type ResultRow = Record<string, ResultValue>;

/** Tags of a GROUP BY series, or a tag filter. */
export type ResultTags = Record<string, string>;

/** One series of a statement result, as InfluxDB returns it. */
export interface RawSeries {
  name?: string;
  measurement?: string;
  tags?: ResultTags;
  columns: string[];
  values?: ResultValue[][];
  partial?: boolean;
}

/** One statement result, as InfluxDB returns it (`results[i]`). */
export interface RawResult {
  statement_id?: number;
  series?: RawSeries[];
  messages?: { level: string; text: string }[];
  error?: string;
  partial?: boolean;
}

/** The key of a series: its measurement (`'results'` when unnamed) and its GROUP BY tags or null. */
export type SeriesKey = [measurement: string, tags: ResultTags | null];

function seriesName(series: RawSeries): string | null {
  if (series.measurement !== undefined) return series.measurement;
  if (series.name !== undefined) return series.name;
  return 'results';
}

function tagMatches(tags: Readonly<Record<string, unknown>>, filter: ResultTags): boolean {
  for (const key in filter) {
    if (tags[key] !== filter[key]) return false;
  }
  return true;
}

/**
 * The result of one InfluxQL statement, with influxdb-python's `ResultSet` semantics.
 *
 * ```ts
 * const rs = await client.query('SELECT "value" FROM "cpu" GROUP BY "host"');
 * rs.keys();                           // [['cpu', { host: 'a' }], ['cpu', { host: 'b' }]]
 * [...rs.getPoints('cpu', { host: 'b' })]; // [{ time: '2009-11-10T23:00:01Z', value: 33 }]
 * [...rs.rowsWithTags()];              // [{ host: 'a', time: ..., value: 0.64 }, { host: 'b', ... }]
 * ```
 */
export class ResultSet implements Iterable<ResultRow[]> {
  /** The statement result exactly as decoded (`{ statement_id, series, error? }`). */
  readonly raw: RawResult;
  /** The statement's error message, if the server reported one. */
  readonly error: string | undefined;

  /**
   * @param raw one element of the response's `results` array.
   * @param raiseErrors throw {@link InfluxDBClientError} when the result carries an error (default true).
   */
  constructor(raw: RawResult, raiseErrors = true) {
    this.raw = raw;
    this.error = typeof raw.error === 'string' ? raw.error : undefined;
    if (this.error !== undefined && raiseErrors) throw new InfluxDBClientError(this.error);
  }

  /**
   * Builds a row object from parallel column and value arrays.
   *
   * ```ts
   * ResultSet.pointFromColsVals(['time', 'usage'], ['2024-01-01T00:00:00Z', 0.5]);
   * // { time: '2024-01-01T00:00:00Z', usage: 0.5 }
   * ```
   */
  static pointFromColsVals(cols: readonly string[], vals: readonly ResultValue[]): ResultRow {
    const point: ResultRow = {};
    for (let i = 0; i < cols.length; i++) point[cols[i] as string] = vals[i] ?? null;
    return point;
  }

  /** The series of the result (empty when the statement returned none). */
  get series(): readonly RawSeries[] {
    return Array.isArray(this.raw.series) ? this.raw.series : [];
  }

  /**
   * Rows of the series whose measurement is `measurement` (all when omitted) and whose row values
   * or GROUP BY tags match every entry of `tags`. Unnamed series (SHOW statements) are returned only
   * when no tag filter is given, as in influxdb-python.
   *
   * ```ts
   * const rs = await client.query('SELECT "usage" FROM "cpu" GROUP BY "host"');
   * [...rs.getPoints()]; // every row: [{ time: '2024-01-01T00:00:00Z', usage: 0.5 }, { time: …, usage: 0.7 }]
   * [...rs.getPoints('cpu', { host: 'b' })]; // [{ time: '2024-01-01T00:00:00Z', usage: 0.7 }]
   * ```
   */
  *getPoints(measurement?: string | null, tags?: ResultTags | null): Generator<ResultRow> {
    for (const series of this.series) {
      const name = seriesName(series);
      if (name === null) {
        if (tags == null) yield* rowsOf(series);
      } else if (measurement == null || measurement === name) {
        const values = series.values;
        if (!Array.isArray(values)) continue;
        const build = rowBuilder(series.columns);
        if (tags == null) {
          for (let i = 0; i < values.length; i++) yield build(series.columns, values[i] as ResultValue[]);
          continue;
        }
        const seriesTags = series.tags ?? {};
        for (let i = 0; i < values.length; i++) {
          const row = build(series.columns, values[i] as ResultValue[]);
          if (tagMatches(row, tags) || tagMatches(seriesTags, tags)) yield row;
        }
      }
    }
  }

  /**
   * Like {@link getPoints}, with each series' GROUP BY tag values merged into its rows (a column of
   * the same name wins). The seed's users ask for this when grouping by tags.
   *
   * ```ts
   * const rs = await client.query('SELECT "usage" FROM "cpu" GROUP BY "host"');
   * [...rs.rowsWithTags()];
   * // [{ host: 'a', time: '2024-01-01T00:00:00Z', usage: 0.5 }, { host: 'b', time: …, usage: 0.7 }]
   * ```
   */
  *rowsWithTags(measurement?: string | null, tags?: ResultTags | null): Generator<ResultRow> {
    for (const series of this.series) {
      const name = seriesName(series);
      if (name !== null && measurement != null && measurement !== name) continue;
      const seriesTags = series.tags ?? {};
      if (tags != null && name === null) continue;
      for (const row of rowsOf(series)) {
        if (tags == null || tagMatches(row, tags) || tagMatches(seriesTags, tags)) {
          yield series.tags === undefined ? row : { ...seriesTags, ...row };
        }
      }
    }
  }

  /**
   * The key of every series: `[measurement, tags | null]`.
   *
   * ```ts
   * const rs = await client.query('SELECT "usage" FROM "cpu" GROUP BY "host"');
   * rs.keys(); // [['cpu', { host: 'a' }], ['cpu', { host: 'b' }]]
   * ```
   */
  keys(): SeriesKey[] {
    return this.series.map((s) => [seriesName(s) ?? 'results', s.tags ?? null]);
  }

  /**
   * Every series' key with its rows.
   *
   * ```ts
   * for (const [[measurement, tags], rows] of rs.items()) {
   *   console.log(measurement, tags?.host, rows.length); // 'cpu' 'a' 1, then 'cpu' 'b' 1
   * }
   * ```
   */
  items(): [SeriesKey, ResultRow[]][] {
    return this.series.map((s) => [[seriesName(s) ?? 'results', s.tags ?? null], [...rowsOf(s)]]);
  }

  /**
   * The rows selected by a key: a measurement name, a `[measurement, tags]` pair (as returned by
   * {@link keys}) or a tag filter object; see {@link getPoints}.
   *
   * ```ts
   * rs.get('cpu'); // the rows of every "cpu" series
   * rs.get(['cpu', { host: 'b' }]); // [{ time: '2024-01-01T00:00:00Z', usage: 0.7 }]
   * rs.get({ host: 'a' }); // [{ time: '2024-01-01T00:00:00Z', usage: 0.5 }]
   * ```
   */
  get(key: string | SeriesKey | ResultTags): ResultRow[] {
    if (typeof key === 'string') return [...this.getPoints(key)];
    if (Array.isArray(key)) return [...this.getPoints(key[0], key[1])];
    return [...this.getPoints(null, key)];
  }

  /** Number of series. */
  get length(): number {
    return this.series.length;
  }

  /**
   * Iterates the rows of each key, one array per series key.
   *
   * ```ts
   * for (const rows of rs) console.log(rows.length); // one array per series (host a, then host b)
   * [...rs]; // [[{ time: …, usage: 0.5 }], [{ time: …, usage: 0.7 }]]
   * ```
   */
  *[Symbol.iterator](): Iterator<ResultRow[]> {
    for (const key of this.keys()) yield this.get(key);
  }

  /**
   * A one-line summary: each series name, its tags and its row count (or the error).
   *
   * ```ts
   * (await client.query('SELECT "usage" FROM "cpu" GROUP BY "host"')).toString();
   * // 'ResultSet(cpu {"host":"a"}: 2 rows, cpu {"host":"b"}: 1 rows)'
   * ```
   */
  toString(): string {
    const parts = this.series.map((s) => {
      const name = seriesName(s) ?? 'results';
      const tags = s.tags ? ` ${JSON.stringify(s.tags)}` : '';
      return `${name}${tags}: ${s.values?.length ?? 0} rows`;
    });
    return `ResultSet(${this.error !== undefined ? `error: ${this.error}` : parts.join(', ')})`;
  }

  /**
   * What `util.inspect` and `console.log` show: the summary of {@link toString}.
   *
   * ```ts
   * console.log(rs); // ResultSet(cpu: 2 rows)
   * ```
   */
  [inspectCustom](): string {
    return this.toString();
  }
}

function* rowsOf(series: RawSeries): Generator<ResultRow> {
  const values = series.values;
  if (!Array.isArray(values)) return;
  const cols = series.columns;
  const build = rowBuilder(cols);
  for (let i = 0; i < values.length; i++) yield build(cols, values[i] as ResultValue[]);
}

type RowBuilder = (cols: readonly string[], vals: readonly ResultValue[]) => ResultRow;

/**
 * Row objects of a series are built by a function generated once per column list: an object
 * literal with the column names as keys (one allocation with every property in place) instead of
 * a store per column with a key known only at run time. Same result as pointFromColsVals; column
 * lists it cannot express (a repeated name, `__proto__`, or a runtime that forbids generated code)
 * use pointFromColsVals itself.
 */
const builders = new Map<string, RowBuilder>();

function rowBuilder(cols: readonly string[]): RowBuilder {
  if (!canGenerateCode() || !Array.isArray(cols) || cols.length > 1000) return ResultSet.pointFromColsVals;
  const key = cols.join('\u0000');
  let build = builders.get(key);
  if (build !== undefined) return build;
  build = ResultSet.pointFromColsVals;
  if (new Set(cols).size === cols.length && cols.every((c) => typeof c === 'string' && c !== '__proto__')) {
    const entries = cols.map((c, i) => `${JSON.stringify(c)}: v[${i}] ?? null`);
    const compiled = compileFunction<RowBuilder>(
      ['c', 'v'],
      `'use strict'; return { ${entries.join(', ')} };`,
    );
    if (compiled === undefined) return build; // code generation refused: the loop, not remembered
    build = compiled;
  }
  if (builders.size < 256) builders.set(key, build);
  return build;
}
