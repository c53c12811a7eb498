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
    ],
  },
  test: {
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        // vite 8 transforms TypeScript with Oxc; legacy decorators and their metadata must be asked for.
        oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
        test: { name: 'legacy', include: ['test/**/*.test.ts'] },
      },
      {
        extends: true,
        oxc: false,
        plugins: [standardDecorators()],
        test: { name: 'tc39', include: MODEL_TESTS, env: { INFLUX_DECORATORS: 'tc39' } },
      },
    ],
  },
});
