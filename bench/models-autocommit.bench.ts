/**
 * End-to-end autocommit of 1M model points to a throwaway real influxd, against the floor: a bare
 * undici loop posting pre-built line-protocol bodies of the same batch size at the same
 * concurrency (target: within 10%). Each side writes into its own fresh database; the runs
 * alternate so that server warm-up and machine load hit both.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/models-autocommit.bench.js
 */
import { Pool } from 'undici';
import { defineMeasurement, InfluxDBClient, SeriesRegistry } from '../src/index.js';
import { startInfluxd } from '../src/testing/index.js';

const N = Number(process.env.N ?? 1_000_000);
const BATCH = Number(process.env.BATCH ?? 5000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 2);

const server = await startInfluxd();
const client = new InfluxDBClient({ host: server.host, port: server.port, poolSize: CONCURRENCY });
const hosts = Array.from({ length: 64 }, (_, i) => `host-${i}`);

async function count(db: string): Promise<number> {
  const rs = await client.query('SELECT count(usage) FROM cpu_load', { database: db });
  return (([...rs.getPoints()][0] as { count?: number } | undefined)?.count ?? 0) as number;
}

async function models(db: string): Promise<number> {
  await client.createDatabase(db);
  const registry = new SeriesRegistry({
    sink: client,
    bulkSize: BATCH,
    concurrency: CONCURRENCY,
    maxPending: BATCH * CONCURRENCY * 4,
    flushInterval: 0,
  });
  const CpuLoad = defineMeasurement({
    name: 'cpu_load',
    tags: ['host', 'region'],
    fields: { usage: 'float', cores: 'integer', healthy: 'boolean' },
    database: db,
    registry,
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    if (!registry.hasCapacity()) await registry.waitForCapacity(BATCH);
    new CpuLoad({
      host: hosts[i & 63]!,
      region: 'eu',
      usage: i * 0.5,
      cores: i & 31,
      healthy: (i & 1) === 0,
    });
  }
  await registry.close();
  return performance.now() - t0;
}

async function bare(db: string): Promise<number> {
  await client.createDatabase(db);
  // Bodies built before the clock starts: the floor is the transport and the server.
  const base = BigInt(Date.now()) * 1_000_000n;
  const bodies: string[] = [];
  for (let start = 0; start < N; start += BATCH) {
    let body = '';
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      body += `cpu_load,host=${hosts[i & 63]},region=eu cores=${i & 31}i,healthy=${(i & 1) === 0},usage=${i * 0.5} ${base + BigInt(i)}\n`;
    }
    bodies.push(body);
  }
  const pool = new Pool(`http://${server.host}:${server.port}`, { connections: CONCURRENCY });
  const path = `/write?db=${db}&precision=n`;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await pool.request({ method: 'POST', path, body });
        await res.body.dump();
        if (res.statusCode !== 204) throw new Error(`bare write failed: ${res.statusCode}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  await pool.close();
  return ms;
}

console.log(`${N} points, batches of ${BATCH}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds`);
const times = { models: [] as number[], bare: [] as number[] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of [
      ['bare', bare],
      ['models', models],
    ] as const) {
      const db = `bench_${name}_${r}`;
      const ms = await fn(db);
      const stored = await count(db);
      times[name].push(ms);
      console.log(
        `round ${r + 1} ${name.padEnd(7)} ${ms.toFixed(0).padStart(6)} ms  ${(N / (ms / 1000) / 1e3).toFixed(0)}k points/s  stored ${stored}${stored === N ? '' : ' (MISMATCH)'}`,
      );
      await client.dropDatabase(db);
    }
  }
  const best = (a: number[]) => Math.min(...a);
  console.log(
    `\nbest of ${ROUNDS}: models ${best(times.models).toFixed(0)} ms, bare undici ${best(times.bare).toFixed(0)} ms, ` +
      `models/bare time ratio ${(best(times.models) / best(times.bare)).toFixed(2)}`,
  );
} finally {
  await client.close();
  await server.stop();
}
