import type { Data, DataType, Field, RecordBatch, Table } from 'apache-arrow';
import { InfluxValidationError } from '../errors.js';
import type { RawSeries, ResultValue } from '../results/result-set.js';
import type { FrameColumnType } from './frame-options.js';
import type { ArrowModule } from './load-arrow.js';

/*
 * Query results -> Arrow. Each chunk of a (chunked) response is turned into typed arrays at once,
 * so the JSON/msgpack rows of a chunk can be collected before the next one arrives; at the end the
 * chunks become record batches (one per chunk, no copy) of a table per series.
 */

type Chunk =
  | { kind: 'null'; length: number }
  | {
      kind: 'f64';
      length: number;
      values: Float64Array;
      valid: Uint8Array | null;
      nulls: number;
      integral: boolean;
    }
  | { kind: 'i64'; length: number; values: BigInt64Array; valid: Uint8Array | null; nulls: number }
  | { kind: 'bool'; length: number; values: Uint8Array; valid: Uint8Array | null; nulls: number }
  | {
      kind: 'str';
      length: number;
      bytes: Uint8Array;
      offsets: Int32Array;
      valid: Uint8Array | null;
      nulls: number;
    }
  | { kind: 'tag'; length: number; value: string | undefined };

interface ColumnAcc {
  name: string;
  chunks: Chunk[];
  /** Set for tag (and measurement) columns of a combined table. */
  isTag: boolean;
}

const encoder = new TextEncoder();

/** Builds the chunk of one column from rows[*][c]. */
function buildChunk(
  rows: ResultValue[][],
  c: number,
  declared: FrameColumnType | undefined,
  name: string,
): Chunk {
  const n = rows.length;
  let nulls = 0;
  let numbers = 0;
  let bigints = 0;
  let bools = 0;
  let strings = 0;
  let integral = true;
  for (let r = 0; r < n; r++) {
    const v = (rows[r] as ResultValue[])[c];
    switch (typeof v) {
      case 'number':
        numbers++;
        if (integral && !Number.isInteger(v)) integral = false;
        break;
      case 'bigint':
        bigints++;
        break;
      case 'boolean':
        bools++;
        break;
      case 'string':
        strings++;
        break;
      default:
        nulls++;
    }
  }
  if (nulls === n && declared === undefined) return { kind: 'null', length: n };
  let kind: 'f64' | 'i64' | 'bool' | 'str';
  if (declared === 'string' || (declared === undefined && strings > 0)) kind = 'str';
  else if (declared === 'boolean' || (declared === undefined && bools > 0)) kind = 'bool';
  else if (declared === 'integer' || (declared === undefined && bigints > 0)) kind = 'i64';
  else kind = 'f64';
  const mixed =
    (kind === 'str' && strings + nulls !== n && declared === undefined) ||
    (kind === 'bool' && bools + nulls !== n) ||
    ((kind === 'i64' || kind === 'f64') && numbers + bigints + nulls !== n) ||
    (kind === 'i64' && !integral);
  if (mixed) {
    throw new InfluxValidationError(
      'queryFrames',
      name,
      `column holds values of different types (${[numbers && 'numbers', bigints && 'big integers', bools && 'booleans', strings && 'strings'].filter(Boolean).join(', ')}${kind === 'i64' && !integral ? ' with fractions' : ''}), e.g. a field type conflict across shards; pass columnTypes: { ${JSON.stringify(name)}: 'string' } to read it as text`,
    );
  }
  const valid = nulls > 0 ? new Uint8Array((n + 7) >> 3) : null;
  const setValid = (r: number) => {
    if (valid) valid[r >> 3] = (valid[r >> 3] as number) | (1 << (r & 7));
  };
  switch (kind) {
    case 'f64': {
      const values = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as ResultValue[])[c];
        if (v === null || v === undefined) continue;
        values[r] = Number(v);
        setValid(r);
      }
      return { kind, length: n, values, valid, nulls, integral: integral && bigints === 0 };
    }
    case 'i64': {
      const values = new BigInt64Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as ResultValue[])[c];
        if (v === null || v === undefined) continue;
        values[r] = typeof v === 'bigint' ? v : BigInt(v as number);
        setValid(r);
      }
      return { kind, length: n, values, valid, nulls };
    }
    case 'bool': {
      const values = new Uint8Array((n + 7) >> 3);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as ResultValue[])[c];
        if (v === null || v === undefined) continue;
        if (v === true) values[r >> 3] = (values[r >> 3] as number) | (1 << (r & 7));
        setValid(r);
      }
      return { kind, length: n, values, valid, nulls };
    }
    default: {
      const texts = new Array<string>(n);
      let total = 0;
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as ResultValue[])[c];
        if (v === null || v === undefined) {
          texts[r] = '';
          continue;
        }
        const s = typeof v === 'string' ? v : String(v);
        texts[r] = s;
        total += s.length;
        setValid(r);
      }
      const joined = texts.join('');
      const bytes = encoder.encode(joined);
      const offsets = new Int32Array(n + 1);
      if (bytes.length === total) {
        for (let r = 0; r < n; r++) offsets[r + 1] = (offsets[r] as number) + (texts[r] as string).length;
      } else {
        for (let r = 0; r < n; r++)
          offsets[r + 1] = (offsets[r] as number) + Buffer.byteLength(texts[r] as string);
      }
      return { kind: 'str', length: n, bytes, offsets, valid, nulls };
    }
  }
}

