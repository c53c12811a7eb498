/**
 * The SELECT compiler is the InfluxQL layer's one compiler (`src/influxql/compiler.ts`), which
 * writes every statement the library sends; this module keeps the query folder's import path.
 */
export {
  type BoundParams,
  type CompiledQuery,
  type CompileOptions,
  compileQuery,
  compileStatement,
} from '../influxql/compiler.js';
