/** The sink types live in src/sink.ts (the bottom layer); re-exported here for the registry's users. */
export type { CommitBatch, CommitSink } from '../sink.js';