function timeChunk(rows: ResultValue[][], c: number): Chunk {
  const n = rows.length;
  const values = new BigInt64Array(n);
  let nulls = 0;
  const valid = new Uint8Array((n + 7) >> 3);
  for (let r = 0; r < n; r++) {
    const v = (rows[r] as ResultValue[])[c];
    if (typeof v === 'bigint') values[r] = v;
    else if (typeof v === 'number') values[r] = BigInt(v);
    else {
      nulls++;
      continue;
    }
    valid[r >> 3] = (valid[r >> 3] as number) | (1 << (r & 7));
  }
  return { kind: 'i64', length: n, values, valid: nulls > 0 ? valid : null, nulls };
}

/**
 * The key of a frame in {@link FrameClient.queryFrames}'s map: `measurement` or `measurement,k=v,…`.
 *
 * ```ts
 * frameKey('cpu'); // 'cpu'
 * frameKey('cpu', { region: 'eu', host: 'a b' }); // 'cpu,host=a\\ b,region=eu' (tags sorted, escaped)
 * ```
 */
export function frameKey(measurement: string, tags?: Readonly<Record<string, string>> | null): string {
  const esc = (s: string) => s.replace(/[\\,= ]/g, '\\$&');
  let key = esc(measurement);
  if (tags) for (const k of Object.keys(tags).sort()) key += `,${esc(k)}=${esc(tags[k] as string)}`;
  return key;
}

/** Accumulates the series of one or more result chunks into Arrow tables. */
export class FrameBuilder {
  private readonly frames = new Map<string, SeriesAcc>();
  constructor(
    private readonly A: ArrowModule,
    /** One table for all series, with tag columns (and optionally a measurement column). */
    private readonly combined: { measurementColumn: string | undefined } | undefined,
  ) {}

  /** Appends one series chunk; `types` gives declared column types. */
  add(series: RawSeries, types: (column: string) => FrameColumnType | undefined): void {
    const rows = series.values ?? [];
    if (rows.length === 0) return;
    const measurement = series.measurement ?? series.name ?? 'results';
    const tags = series.tags ?? {};
    const key = this.combined ? '' : frameKey(measurement, series.tags);
    let acc = this.frames.get(key);
    if (acc === undefined) {
      acc = new SeriesAcc(measurement, this.combined ? null : (series.tags ?? null));
      this.frames.set(key, acc);
    }
    const n = rows.length;
    const chunks = new Map<string, { chunk: Chunk; isTag: boolean }>();
    series.columns.forEach((name, c) => {
      if (chunks.has(name)) return;
      const chunk = name === 'time' ? timeChunk(rows, c) : buildChunk(rows, c, types(name), name);
      chunks.set(name, { chunk, isTag: false });
    });
    if (this.combined) {
      const mc = this.combined.measurementColumn;
      if (mc !== undefined) {
        if (chunks.has(mc)) {
          throw new InfluxValidationError(
            'queryTable',
            mc,
            'measurementColumn has the name of a result column',
          );
        }
        chunks.set(mc, { chunk: { kind: 'tag', length: n, value: measurement }, isTag: true });
      } else if (acc.measurement !== measurement) {
        throw new InfluxValidationError(
          'queryTable',
          'measurementColumn',
          `the result spans measurements ${JSON.stringify(acc.measurement)} and ${JSON.stringify(measurement)}; pass measurementColumn to tell their rows apart`,
        );
      }
      for (const k of Object.keys(tags).sort()) {
        if (chunks.has(k)) {
          throw new InfluxValidationError('queryTable', k, 'a GROUP BY tag has the name of a result column');
        }
        chunks.set(k, { chunk: { kind: 'tag', length: n, value: tags[k] }, isTag: true });
      }
    }
    acc.append(n, chunks);
  }

