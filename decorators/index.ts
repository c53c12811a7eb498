/**
 * The model decorators, for legacy (`experimentalDecorators`) and standard (TC39) decorators alike.
 * They only record their arguments on the class; `getModelMetadata()` compiles them at first use.
 */
export type {
  FieldDecoratorOptions,
  FieldTypeName,
  MeasurementDecoratorOptions,
  TagDecoratorOptions,
  TimestampDecoratorOptions,
} from './decorator-store.js';
export { Field } from './field-decorator.js';
export { Measurement } from './measurement-decorator.js';
export type { MemberDecorator, ModelClassDecorator } from './member-decorator.js';
export { Tag } from './tag-decorator.js';
export { Timestamp } from './timestamp-decorator.js';
