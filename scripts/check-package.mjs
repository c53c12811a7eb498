#!/usr/bin/env node
// Checks the packed package as users get it (run after `npm run build`; needs the npm registry or
// npm's cache):
//   1. the tarball: every source map resolves (its sources are inlined or shipped), no runtime
//      dependency that no file of src/ uses;
//   2. an ESM project (NodeNext) installs the tarball with `npm install` (no install-script
//      warning), type-checks a file importing every entry point (also with `bundler`
//      resolution), runs it, and `import 'influx-models'` loads neither class-validator nor undici,
//      and two files of the package (the bundle's index.js and core.js, see scripts/bundle.mjs);
//   3. a CommonJS Nest-style project (`module: commonjs`, node10 resolution, TypeScript 5 as
//      `nest new` sets up) installs the tarball with @nestjs/common and @nestjs/core, type-checks,
//      compiles and runs an application context that records model instances into a MemorySink;
//   4. the README's quick start, in the ESM project, with neither `experimentalDecorators` nor
//      `emitDecoratorMetadata` (standard TC39 decorators, TypeScript 5+'s default), built and run
//      against a throwaway influxd;
//   5. TypeScript 5.x and 7.0 (the native compiler), each installed on its own, type-check the ESM
//      project's app (declarations included) and the quick start: what users compile with besides
//      the project's TypeScript 6.0.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { localVersion, makeProject, packTarball, pkg, root, run, tempDir } from './lib/scratch-project.mjs';

