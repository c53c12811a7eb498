import { InfluxConfigError } from '../errors.js';

/** The `apache-arrow` module namespace, as this subpath uses it. */
export type ArrowModule = typeof import('apache-arrow');

let loaded: Promise<ArrowModule> | undefined;

/**
 * Loads the optional peer dependency `apache-arrow` on first use (a dynamic import, so that
 * `influx-models/arrow` can be imported — and its types used — without it, and the package root
 * never loads it). A missing install becomes an {@link InfluxConfigError} that says what to install.
 */
export function loadArrow(): Promise<ArrowModule> {
  if (loaded === undefined) {
    loaded = import('apache-arrow').then(
      (m) => m as ArrowModule,
      (cause: unknown) => {
        loaded = undefined;
        throw new InfluxConfigError(
          "influx-models/arrow needs the optional peer dependency 'apache-arrow' (>= 15), which could not be loaded; install it with `npm install apache-arrow`",
          { cause },
        );
      },
    );
  }
  return loaded;
}
