import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxDBClientError } from '../src/errors.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';
import { freeUdpPort } from '../src/testing/influxd.js';

const admin = { username: 'admin', password: 'p@ss:w0rd\'"x' };
let server: InfluxdHandle;
let udpServer: InfluxdHandle;
let udpPort: number;

beforeAll(async () => {
  // The UDP listener is configured by hand: startInfluxd({ udp }) waits its whole start timeout for
  // the UDP database, which influxd 1.6.7 only creates on the first datagram.
  udpPort = await freeUdpPort();
  const udpConfig = `[[udp]]\n  enabled = true\n  bind-address = "127.0.0.1:${udpPort}"\n  database = "udpdb"\n  batch-timeout = "50ms"\n`;
  [server, udpServer] = await Promise.all([
    startInfluxd({ auth: admin }),
    startInfluxd({ extraConfig: udpConfig }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([server?.stop(), udpServer?.stop()]);
});

describe('a server with authentication on (and one with a UDP listener)', () => {
  it('admin credentials work for writes, queries and streams; the password never leaks', async () => {
    const c = new InfluxDBClient({ host: server.host, port: server.port, ...admin, database: 'authdb' });
    await c.query('CREATE DATABASE "authdb"');
    await c.writePoints([{ measurement: 'm', fields: { v: 1 }, time: 1n }]);
    const rs = await c.query('SELECT "v" FROM "m"');
    expect([...rs.getPoints()]).toEqual([{ time: '1970-01-01T00:00:00.000000001Z', v: 1 }]);
    let n = 0;
    for await (const chunk of c.queryStream('SELECT "v" FROM "m"')) n += chunk.length;
    expect(n).toBe(1);
    expect(inspect(c)).not.toContain(admin.password);
    await c.close();
  });

  it('no or wrong credentials raise InfluxDBClientError 401 without the password in it', async () => {
    const none = new InfluxDBClient({ host: server.host, port: server.port, database: 'authdb' });
    const e1 = await none.query('SELECT * FROM "m"').catch((e) => e);
    expect(e1).toBeInstanceOf(InfluxDBClientError);
    expect(e1.status).toBe(401);
    await none.close();
    const wrong = new InfluxDBClient({
      host: server.host,
      port: server.port,
      username: 'admin',
      password: 'nope-secret',
    });
    const e2 = await wrong.writePoints(['m v=2 2'], { database: 'authdb' }).catch((e) => e);
    expect(e2).toBeInstanceOf(InfluxDBClientError);
    expect(e2.status).toBe(401);
    expect(`${e2.message}${e2.stack}`).not.toContain('nope-secret');
    await wrong.close();
  });

  it('switchUser to a read-only user: reads work, writes are refused (403)', async () => {
    const c = new InfluxDBClient({ host: server.host, port: server.port, ...admin, database: 'authdb' });
    await c.query(`CREATE USER "reader" WITH PASSWORD 'r3ad'`);
    await c.query('GRANT READ ON "authdb" TO "reader"');
    c.switchUser('reader', 'r3ad');
    const rs = await c.query('SELECT "v" FROM "m"');
    expect(rs.length).toBe(1);
    const err = await c.write('m v=3 3\n').catch((e) => e);
    expect(err).toBeInstanceOf(InfluxDBClientError);
    expect(err.status).toBe(403);
    await c.close();
  });

  it('writePoints and sendPacket over UDP reach the listener (useUdp)', async () => {
    const http = new InfluxDBClient({ host: udpServer.host, port: udpServer.port, database: 'udpdb' });
    await http.createDatabase('udpdb');
    const c = new InfluxDBClient({ host: udpServer.host, port: udpServer.port, udpPort, useUdp: true });
    await c.writePoints(
      Array.from({ length: 300 }, (_, i) => ({
        measurement: 'udp',
        tags: { k: `k${i % 3}` },
        fields: { i: BigInt(i) },
        time: BigInt(i),
      })),
    );
    await c.sendPacket('udp2 v=1 1\nudp2 v=2 2\n');
    await c.sendPacket(
      { measurement: 'udp3', points: [{ fields: { v: 1 }, time: 7n }] },
      { protocol: 'json' },
    );
    await expect(c.sendPacket('udp2 v=1 1', { timePrecision: 'ms' })).rejects.toThrow(/precision/);
    let count = 0;
    for (let attempt = 0; attempt < 100 && count < 300; attempt++) {
      const rs = await http.query('SELECT count("i") FROM "udp"');
      count = Number([...rs.getPoints()][0]?.count ?? 0);
      if (count < 300) await new Promise((r) => setTimeout(r, 100));
    }
    expect(count).toBe(300);
    let rows: unknown[] = [];
    for (let attempt = 0; attempt < 100 && rows.length < 1; attempt++) {
      rows = [...(await http.query('SELECT "v" FROM "udp3"', { epoch: 'n' })).getPoints()];
      if (rows.length < 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toEqual([{ time: 7n, v: 1 }]);
    await c.close();
    await http.close();
  });
});
