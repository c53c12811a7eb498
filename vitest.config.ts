import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The model tests, run once per decorator standard. */
const MODEL_TESTS = [
  'test/models-lifecycle.test.ts',
  'test/models-construct.test.ts',
  'test/models-codegen.test.ts',
];

/**
 * The test files that need a real influxd (the `integration` projects, which start one in
 * test/global-setup.ts): those that use the shared server (`inject('influxUrl')`, directly or
 * through test/helpers/server.ts) or start their own (`startInfluxd`), and the examples (each
 * starts its own server). Every other file is a `unit` test: it runs without influxd
 * (`npm run test:unit`), in seconds.
 */
const NEEDS_SERVER = /helpers\/server\.js|\bstartInfluxd\b|\binject\(/;
const RUNS_EXAMPLES = ['test/examples.test.ts'];
const TEST_FILES = readdirSync(here('./test'))
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f}`);
const INTEGRATION = TEST_FILES.filter(
  (f) => RUNS_EXAMPLES.includes(f) || NEEDS_SERVER.test(readFileSync(here(`./${f}`), 'utf8')),
);
const UNIT = TEST_FILES.filter((f) => !INTEGRATION.includes(f));
const GLOBAL_SETUP = ['./test/global-setup.ts'];

/**
 * Compiles TypeScript with tsc's own transform and standard (TC39) decorators: the settings of a
 * project without `experimentalDecorators` (TypeScript 5+'s default), with the class-field
 * semantics of the ES2022 target. Oxc (vite's transform) lowers legacy decorators only.
 */
function standardDecorators(): Plugin {
  return {
    name: 'influx-models:tc39-decorators',
    enforce: 'pre',
    transform(code, id) {
      if (!/\.ts$/.test(id) || id.includes('/node_modules/')) return undefined;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          experimentalDecorators: false,
          emitDecoratorMetadata: false,
          useDefineForClassFields: true,
          verbatimModuleSyntax: true,
          sourceMap: true,
        },
      });
      return { code: out.outputText, map: out.sourceMapText ? JSON.parse(out.sourceMapText) : null };
    },
  };
}

export default defineConfig({
  resolve: {
    alias: [
      { find: /^influx-models$/, replacement: here('./src/index.ts') },
      { find: /^influx-models\/(testing|nestjs|arrow|schema)$/, replacement: here('./src/$1/index.ts') },
      { find: /^influx-models\/wire$/, replacement: here('./src/wire.ts') },
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // unit / integration by whether a file needs influxd (see INTEGRATION); the model tests run
    // under both decorator standards (legacy: Oxc's transform; tc39: tsc's, standard decorators).
    projects: [
      {
        extends: true,
        // vite 8 transforms TypeScript with Oxc; legacy decorators and their metadata must be asked for.
        oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
        test: { name: 'unit', include: UNIT },
      },
      {
        extends: true,
        oxc: false,
        plugins: [standardDecorators()],
        test: {
          name: 'unit-tc39',
          include: MODEL_TESTS.filter((f) => UNIT.includes(f)),
          env: { INFLUX_DECORATORS: 'tc39' },
        },
      },
      {
        extends: true,
        oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
        test: { name: 'integration', include: INTEGRATION, globalSetup: GLOBAL_SETUP },
      },
      {
        extends: true,
        oxc: false,
        plugins: [standardDecorators()],
        test: {
          name: 'integration-tc39',
          include: MODEL_TESTS.filter((f) => INTEGRATION.includes(f)),
          env: { INFLUX_DECORATORS: 'tc39' },
          globalSetup: GLOBAL_SETUP,
        },
      },
    ],
  },
});
