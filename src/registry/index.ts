export { configureSeries, defaultRegistry } from './default-registry.js';
export type { CommitFailure, RetryOptions, SeriesRegistryOptions } from './registry-options.js';
export { type FlushResult, isPermanent, SeriesRegistry } from './series-registry.js';
export type { ShutdownHookOptions } from './shutdown-hooks.js';
