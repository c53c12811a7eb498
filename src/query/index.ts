/**
 * The typed query builder (builder → AST → compiler), row → instance mapping and `Repository`.
 */
export {
  checkDuration,
  escapeRegex,
  quoteIdent,
  quoteLiteral,
  regexLiteral,
  regexSource,
} from '../influxql/literals.js';
export type { StatementNode } from '../influxql/statement-ast.js';
export type {
  FieldProperty,
  GroupProperty,
  ModelProperty,
  ModelTime,
  QueryTypeError,
  TagProperty,
  TagValueOf,
  TimeProperty,
} from './model-types.js';
export type * from './query-ast.js';
export {
  type CheckGroupItem,
  type CheckSelectItem,
  type CheckWhereOperator,
  type CheckWhereProperty,
  type GroupInput,
  QueryBuilder,
  type QueryExecutor,
  type QueryResult,
  type RegexOperator,
  type SelectInput,
  type StreamOptions,
  type TimeGroup,
  time,
  type ValueOperator,
  type WhereObject,
  type WhereValue,
  type WhereValueFor,
} from './query-builder.js';
export * from './query-compiler.js';
export { createRepository, type FindOptions, Repository, type RepositoryClient } from './repository.js';
export type { ColumnPlan, RowPlan } from './row-plan.js';
export {
  add,
  bottom,
  count,
  cumulativeSum,
  derivative,
  difference,
  distinct,
  div,
  type ExprInput,
  elapsed,
  field,
  first,
  integral,
  last,
  max,
  mean,
  median,
  min,
  mode,
  movingAverage,
  mul,
  nonNegativeDerivative,
  nonNegativeDifference,
  type Operand,
  percentile,
  SelectExpr,
  sample,
  spread,
  stddev,
  sub,
  sum,
  top,
  type ValueKind,
} from './select-expression.js';
export { ago, and, Condition, cond, or, type RawCondition, type TimeValue } from './where-condition.js';
