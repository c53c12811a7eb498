#!/usr/bin/env node
// The NestJS module tests against every Nest major the peer range names (10, 11, 12): each major
// is installed into a scratch project (@nestjs/common, core, testing and platform-express), and
// vitest runs test/nestjs-*.test.ts with every @nestjs/* import resolved there
// (test/nest-major.vitest.config.ts). Needs the npm registry (or npm's cache) and influxd.
//
//     node scripts/check-nest-majors.mjs          # every major of the peer range
//     node scripts/check-nest-majors.mjs 10       # one major
//
// Nest 10 runs the shutdown hooks of modules in another order than 11 and 12 (see shutDownLast in
// src/nestjs/influx-core-module.ts); the shutdown tests of test/nestjs-module.test.ts cover it.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeProject, pkg, root, tempDir } from './lib/scratch-project.mjs';

/** The test files of the Nest module (test/nestjs-packaging.test.ts builds the package: not needed here). */
const NEST_TESTS = ['test/nestjs-module.test.ts', 'test/nestjs-startup-filter.test.ts'];
const range = pkg.peerDependencies['@nestjs/core'];
const inRange = [...range.matchAll(/\^(\d+)\./g)].map((m) => m[1]);
const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : inRange;
for (const m of majors) {
  if (!range.includes(`^${m}.`)) throw new Error(`Nest ${m} is not in the peer range ${range}`);
}
const failed = [];
for (const major of majors) {
  const dir = tempDir(`influx-models-nest${major}-`);
  const started = Date.now();
  try {
    makeProject(dir, {
      manifest: { name: `scratch-nest${major}` },
      packages: ['common', 'core', 'testing', 'platform-express']
        .map((p) => `@nestjs/${p}@^${major}`)
        .concat(['rxjs@^7', 'reflect-metadata@^0.2']),
      allowScriptsFrom: ['@nestjs/core'], // Nest 10's opencollective postinstall: not ours
    });
    const modules = join(dir, 'node_modules');
    const version = JSON.parse(readFileSync(join(modules, '@nestjs/core/package.json'), 'utf8')).version;
    if (!version.startsWith(`${major}.`))
      throw new Error(`installed @nestjs/core ${version}, not ${major}.x`);
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'test/nest-major.vitest.config.ts',
        ...NEST_TESTS,
      ],
      { cwd: root, stdio: 'inherit', env: { ...process.env, NEST_MODULES: modules } },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (r.status !== 0) {
      failed.push(major);
      console.log(`check-nest-majors: Nest ${version}: FAILED (${seconds} s)`);
    } else {
      console.log(`check-nest-majors: Nest ${version}: the module tests pass (${seconds} s)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (failed.length > 0) {
  console.error(`check-nest-majors: failed for Nest ${failed.join(', ')}`);
  process.exit(1);
}
