export type { CommitOptions } from './commit-sink.js';
export { configureSeries, defaultRegistry } from './default-registry.js';
export type { CommitFailure, RetryInfo, SeriesRegistryOptions, SpoolOptions } from './registry-options.js';
export {
  REGISTRY_CHANNELS,
  type RegistryStats,
  type SeriesClassStats,
  type SpoolStats,
} from './registry-stats.js';
export type { HostFlushResult } from './replica-delivery.js';
export { type FlushOptions, type FlushResult, isPermanent, SeriesRegistry } from './series-registry.js';
export type { ShutdownHookOptions } from './shutdown-hooks.js';
