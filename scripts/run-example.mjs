#!/usr/bin/env node
// `npm run example -- NAME`: runs examples/NAME.ts (built to dist/examples/NAME.js) against a
// throwaway influxd that the example starts itself (or INFLUXDB_URL when set). NAME ending in
// `.test` runs that example test with vitest; a folder examples/NAME/ runs its main.ts. Without NAME, lists the examples.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Files of examples/ that are helpers, not examples. */
const HELPERS = new Set(['example-server', 'progress-bar', 'terminal-chart', 'vitest.config']);

/** Example names: examples/NAME.ts, and examples/NAME/main.ts for an example app in a folder. */
function examples() {
  const dir = join(root, 'examples');
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      if (e.isDirectory()) return existsSync(join(dir, e.name, 'main.ts')) ? [e.name] : [];
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [e.name.slice(0, -3)] : [];
    })
    .filter((n) => !HELPERS.has(n))
    .sort();
}

const name = process.argv[2]?.replace(/^examples\//, '').replace(/\.(ts|js)$/, '');
const known = examples();
if (!name || !known.includes(name)) {
  if (name) console.error(`No example named ${JSON.stringify(name)}.`);
  console.error(`Usage: npm run example -- NAME\nExamples: ${known.join(', ')}`);
  process.exit(name ? 2 : 0);
}

let command;
let args;
if (name.endsWith('.test')) {
  command = process.execPath;
  args = [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    join(root, 'examples/vitest.config.ts'),
    `examples/${name}.ts`,
  ];
} else {
  const folder = existsSync(join(root, 'examples', name, 'main.ts'));
  const built = join(root, 'dist/examples', folder ? `${name}/main.js` : `${name}.js`);
  if (!existsSync(built)) {
    console.error(`${built} is missing: build first with \`npm run build\`.`);
    process.exit(2);
  }
  command = process.execPath;
  args = [built];
}

const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
// Forward Ctrl-C / termination so the example stops the server it started.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
});
