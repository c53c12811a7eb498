import { Buffer } from 'node:buffer';
import { LineWriter } from '../line-protocol/line-writer.js';
import type { ModelCommitOptions } from '../models/metadata-builder.js';
import type { ModelClass, ModelMetadata } from '../models/model-metadata.js';

/** One batch cut from a class's buffer, from the moment it is cut until it is stored or reported. */
export class PendingBatch {
  private cachedBody: string | undefined;
  private cachedLines: string[] | undefined;
  constructor(
    readonly buffer: ClassBuffer,
    /** The lines as UTF-8 bytes, each ending with `\n` (what an HTTP sink sends as it is). */
    readonly bytes: Buffer,
    /** Byte offset just past each line's `\n`. */
    private readonly ends: readonly number[],
    /** True when every byte is ASCII (the body decodes as latin1, offsets are string offsets). */
    private readonly ascii: boolean,
    readonly instances: object[],
  ) {}

  get lineCount(): number {
    return this.instances.length;
  }

  /** The lines as one string, decoded on first use (a sink that sends `bytes` never pays it). */
  get body(): string {
    if (this.cachedBody === undefined) {
      this.cachedBody = this.bytes.toString(this.ascii ? 'latin1' : 'utf8');
    }
    return this.cachedBody;
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
  ends: number[] = [];
  instances: object[] = [];
  timer: NodeJS.Timeout | undefined;
  /** Batches of this class cut and not yet settled. */
  readonly active = new Set<Promise<Error | undefined>>();
  constructor(
    readonly model: ModelClass,
    readonly meta: ModelMetadata,
    readonly options: ModelCommitOptions,
  ) {}

  get count(): number {
    return this.instances.length;
  }

  /** Bytes of line protocol pending. */
  get bytes(): number {
    return this.writer.pos;
  }

  /** The pending lines, without `\n`. */
  lines(): string[] {
    const w = this.writer;
    const enc = w.ascii ? 'latin1' : 'utf8';
    const out: string[] = [];
    let start = 0;
    for (const end of this.ends) {
      out.push(w.buf.toString(enc, start, end - 1));
      start = end;
    }
    return out;
  }

  /** Cuts everything pending into a batch and empties the buffer. */
  cut(): PendingBatch {
    const w = this.writer;
    const bytes = Buffer.allocUnsafe(w.pos);
    w.buf.copy(bytes, 0, 0, w.pos);
    const batch = new PendingBatch(this, bytes, this.ends, w.ascii, this.instances);
    this.clear();
    return batch;
  }

  clear(): void {
    this.writer.reset();
    if (this.writer.buf.length > 1 << 22) this.writer.buf = Buffer.allocUnsafe(1 << 16);
    this.ends = [];
    this.instances = [];
  }
}