/** The compiler options of a user's NodeNext project (the quick start's check). */
const userCompilerOptions = {
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  target: 'ES2022',
  strict: true,
  skipLibCheck: true,
  types: ['node'],
};
const scratch = tempDir('influx-models-package-');
const step = (what) => console.log(`check-package: ${what}`);
try {
  const tgz = packTarball(scratch);

  // 1. The tarball.
  const unpacked = join(scratch, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', tgz, '-C', unpacked, '--strip-components=1']);
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(unpacked);
  let maps = 0;
  for (const file of files.filter((f) => f.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(file, 'utf8'));
    map.sources.forEach((source, i) => {
      const inlined = typeof map.sourcesContent?.[i] === 'string';
      const target = resolve(dirname(file), map.sourceRoot ?? '', source);
      if (!inlined && !existsSync(target)) {
        throw new Error(
          `${relative(unpacked, file)}: source ${source} is neither inlined nor in the package`,
        );
      }
    });
    maps++;
  }
  if (maps === 0) throw new Error('the package has no source maps');
  const runtimeDeps = Object.keys(pkg.dependencies ?? {});
  const used = (dep) =>
    files.some((f) => f.endsWith('.js') && new RegExp(`['"]${dep}['"]`).test(readFileSync(f, 'utf8')));
  for (const dep of runtimeDeps) {
    if (!used(dep)) throw new Error(`dependency ${dep} is not used by any file of the package`);
  }
  step(
    `${relative(scratch, tgz)}: ${files.length} files, ${maps} source maps resolve, dependencies ${runtimeDeps.join(', ')} all used`,
  );

  const entries = Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'influx-models' : `influx-models/${k.slice(2)}`));
  const nestPeers = ['@nestjs/common', '@nestjs/core', 'rxjs', 'reflect-metadata'].map(
    (p) => `${p}@${localVersion(p)}`,
  );
  const model = `
@Measurement('cpu')
class Cpu extends SeriesModel<Cpu> {
  @Tag() host!: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Timestamp({ type: 'bigint' }) time?: bigint;
}
`;

  // 2. An ESM project.
  const esm = join(scratch, 'esm');
  makeProject(esm, {
    manifest: { name: 'scratch-esm', type: 'module' },
    files: {
      'app.ts': `import { Field, makeLine, Measurement, SeriesModel, SeriesRegistry, Tag, Timestamp } from 'influx-models';
${entries.map((e, i) => `import * as m${i} from '${e}';`).join('\n')}
import { MemorySink } from 'influx-models/testing';

const sink = new MemorySink();
const registry = new SeriesRegistry({ sink, flushInterval: 0 });
${model.replace("@Measurement('cpu')", "@Measurement({ name: 'cpu', registry })")}
new Cpu({ host: 'a', usage: 0.5, cores: 4, time: 1700000000000000000n });
await registry.flush();
const line: string = makeLine({ measurement: 'm', fields: { v: 1 } });
const counts = [${entries.map((_, i) => `Object.keys(m${i}).length`).join(', ')}];
console.log(JSON.stringify({ lines: sink.lines(), line, counts }));
`,
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          experimentalDecorators: true,
          outDir: 'out',
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['app.ts'],
      }),
      'tsconfig.bundler.json': JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { module: 'ESNext', moduleResolution: 'bundler', noEmit: true },
      }),
      'light.mjs': `import { createRequire } from 'node:module';
await import('influx-models');
const loaded = Object.keys(createRequire(import.meta.url).cache);
const heavy = loaded.filter((f) => /node_modules\\/(class-validator|undici|reflect-metadata)\\//.test(f));
if (heavy.length > 0) throw new Error('import "influx-models" loaded ' + heavy.join(', '));
// Built-ins the package uses only on demand (see src/lazy-require.ts).
const builtins = process.moduleLoadList.filter((m) =>
  /^NativeModule (zlib|dgram|dns\\/promises|crypto|perf_hooks)$/.test(m),
);
if (builtins.length > 0) throw new Error('import "influx-models" loaded ' + builtins.join(', '));
// The files of the package the root loads (Node's ESM loader costs about 1 ms a module): its
// static imports, followed from the file package.json's exports name (see scripts/bundle.mjs).
const { readFileSync } = await import('node:fs');
const { fileURLToPath } = await import('node:url');
const files = new Set();
const bare = new Set();
const visit = (url) => {
  if (files.has(url)) return;
  files.add(url);
  for (const m of readFileSync(fileURLToPath(url), 'utf8').matchAll(/^(?:import|export)\\b[^;]*?['"]([^'"]+)['"];?$/gm)) {
    if (m[1].startsWith('.')) visit(new URL(m[1], url).href);
    else bare.add(m[1]);
  }
};
const rootUrl = import.meta.resolve('influx-models');
visit(rootUrl);
const names = [...files].map((u) => u.slice(new URL('../..', rootUrl).href.length));
if (names.length > 2) throw new Error('import "influx-models" loads ' + names.length + ' files: ' + names.join(', '));
if (bare.size > 0) throw new Error('import "influx-models" imports ' + [...bare].join(', '));
console.log('light import: ' + names.join(' + ') + '; no class-validator, undici or reflect-metadata; no zlib, dgram, dns, crypto or perf_hooks');
`,
    },
    packages: [
      tgz,
      `typescript@${localVersion('typescript')}`,
      `@types/node@${localVersion('@types/node')}`,
      `apache-arrow@${localVersion('apache-arrow')}`,
      ...nestPeers,
    ],
  });
  const tsc = (dir, ...args) =>
    run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), ...args], dir);
  tsc(esm, '-p', 'tsconfig.json');
  tsc(esm, '-p', 'tsconfig.bundler.json');
  const esmOut = JSON.parse(run('node', ['out/app.js'], esm).trim().split('\n').pop());
  if (esmOut.lines.join('\n') !== 'cpu,host=a cores=4i,usage=0.5 1700000000000000000') {
    throw new Error(`ESM project wrote ${JSON.stringify(esmOut.lines)}`);
  }
  if (esmOut.counts.some((n) => n === 0)) throw new Error(`an entry point exports nothing: ${esmOut.counts}`);
  step(`ESM project (NodeNext and bundler): ${entries.join(', ')} type-check and run`);
  step(run('node', ['light.mjs'], esm).trim());
  otherCompilers(esm);

  // 3. A CommonJS Nest-style project, as `nest new` sets one up (TypeScript 5, node10 resolution).
  const cjs = join(scratch, 'cjs');
  makeProject(cjs, {
    manifest: { name: 'scratch-cjs' },
    files: {
      'src/main.ts': `import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Field, Measurement, type Repository, SeriesModel, Tag, Timestamp } from 'influx-models';
import { InfluxModule, InjectSeriesRepository, InfluxValidationExceptionFilter } from 'influx-models/nestjs';
import { MemorySink } from 'influx-models/testing';
import { formatFloat } from 'influx-models/wire';
${model}
@Injectable()
class MetricsService {
  constructor(@InjectSeriesRepository(Cpu) readonly cpu: Repository<Cpu>) {}
  record(host: string, usage: number): Cpu {
    return new Cpu({ host, usage, cores: 2, time: 1700000000000000000n });
  }
}

const sink = new MemorySink();

@Module({
  imports: [InfluxModule.forRoot({ sink, series: { flushInterval: 0 } }), InfluxModule.forFeature([Cpu])],
  providers: [MetricsService],
})
class AppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  const cpu: Cpu = app.get(MetricsService).record('web-1', 0.25);
  const filter = new InfluxValidationExceptionFilter();
  await app.close(); // flushes the pending points into the sink
  const wire: string = formatFloat(0.1, 'point', 'v'); // a subpath through typesVersions (node10)
  console.log(JSON.stringify({ host: cpu.host, lines: sink.lines(), filter: typeof filter.catch, wire }));
}
void bootstrap();
`,
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          module: 'commonjs',
          moduleResolution: 'node',
          target: 'ES2021',
          declaration: true,
          removeComments: true,
          emitDecoratorMetadata: true,
          experimentalDecorators: true,
          allowSyntheticDefaultImports: true,
          sourceMap: true,
          outDir: './dist',
          baseUrl: './',
          incremental: false,
          skipLibCheck: true,
          strictNullChecks: true,
        },
        include: ['src'],
      }),
    },
    packages: [tgz, 'typescript@5', `@types/node@${localVersion('@types/node')}`, ...nestPeers],
  });
  tsc(cjs, '-p', 'tsconfig.json');
  const cjsOut = JSON.parse(run('node', ['dist/main.js'], cjs).trim().split('\n').pop());
  if (
    cjsOut.lines.join('\n') !== 'cpu,host=web-1 cores=2i,usage=0.25 1700000000000000000' ||
    cjsOut.filter !== 'function' ||
    cjsOut.wire !== '0.1'
  ) {
    throw new Error(`CommonJS project printed ${JSON.stringify(cjsOut)}`);
  }
  step(
    `CommonJS Nest-style project (module commonjs, node10 resolution, TypeScript ${localVersionIn(cjs, 'typescript')}): type-checks and runs (influx-models/wire included)`,
  );
  quickStart(esm);
  console.log('package check passed');
} finally {
  if (process.env.KEEP_SCRATCH === undefined) rmSync(scratch, { recursive: true, force: true });
  else console.log(`check-package: kept ${scratch}`);
}

