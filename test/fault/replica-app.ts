/**
 * The application of the replica spool suite (test/replica-spool.test.ts), run as a child process
 * so that it can be SIGKILLed. Bundled by the suite with vite; configured by env:
 * REPLICA_HOSTS (`host:port,host:port,…`), REPLICA_DB, REPLICA_SPOOL (the spool directory),
 * REPLICA_POINTS, REPLICA_MODE:
 * - `produce`: a registry with a spool writing through a `replicate: 'all'` client; constructs
 *   REPLICA_POINTS points (4 series, each point its own time), prints `committed N` after each
 *   tick's group commit, then `flushed <registry.flush() result as JSON>`, and waits to be killed;
 * - `stream`: the same without the flush (killed mid-autocommit);
 * - `resume`: opens a registry on the same spool (it replays what each server missed), prints
 *   `flushed <JSON>`, closes the registry and the client, prints `done`.
 */
import { writeSync } from 'node:fs';
import {
  Field,
  InfluxDBClient,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../../src/index.js';

const env = process.env;
const mode = env.REPLICA_MODE ?? 'produce';
const hosts = (env.REPLICA_HOSTS ?? '').split(',').map((h) => {
  const [host, port] = h.split(':');
  return { host: host as string, port: Number(port) };
});
const client = new InfluxDBClient({
  hosts,
  replicate: 'all',
  database: env.REPLICA_DB,
  timeout: 5000,
  retryBaseDelay: 20,
  retryMaxDelay: 200,
});
const registry = new SeriesRegistry({
  sink: client,
  spool: { dir: env.REPLICA_SPOOL as string },
  bulkSize: 1000,
  flushOnExit: false,
});
const out = (s: string) => writeSync(1, `${s}\n`);

@Measurement({ name: 'rp', registry })
class Rp extends SeriesModel<Rp> {
  @Tag() s!: string;
  @Field({ type: 'integer' }) seq!: number;
  @Timestamp() time!: Date;
}

const total = Number(env.REPLICA_POINTS ?? 10_000);
const t0 = Date.UTC(2024, 0, 1);

if (mode === 'produce' || mode === 'stream') {
  for (let i = 0; i < total; ) {
    if (!registry.hasCapacity()) await registry.waitForCapacity();
    const end = Math.min(total, i + 500);
    for (; i < end; i++) new Rp({ s: `s${i % 4}`, seq: i, time: new Date(t0 + i) });
    await new Promise((r) => setImmediate(r)); // the spool's group commit of this tick ran before
    out(`committed ${i}`);
  }
  if (mode === 'produce') out(`flushed ${JSON.stringify(await registry.flush({ timeout: 20_000 }))}`);
  await new Promise(() => setInterval(() => {}, 1 << 30)); // SIGKILLed by the suite
} else {
  out(`flushed ${JSON.stringify(await registry.flush({ timeout: 60_000 }))}`);
  await registry.close();
  await client.close();
  out('done');
}
