import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A getter that loads a CommonJS dependency the first time it is called, synchronously.
 *
 * Keeps `import 'influx-models'` light: undici (about 100 ms to load) is needed only when the
 * first HTTP client is built, class-validator (about 300 ms) only when a model declares
 * constraints. Both are CommonJS packages, so `require` returns the same module instance an
 * application's own `import` of them gets.
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(name) as T;
    return loaded;
  };
}
