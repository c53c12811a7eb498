#!/usr/bin/env node
// Last step of `npm run build`: bundles the JavaScript tsc emitted (dist/src, dist/decorators)
// into the files the package's entry points load (dist/bundle), so that `import 'influx-models'`
// reads two modules instead of about a hundred.
//
// Why (issue 19, `import 'influx-models'` under 80 ms): Node's ESM loader spends about 1 ms per
// module on this kind of machine (resolve with a stat and a realpath, an asynchronous file read,
// compile, link), whatever the module holds: 93 empty modules in a chain take about 55 ms to
// import, the package root's 93 modules (430 KB) about 100 ms, the same code as one file about
// 25 ms. The source stays in small modules; only what ships is joined.
//
// How:
//   - one rolldown build of every entry point (package.json `exports` and `bin`), so that a module
//     is in exactly one output file and the entry points share its one instance (the registry,
//     the decorator metadata, `client.repository()`'s factory; the CLI reads the metadata of the
//     models file it imports, which imports `influx-models`);
//   - every module the package root reaches goes into one chunk, dist/bundle/core.js (a first
//     pass collects them); what only the other entry points use is split as rolldown chooses;
//   - the input is tsc's output (the decorators and `emitDecoratorMetadata` as tsc compiles
//     them, comments removed by tsconfig.js.json); its source maps are read and chained, so the
//     bundle's maps point to the TypeScript sources (inlined, and shipped in src/);
//   - packages and Node built-ins stay imports (undici, class-validator and reflect-metadata
//     still load on first use, see src/lazy-require.ts);
//   - two classes of the same name in different modules fail the build (the bundler would
//     rename one, and a class's name is observable);
//   - no minification: stack traces stay readable.
//
// Entry points: each `exports` entry's `default` is ./dist/bundle/<name>.js and is built from the
// JavaScript beside its `types` (./dist/src/x/index.d.ts -> dist/src/x/index.js); `main` is the
// root's; each `bin` is built from BIN_SOURCES below. The build fails when package.json names
// something else.
//
// usage: node scripts/bundle.mjs [packageDir]   (default: this checkout; the package's tsc output
// is packageDir/dist, its package.json packageDir/package.json)
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const OUT = 'dist/bundle';
const CORE = 'core';
/** The tsc output each `bin` file of package.json is built from, by its output name. */
const BIN_SOURCES = { 'influx-models-bin': 'dist/src/cli/influx-models-bin.js' };

const pkgDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

/** `./dist/bundle/<name>.js` -> `<name>`; anything else is an error naming `where`. */
function bundleName(path, where) {
  const m = /^\.\/dist\/bundle\/([\w-]+)\.js$/.exec(path ?? '');
  if (m === null || m[1] === CORE) {
    throw new Error(
      `package.json ${where} is ${JSON.stringify(path)}: entry points load the bundle, ./${OUT}/<name>.js (see scripts/bundle.mjs)`,
    );
  }
  return m[1];
}

const input = {};
for (const [key, target] of Object.entries(pkg.exports)) {
  if (key === './package.json') continue;
  const name = bundleName(target.default, `exports["${key}"].default`);
  if (typeof target.types !== 'string' || !target.types.endsWith('.d.ts')) {
    throw new Error(`package.json exports["${key}"] has no .d.ts "types" to find its JavaScript by`);
  }
  input[name] = join(pkgDir, target.types.replace(/\.d\.ts$/, '.js'));
}
if (bundleName(pkg.main, 'main') !== bundleName(pkg.exports['.'].default, 'exports["."].default')) {
  throw new Error('package.json main and exports["."].default differ');
}
for (const [command, path] of Object.entries(pkg.bin ?? {})) {
  const name = bundleName(path, `bin["${command}"]`);
  if (BIN_SOURCES[name] === undefined) throw new Error(`scripts/bundle.mjs: BIN_SOURCES has no ${name}`);
  input[name] = join(pkgDir, BIN_SOURCES[name]);
}
for (const [name, file] of Object.entries(input)) {
  if (!existsSync(file))
    throw new Error(`${relative(pkgDir, file)} (entry point ${name}) is missing: run tsc first`);
}

const common = {
  platform: 'node',
  // Packages (undici, class-validator, @nestjs/*, apache-arrow…) and Node built-ins stay imports.
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(id),
  // package.json `sideEffects` is for users' bundlers; here every module keeps its top-level code.
  treeshake: { moduleSideEffects: true },
  plugins: [
    {
      // tsc's source maps, chained so the bundle's maps name the TypeScript sources.
      name: 'tsc-source-maps',
      load(id) {
        if (!id.endsWith('.js') || !existsSync(`${id}.map`)) return null;
        return { code: readFileSync(id, 'utf8'), map: JSON.parse(readFileSync(`${id}.map`, 'utf8')) };
      },
    },
  ],
};

// First pass: the modules the package root reaches (statically), which make up core.js.
const rootPass = await rolldown({ ...common, input: { index: input.index } });
const rootModules = new Set();
const rootChunks = new Map(
  (await rootPass.generate({ format: 'esm' })).output
    .filter((c) => c.type === 'chunk')
    .map((c) => [c.fileName, c]),
);
// The entry chunk and the chunks it imports statically (not those it imports with `import()`).
const pending = [...rootChunks.values()].filter((c) => c.isEntry);
for (let chunk = pending.pop(); chunk !== undefined; chunk = pending.pop()) {
  for (const id of chunk.moduleIds) rootModules.add(id);
  for (const f of chunk.imports) if (rootChunks.has(f)) pending.push(rootChunks.get(f));
}
await rootPass.close();
rootModules.delete(input.index); // the entry file itself: its exports are index.js's

const out = join(pkgDir, OUT);
rmSync(out, { recursive: true, force: true });
const build = await rolldown({ ...common, input });
const written = await build.write({
  dir: out,
  format: 'esm',
  sourcemap: true,
  entryFileNames: '[name].js',
  chunkFileNames: '[name].js',
  codeSplitting: { groups: [{ name: CORE, test: (id) => rootModules.has(id) }] },
});
await build.close();

// What the root loads: index.js and core.js, and no other file of the package.
const chunks = new Map(written.output.filter((c) => c.type === 'chunk').map((c) => [c.fileName, c]));
const files = [...chunks.keys()];
// Two modules' top-level names that collide are renamed (`name$1`). For a function that only
// shows in stack traces; a class's name is observable (`.name`, `console.log`, error names), and
// rolldown's `keepNames` would put its helper in a third file the root loads: refuse instead.
for (const [file, chunk] of chunks) {
  const renamed = [
    ...chunk.code.matchAll(/\bclass\s+([\w$]+\$\d+)\b|\b(?:const|let|var)\s+([\w$]+\$\d+)\s*=\s*class\b/g),
  ].map((m) => m[1] ?? m[2]);
  if (renamed.length > 0) {
    throw new Error(
      `${OUT}/${file}: classes renamed by the bundler (give them distinct names): ${renamed.join(', ')}`,
    );
  }
}
const reached = new Set();
for (const pendingFiles = ['index.js']; pendingFiles.length > 0; ) {
  const f = pendingFiles.pop();
  if (reached.has(f) || !chunks.has(f)) continue;
  reached.add(f);
  pendingFiles.push(...chunks.get(f).imports);
}
if ([...reached].sort().join() !== `${CORE}.js,index.js`) {
  throw new Error(`${OUT}/index.js loads ${[...reached].join(', ')}: expected index.js and ${CORE}.js only`);
}
console.log(`bundle: ${relative(pkgDir, out)}/{${files.sort().join(',')}}`);
