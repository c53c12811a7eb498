/*
 * Keeping `import 'influx-models'` light (issue 19: under 80 ms on the reference machine).
 *
 * Loading the package root costs what Node's ESM loader spends per module (resolve, read,
 * compile, link: about 1 ms a module here, whatever its size) plus what the modules pull in.
 * The nestjs, arrow, testing and schema entry points are not reachable from the root. Rules:
 *
 * - What ships is bundled (scripts/bundle.mjs, the last step of `npm run build`): the root loads
 *   two files, dist/bundle/index.js and core.js, instead of its hundred modules (about 25 ms
 *   instead of 100 here). The source keeps its small modules.
 * - Dependencies needed only by some uses load on first use, through {@link lazyRequire}: undici
 *   (about 100 ms) when the first HTTP client is built, class-validator (about 300 ms) when a model
 *   declares constraints, reflect-metadata when the first decorator of the package is called
 *   ({@link installReflectMetadata}).
 * - Modules of the root's import graph import no Node built-in at their top (`import type` is
 *   fine): an ESM `import` of a built-in builds its ESM facade, which reads every export and so
 *   loads what the built-in itself defers (about 15 ms for zlib, crypto, net, dgram, dns, fs and
 *   perf_hooks together). They call `process.getBuiltinModule` (Node 20.16+) instead, where the
 *   built-in is used (node:zlib for gzip and the spool's CRC; node:dgram, node:dns and node:net
 *   for UDP; node:fs for the spool; node:crypto for the JSON decoder's mark; node:perf_hooks at
 *   the first timestamp), or at their top for the two needed at load (node:module here,
 *   node:diagnostics_channel in registry-stats.ts). It returns Node's cached module object, so a
 *   second call is a lookup. `Buffer` is Node's global.
 * - The published JavaScript has no comments (tsconfig.js.json): a third of the bytes.
 *
 * Measured with `npm run bench -- --only import` (a fresh process per import).
 */

let requireHere: NodeJS.Require | undefined;

/**
 * A getter that loads a CommonJS dependency the first time it is called, synchronously.
 *
 * Both undici and class-validator are CommonJS packages, so `require` returns the same module
 * instance an application's own `import` of them gets.
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    requireHere ??= process.getBuiltinModule('node:module').createRequire(import.meta.url);
    loaded ??= requireHere(name) as T;
    return loaded;
  };
}

const loadReflectMetadata = lazyRequire<unknown>('reflect-metadata');

/**
 * Installs the `Reflect.metadata` polyfill (reflect-metadata), once. The decorator factories
 * (`@Field()`, `@Tag()`, `@Timestamp()`, `@Measurement()`) call it when they are called: with
 * legacy decorators and `emitDecoratorMetadata`, TypeScript evaluates a member's decorator
 * expressions in order and its `__metadata("design:type", …)` last, and that helper records the
 * type only if `Reflect.metadata` exists at that moment; so the property types of a model are
 * recorded without the package loading the polyfill with its root. Models defined with
 * `defineMeasurement` need no metadata.
 */
export function installReflectMetadata(): void {
  loadReflectMetadata();
}

/**
 * `util.inspect.custom` (a registered symbol, so the same one node:util exports) without loading
 * node:util: classes name their `console.log` form with it.
 */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom');