  /** The tables, keyed by {@link frameKey}. */
  tables(dropna: boolean): Map<string, Table> {
    const out = new Map<string, Table>();
    for (const [key, acc] of this.frames) out.set(key, acc.toTable(this.A, dropna));
    return out;
  }

  /** The combined table (empty, with only a time column, for an empty result). */
  table(dropna: boolean): Table {
    const acc = this.frames.get('');
    if (acc === undefined) {
      const A = this.A;
      return new A.Table(new A.Schema([new A.Field('time', new A.TimestampNanosecond('UTC'), false)]));
    }
    return acc.toTable(this.A, dropna);
  }
}

class SeriesAcc {
  readonly columns = new Map<string, ColumnAcc>();
  readonly lengths: number[] = [];
  constructor(
    readonly measurement: string,
    readonly tags: Readonly<Record<string, string>> | null,
  ) {}

  append(n: number, chunks: Map<string, { chunk: Chunk; isTag: boolean }>): void {
    for (const [name, { chunk, isTag }] of chunks) {
      let col = this.columns.get(name);
      if (col === undefined) {
        col = { name, chunks: this.lengths.map((length) => ({ kind: 'null', length }) as Chunk), isTag };
        this.columns.set(name, col);
      }
      col.chunks.push(chunk);
    }
    for (const col of this.columns.values()) {
      if (!chunks.has(col.name))
        col.chunks.push(
          col.isTag ? { kind: 'tag', length: n, value: undefined } : { kind: 'null', length: n },
        );
    }
    this.lengths.push(n);
  }

  toTable(A: ArrowModule, dropna: boolean): Table {
    const ordered: ColumnAcc[] = [];
    const time = this.columns.get('time');
    if (time) ordered.push(time);
    const tagCols = [...this.columns.values()].filter((c) => c.isTag);
    ordered.push(...tagCols);
    for (const c of this.columns.values()) if (c !== time && !c.isTag) ordered.push(c);

    const fields: Field[] = [];
    const datas: Data[][] = [];
    for (const col of ordered) {
      const isTime = col === time;
      if (
        dropna &&
        !isTime &&
        col.chunks.every(
          (ch) => ch.kind === 'null' || (ch.kind === 'tag' ? ch.value === undefined : ch.nulls === ch.length),
        )
      ) {
        continue;
      }
      const { type, data } = isTime ? timeData(A, col) : col.isTag ? tagData(A, col) : columnData(A, col);
      fields.push(new A.Field(col.name, type, !isTime));
      datas.push(data);
    }
    const metadata = new Map<string, string>([['influx.measurement', this.measurement]]);
    if (this.tags) metadata.set('influx.tags', JSON.stringify(this.tags));
    const schema = new A.Schema(fields, metadata);
    const batches: RecordBatch[] = this.lengths.map(
      (length, k) =>
        new A.RecordBatch(
          schema,
          A.makeData({
            type: new A.Struct(fields),
            length,
            nullCount: 0,
            children: datas.map((d) => d[k] as Data),
          }),
        ),
    );
    return new A.Table(schema, batches);
  }
}

function timeData(A: ArrowModule, col: ColumnAcc): { type: DataType; data: Data[] } {
  const type = new A.TimestampNanosecond('UTC');
  return {
    type,
    data: col.chunks.map((ch) =>
      ch.kind === 'i64'
        ? A.makeData({
            type,
            length: ch.length,
            nullCount: ch.nulls,
            data: ch.values,
            nullBitmap: ch.valid ?? undefined,
          })
        : A.makeData({
            type,
            length: ch.length,
            nullCount: ch.length,
            data: new BigInt64Array(ch.length),
            nullBitmap: new Uint8Array((ch.length + 7) >> 3),
          }),
    ),
  };
}

