#!/usr/bin/env node
// Checks that the built package installs and that its `exports` resolve, from a scratch project:
// packs the package (npm pack), unpacks it into <tmp>/node_modules/influx-models, links the
// dependencies, then imports every entry point from plain ESM and type-checks a TypeScript file
// that imports them with NodeNext resolution. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
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
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ['check.ts'],
    }),
  );
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
    cwd: scratch,
    stdio: 'inherit',
  });
  console.log(`package check passed: ${tgz} installs; ${entries.join(', ')} import and type-check`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
