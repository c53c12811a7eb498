/**
 * An HA pair without influxdb-relay: one client writes every batch to both servers
 * (`replicate: 'all'`), keeps writing while one of them is down, and catches the server up, in
 * order, when it is back. Reads go to a healthy server.
 *
 * Then the same pair behind a registry with a durable spool: with b down, `registry.flush()`
 * reports each server; the process "ends" (the registry and client close) with b still behind, and a
 * new registry on the same spool directory (what a restarted process does) sends b only what it
 * missed, and a nothing again.
 *
 * Run: `npm run example -- replicated-pair` (starts two throwaway influxd on loopback; this example
 * always uses its own pair, since it stops one of them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  InfluxDBClient,
  Measurement,
  type Point,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from 'influx-models';
import { startInfluxd } from 'influx-models/testing';
import { run } from './example-server.js';

async function main(): Promise<void> {
  const [a, b] = await Promise.all([startInfluxd(), startInfluxd()]);
  if (a === undefined || b === undefined) throw new Error('two servers expected');
  console.error(`Started a throwaway pair: ${a.url} and ${b.url}`);
  const pair = () =>
    new InfluxDBClient({
      hosts: [
        { host: a.host, port: a.port },
        { host: b.host, port: b.port },
      ],
      database: 'pair',
      replicate: 'all',
      retryMaxDelay: 500,
    });
  const client = pair();
  const spoolDir = mkdtempSync(join(tmpdir(), 'replicated-pair-spool-'));
  const name = (url: string) => (url === a.url ? 'a' : 'b');
  // each server on its own, to show what it holds
  const only = [a, b].map((s) => new InfluxDBClient({ host: s.host, port: s.port, database: 'pair' }));
  const countOn = async (c: InfluxDBClient) =>
    Number([...(await c.query('SELECT count(v) FROM m')).getPoints()][0]?.count ?? 0);
  const batch = (from: number, n: number): Point[] =>
    Array.from({ length: n }, (_, i) => ({
      measurement: 'm',
      tags: { sensor: `s${(from + i) % 4}` },
      fields: { v: from + i },
      time: BigInt(from + i) * 1_000_000_000n,
    }));
  try {
    // statements that change a server (CREATE DATABASE) go to one server: run them on each
    await Promise.all(only.map((c) => c.createDatabase('pair')));

    await client.writePoints(batch(0, 1000)); // resolves once one server stored it
    await client.flush({ timeout: 30_000 }); // both have it now
    console.log(
      `Both up: a has ${await countOn(only[0] as InfluxDBClient)}, b has ${await countOn(only[1] as InfluxDBClient)}`,
    );

    await b.kill('SIGKILL');
    await client.writePoints(batch(1000, 1000), { batchSize: 250 }); // resolves: a stored it
    const [, behind] = client.hosts();
    console.log(
      `b is down: writes go on; b's queue holds ${behind?.backlog?.pending} batches (${behind?.backlog?.pendingBytes} bytes)`,
    );
    console.log(`Reads go to a healthy server: count = ${await countOn(client)}`);

    await b.restart();
    const report = await client.flush({ timeout: 30_000 });
    for (const h of report.hosts) {
      console.log(
        `flush: ${h.url === a.url ? 'a' : 'b'} written=${h.written} pending=${h.pending} failed=${h.failed}`,
      );
    }
    console.log(
      `After b is back: a has ${await countOn(only[0] as InfluxDBClient)}, b has ${await countOn(only[1] as InfluxDBClient)}`,
    );

    // The registry with a spool: b's backlog survives the end of the process.
    await b.kill('SIGKILL');
    const firstClient = pair();
    const first = new SeriesRegistry({ sink: firstClient, spool: { dir: spoolDir }, bulkSize: 250 });
    @Measurement({ name: 'reading', registry: first })
    class Reading extends SeriesModel<Reading> {
      @Tag() sensor!: string;
      @Field({ type: 'integer' }) n!: number;
      @Timestamp() time!: Date;
    }
    for (let i = 0; i < 1000; i++)
      new Reading({ sensor: `s${i % 4}`, n: i, time: new Date(1_700_000_000_000 + i) });
    const flushed = await first.flush({ timeout: 10_000 });
    for (const h of flushed.hosts ?? []) {
      console.log(
        `registry.flush: ${name(h.url)} written=${h.written} pending=${h.pending} failed=${h.failed} failing=${h.failing}`,
      );
    }
    const [, bStats] = first.stats().hosts ?? []; // the same, now, without waiting
    console.log(`registry.stats: b pendingBatches=${bStats?.pendingBatches} failing=${bStats?.failing}`);
    await first.close({ timeout: 1000 }); // the process ends with b still behind
    await firstClient.close({ timeout: 0 });
    await b.restart();
    const secondClient = pair();
    const second = new SeriesRegistry({ sink: secondClient, spool: { dir: spoolDir } }); // replays what b missed
    const caughtUp = await second.close();
    for (const h of caughtUp.hosts ?? []) {
      console.log(`After the restart: ${name(h.url)} was sent ${h.written} points, pending=${h.pending}`);
    }
    await secondClient.close();
    const readings = async (c: InfluxDBClient) =>
      Number([...(await c.query('SELECT count(n) FROM reading')).getPoints()][0]?.count ?? 0);
    console.log(
      `Readings: a has ${await readings(only[0] as InfluxDBClient)}, b has ${await readings(only[1] as InfluxDBClient)}`,
    );
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
    await client.close();
    await Promise.all(only.map((c) => c.close()));
    await Promise.all([a.stop(), b.stop()]);
    console.error('Throwaway pair stopped and removed.');
  }
}

run(main);
