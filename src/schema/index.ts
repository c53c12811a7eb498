/**
 * `influx-models/schema`: schema from and to the database. Read a database into model source files
 * (`introspectDatabase` + `generateModels`, what `npx influx-models pull` runs), and declare a
 * database, its retention policies and continuous queries in code (`defineSchema`) that
 * `applySchema` (and `npx influx-models push`) applies idempotently.
 */
export {
  type ApplySchemaOptions,
  applySchema,
  formatSchemaPlan,
  type SchemaChange,
  type SchemaPlan,
} from './apply-schema.js';
export { continuousQueryForm } from './cq-compare.js';
export { durationNanos } from './durations.js';
export { className, fileStem, NameScope, propertyName } from './identifiers.js';
export {
  type DatabaseIntrospection,
  type IntrospectOptions,
  introspectDatabase,
  type PulledField,
  type PulledMeasurement,
} from './introspect-database.js';
export {
  type FieldTypeChoice,
  type GeneratedFile,
  type GeneratedModels,
  type GenerateModelsOptions,
  generateModels,
  tsString,
} from './model-codegen.js';
export {
  type AnyQueryBuilder,
  type ContinuousQuerySpec,
  continuousQuery,
  type DeclaredContinuousQuery,
  type DeclaredRetentionPolicy,
  defineSchema,
  type InfluxSchema,
  type ResampleSpec,
  type RetentionPolicySpec,
  type SchemaDefinition,
} from './schema-definition.js';
