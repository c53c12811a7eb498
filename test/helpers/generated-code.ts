import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Type-checks the TypeScript files under `dir` with the project's own compiler options (strict,
 * legacy decorators, NodeNext; `influx-models` mapped to src/) and returns tsc's output ('' when clean).
 */
export async function typecheckDir(dir: string): Promise<string> {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: '/', typeRoots: [join(root, 'node_modules', '@types')] },
      include: [join(dir, '**/*.ts')],
    }),
  );
  try {
    await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}` || String(e);
  }
}

/**
 * Runs `biome check` (format, lint, import order) on the TypeScript files under `dir` with the project's
 * settings (biome.json without the VCS part, which needs the files inside the repository); returns
 * biome's complaints ('' when clean).
 */
export async function biomeCheckDir(dir: string): Promise<string> {
  const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
  delete config.$schema;
  delete config.vcs;
  config.files = { includes: ['**/*.ts'] };
  writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
  try {
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    await run(join(root, 'node_modules', '.bin', 'biome'), ['check', '--colors=off', ...files], { cwd: dir });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}` || String(e);
  }
}
