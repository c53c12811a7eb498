#!/usr/bin/env node
// Checks that the built package installs and that its `exports` resolve, from a scratch project:
// packs the package (npm pack), unpacks it into <tmp>/node_modules/influx-models, links the
// dependencies, then imports every entry point from plain ESM and type-checks a TypeScript file
// that imports them with NodeNext resolution. Then builds and runs the README's quick start in that
// project with neither `experimentalDecorators` nor `emitDecoratorMetadata` (standard TC39
// decorators, TypeScript 5+'s default), against a throwaway influxd. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** The compiler options of the scratch project (a user's NodeNext project). */
const userCompilerOptions = {
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  target: 'ES2022',
  strict: true,
  skipLibCheck: true,
  types: ['node'],
};
const scratch = mkdtempSync(join(tmpdir(), 'influx-models-scratch-'));
try {
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: root })
    .toString()
    .trim()
    .split('\n')
    .pop();
  const target = join(scratch, 'node_modules', 'influx-models');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(scratch, tgz), '-C', target, '--strip-components=1']);
  // Link runtime dependencies (and the optional peers) from this checkout's node_modules.
  const deps = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    '@types/node',
    'typescript',
  ];
  for (const dep of new Set(deps)) {
    const link = join(scratch, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    try {
      symlinkSync(join(root, 'node_modules', dep), link, 'dir');
    } catch {}
  }
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch', type: 'module', private: true }),
  );
  const entries = Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'influx-models' : `influx-models/${k.slice(2)}`));
  // Root and testing must load with no optional peer installed; nestjs/arrow need their peers.
  const esm = entries
    .map(
      (e, i) => `import * as m${i} from '${e}';\nconsole.log('${e}:', Object.keys(m${i}).length, 'exports');`,
    )
    .join('\n');
  writeFileSync(join(scratch, 'check.mjs'), esm);
  process.stdout.write(execFileSync('node', ['check.mjs'], { cwd: scratch }).toString());
  writeFileSync(
    join(scratch, 'check.ts'),
    `${entries.map((e, i) => `import * as m${i} from '${e}';`).join('\n')}\nexport const all = [${entries.map((_, i) => `m${i}`).join(', ')}];\nimport { makeLine } from 'influx-models';\nexport const line: string = makeLine({ measurement: 'm', fields: { v: 1 } });\n`,
  );
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { ...userCompilerOptions, noEmit: true },
      files: ['check.ts'],
    }),
  );
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
    cwd: scratch,
    stdio: 'inherit',
  });
  console.log(`package check passed: ${tgz} installs; ${entries.join(', ')} import and type-check`);
  quickStart();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * The README's quick start, compiled as a user's project without `experimentalDecorators` and
 * without `emitDecoratorMetadata`, then run against a throwaway influxd (the client's address is
 * the only text changed).
 */
function quickStart() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start\s+```ts\n([\s\S]*?)\n```/.exec(readme)?.[1];
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
  writeFileSync(join(scratch, 'quick-start.ts'), code);
  writeFileSync(
    join(scratch, 'tsconfig.quick-start.json'),
    JSON.stringify({
      // deliberately absent: experimentalDecorators, emitDecoratorMetadata
      compilerOptions: { ...userCompilerOptions, outDir: 'out' },
      files: ['quick-start.ts'],
    }),
  );
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.quick-start.json'], {
    cwd: scratch,
    stdio: 'inherit',
  });
  writeFileSync(
    join(scratch, 'run-quick-start.mjs'),
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
  execFileSync('node', ['run-quick-start.mjs'], { cwd: scratch, stdio: 'inherit', timeout: 120_000 });
  console.log(
    'quick start check passed: builds and runs without experimentalDecorators or emitDecoratorMetadata',
  );
}
