export {
  type DefinedInit,
  type DefinedInstance,
  type DefinedModel,
  type DefineMeasurementOptions,
  defineMeasurement,
  type FieldSpec,
  type FieldValueOf,
  type ModelTags,
  type TagSpec,
  type TimestampSpec,
} from './define-measurement.js';
export { getModelMetadata } from './metadata-builder.js';
export type {
  FieldMetadata,
  IntegerRepresentation,
  ModelClass,
  ModelFieldType,
  ModelMetadata,
  TagMetadata,
  TimestampMetadata,
  TimestampRepresentation,
} from './model-metadata.js';
export { nowNanos } from './nano-clock.js';
export { type ModelInit, SeriesModel } from './series-model.js';
