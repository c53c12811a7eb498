// Scratch projects that install the packed package as a user would: `npm pack` once, then
// `npm install <tarball> <other packages>` in a fresh directory. Used by check-package.mjs and
// check-nest-majors.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The version of a package installed in this checkout (to install the same one in a scratch). */
export function localVersion(name) {
  return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** A fresh temporary directory. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Packs this checkout (run `npm run build` first) into `dir`; returns the tarball's path. */
export function packTarball(dir) {
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root })
    .toString()
    .trim()
    .split('\n')
    .pop();
  return join(dir, name);
}

/**
 * Makes a project in `dir` (package.json from `manifest`, the `files` given) and runs
 * `npm install` of `packages` in it. Fails when npm warns about the install scripts of a package
 * not named in `allowScriptsFrom` (so influx-models and its dependencies must have none).
 */
export function makeProject(dir, { manifest, files = {}, packages, allowScriptsFrom = [] }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, ...manifest }, null, 2));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const r = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'warn', ...packages],
    { cwd: dir, encoding: 'utf8' },
  );
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed:\n${output}`);
  const withScripts = [...output.matchAll(/^npm warn install-scripts\s+(@?[^@\s]+)@\S+ \(/gm)].map(
    (m) => m[1],
  );
  const unexpected = withScripts.filter((name) => !allowScriptsFrom.includes(name));
  if (unexpected.length > 0 || (withScripts.length === 0 && /install-scripts/.test(output))) {
    throw new Error(`npm install warned about install scripts (${unexpected.join(', ')}):\n${output}`);
  }
  return output;
}

/** Runs a command in `cwd`, echoing its output; throws with the output when it fails. */
export function run(cmd, args, cwd, env = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed with ${r.status ?? r.signal}:\n${output}`);
  }
  return r.stdout;
}
