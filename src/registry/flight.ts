import type { CommitBatch, CommitSink } from '../sink.js';
import type { ClassBuffer } from './class-buffer.js';
import type { HostDelivery } from './replica-delivery.js';
import type { SpoolTag } from './spool-journal.js';

export const noop = (): void => {};

export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

export function emptyBatch(f: Flight): CommitBatch {
  return {
    body: '',
    lineCount: 0,
    precision: 'n',
    ...(f.buffer ? { model: f.buffer.model as CommitBatch['model'] } : {}),
  };
}

/** Why a flight stopped before it settled on its own. */
export class GiveUp {
  constructor(
    readonly kind: 'deadline' | 'close',
    readonly message: string,
  ) {}
}

export interface Outcome {
  readonly written: number;
  readonly failed: number;
  readonly abandoned: number;
  readonly error?: Error | undefined;
}

/** What a flight sends, in memory (absent while the batch waits on disk only). */
export interface FlightData {
  readonly commitBatch: CommitBatch;
  lines(): readonly string[];
  readonly instances: readonly object[];
}

/** One batch, from the moment it is cut (or read back from a spool) until it is settled. */
export class Flight {
  state: 'queued' | 'sending' | 'retrying' = 'queued';
  attempts = 0;
  startedAt = 0;
  holdsSlot = false;
  lastError: Error | undefined;
  outcome: Outcome | undefined;
  deadline: NodeJS.Timeout | undefined;
  data: FlightData | undefined;
  /** Each server's copy, when the sink replicates. */
  delivery: HostDelivery | undefined;
  readonly controller = new AbortController();
  readonly done: Promise<Outcome>;
  resolve!: (o: Outcome) => void;
  constructor(
    readonly buffer: ClassBuffer | undefined,
    readonly className: string,
    readonly n: number,
    readonly sink: CommitSink,
    readonly report: boolean,
    readonly tag: SpoolTag | undefined,
  ) {
    this.done = new Promise((r) => {
      this.resolve = r;
    });
  }

  lines(): readonly string[] {
    return this.data?.lines() ?? [];
  }

  instances(): readonly object[] {
    return this.data?.instances ?? [];
  }
}
