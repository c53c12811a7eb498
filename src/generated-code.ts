/**
 * The one place where the library compiles generated code (`new Function`): the row mappers of
 * query results (src/query/row-mapper.ts) and the row builders of ResultSet
 * (src/results/result-set.ts) generate a function per column list, which V8 runs several times
 * faster than a loop over the columns; a model class's constructor tail
 * (src/models/construct-codegen.ts) and its serializer (src/models/serializer-codegen.ts) are
 * generated once per class. Each caller keeps a plain loop (for models, the generic constructor tail
 * and the generic serializer) that computes the same
 * result; this module decides when that loop is used instead: where the runtime forbids code
 * generation from strings (`node --disallow-code-generation-from-strings`, a CSP), or in tests
 * ({@link withoutGeneratedCode}).
 *
 * Internal: not part of the public API.
 */

/** Whether code may be generated: false once the runtime refused it, or while a test turns it off. */
const state = { allowed: true };

/**
 * Compiles `body` as the body of a function of `params`. Returns undefined (and, when the runtime
 * refused, never tries again) when code cannot be generated: the caller then uses its loop.
 * Throws other errors (a syntax error in generated code is a bug).
 *
 * ```ts
 * const add = compileFunction<(a: number, b: number) => number>(['a', 'b'], 'return a + b;');
 * add === undefined ? a + b : add(a, b);
 * ```
 */
export function compileFunction<F>(params: readonly string[], body: string): F | undefined {
  if (!state.allowed) return undefined;
  try {
    return new Function(...params, body) as F;
  } catch (err) {
    if (!(err instanceof EvalError)) throw err;
    state.allowed = false;
    return undefined;
  }
}

/** Whether {@link compileFunction} may compile now (callers skip preparing code when not). */
export function canGenerateCode(): boolean {
  return state.allowed;
}

/**
 * Runs `fn` with code generation off (the callers' loops run): for the tests that compare the
 * generated code with its loop.
 *
 * ```ts
 * const byLoop = withoutGeneratedCode(() => mapRows(rows));
 * ```
 */
export function withoutGeneratedCode<T>(fn: () => T): T {
  const before = state.allowed;
  state.allowed = false;
  try {
    return fn();
  } finally {
    state.allowed = before;
  }
}
