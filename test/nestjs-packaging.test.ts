/**
 * The built package as users load it: a CommonJS Nest application that `require`s influx-models
 * (Node >= 20.19 requires ESM), shutdown on SIGTERM with `enableShutdownHooks()`, the example app
 * in examples/nestjs, and the package root loading without the optional Nest peers.
 *
 * beforeAll compiles the entry points (tsc, bounded to 4 minutes) into a scratch
 * node_modules/influx-models (with this checkout's package.json), bundles them as `npm run build`
 * does (scripts/bundle.mjs), links the dependencies, and the tests run node child processes
 * against it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawQuery, serverAddress, serverUrl, uniqueDatabase } from './helpers/server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'influx-models-nest-'));
const pkgDir = join(scratch, 'node_modules', 'influx-models');
const databases: string[] = [];

function run(
  args: string[],
  options: { env?: Record<string, string>; timeout?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      args,
      { cwd: scratch, env: { ...process.env, ...options.env }, timeout: options.timeout ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(join(pkgDir, 'package.json'), readFileSync(join(root, 'package.json')));
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === 'influx-models' || name.startsWith('.')) continue;
    symlinkSync(join(root, 'node_modules', name), join(scratch, 'node_modules', name), 'dir');
  }
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        rootDir: root,
        outDir: join(pkgDir, 'dist'),
        declaration: false,
        declarationMap: false,
        sourceMap: false,
      },
      // Every entry point of package.json (scripts/bundle.mjs bundles them all), and the example.
      files: [
        'src/index.ts',
        'src/nestjs/index.ts',
        'src/testing/index.ts',
        'src/arrow/index.ts',
        'src/schema/index.ts',
        'src/wire.ts',
        'src/cli/influx-models-bin.ts',
        'examples/nestjs/main.ts',
      ].map((f) => join(root, f)),
    }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = await run([tsc, '-p', join(scratch, 'tsconfig.json')], { timeout: 240_000 });
  // Type errors elsewhere in the tree still emit; what matters is that the entry points exist.
  for (const f of ['src/index.js', 'src/nestjs/index.js', 'examples/nestjs/main.js']) {
    try {
      readFileSync(join(pkgDir, 'dist', f));
    } catch {
      throw new Error(`build did not produce dist/${f}:\n${build.stdout}\n${build.stderr}`);
    }
  }
  // What package.json's entry points load, as `npm run build` makes it: dist/bundle.
  const bundle = await run([join(root, 'scripts', 'bundle.mjs'), pkgDir], { timeout: 120_000 });
  if (bundle.code !== 0) throw new Error(`scripts/bundle.mjs failed:\n${bundle.stdout}\n${bundle.stderr}`);
}, 300_000);

afterAll(async () => {
  for (const db of databases) await rawQuery(`DROP DATABASE "${db}"`).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

const cjsApp = `
'use strict';
require('reflect-metadata');
const { Inject, Injectable, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { defineMeasurement, InfluxDBClient, Repository } = require('influx-models');
const { InfluxModule, getInfluxClientToken, getSeriesRepositoryToken } = require('influx-models/nestjs');

const Cpu = defineMeasurement({ name: 'cjs_cpu', tags: ['host'], fields: { usage: 'float' }, timestamp: { property: 'at', type: 'bigint' } });

class Recorder {
  constructor(repo, client) { this.repo = repo; this.client = client; }
  record(i) { return new Cpu({ host: 'h' + i, usage: i / 4, at: 1700000000000000000n + BigInt(i) }); }
}
Injectable()(Recorder);
Inject(getSeriesRepositoryToken(Cpu))(Recorder, undefined, 0);
Inject(getInfluxClientToken())(Recorder, undefined, 1);

class AppModule {}
Module({
  imports: [
    InfluxModule.forRoot({ host: process.env.HOST, port: Number(process.env.PORT), database: process.env.DB, series: { flushInterval: 0 } }),
    InfluxModule.forFeature([Cpu]),
  ],
  providers: [Recorder],
})(AppModule);

(async () => {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  const recorder = app.get(Recorder);
  for (let i = 0; i < Number(process.env.COUNT); i++) recorder.record(i);
  const info = {
    repository: recorder.repo instanceof Repository && recorder.repo.model === Cpu,
    client: recorder.client instanceof InfluxDBClient,
    pending: Cpu.registry().pendingCount,
  };
  console.log(JSON.stringify(info));
  if (process.env.MODE === 'signal') {
    app.enableShutdownHooks();
    setInterval(() => {}, 1000); // keeps running until the signal
    console.log('ready');
  } else {
    await app.close();
    console.log('closed');
  }
})().catch((e) => { console.error(e); process.exitCode = 1; });
`;

async function count(db: string): Promise<unknown[][]> {
  const body = await rawQuery('SELECT count("usage") FROM "cjs_cpu"', db);
  return body.results?.[0]?.series?.[0]?.values ?? [];
}

describe('the built package', () => {
  it('a CommonJS Nest application requires influx-models/nestjs; app.close() flushes to the server', async () => {
    const db = uniqueDatabase('nest_cjs');
    databases.push(db);
    await rawQuery(`CREATE DATABASE "${db}"`);
    writeFileSync(join(scratch, 'app.cjs'), cjsApp);
    const { host, port } = serverAddress();
    const out = await run(['app.cjs'], { env: { HOST: host, PORT: String(port), DB: db, COUNT: '5' } });
    expect(out.stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, '')).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual([
      JSON.stringify({ repository: true, client: true, pending: 5 }),
      'closed',
    ]);
    expect(await count(db)).toEqual([['1970-01-01T00:00:00Z', 5]]);
  });

  it('SIGTERM with enableShutdownHooks() flushes the pending points before the process ends', async () => {
    const db = uniqueDatabase('nest_signal');
    databases.push(db);
    await rawQuery(`CREATE DATABASE "${db}"`);
    writeFileSync(join(scratch, 'app.cjs'), cjsApp);
    const { host, port } = serverAddress();
    const child: ChildProcess = spawn(process.execPath, ['app.cjs'], {
      cwd: scratch,
      env: { ...process.env, HOST: host, PORT: String(port), DB: db, COUNT: '7', MODE: 'signal' },
    });
    let stdout = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal })),
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      await new Promise<void>((ready, fail) => {
        child.stdout?.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('ready')) ready();
        });
        child.on('exit', () => fail(new Error(`child ended before it was ready: ${stdout}`)));
      });
      expect(await count(db)).toEqual([]); // nothing written yet: flushInterval 0, bulkSize 5000
      child.kill('SIGTERM');
      const end = await exited;
      expect(end.signal ?? end.code).toBe('SIGTERM'); // Nest re-raises the signal after closing
    } finally {
      clearTimeout(killer);
    }
    expect(await count(db)).toEqual([['1970-01-01T00:00:00Z', 7]]);
  });

  it('the example app in examples/nestjs records, closes and prints the stored count', async () => {
    const db = uniqueDatabase('nest_example');
    databases.push(db);
    const out = await run([join(pkgDir, 'dist', 'examples', 'nestjs', 'main.js')], {
      env: { INFLUXDB_URL: serverUrl(), EXAMPLE_DATABASE: db },
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('recorded 250 requests');
    expect(out.stdout).toContain('stored 250 requests');
  });

  it('require(influx-models) loads no dependency; the first write and query load undici and work', async () => {
    const db = uniqueDatabase('lazy_first');
    databases.push(db);
    writeFileSync(
      join(scratch, 'first.cjs'),
      `'use strict';
const deps = () => [...new Set(Object.keys(require.cache).flatMap((f) => {
  const m = /node_modules[\\\\/](undici|class-validator|reflect-metadata)[\\\\/]/.exec(f);
  return m === null ? [] : [m[1]];
}))].sort();
const { InfluxDBClient } = require('influx-models');
const atImport = deps();
(async () => {
  const client = new InfluxDBClient({ host: process.env.HOST, port: Number(process.env.PORT), database: process.env.DB });
  await client.createDatabase(process.env.DB);
  await client.writePoints([{ measurement: 'first', fields: { v: 1.5 }, time: 1700000000000000000n }]);
  const rows = [...(await client.query('SELECT v FROM first')).getPoints()];
  await client.close();
  console.log(JSON.stringify({ atImport, afterQuery: deps(), rows }));
})().catch((e) => { console.error(e); process.exitCode = 1; });
`,
    );
    const { host, port } = serverAddress();
    const out = await run(['first.cjs'], { env: { HOST: host, PORT: String(port), DB: db } });
    expect(out.stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, '')).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({
      atImport: [],
      afterQuery: ['undici'],
      rows: [{ time: '2023-11-14T22:13:20Z', v: 1.5 }],
    });
  });

  it('the package root loads with @nestjs/* and rxjs unresolvable; the nestjs entry does not', async () => {
    writeFileSync(
      join(scratch, 'block-hooks.mjs'),
      `export async function resolve(specifier, context, next) {
  if (/^(@nestjs\\/|rxjs(\\/|$))/.test(specifier)) {
    const e = new Error('blocked optional peer ' + specifier); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;
  }
  return next(specifier, context);
}
`,
    );
    writeFileSync(
      join(scratch, 'block.mjs'),
      `import { register } from 'node:module';\nregister('./block-hooks.mjs', import.meta.url);\n`,
    );
    const probe = (entry: string) =>
      run([
        '--import',
        './block.mjs',
        '--input-type=module',
        '-e',
        `const m = await import('${entry}'); console.log(Object.keys(m).length > 0 ? 'loaded' : 'empty');`,
      ]);
    const rootOut = await probe('influx-models');
    expect(rootOut.stderr).toBe('');
    expect(rootOut.stdout.trim()).toBe('loaded');
    const testingOut = await probe('influx-models/testing');
    expect(testingOut.stdout.trim()).toBe('loaded');
    // The block is effective: the nestjs entry needs the peers and fails without them.
    const nestOut = await probe('influx-models/nestjs');
    expect(nestOut.code).not.toBe(0);
    expect(nestOut.stderr).toContain('blocked optional peer @nestjs/common');
  });

  it("the root's static import graph reaches no @nestjs/* or rxjs module", () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
        const spec = m[1] as string;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else bare.add(spec);
      }
    };
    visit(join(pkgDir, 'dist', 'src', 'index.js'));
    expect(seen.size).toBeGreaterThan(20);
    expect(bare).toContain('node:diagnostics_channel'); // the walk does see bare imports (undici, zlib load lazily)
    expect([...bare].filter((s) => /^(@nestjs\/|rxjs)/.test(s))).toEqual([]);
  });
});
