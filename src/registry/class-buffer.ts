import type { ModelCommitOptions } from '../models/metadata-builder.js';
import type { ModelClass, ModelMetadata } from '../models/model-metadata.js';
import type { CommitSink } from './commit-sink.js';

/** One batch cut from a class's buffer, from the moment it is cut until it is stored or reported. */
export interface PendingBatch {
  readonly buffer: ClassBuffer;
  readonly lines: string[];
  readonly instances: object[];
  /** The sink given to `Model.commit(sink)`, which wins over the configured ones. */
  readonly sink: CommitSink | undefined;
}

/** The points of one model class that are not yet handed to a sink. */
export class ClassBuffer {
  lines: string[] = [];
  instances: object[] = [];
  bytes = 0;
  timer: NodeJS.Timeout | undefined;
  /** Batches of this class cut and not yet settled. */
  readonly active = new Set<Promise<Error | undefined>>();
  constructor(
    readonly model: ModelClass,
    readonly meta: ModelMetadata,
    readonly options: ModelCommitOptions,
  ) {}
}
