/**
 * `influx-models/nestjs`: `InfluxModule` (forRoot, forRootAsync, forFeature), injection decorators
 * and tokens, a ping-based health indicator and an opt-in exception filter (InfluxValidationError
 * -> HTTP 400). `@nestjs/common`, `@nestjs/core` and `rxjs` are
 * optional peer dependencies needed by this entry point only.
 */
export {
  type ConnectionAttachment,
  ConnectionRegistry,
  getConnectionRegistry,
} from './connection-registry.js';
export {
  InfluxHealthCheckError,
  InfluxHealthIndicator,
  type InfluxHealthResult,
  type InfluxPingCheckOptions,
} from './influx-health-indicator.js';
export { InfluxModule } from './influx-module.js';
export type {
  InfluxFeatureModel,
  InfluxInjectionToken,
  InfluxModuleAsyncOptions,
  InfluxModuleOptions,
  InfluxModuleRootOptions,
  InfluxOptionsFactory,
} from './influx-module-options.js';
export {
  DEFAULT_CONNECTION,
  getInfluxClientToken,
  getInfluxSinkToken,
  getSeriesRegistryToken,
  getSeriesRepositoryToken,
} from './influx-tokens.js';
export {
  type InfluxValidationErrorBody,
  InfluxValidationExceptionFilter,
} from './influx-validation-filter.js';
export { InjectInfluxClient, InjectSeriesRegistry, InjectSeriesRepository } from './inject-decorators.js';
