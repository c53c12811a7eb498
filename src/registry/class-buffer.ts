import { LineWriter } from '../line-protocol/line-writer.js';
import type { Precision } from '../line-protocol/precision.js';
import type { CommitSink, WriteConsistency } from '../sink.js';

/**
 * What the registry knows of a model class's series: where its points go and its name for
 * messages. The model side (src/models/model-runtime.ts) provides it; the registry never reads the
 * decorator records or the model schema.
 */
export interface SeriesTarget {
  /** The class name, for messages only. */
  readonly className: string;
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
  /** Precision of the timestamps in the lines. */
  readonly precision: Precision;
}

/** Commit options of one class (undefined: the registry's). */
export interface SeriesCommitOptions {
  readonly bulkSize: number | undefined;
  readonly flushInterval: number | undefined;
  readonly maxBatchBytes: number | undefined;
  readonly autocommit: boolean | undefined;
  readonly sink: CommitSink | undefined;
  /** InfluxDB Enterprise write consistency of the class's batches. */
  readonly consistency?: WriteConsistency | undefined;
}

/**
 * The per-class serializer the registry's buffers are filled by: writes one instance as a line of
 * line protocol, `\n` included, into `writer`, or throws leaving the writer as it was. `values` are
 * the instance's property values when the caller read them already. The model side compiles it
 * (src/models/model-serializer.ts, the one instance -> line function).
 */
export type LineSerializer = (
  instance: Record<string, unknown>,
  writer: LineWriter,
  values?: readonly unknown[],
) => void;

/** What the registry is told about a model class when its buffer is made. */
export interface SeriesClass {
  readonly target: SeriesTarget;
  readonly options: SeriesCommitOptions;
  readonly serialize: LineSerializer;
}

// biome-ignore lint/suspicious/noExplicitAny: constructors of any argument list
type ModelClass = abstract new (...args: any[]) => object;

/** One batch cut from a class's buffer, from the moment it is cut until it is stored or reported. */
export class PendingBatch {
  private cachedLines: string[] | undefined;
  constructor(
    readonly buffer: ClassBuffer,
    /** The lines as UTF-8 bytes, each ending with `\n` (what an HTTP sink sends as it is). */
    readonly bytes: Buffer,
    /** Byte offset just past each line's `\n`. */
    private readonly ends: readonly number[],
    /** True when every byte is ASCII (the body decodes as latin1, offsets are string offsets). */
    readonly ascii: boolean,
    readonly instances: object[],
  ) {}

  get lineCount(): number {
    return this.instances.length;
  }

  lines(): string[] {
    if (this.cachedLines === undefined) {
      const out: string[] = [];
      const enc = this.ascii ? 'latin1' : 'utf8';
      let start = 0;
      for (const end of this.ends) {
        out.push(this.bytes.toString(enc, start, end - 1));
        start = end;
      }
      this.cachedLines = out;
    }
    return this.cachedLines;
  }
}

export class ClassBuffer {
  readonly writer = new LineWriter(1 << 16);
  /**
   * Byte offset just past each pending line's `\n`, and the pending instances, in the first
   * {@link count} slots. Both arrays are made at the size of the last batch and filled by index
   * ({@link push}), not grown by `push()`: growing them re-copied each array about three times per
   * batch, the larger part of the garbage per buffered point.
   */
  ends: number[] = [];
  instances: object[] = [];
  #n = 0;
  timer: NodeJS.Timeout | undefined;
  /** Batches of this class cut and not yet settled. */
  readonly active = new Set<Promise<Error | undefined>>();
  readonly meta: SeriesTarget;
  readonly options: SeriesCommitOptions;
  readonly serialize: LineSerializer;
  constructor(
    readonly model: ModelClass,
    series: SeriesClass,
  ) {
    this.meta = series.target;
    this.options = series.options;
    this.serialize = series.serialize;
  }

  get count(): number {
    return this.#n;
  }

  /** Bytes of line protocol pending. */
  get bytes(): number {
    return this.writer.pos;
  }

  /** Records `instance`, whose line the writer holds up to its current position. */
  push(instance: object): void {
    const i = this.#n;
    this.ends[i] = this.writer.pos;
    this.instances[i] = instance;
    this.#n = i + 1;
  }

  /** The pending lines, without `\n`. */
  lines(): string[] {
    const w = this.writer;
    const enc = w.ascii ? 'latin1' : 'utf8';
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < this.#n; i++) {
      const end = this.ends[i] as number;
      out.push(w.buf.toString(enc, start, end - 1));
      start = end;
    }
    return out;
  }

  /**
   * Takes the pending lines of the `wanted` instances out of the buffer (the others keep their
   * order); returns each taken instance's line, `\n` included, as bytes.
   */
  withdraw(wanted: ReadonlySet<object>): Map<object, Buffer> {
    const taken = new Map<object, Buffer>();
    const w = this.writer;
    const ends: number[] = [];
    const instances: object[] = [];
    let start = 0;
    let pos = 0;
    for (let i = 0; i < this.#n; i++) {
      const inst = this.instances[i] as object;
      const end = this.ends[i] as number;
      if (wanted.has(inst) && !taken.has(inst)) {
        taken.set(inst, Buffer.from(w.buf.subarray(start, end)));
      } else {
        if (pos !== start) w.buf.copy(w.buf, pos, start, end);
        pos += end - start;
        ends.push(pos);
        instances.push(inst);
      }
      start = end;
    }
    if (taken.size > 0) {
      w.pos = pos;
      this.ends = ends;
      this.instances = instances;
      this.#n = instances.length;
    }
    return taken;
  }

  /** Cuts everything pending into a batch and empties the buffer. */
  cut(): PendingBatch {
    const w = this.writer;
    const bytes = Buffer.allocUnsafe(w.pos);
    w.buf.copy(bytes, 0, 0, w.pos);
    const n = this.#n;
    const ends = this.ends;
    const instances = this.instances;
    // The slots past the count (a batch cut before the arrays filled up) are dropped.
    if (ends.length !== n) ends.length = n;
    if (instances.length !== n) instances.length = n;
    const batch = new PendingBatch(this, bytes, ends, w.ascii, instances);
    this.clear(n);
    return batch;
  }

  /** Empties the buffer; `expect` sizes the next arrays (the size of the batch just cut). */
  clear(expect = 0): void {
    this.writer.reset();
    if (this.writer.buf.length > 1 << 22) this.writer.buf = Buffer.allocUnsafe(1 << 16);
    const size = Math.min(expect, 1 << 16);
    this.ends = size > 16 ? new Array<number>(size) : [];
    this.instances = size > 16 ? new Array<object>(size) : [];
    this.#n = 0;
  }
}
