import { Buffer } from 'node:buffer';
import { LineWriter } from '../line-protocol/line-writer.js';
import type { ModelCommitOptions } from '../models/metadata-builder.js';
import type { ModelClass, ModelMetadata } from '../models/model-metadata.js';

/** One batch cut from a class's buffer, from the moment it is cut until it is stored or reported. */
export class PendingBatch {
  private cachedLines: string[] | undefined;
  constructor(
    readonly buffer: ClassBuffer,
    /** Line protocol, each line ending with `\n`. */
    readonly body: string,
    /** Offset in `body` just after each line's `\n`. */
    private readonly ends: readonly number[],
    readonly instances: object[],
  ) {}

  get lineCount(): number {
    return this.instances.length;
  }

  /** The lines (without `\n`), computed when first asked for (error reports, tests). */
  lines(): string[] {
    if (this.cachedLines === undefined) {
      const out: string[] = [];
      let start = 0;
      for (const end of this.ends) {
        out.push(this.body.slice(start, end - 1));
        start = end;
      }
      this.cachedLines = out;
    }
    return this.cachedLines;
  }
}

/**
 * The points of one model class that are not yet handed to a sink: their line protocol, written
 * as bytes into one growable buffer, the byte offset after each line, and the instances.
 */
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
    let body: string;
    let ends = this.ends;
    if (w.ascii) {
      body = w.buf.toString('latin1', 0, w.pos);
    } else {
      // Offsets are in bytes; re-derive them in UTF-16 units of the decoded body.
      const lines = this.lines();
      body = `${lines.join('\n')}\n`;
      ends = [];
      let at = 0;
      for (const l of lines) {
        at += l.length + 1;
        ends.push(at);
      }
    }
    const batch = new PendingBatch(this, body, ends, this.instances);
    this.clear();
    return batch;
  }

  /** Drops everything pending. */
  clear(): void {
    this.writer.reset();
    if (this.writer.buf.length > 1 << 22) this.writer.buf = Buffer.allocUnsafe(1 << 16);
    this.ends = [];
    this.instances = [];
  }
}
