/**
 * The SELECT tree the builder produces lives with the rest of the InfluxQL layer
 * (`src/influxql/select-ast.ts`), where the parser builds the same nodes from text.
 */
export type * from '../influxql/select-ast.js';
