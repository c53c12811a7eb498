import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { runCli } from '../src/cli/cli-main.js';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxConfigError } from '../src/errors.js';
import { getModelMetadata } from '../src/models/index.js';
import { and, cond, max, mean, percentile, QueryBuilder, time } from '../src/query/index.js';
import {
  applySchema,
  continuousQuery,
  continuousQueryForm,
  defineSchema,
  durationNanos,
  type SchemaDefinition,
} from '../src/schema/index.js';
import { serverAddress, serverUrl, uniqueDatabase } from './helpers/server.js';

@Measurement('cpu')
class Cpu {
  @Tag() host!: string;
  @Field({ type: 'float' }) usage!: number;
  @Timestamp() time!: Date;
}

const client = new InfluxDBClient(serverAddress());
const databases: string[] = [];
const dirs: string[] = [];

function database(): string {
  const db = uniqueDatabase('schema');
  databases.push(db);
  return db;
}

afterAll(async () => {
  for (const db of databases) await client.dropDatabase(db);
  await client.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function definition(db: string, over: Partial<SchemaDefinition> = {}): SchemaDefinition {
  return {
    database: db,
    retentionPolicies: {
      week: { duration: '7d', shardDuration: '1d', default: true },
      'long term': { duration: '52w', replication: 1 },
    },
    continuousQueries: {
      cpu_1h: continuousQuery(
        Cpu,
        (q) =>
          q
            .select(mean('usage').as('usage'))
            .into({ retentionPolicy: 'long term', measurement: 'cpu_1h' })
            .where('host', '!=', "it's")
            .groupBy(time('60m'), '*')
            .fill('none'),
        { resample: { every: '10m', for: '2h' } },
      ),
    },
    ...over,
  };
}

const statements = (plan: { changes: readonly { statement: string }[] }) =>
  plan.changes.map((c) => c.statement);

describe('applySchema', () => {
  it('creates what is missing, then finds nothing to do (twice: empty plan)', async () => {
    const db = database();
    const schema = defineSchema(definition(db));
    const printed: string[] = [];
    const dry = await applySchema(client, schema, { dryRun: true, log: (t) => printed.push(t) });
    expect(dry.applied).toBe(false);
    expect(statements(dry)).toEqual([
      `CREATE DATABASE "${db}"`,
      `CREATE RETENTION POLICY "week" ON "${db}" DURATION 7d REPLICATION 1 SHARD DURATION 1d DEFAULT`,
      `CREATE RETENTION POLICY "long term" ON "${db}" DURATION 52w REPLICATION 1 SHARD DURATION 0s`,
      `CREATE CONTINUOUS QUERY "cpu_1h" ON "${db}" RESAMPLE EVERY 10m FOR 2h BEGIN SELECT mean("usage"::field) AS "usage" INTO "long term"."cpu_1h" FROM "cpu" WHERE "host"::tag != 'it\\'s' GROUP BY time(60m), * fill(none) END`,
    ]);
    expect(printed).toEqual([dry.text]);
    expect(dry.text).toContain('4 changes (dry run, nothing sent)');
    expect((await client.listDatabases()).map((d) => d.name)).not.toContain(db);

    // The builder's own CREATE CONTINUOUS QUERY text is what the admin helper sends.
    const builder = QueryBuilder.create(getModelMetadata(Cpu))
      .select(mean('usage').as('usage'))
      .into({ retentionPolicy: 'long term', measurement: 'cpu_1h' })
      .where('host', '!=', "it's")
      .groupBy(time('60m'), '*')
      .fill('none');
    expect(
      builder.toContinuousQuery('cpu_1h', { database: db, resampleEvery: '10m', resampleFor: '2h' }),
    ).toBe(dry.changes[3]!.statement);

    const first = await applySchema(client, schema, { log: false });
    expect(first.applied).toBe(true);
    expect(statements(first)).toEqual(statements(dry));
    const rps = await client.listRetentionPolicies(db);
    expect(rps.find((r) => r.name === 'week')).toEqual({
      name: 'week',
      duration: '168h0m0s',
      shardGroupDuration: '24h0m0s',
      replicaN: 1,
      default: true,
    });
    expect(rps.map((r) => r.name).sort()).toEqual(['autogen', 'long term', 'week']);

    const second = await applySchema(client, schema, { log: false });
    expect(second.changes).toEqual([]);
    expect(second.text).toBe(`Schema of database "${db}": up to date, nothing to do`);
    // A schema defined again from the same declaration is the same schema.
    expect((await applySchema(client, defineSchema(definition(db)), { log: false })).changes).toEqual([]);
  });

  it('alters only what differs in a retention policy', async () => {
    const db = database();
    await applySchema(client, defineSchema(definition(db)), { log: false });
    const changed = defineSchema(
      definition(db, {
        retentionPolicies: {
          week: { duration: '14d', shardDuration: '1d', default: true },
          'long term': { duration: '52w', shardDuration: '2w' },
        },
      }),
    );
    const plan = await applySchema(client, changed, { log: false });
    expect(plan.changes).toEqual([
      {
        kind: 'alter-retention-policy',
        name: 'week',
        differences: ['duration 168h0m0s → 14d'],
        statement: `ALTER RETENTION POLICY "week" ON "${db}" DURATION 14d`,
      },
      {
        kind: 'alter-retention-policy',
        name: 'long term',
        differences: ['shard duration 168h0m0s → 2w'],
        statement: `ALTER RETENTION POLICY "long term" ON "${db}" SHARD DURATION 2w`,
      },
    ]);
    expect(plan.text).toContain(
      `~ ALTER RETENTION POLICY "week" ON "${db}" DURATION 14d   -- duration 168h0m0s → 14d`,
    );
    const week = (await client.listRetentionPolicies(db)).find((r) => r.name === 'week')!;
    expect(durationNanos(week.duration ?? '')).toBe(durationNanos('14d'));
    expect((await applySchema(client, changed, { log: false })).changes).toEqual([]);

    // Another policy becomes the default: ALTER … DEFAULT (the old default is left as it is).
    const moved = defineSchema(
      definition(db, {
        retentionPolicies: {
          week: { duration: '14d', shardDuration: '1d' },
          'long term': { duration: '52w', default: true },
        },
      }),
    );
    const plan2 = await applySchema(client, moved, { log: false });
    expect(statements(plan2)[0]).toBe(`ALTER RETENTION POLICY "long term" ON "${db}" DEFAULT`);
    // The continuous query reads "cpu" from the default policy, which changed: it is recreated.
    expect(plan2.changes.map((c) => c.kind)).toEqual([
      'alter-retention-policy',
      'drop-continuous-query',
      'create-continuous-query',
    ]);
    expect((await applySchema(client, moved, { log: false })).changes).toEqual([]);
  });

  it('replaces a changed continuous query by drop + create, shown in the plan', async () => {
    const db = database();
    await applySchema(client, defineSchema(definition(db)), { log: false });
    const changed = defineSchema(
      definition(db, {
        continuousQueries: {
          cpu_1h: continuousQuery(Cpu, (q) =>
            q
              .select(max('usage').as('usage'))
              .into({ retentionPolicy: 'long term', measurement: 'cpu_1h' })
              .groupBy(time('1h'), '*'),
          ),
          cpu_5m: {
            query: 'SELECT mean("usage") AS "usage" INTO "cpu_5m" FROM "cpu" GROUP BY time(5m), *',
          },
        },
      }),
    );
    const printed: string[] = [];
    const plan = await applySchema(client, changed, { log: (t) => printed.push(t) });
    expect(plan.changes.map((c) => [c.kind, c.name])).toEqual([
      ['drop-continuous-query', 'cpu_1h'],
      ['create-continuous-query', 'cpu_1h'],
      ['create-continuous-query', 'cpu_5m'],
    ]);
    expect(plan.changes[0]).toMatchObject({
      reason: 'changed',
      statement: `DROP CONTINUOUS QUERY "cpu_1h" ON "${db}"`,
    });
    expect(plan.changes[1]).toMatchObject({ replaces: true });
    expect(printed[0]).toContain(
      `- DROP CONTINUOUS QUERY "cpu_1h" ON "${db}"   -- changed: created again below`,
    );
    const [entry] = (await client.listContinuousQueries()).filter((e) => db in e);
    expect(entry![db]!.map((c) => c.name).sort()).toEqual(['cpu_1h', 'cpu_5m']);
    expect(entry![db]!.find((c) => c.name === 'cpu_1h')!.query).toContain('max(usage::field) AS usage');
    expect((await applySchema(client, changed, { log: false })).changes).toEqual([]);
  });

  it('finds a stored query unchanged however the server re-renders it (regex, floats, offsets, fill, tz)', async () => {
    const db = database();
    const schema = defineSchema({
      database: db,
      retentionPolicies: { 'two weeks': { duration: '336h', default: true } },
      continuousQueries: {
        "busy 'hosts'": continuousQuery(
          Cpu,
          (q) =>
            q
              .select(percentile('usage', 95.5).as('p95 "usage"'), max('usage').as('peak'))
              .into({ measurement: 'cpu busy' })
              .where(
                and(cond('host', '=~', /^web-\d+$/), cond('usage', '>', 0.12345), cond('host', '!=', 'a\\b')),
              )
              .groupBy(time('60s', '15s'), 'host')
              .fill(0)
              .tz('Europe/Paris'),
          { resample: { every: '120s', for: '1h' } },
        ),
      },
    });
    const first = await applySchema(client, schema, { log: false });
    expect(first.changes.map((c) => c.kind)).toEqual([
      'create-database',
      'create-retention-policy',
      'create-continuous-query',
    ]);
    expect((await applySchema(client, schema, { log: false })).changes).toEqual([]);
  });

  it('drops nothing undeclared unless prune', async () => {
    const db = database();
    await applySchema(client, defineSchema(definition(db)), { log: false });
    await client.createRetentionPolicy('manual', '1d', 1, { database: db });
    await client.createContinuousQuery(
      'manual_cq',
      'SELECT count("usage") INTO "n" FROM "cpu" GROUP BY time(1h)',
      {
        database: db,
      },
    );
    const schema = defineSchema(definition(db));
    expect((await applySchema(client, schema, { log: false })).changes).toEqual([]);
    const dry = await applySchema(client, schema, { prune: true, dryRun: true, log: false });
    expect(dry.changes.map((c) => [c.kind, c.name])).toEqual([
      ['drop-continuous-query', 'manual_cq'],
      ['drop-retention-policy', 'autogen'],
      ['drop-retention-policy', 'manual'],
    ]);
    await applySchema(client, schema, { prune: true, log: false });
    expect((await client.listRetentionPolicies(db)).map((r) => r.name).sort()).toEqual(['long term', 'week']);
    expect((await applySchema(client, schema, { prune: true, log: false })).changes).toEqual([]);
  });

  it('refuses a bad schema with a typed error naming the entry', () => {
    expect(() => defineSchema({ database: 'x', retentionPolicies: { a: { duration: '7 days' } } })).toThrow(
      /retentionPolicies\.a\)\.duration/,
    );
    expect(() =>
      defineSchema({
        database: 'x',
        retentionPolicies: { a: { duration: '1d', default: true }, b: { duration: '2d', default: true } },
      }),
    ).toThrow(/only one policy can be the default, got "a" and "b"/);
    expect(() =>
      defineSchema({
        database: 'x',
        continuousQueries: { c: continuousQuery(Cpu, (q) => q.select(mean('usage'))) },
      }),
    ).toThrow(/into/);
    expect(() =>
      defineSchema({ database: 'x', retentionPolicies: { a: { duration: '1d', replicas: 2 } as never } }),
    ).toThrow(InfluxConfigError);
    expect(() =>
      defineSchema({ database: 'x', continuousQueries: { c: { query: 'SELECT 1; DROP DATABASE x' } } }),
    ).toThrow(InfluxConfigError);
  });
});

describe('continuousQueryForm', () => {
  it('reads the server’s re-rendered text as the statement sent', () => {
    const sent =
      'CREATE CONTINUOUS QUERY "cq 1" ON "t" RESAMPLE EVERY 10s FOR 20m BEGIN SELECT mean("v"::field) AS "mean v", count("w") INTO "short".:MEASUREMENT FROM "m" WHERE "host"::tag = \'a b\' AND "v" > 0.12345 GROUP BY time(60s), * fill(none) END';
    const stored =
      'CREATE CONTINUOUS QUERY "cq 1" ON t RESAMPLE EVERY 10s FOR 20m BEGIN SELECT mean(v::field) AS "mean v", count(w) INTO t.short.:MEASUREMENT FROM t.autogen.m WHERE host::tag = \'a b\' AND v > 0.123 GROUP BY time(1m), * fill(none) END';
    expect(continuousQueryForm(sent, 't', 'autogen')).toBe(continuousQueryForm(stored, 't', 'autogen'));
    expect(continuousQueryForm(sent, 't', 'week')).not.toBe(continuousQueryForm(stored, 't', 'autogen'));
    expect(continuousQueryForm(sent.replace('mean(', 'max('), 't', 'autogen')).not.toBe(
      continuousQueryForm(stored, 't', 'autogen'),
    );
    expect(continuousQueryForm(sent.replace("'a b'", "'a c'"), 't', 'autogen')).not.toBe(
      continuousQueryForm(stored, 't', 'autogen'),
    );
  });
});

describe('influx-models push', () => {
  it('applies a schema module; the second push has nothing to do', async () => {
    const db = database();
    const dir = mkdtempSync(join(tmpdir(), 'influx-models-push-'));
    dirs.push(dir);
    const schemaModule = pathToFileURL(join(process.cwd(), 'src/schema/index.ts')).href;
    const file = join(dir, 'influx-schema.ts');
    writeFileSync(
      file,
      `import { defineSchema } from ${JSON.stringify(schemaModule)};\nexport const schema = defineSchema({ database: ${JSON.stringify(db)}, retentionPolicies: { week: { duration: '7d', default: true } } });\n`,
    );
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli(['push', '--schema', file, ...argv], {
        env: { INFLUXDB_URL: serverUrl() },
        cwd: dir,
        stdout: (t) => {
          out += t;
        },
        stderr: (t) => {
          err += t;
        },
      });
      return { code, out, err };
    };
    const dry = await run('--dry-run');
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.out).toContain('2 changes (dry run, nothing sent)');
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      `Schema of database "${db}": 2 changes (applied)\n  + CREATE DATABASE "${db}"\n`,
    );
    const second = await run();
    expect(second.out).toBe(`Schema of database "${db}": up to date, nothing to do\n`);
    const missing = await runCli(['push', '--schema', join(dir, 'nope.js')], {
      env: {},
      cwd: dir,
      stdout: () => {},
      stderr: () => {},
    });
    expect(missing).toBe(1);
  });
});
