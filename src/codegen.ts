/**
 * Generated code: the one place the library compiles JavaScript from text (`new Function`).
 *
 * A few hot paths run a function generated once per shape (a model class's constructor tail, a
 * result series' row builder, a query's row mapper): straight-line code with the property names
 * written in, so that every load and store is monomorphic, instead of loops over name lists that
 * V8 can only run as megamorphic keyed accesses. Each of them keeps a generic path as its one
 * fallback, used when code cannot be generated here: a runtime started with
 * `--disallow-code-generation-from-strings`, or a content security policy, makes `new Function`
 * throw an `EvalError`; this is noted once and every later call answers `undefined` at once.
 *
 * Sources given here must be built from trusted pieces only: identifiers the generator chose and
 * names embedded as `JSON.stringify` literals, never text spliced in from data.
 *
 * Internal: not part of the public API.
 */

let allowed = true;

/**
 * Compiles `body` as the body of a strict function of `params` and returns it, or `undefined` when
 * the runtime forbids code generation (the caller then takes its generic path).
 *
 * ```ts
 * const make = compileFunction<(a: number) => () => number>(['a'], 'return () => a + 1;');
 * make?.(1)(); // 2 (or make is undefined under --disallow-code-generation-from-strings)
 * ```
 */
export function compileFunction<F>(params: readonly string[], body: string): F | undefined {
  if (!allowed) return undefined;
  try {
    return new Function(...params, `'use strict';\n${body}`) as F;
  } catch (err) {
    if (!(err instanceof EvalError)) throw err;
    allowed = false;
    return undefined;
  }
}

/**
 * Turns code generation off (`false`) or back on for this process; returns the previous setting.
 * For the tests of the generic paths (the fallbacks of the generated ones).
 *
 * ```ts
 * const before = allowCodegen(false);
 * try { … } finally { allowCodegen(before); }
 * ```
 */
export function allowCodegen(on: boolean): boolean {
  const before = allowed;
  allowed = on;
  return before;
}
