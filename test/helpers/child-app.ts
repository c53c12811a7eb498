/**
 * Applications run as child processes by the fault suites (so that they can end naturally or be
 * SIGKILLed): bundled from a test entry with vite, spawned with an environment, their output
 * collected. Every child is SIGKILLed after `killAfterMs` at the latest.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Bundles `test/fault/<name>.ts` into `<root>/.build-<name>/<name>.js`; resolves with that path. */
export async function buildChildApp(name: string): Promise<string> {
  const outDir = join(root, `.build-${name}`);
  await build({
    configFile: false,
    logLevel: 'silent',
    root,
    oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
    build: {
      ssr: join(root, `test/fault/${name}.ts`),
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node20',
    },
  });
  return join(outDir, `${name}.js`);
}

/** A running child application. */
export interface ChildApp {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  /** Resolves once a `committed N` line with N >= n was printed. */
  reached(n: number): Promise<void>;
  /** The last `committed N` printed. */
  committed(): number;
  /** Resolves with the rest of the first stdout line that starts with `prefix`. */
  line(prefix: string): Promise<string>;
}

/** Spawns `command args` with `env` (added to this process's), stdout and stderr collected. */
export function spawnChildApp(
  command: string,
  args: string[],
  env: Record<string, string>,
  killAfterMs = 90_000,
): ChildApp {
  const proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  /** Resolves with `found()` once it is defined, checked at each output; rejects if the child exits first. */
  const until = <T>(found: () => T | undefined, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const v = found();
        if (v === undefined) return false;
        proc.stdout?.off('data', check);
        resolve(v);
        return true;
      };
      proc.stdout?.on('data', check);
      proc.on('exit', () => {
        if (!check()) reject(new Error(`app exited before ${what}: ${child.stderr}`));
      });
      check();
    });
  const child: ChildApp = {
    proc,
    stdout: '',
    stderr: '',
    exited: new Promise((r) => proc.on('exit', (code) => r(code))),
    reached: (n) => until(() => (child.committed() >= n ? true : undefined), `committed ${n}`).then(() => {}),
    committed: () => {
      const all = [...child.stdout.matchAll(/committed (\d+)/g)];
      return all.length === 0 ? 0 : Number(all[all.length - 1]?.[1]);
    },
    line: (prefix) =>
      until(() => {
        const l = child.stdout.split('\n').find((x) => x.startsWith(prefix));
        return l?.slice(prefix.length);
      }, `"${prefix}"`),
  };
  proc.stdout?.on('data', (d) => {
    child.stdout += d;
  });
  proc.stderr?.on('data', (d) => {
    child.stderr += d;
  });
  const killer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
  void child.exited.then(() => clearTimeout(killer));
  return child;
}
