/**
 * A durable spool: points survive the application's death and outlive memory during an outage.
 *
 * 1. A registry with `spool: { dir }` writes through a client whose server is "down" (a port
 *    nobody listens on): the points are appended to the spool's segment files at the end of each
 *    tick, retried in memory, and `close({ timeout })` gives up on them (abandoned: they stay on
 *    disk, nothing is acknowledged).
 * 2. A new registry on the same directory (what a restarted process does) replays them to the real
 *    server and acknowledges them; the segment files are removed once everything is stored.
 * `stats()` shows the pipeline at each step.
 *
 * Run: `npm run example -- spool-tutorial` (a throwaway influxd), or with INFLUXDB_URL set.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, InfluxDBClient, Measurement, SeriesModel, SeriesRegistry, Tag } from 'influx-models';
import { exampleServer, run } from './example-server.js';

async function main(): Promise<void> {
  const dbname = 'example_spool';
  const server = await exampleServer();
  const credentials = {
    ...(server.username !== undefined ? { username: server.username } : {}),
    ...(server.password !== undefined ? { password: server.password } : {}),
  };
  const client = new InfluxDBClient({
    host: server.host,
    port: server.port,
    database: dbname,
    ...credentials,
  });
  const dir = mkdtempSync(join(tmpdir(), 'influx-spool-example-'));
  try {
    await client.createDatabase(dbname);

    // 1. The server is unreachable: port 1 on loopback refuses connections.
    const down = new InfluxDBClient({ host: '127.0.0.1', port: 1, database: dbname });
    const first = new SeriesRegistry({
      sink: down,
      spool: { dir },
      bulkSize: 100,
      onError: () => {}, // abandoned points stay in the spool; nothing to do here
    });
    @Measurement({ name: 'sensor', registry: first })
    class Sensor extends SeriesModel<Sensor> {
      @Tag() room!: string;
      @Field({ type: 'float' }) celsius!: number;
    }
    for (let i = 0; i < 250; i++) new Sensor({ room: `r${i % 5}`, celsius: 20 + i / 100 });
    await new Promise((r) => setImmediate(r)); // the group commit of this tick has run
    console.log(
      `Segment files after the group commit: ${readdirSync(dir).filter((f) => f.startsWith('seg-')).length}`,
    );
    const closed = await first.close({ timeout: 300 });
    console.log(`First registry closed with the server down: ${JSON.stringify(closed)}`);
    const left = first.stats().spool?.bytes ?? 0;
    console.log(`Unacknowledged points left on disk: ${left > 0 ? 'yes' : 'no'}`);
    await down.close();

    // 2. A new registry on the same directory (a restarted process) replays them.
    const second = new SeriesRegistry({ sink: client, spool: { dir } });
    console.log(`Replayed from the spool: ${second.pendingCount} points pending`);
    const result = await second.close();
    console.log(`Second registry closed: ${JSON.stringify(result)}`);
    const rs = await client.query('SELECT count("celsius") AS n FROM "sensor"');
    console.log(`Stored: ${[...rs.getPoints()][0]?.n} points`);
    console.log(`Segment files left: ${readdirSync(dir).filter((f) => f.startsWith('seg-')).length}`);
    await client.dropDatabase(dbname);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await client.close();
    await server.stop();
  }
}

run(main);
