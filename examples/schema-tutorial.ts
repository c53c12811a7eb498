/**
 * Schema from and to the database (`influx-models/schema`, what `npx influx-models pull|push` run):
 *
 * 1. declares a database with two retention policies and a continuous query (`defineSchema`) and
 *    applies it: a dry run, the real run, and a second run that has nothing to do;
 * 2. writes a few points with awkward names, then reads the database back into model source files
 *    (`introspectDatabase` + `generateModels`) and prints them.
 *
 * Run: `npm run example -- schema-tutorial` (a throwaway influxd), or with INFLUXDB_URL set.
 */
import { Field, InfluxDBClient, Measurement, mean, Tag, Timestamp, time } from 'influx-models';
import {
  applySchema,
  continuousQuery,
  defineSchema,
  generateModels,
  introspectDatabase,
} from 'influx-models/schema';
import { exampleServer, run } from './example-server.js';

@Measurement('cpu')
class Cpu {
  @Tag() host!: string;
  @Field({ type: 'float' }) usage!: number;
  @Timestamp() time!: Date;
}

async function main(): Promise<void> {
  const server = await exampleServer();
  const database = server.throwaway ? 'schema_tutorial' : `schema_tutorial_${process.pid}`;
  const client = new InfluxDBClient({
    host: server.host,
    port: server.port,
    ...(server.username !== undefined ? { username: server.username, password: server.password } : {}),
  });
  try {
    const schema = defineSchema({
      database,
      retentionPolicies: {
        month: { duration: '30d', shardDuration: '1d', default: true },
        year: { duration: '52w' },
      },
      continuousQueries: {
        cpu_1h: continuousQuery(
          Cpu,
          (q) =>
            q
              .select(mean('usage').as('usage'))
              .into({ retentionPolicy: 'year', measurement: 'cpu_1h' })
              .groupBy(time('1h'), '*'),
          { resample: { every: '10m', for: '2h' } },
        ),
      },
    });
    await applySchema(client, schema, { dryRun: true });
    await applySchema(client, schema);
    await applySchema(client, schema);

    await client.writePoints(
      [
        { measurement: 'cpu', tags: { host: 'web-1' }, fields: { usage: 12.5 } },
        {
          measurement: 'http request',
          tags: { 'data center': 'eu-west', status: '200' },
          fields: { latency_ms: 23.4, bytes: 5120n, "it's ok": true },
        },
      ],
      { database },
    );
    const found = await introspectDatabase(client, database, {
      onMeasurement: (m, i, n) =>
        console.log(`[${i}/${n}] ${m.name}: ${m.tagKeys.length} tags, ${m.fields.length} fields`),
    });
    const { files } = generateModels(found, { source: server.url, generatedAt: new Date(0) });
    for (const f of files) console.log(`---- ${f.path}\n${f.contents}`);
  } finally {
    await client.dropDatabase(database);
    await client.close();
    await server.stop();
  }
}

run(main);