function tagData(A: ArrowModule, col: ColumnAcc): { type: DataType; data: Data[] } {
  const index = new Map<string, number>();
  for (const ch of col.chunks) {
    if (ch.kind === 'tag' && ch.value !== undefined && !index.has(ch.value)) index.set(ch.value, index.size);
  }
  const type = new A.Dictionary(new A.Utf8(), new A.Int32());
  const dictionary = A.vectorFromArray([...index.keys()], new A.Utf8());
  return {
    type,
    data: col.chunks.map((ch) => {
      const value = ch.kind === 'tag' ? ch.value : undefined;
      const indices = new Int32Array(ch.length);
      if (value === undefined) {
        return A.makeData({
          type,
          length: ch.length,
          nullCount: ch.length,
          data: indices,
          nullBitmap: new Uint8Array((ch.length + 7) >> 3),
          dictionary,
        });
      }
      indices.fill(index.get(value) as number);
      return A.makeData({ type, length: ch.length, nullCount: 0, data: indices, dictionary });
    }),
  };
}

function columnData(A: ArrowModule, col: ColumnAcc): { type: DataType; data: Data[] } {
  const kinds = new Set(col.chunks.map((ch) => ch.kind).filter((k) => k !== 'null'));
  let final: 'f64' | 'i64' | 'bool' | 'str' | 'null';
  if (kinds.size === 0) final = 'null';
  else if (kinds.size === 1) final = [...kinds][0] as typeof final;
  else if (kinds.size === 2 && kinds.has('f64') && kinds.has('i64')) {
    if (!col.chunks.every((ch) => ch.kind !== 'f64' || ch.integral)) {
      throw new InfluxValidationError(
        'queryFrames',
        col.name,
        'column holds both fractional floats and integers beyond 2^53; pass columnTypes to choose',
      );
    }
    final = 'i64';
  } else {
    throw new InfluxValidationError(
      'queryFrames',
      col.name,
      `column holds values of different types across chunks (${[...kinds].join(', ')}); pass columnTypes: { ${JSON.stringify(col.name)}: 'string' } to read it as text`,
    );
  }
  if (final === 'null') {
    const type = new A.Null();
    return { type, data: col.chunks.map((ch) => A.makeData({ type, length: ch.length })) };
  }
  const type: DataType =
    final === 'f64'
      ? new A.Float64()
      : final === 'i64'
        ? new A.Int64()
        : final === 'bool'
          ? new A.Bool()
          : new A.Utf8();
  const data = col.chunks.map((ch): Data => {
    const n = ch.length;
    if (ch.kind === 'null' || ch.kind === 'tag') {
      const nullBitmap = new Uint8Array((n + 7) >> 3);
      if (final === 'str')
        return A.makeData({
          type: type as never,
          length: n,
          nullCount: n,
          data: new Uint8Array(0),
          valueOffsets: new Int32Array(n + 1),
          nullBitmap,
        });
      const values =
        final === 'f64'
          ? new Float64Array(n)
          : final === 'i64'
            ? new BigInt64Array(n)
            : new Uint8Array((n + 7) >> 3);
      return A.makeData({ type: type as never, length: n, nullCount: n, data: values as never, nullBitmap });
    }
    const nullBitmap = ch.valid ?? undefined;
    switch (ch.kind) {
      case 'f64':
        if (final === 'i64') {
          const values = new BigInt64Array(n);
          for (let i = 0; i < n; i++) values[i] = BigInt(ch.values[i] as number);
          return A.makeData({
            type: type as never,
            length: n,
            nullCount: ch.nulls,
            data: values as never,
            nullBitmap,
          });
        }
        return A.makeData({
          type: type as never,
          length: n,
          nullCount: ch.nulls,
          data: ch.values as never,
          nullBitmap,
        });
      case 'i64':
      case 'bool':
        return A.makeData({
          type: type as never,
          length: n,
          nullCount: ch.nulls,
          data: ch.values as never,
          nullBitmap,
        });
      default:
        return A.makeData({
          type: type as never,
          length: n,
          nullCount: ch.nulls,
          data: ch.bytes,
          valueOffsets: ch.offsets,
          nullBitmap,
        });
    }
  });
  return { type, data };
}
