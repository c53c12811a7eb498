/**
 * The vitest configuration a user of influx-models needs for model classes (legacy decorators),
 * used here to run examples/memory-sink.test.ts: `npx vitest run --config examples/vitest.config.ts`.
 * It is separate from the project's own test config (which starts a real influxd for every run).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  // vite transforms TypeScript with Oxc: ask for legacy (experimentalDecorators) decorators.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: {
    // Inside this repository the package name points at the sources; a user's project needs no alias.
    alias: [
      { find: /^influx-models$/, replacement: `${root}src/index.ts` },
      { find: /^influx-models\/(testing|nestjs|arrow|schema)$/, replacement: `${root}src/$1/index.ts` },
    ],
  },
  test: { include: ['examples/**/*.test.ts'], pool: 'forks' },
});
