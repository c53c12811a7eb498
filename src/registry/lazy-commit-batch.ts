import type { Precision } from '../line-protocol/precision.js';
import type { CommitBatch, WriteConsistency } from '../sink.js';

/** What a {@link LazyCommitBatch} holds besides its lines. */
export interface BatchTarget {
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
  readonly precision: Precision;
  readonly consistency: WriteConsistency | undefined;
}

/** The shared `body` getter of {@link LazyCommitBatch} (one function for every batch). */
function decodedBody(this: LazyCommitBatch): string {
  return this.text();
}

/**
 * The {@link CommitBatch} a sink gets from the registry (a batch just cut, or one read back from
 * the spool): `body` is decoded from `bytes` on first read, so a sink that posts the bytes never
 * pays for the text.
 *
 * Why a class with one shared getter function, and not an object literal with `get body()`: V8
 * keeps such a literal (an accessor per object) in dictionary mode, and with one per batch nearly
 * every object allocated between two minor GCs was promoted to the old generation, the batch's
 * model instances included (`node --trace-gc-nvp`: promotion ratio 90%, against 16-19% with this
 * class; the model bench, `npm run bench`, spent about a fifth of its time in GC and ran 20%
 * slower). `body` is still an own enumerable property, so `{ ...batch }` copies the text as it did.
 */
export class LazyCommitBatch implements CommitBatch {
  declare readonly body: string;
  readonly lineCount: number;
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
  readonly precision: Precision;
  readonly consistency: WriteConsistency | undefined;
  #text: string | undefined;
  constructor(
    /** The lines as UTF-8 bytes, each ending with `\n`. */
    readonly bytes: Buffer,
    /** True when every byte is ASCII (decoded as latin1, faster). */
    private readonly ascii: boolean,
    lineCount: number,
    target: BatchTarget,
    readonly model: CommitBatch['model'],
    readonly instances: readonly object[] | undefined,
  ) {
    this.lineCount = lineCount;
    this.database = target.database;
    this.retentionPolicy = target.retentionPolicy;
    this.precision = target.precision;
    this.consistency = target.consistency;
    Object.defineProperty(this, 'body', { get: decodedBody, enumerable: true, configurable: true });
  }

  /** The lines as one string (decoded once). */
  text(): string {
    this.#text ??= this.bytes.toString(this.ascii ? 'latin1' : 'utf8');
    return this.#text;
  }
}
