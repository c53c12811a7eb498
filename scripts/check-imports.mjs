#!/usr/bin/env node
// Checks the import graph of src/ and decorators/ against the layering in DESIGN.md:
//
//   cli -> nestjs, arrow, testing -> schema -> query -> models/registry -> client -> influxql,
//   line-protocol, results -> errors, sink;   decorators only record (they import errors, sink
//   and lazy-require at most). schema (pull/push, influx-models/schema) sits on query; the CLI on top.
//
// Every import counts, `import type` included (a type is a dependency of the design too). Reports
// (1) an import of a higher layer (units of one layer may import each other), which also rules out
// a cycle between decorators, models and registry (models use registry and decorators, never the
// reverse), (2) a file-level cycle of run-time imports anywhere, (3) a run-time import of a Node
// built-in or of a package in a module the package root loads (src/index.ts and what it imports at
// run time): `import 'influx-models'` stays light (see src/lazy-require.ts). Deliberate exceptions
// to (1) are listed in ALLOWED with their reason.
// Exit code 1 with one line per violation; `--json` prints the graph and the violations.
// Run by `npm test` (test/import-graph.test.ts) and by .ci/run.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Layer of each unit (a folder of src/, a top-level file of src/, or decorators/). Higher imports lower. */
export const LAYERS = {
  'src/index.ts': 10,
  'src/wire.ts': 10,
  cli: 10,
  nestjs: 9,
  arrow: 9,
  testing: 9,
  schema: 8,
  query: 7,
  models: 6,
  registry: 5,
  client: 4,
  influxql: 3,
  'line-protocol': 3,
  results: 3,
  decorators: 1,
  'src/errors.ts': 0,
  'src/sink.ts': 0,
  'src/lazy-require.ts': 0,
  'src/generated-code.ts': 0,
};

/**
 * Upward imports accepted on purpose, each with its reason (file -> imported file, from the root).
 * Keep this list short; a new entry needs a reason a reviewer accepts.
 */
export const ALLOWED = new Map([
  [
    'src/client/influxdb-client.ts -> src/query/repository.ts',
    'InfluxDBClient#repository(Model) is public API (DESIGN.md); it only constructs a Repository',
  ],
  [
    'src/client/influxdb-client.ts -> src/models/model-metadata.ts',
    'the ModelClass type in the signature of InfluxDBClient#repository(Model)',
  ],
]);

/** The unit a file belongs to (its layer key). */
export function unitOf(file) {
  const rel = relative(root, file).split('\\').join('/');
  if (rel.startsWith('decorators/')) return 'decorators';
  const m = /^src\/([^/]+)\//.exec(rel);
  if (m) return m[1];
  return rel;
}

/** Every .ts file (not .d.ts) under `dir`. */
export function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

/** Imports of one file: { target, typeOnly } (relative) or { spec, typeOnly, external: true }. */
export function importsOf(file) {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[4] ?? m[5] ?? m[6];
    const external = !spec.startsWith('.');
    const target = external ? undefined : resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    let typeOnly = m[2] !== undefined;
    if (!typeOnly && m[3] !== undefined && /^\{[^}]*\}$/.test(m[3].trim())) {
      const names = m[3]
        .trim()
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      typeOnly = names.length > 0 && names.every((n) => n.startsWith('type '));
    }
    // A dynamic import() loads on use, not with the module.
    if (m[5] !== undefined) typeOnly = typeOnly || external;
    out.push(external ? { spec, typeOnly, external } : { target, typeOnly });
  }
  return out;
}

export function checkImports() {
  const files = [...walk(join(root, 'src')), ...walk(join(root, 'decorators'))];
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const violations = [];
  const show = (f) => relative(root, f);
  const folderEdges = new Set();
  for (const [file, imports] of graph) {
    const from = unitOf(file);
    const fromLayer = LAYERS[from];
    if (fromLayer === undefined)
      violations.push(`${show(file)}: unit ${from} has no layer in scripts/check-imports.mjs`);
    for (const { target, typeOnly, external } of imports) {
      if (external) continue;
      const to = unitOf(target);
      if (to === from) continue;
      const toLayer = LAYERS[to];
      if (toLayer === undefined) {
        violations.push(`${show(file)} imports ${show(target)}, outside the layered units`);
        continue;
      }
      if (toLayer > fromLayer && !ALLOWED.has(`${show(file)} -> ${show(target)}`)) {
        violations.push(
          `${show(file)} imports ${show(target)}${typeOnly ? ' (type only)' : ''}: ${from} may not depend on ${to}`,
        );
      }
      folderEdges.add(`${from}->${to}`);
    }
  }
  // File-level cycles of run-time imports (depth-first search); a type-only cycle is harmless.
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const { target, typeOnly, external } of graph.get(f) ?? []) {
      if (typeOnly || external || !graph.has(target)) continue;
      const s = state.get(target);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(target)).concat(target).map(show);
        violations.push(`import cycle: ${cycle.join(' -> ')}`);
      } else if (s === undefined) visit(target);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  // What `import 'influx-models'` loads: no built-in or package at the top of those modules.
  const rootLoads = new Set();
  const load = (f) => {
    if (rootLoads.has(f) || !graph.has(f)) return;
    rootLoads.add(f);
    for (const { target, typeOnly, external, spec } of graph.get(f)) {
      if (typeOnly) continue;
      if (external) {
        violations.push(
          `${show(f)} imports '${spec}' at its top, and the package root loads it: use process.getBuiltinModule or lazyRequire where it is needed (src/lazy-require.ts)`,
        );
      } else load(target);
    }
  };
  load(join(root, 'src/index.ts'));
  return { files: files.map(show), folderEdges: [...folderEdges].sort(), violations };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = checkImports();
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  for (const v of result.violations) console.error(v);
  if (result.violations.length > 0) {
    console.error(`check-imports: ${result.violations.length} violation(s) of the layering (DESIGN.md)`);
    process.exit(1);
  }
  console.log(`check-imports: ${result.files.length} files, layering and cycles OK`);
}
