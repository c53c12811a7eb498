/**
 * influxdb-python's examples/tutorial_udp.py, ported: a client built with `useUdp` sends a packet
 * (a write body with shared tags) to the server's UDP listener, which writes into the database it
 * is configured with. UDP is fire-and-forget: nothing tells the sender whether the points were
 * stored, so the example reads them back over HTTP.
 *
 * Run: `npm run example -- udp-tutorial` (a throwaway influxd with a [[udp]] listener), or with
 * INFLUXDB_URL and INFLUXDB_UDP_PORT set (the listener must write into database `udp_tutorial`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { InfluxDBClient, type WriteBody } from 'influx-models';
import { exampleServer, run } from './example-server.js';

async function main(): Promise<void> {
  const dbname = 'udp_tutorial';
  const server = await exampleServer({ udp: { database: dbname } });
  const client = new InfluxDBClient({
    host: server.host,
    port: server.port,
    useUdp: true,
    udpPort: server.udpPort ?? 4444,
    database: dbname,
  });
  try {
    const jsonBody: WriteBody = {
      tags: { host: 'server01', region: 'us-west' },
      points: [
        { measurement: 'cpu_load_short', fields: { value: 0.64 }, time: '2009-11-10T23:00:00Z' },
        { measurement: 'cpu_load_short', fields: { value: 0.67 }, time: '2009-11-10T23:05:00Z' },
      ],
    };
    console.log(`Send a packet to udp://${server.host}:${server.udpPort}:`, jsonBody.points);
    await client.sendPacket(jsonBody, { protocol: 'json' });

    // The same client writes points over UDP too (writePoints goes to the listener with useUdp).
    const server02 = { measurement: 'cpu_load_short', tags: { host: 'server02' }, fields: { value: 0.7 } };
    await client.writePoints([{ ...server02, time: 1_257_894_600_000_000_000n }]);
    // The listener reads times in its own precision (nanoseconds here): another one is refused
    // before sending, since the server would misread the times.
    await client
      .writePoints([{ ...server02, time: 1_257_894_600n }], { timePrecision: 's' })
      .catch((e: unknown) => {
        console.log(`writePoints with precision 's' over UDP is refused: ${(e as Error).message}`);
      });

    // Read back over HTTP (the listener batches for a few ms before writing): poll, bounded.
    let points: Array<Record<string, unknown>> = [];
    let others: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 50 && (points.length < 2 || others.length < 1); i++) {
      await sleep(100);
      const rs = await client.query('SELECT value FROM cpu_load_short GROUP BY host, region');
      points = [...rs.getPoints('cpu_load_short', { host: 'server01' })];
      others = [...rs.getPoints('cpu_load_short', { host: 'server02' })];
    }
    console.log(`Read back over HTTP: ${points.length} points of server01, ${others.length} of server02`);
    for (const p of [...points, ...others]) console.log(`  ${p.time} value=${p.value}`);
    if (points.length < 2 || others.length < 1) throw new Error('the UDP points did not arrive within 5 s');
  } finally {
    await client.close();
    await server.stop();
  }
}

run(main);