/**
 * What users compile with besides the project's TypeScript: 5.x (NestJS projects) and 7.0 (the
 * native compiler). Each is installed on its own (`<dir>/tsN`) and type-checks the ESM project's
 * app (every entry point, legacy decorators, the declarations checked: no skipLibCheck) and the
 * README's quick start (TC39 decorators, no decorator options), against the installed package.
 */
function otherCompilers(dir) {
  writeFileSync(
    join(dir, 'tsconfig.quick-start-check.json'),
    JSON.stringify({
      compilerOptions: { ...userCompilerOptions, skipLibCheck: false, noEmit: true },
      files: ['quick-start.ts'],
    }),
  );
  writeFileSync(join(dir, 'quick-start.ts'), quickStartCode());
  for (const major of ['5', '7']) {
    const home = join(dir, `ts${major}`);
    mkdirSync(home);
    run('npm', ['install', '--prefix', home, '--no-audit', '--no-fund', `typescript@${major}`], dir);
    const bin = join(home, 'node_modules/typescript/bin/tsc');
    run(process.execPath, [bin, '-p', 'tsconfig.json', '--noEmit'], dir);
    run(process.execPath, [bin, '-p', 'tsconfig.quick-start-check.json'], dir);
    step(
      `TypeScript ${localVersionIn(home, 'typescript')}: the ESM project (legacy decorators, declarations checked) and the quick start (TC39 decorators) type-check`,
    );
  }
}

function localVersionIn(dir, name) {
  return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** The README's quick start, its client pointed at QS_HOST/QS_PORT (the only text changed). */
function quickStartCode() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start\n[\s\S]*?```ts\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (block === undefined)
    throw new Error('check-package: README.md has no ```ts block under "## Quick start"');
  const address = "{ host: 'localhost', database: 'metrics' }";
  if (!block.includes(address)) {
    throw new Error(
      `check-package: the quick start no longer builds its client from ${address}; update this check`,
    );
  }
  const code = block.replace(
    address,
    "{ host: process.env.QS_HOST, port: Number(process.env.QS_PORT), database: 'metrics' }",
  );
  return code;
}

/**
 * The README's quick start, compiled as a user's project without `experimentalDecorators` and
 * without `emitDecoratorMetadata`, then run against a throwaway influxd (the client's address is
 * the only text changed).
 */
function quickStart(dir) {
  const code = quickStartCode();
  writeFileSync(join(dir, 'quick-start.ts'), code);
  writeFileSync(
    join(dir, 'tsconfig.quick-start.json'),
    JSON.stringify({
      // deliberately absent: experimentalDecorators, emitDecoratorMetadata
      compilerOptions: { ...userCompilerOptions, outDir: 'out' },
      files: ['quick-start.ts'],
    }),
  );
  run(
    process.execPath,
    [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.quick-start.json'],
    dir,
  );
  writeFileSync(
    join(dir, 'run-quick-start.mjs'),
    `import { startInfluxd } from 'influx-models/testing';
const server = await startInfluxd();
process.env.QS_HOST = server.host;
process.env.QS_PORT = String(server.port);
try {
  await import('./out/quick-start.js');
} finally {
  await server.stop();
}
`,
  );
  run('node', ['run-quick-start.mjs'], dir);
  step('quick start (README): builds and runs without experimentalDecorators or emitDecoratorMetadata');
}
