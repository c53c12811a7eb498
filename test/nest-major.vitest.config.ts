/**
 * Runs the NestJS module tests against another Nest major (scripts/check-nest-majors.mjs): every
 * `@nestjs/*` import, ours and the tests', resolves into NEST_MODULES (the node_modules of a
 * scratch project holding that major); everything else is the main config.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../vitest.config.js';

const modules = process.env.NEST_MODULES;
if (modules === undefined) throw new Error('set NEST_MODULES to the node_modules holding the Nest packages');
const version = JSON.parse(readFileSync(join(modules, '@nestjs/core/package.json'), 'utf8')).version;
console.log(`NestJS ${version} from ${modules}`);

export default mergeConfig(
  base,
  defineConfig({
    resolve: {
      alias: [{ find: /^@nestjs\/([a-z-]+)(\/.*)?$/, replacement: `${modules}/@nestjs/$1$2` }],
    },
  }),
);
