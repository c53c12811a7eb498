import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommitBatch,
  Field,
  InfluxDBClient,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
} from '../src/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';

// 200k points by default to keep the suite fast; MODELS_FAULT_POINTS=1000000 runs the full version.
const N = Number(process.env.MODELS_FAULT_POINTS ?? 200_000);
const MAX_PENDING = 40_000;

let server: InfluxdHandle;
let client: InfluxDBClient;

beforeAll(async () => {
  server = await startInfluxd();
  client = new InfluxDBClient({
    host: server.host,
    port: server.port,
    database: 'fault',
    retries: 1,
    timeout: 10_000,
  });
  await client.createDatabase('fault');
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

async function count(): Promise<number> {
  const rs = await client.query('SELECT count(usage) FROM cpu_load', { database: 'fault' });
  const row = [...rs.getPoints()][0] as { count?: number } | undefined;
  return row?.count ?? 0;
}

describe('autocommit survives influxd being killed (SIGKILL) and restarted twice', () => {
  it(`stores exactly the ${N} points produced, with memory bounded by maxPending`, async () => {
    let stored = 0;
    let kills = 0;
    const killAt = [Math.floor(N / 3), Math.floor((2 * N) / 3)];
    let chaos: Promise<void> = Promise.resolve();
    const failures: Error[] = [];
    // Counts what the server acknowledged and, at two thresholds, kills the server and restarts it
    // on the same port and data directory while the producer keeps going.
    const sink = {
      async commit(batch: CommitBatch) {
        await client.commit(batch);
        stored += batch.lineCount;
        if (kills < killAt.length && stored >= (killAt[kills] as number)) {
          kills++;
          chaos = chaos.then(async () => {
            await server.kill('SIGKILL');
            await new Promise((r) => setTimeout(r, 300));
            await server.restart();
          });
        }
      },
    };
    const registry = new SeriesRegistry({
      sink,
      bulkSize: 5000,
      maxPending: MAX_PENDING,
      concurrency: 2,
      retry: { minDelay: 50, maxDelay: 500 },
      onError: (e) => failures.push(e),
    });
    @Measurement({ name: 'cpu_load', registry })
    class CpuLoad extends SeriesModel<CpuLoad> {
      @Tag() host!: string;
      @Field() usage!: number;
      @Field({ type: 'integer' }) seq!: number;
    }
    let maxPending = 0;
    let peakHeap = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < N; i++) {
      if (!registry.hasCapacity()) {
        await registry.waitForCapacity();
        const heap = process.memoryUsage().heapUsed;
        if (heap > peakHeap) peakHeap = heap;
      }
      new CpuLoad({ host: `host-${i % 8}`, usage: i * 0.25, seq: i });
      if (registry.pendingCount > maxPending) maxPending = registry.pendingCount;
    }
    await registry.close();
    await chaos;
    expect(kills).toBe(2);
    expect(failures).toEqual([]);
    expect(maxPending).toBeLessThanOrEqual(MAX_PENDING);
    expect(await count()).toBe(N);
    console.log(
      `fault test: ${N} points, 2 SIGKILL+restart, max pending ${maxPending}/${MAX_PENDING}, ` +
        `heap growth at peak ${((peakHeap - heapBefore) / 2 ** 20).toFixed(1)} MiB`,
    );
  }, 300_000);
});
