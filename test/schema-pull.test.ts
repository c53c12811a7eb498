import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli-main.js';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxFieldTypeConflictError } from '../src/errors.js';
import { getModelMetadata, type ModelClass } from '../src/models/index.js';
import {
  className,
  generateModels,
  introspectDatabase,
  propertyName,
  tsString,
} from '../src/schema/index.js';
import { biomeCheckDir, typecheckDir } from './helpers/generated-code.js';
import { serverAddress, serverUrl, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('pull');
const client = new InfluxDBClient({ ...serverAddress(), database: db });
const dirs: string[] = [];
const HOUR = 3_600_000_000_000n;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'influx-models-pull-'));
  dirs.push(dir);
  return dir;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({ INFLUXDB_URL: serverUrl() }, ...argv);
}

async function cliWith(
  env: NodeJS.ProcessEnv,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    env,
    cwd: process.cwd(),
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

beforeAll(async () => {
  await client.createDatabase(db);
  await client.createRetentionPolicy('short', '1h', 1, { database: db });
  await client.createRetentionPolicy('tmp', '1h', 1, { database: db });
  const now = BigInt(Date.now()) * 1_000_000n;
  await client.writePoints([
    {
      measurement: 'cpu load',
      tags: { 'data center': 'eu west', class: 'a', '5min': 'b', café: 'c', "it's": 'd' },
      fields: {
        'say "hi"': 1n,
        delete: true,
        constructor: 'x',
        cpu_load: 0.5,
        'cpu load': 1.5,
        'back\\slash': 2.5,
      },
      time: 1000n,
    },
    { measurement: 'cpu_load', tags: { host: 'a' }, fields: { usage: 1 }, time: 1000n },
    { measurement: '5xx errors', tags: { host: 'a' }, fields: { count: 3n }, time: 1000n },
    { measurement: 'class', fields: { value: 1 }, time: 1000n },
    { measurement: '温度', tags: { 센서: 'x' }, fields: { 値: 21.5 }, time: 1000n },
    { measurement: 'field', tags: { tag: 'x' }, fields: { field: 1 }, time: 1000n },
    { measurement: '🔥', fields: { '🔥 level': 9n }, time: 1000n },
    { measurement: 'a"b\'c\\d', fields: { 'x"y': 'z' }, time: 1000n },
    // The same key with another type in another shard (2023) and in another retention policy.
    { measurement: 'mixed', fields: { v: 1.5, w: 1n }, time: 1000n },
    { measurement: 'mixed', fields: { v: 'text' }, time: 1_700_000_000_000_000_000n },
  ]);
  await client.writePoints([{ measurement: 'mixed', fields: { v: true }, time: now }], {
    retentionPolicy: 'short',
  });
  // A measurement whose only data went with a dropped retention policy: listed, but no field keys.
  await client.writePoints([{ measurement: 'ghost', tags: { h: 'a' }, fields: { v: 1 }, time: now }], {
    retentionPolicy: 'tmp',
  });
  await client.dropRetentionPolicy('tmp', db);
  void HOUR;
});

afterAll(async () => {
  await client.dropDatabase(db);
  await client.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('identifiers', () => {
  it('makes valid, idiomatic names', () => {
    expect(className('http_request')).toBe('HttpRequest');
    expect(className('5xx errors')).toBe('M5xxErrors');
    expect(className('field')).toBe('FieldModel');
    expect(className('🔥')).toBe('Series');
    expect(className('温度')).toBe('温度');
    expect(propertyName('latency_ms')).toBe('latencyMs');
    expect(propertyName('data center')).toBe('dataCenter');
    expect(propertyName('5min')).toBe('_5min');
    expect(propertyName('class')).toBe('class_');
    expect(propertyName('constructor')).toBe('constructor_');
    expect(propertyName('CPU')).toBe('cpu');
    expect(tsString("it's")).toBe('"it\'s"');
    expect(tsString('a"b\'c\\d')).toBe("'a\"b\\'c\\\\d'");
    expect(tsString('x\u2028y')).toBe("'x\\u2028y'");
  });
});

describe('introspectDatabase', () => {
  it('reports every type of a key across shards and retention policies', async () => {
    const found = await introspectDatabase(client, db, { measurements: ['mixed', 'ghost'] });
    const mixed = found.measurements.find((m) => m.name === 'mixed')!;
    expect(mixed.fields).toEqual([
      {
        key: 'v',
        types: ['float', 'string', 'boolean'],
        typesByRetentionPolicy: { autogen: ['float', 'string'], short: ['boolean'] },
      },
      { key: 'w', types: ['integer'], typesByRetentionPolicy: { autogen: ['integer'] } },
    ]);
    expect(found.measurements.find((m) => m.name === 'ghost')).toEqual({
      name: 'ghost',
      tagKeys: ['h'],
      fields: [],
    });
  });

  it('refuses a database or a measurement that does not exist', async () => {
    await expect(introspectDatabase(client, `${db}_missing`)).rejects.toThrow(/does not exist/);
    await expect(introspectDatabase(client, db, { measurements: ['nope'] })).rejects.toThrow(
      /no measurement "nope"/,
    );
  });
});

describe('influx-models pull', () => {
  it('refuses to guess a field type the shards disagree on, and names the flag to pass', async () => {
    const out = tempDir();
    const r = await cli('pull', '--database', db, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('"mixed" field "v": float/string in "autogen", boolean in "short"');
    expect(r.err).toContain('--field-type "mixed.v=float"');
    expect(readdirSync(out)).toEqual([]);
    const found = await introspectDatabase(client, db, { measurements: ['mixed'] });
    expect(() => generateModels(found, { source: 'x' })).toThrow(InfluxFieldTypeConflictError);
  });

  it('--dry-run prints the files and writes nothing; --measurement filters', async () => {
    const out = join(tempDir(), 'models');
    const r = await cli('pull', '-d', db, '--out', out, '--dry-run', '--measurement', '/^cpu/');
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(r.err).toMatch(/\[1\/2\] "cpu load": 5 tag\(s\), 6 field\(s\)/);
    expect(r.out).toContain(`// ---- ${join(out, 'cpu-load.ts')} ----`);
    expect(r.out).toContain(`// ---- ${join(out, 'cpu-load2.ts')} ----`);
    expect(r.out).toContain("export { CpuLoad2 } from './cpu-load2.js';");
  });

  it('takes credentials from the URL or the environment and never prints them', async () => {
    const u = new URL(serverUrl());
    u.username = 'bob';
    u.password = 's3cret-pw';
    const r = await cliWith(
      { INFLUXDB_URL: u.href, INFLUXDB_DATABASE: db },
      'pull',
      '--dry-run',
      '--measurement',
      'class',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(`// Generated by \`influx-models pull\` from http://${u.host}, database "${db}"`);
    expect(`${r.out}${r.err}`).not.toContain('s3cret-pw');
    const bad = await cliWith({}, 'pull', '--nope');
    expect(bad).toEqual({
      code: 1,
      out: '',
      err: 'influx-models pull: unknown option --nope (see --help)\n',
    });
    const none = await cliWith({ INFLUXDB_URL: serverUrl() }, 'pull');
    expect(none.err).toContain('which database?');
  });

  it('writes files (decorators and define styles) that pass tsc --strict and biome, and round-trip through the repository', async () => {
    const root = tempDir();
    for (const style of ['decorators', 'define'] as const) {
      const out = join(root, style);
      const r = await cli('pull', '-d', db, '--out', out, '--style', style, '--field-type', 'mixed.v=float');
      expect(r.err).toContain('skipped "ghost": no field keys in any shard');
      expect(r.err).toContain(
        'note: "mixed": field "v" has types float, string, boolean; typed float as chosen',
      );
      expect(r.code).toBe(0);
      const files = readdirSync(out).sort();
      expect(files).toContain('index.ts');
      expect(files).toContain('cpu-load.ts');
      expect(files).toContain('cpu-load2.ts');
      expect(files).not.toContain('ghost.ts');
      const header = readFileSync(join(out, 'index.ts'), 'utf8').split('\n')[0]!;
      expect(header).toMatch(
        new RegExp(
          `^// Generated by \`influx-models pull\` from http://127\\.0\\.0\\.1:\\d+, database "${db}", at \\d{4}-`,
        ),
      );
      const cpu = readFileSync(join(out, 'cpu-load.ts'), 'utf8');
      if (style === 'decorators') {
        expect(cpu).toContain("@Tag({ name: 'data center' }) dataCenter!: string;");
        expect(cpu).toContain("@Field({ name: 'say \"hi\"', type: 'integer' }) sayHi!: number;");
        expect(cpu).toContain("@Field({ name: 'cpu load', type: 'float' }) cpuLoad!: number;");
        expect(cpu).toContain("@Field({ name: 'cpu_load', type: 'float' }) cpuLoad2!: number;");
      } else {
        expect(cpu).toContain("{ property: 'dataCenter', name: 'data center' }");
        expect(cpu).toContain("sayHi: { type: 'integer', name: 'say \"hi\"' },");
      }
    }

    expect(await typecheckDir(root)).toBe('');
    expect(await biomeCheckDir(root)).toBe('');

    let year = 2030;
    for (const style of ['decorators', 'define'] as const) {
      const models = (await import(pathToFileURL(join(root, style, 'index.ts')).href)) as Record<
        string,
        ModelClass
      >;
      expect(Object.keys(models).sort()).toEqual(
        [
          'ABcD',
          'Class',
          'CpuLoad',
          'CpuLoad2',
          'FieldModel',
          'M5xxErrors',
          'Mixed',
          'Series',
          '温度',
        ].sort(),
      );
      const at = new Date(Date.UTC(year++, 0, 1));
      for (const [name, Model] of Object.entries(models)) {
        const meta = getModelMetadata(Model);
        const values: Record<string, unknown> = { time: at };
        for (const t of meta.tags) values[t.property] = `${name} ${t.key} 'v"`;
        for (const f of meta.fields) {
          values[f.property] =
            f.type === 'float'
              ? 0.25
              : f.type === 'integer'
                ? 7
                : f.type === 'boolean'
                  ? true
                  : `s "${f.key}"\n`;
        }
        const instance = new (Model as unknown as new (v: Record<string, unknown>) => object)(values);
        (Model as unknown as { reset(): number }).reset();
        expect({ ...instance }, name).toEqual(values);
        const repo = client.repository(Model);
        await repo.write(instance);
        const back = await repo.find({ from: at, to: new Date(at.getTime() + 1) });
        expect(back, name).toHaveLength(1);
        expect({ ...back[0] }, name).toEqual(values);
      }
    }
  });
});
