/**
 * Construct + validate + buffer 1M CpuLoad instances (target: >= 1M/s), for the three ways of
 * declaring a model, against the raw floor of the same work done by hand (a template string per
 * point pushed into an array) and against `makeLine` on plain point objects.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/models-construct.bench.js
 */
import {
  type CommitSink,
  defineMeasurement,
  Field,
  Measurement,
  makeLine,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../src/index.js';

const N = Number(process.env.N ?? 1_000_000);
const CHUNK = 10_000;
const discard: CommitSink = { commit: () => Promise.resolve() };
const registry = new SeriesRegistry({ sink: discard, bulkSize: 5000, maxPending: 200_000, flushInterval: 0 });

@Measurement({ name: 'cpu_load', bulkSize: 5000, registry })
class CpuLoad extends SeriesModel<CpuLoad> {
  @Tag() host!: string;
  @Tag() region!: string;
  @Field() usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Field() healthy!: boolean;
  @Timestamp() time?: Date;
}

@Measurement({ name: 'cpu_load', bulkSize: 5000, registry })
class CpuLoadDeclared extends SeriesModel<CpuLoadDeclared> {
  @Tag() declare host: string;
  @Tag() declare region: string;
  @Field({ type: 'float' }) declare usage: number;
  @Field({ type: 'integer' }) declare cores: number;
  @Field({ type: 'boolean' }) declare healthy: boolean;
  @Timestamp() declare time?: Date;
}

const CpuLoadDefined = defineMeasurement({
  name: 'cpu_load',
  tags: ['host', 'region'],
  fields: { usage: 'float', cores: 'integer', healthy: 'boolean' },
  timestamp: 'time',
  bulkSize: 5000,
  registry,
});

// The shape of bench/encode.bench.ts: bigint nanosecond times given, fields usage/cores/ok.
const CpuNs = defineMeasurement({
  name: 'cpu',
  tags: ['host', 'region'],
  fields: { usage: 'float', cores: 'integer', ok: 'boolean' },
  timestamp: { property: 'time', type: 'bigint' },
  bulkSize: 5000,
  registry,
});
const T0 = 1_700_000_000_000_000_000n;

const hosts = Array.from({ length: 64 }, (_, i) => `host-${i}`);

async function run(name: string, make: (i: number) => void): Promise<number> {
  // warm-up
  for (let i = 0; i < 50_000; i++) make(i);
  await registry.flush();
  const t0 = performance.now();
  for (let start = 0; start < N; start += CHUNK) {
    const end = Math.min(N, start + CHUNK);
    for (let i = start; i < end; i++) make(i);
    await Promise.resolve(); // let the discarded batches settle (maxPending stays bounded)
    if (!registry.hasCapacity(CHUNK)) await registry.waitForCapacity(CHUNK);
  }
  await registry.flush();
  const ms = performance.now() - t0;
  const rate = N / (ms / 1000);
  console.log(`${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${(rate / 1e6).toFixed(2)} M/s`);
  return rate;
}

const floorLines: string[] = [];
const results: Record<string, number> = {};
for (let round = 0; round < 2; round++) {
  console.log(`round ${round + 1}, ${N} points each`);
  results.decorated = await run('@decorators, fields with !', (i) => {
    new CpuLoad({
      host: hosts[i & 63]!,
      region: 'eu',
      usage: i * 0.5,
      cores: i & 31,
      healthy: (i & 1) === 0,
    });
  });
  results.declared = await run('@decorators, declare fields (in place)', (i) => {
    new CpuLoadDeclared({
      host: hosts[i & 63]!,
      region: 'eu',
      usage: i * 0.5,
      cores: i & 31,
      healthy: (i & 1) === 0,
    });
  });
  results.defined = await run('defineMeasurement', (i) => {
    new CpuLoadDefined({
      host: hosts[i & 63]!,
      region: 'eu',
      usage: i * 0.5,
      cores: i & 31,
      healthy: (i & 1) === 0,
    });
  });
  results.definedNs = await run('defineMeasurement, bigint ns time given', (i) => {
    new CpuNs({
      host: hosts[i & 63]!,
      region: 'eu',
      usage: i * 0.37,
      cores: i & 31,
      ok: (i & 1) === 0,
      time: T0 + BigInt(i) * 1000n,
    });
  });
  results.makeLine = await run('makeLine(point) + push (no model)', (i) => {
    floorLines.push(
      makeLine({
        measurement: 'cpu_load',
        tags: { host: hosts[i & 63]!, region: 'eu' },
        fields: { usage: i * 0.5, cores: BigInt(i & 31), healthy: (i & 1) === 0 },
        time: new Date(),
      }),
    );
    if (floorLines.length >= 5000) floorLines.length = 0;
  });
  results.floor = await run('hand-written template string + push (floor)', (i) => {
    floorLines.push(
      `cpu_load,host=${hosts[i & 63]},region=eu cores=${i & 31}i,healthy=${(i & 1) === 0},usage=${i * 0.5} ${Date.now()}000000`,
    );
    if (floorLines.length >= 5000) floorLines.length = 0;
  });
}
const f = results.floor as number;
console.log('\nratios (rate / hand-written floor, last round):');
for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(10)} ${(v / f).toFixed(2)}x`);
await registry.close();
