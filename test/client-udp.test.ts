import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { UdpSender } from '../src/client/udp-sender.js';
import { InfluxConfigError, InfluxValidationError } from '../src/errors.js';
import { makeLine } from '../src/line-protocol/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';

/**
 * Writes over UDP land in a real influxd's [[udp]] listener: through writePoints with useUdp,
 * sendPacket and UdpSender; large packets are split into datagrams and no line is cut.
 */

// biome-ignore lint/suspicious/noExplicitAny: raw JSON of the server, read by path in assertions
async function query(server: InfluxdHandle, q: string, db: string): Promise<any> {
  const res = await fetch(`${server.url}/query`, { method: 'POST', body: new URLSearchParams({ q, db }) });
  return res.json();
}

// startInfluxd({ udp }) waits for the listener's database to appear, but influxd 1.6.7 creates it
// only on the first UDP write, so that wait always runs to the start timeout: keep it short.
const UDP_START = { startTimeout: 5_000 };

/** Polls until `SELECT count(v)` of a measurement reaches `n` (bounded: ~10 s). */
async function waitForCount(
  server: InfluxdHandle,
  db: string,
  measurement: string,
  n: number,
): Promise<number> {
  let count = 0;
  for (let i = 0; i < 100; i++) {
    const res = await query(server, `SELECT count("v") FROM "${measurement}"`, db);
    count = res.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
    if (count >= n) return count;
    await new Promise((r) => setTimeout(r, 100));
  }
  return count;
}

describe('UDP writes (listener with the default precision)', () => {
  let server: InfluxdHandle;
  let client: InfluxDBClient;

  beforeAll(async () => {
    server = await startInfluxd({ udp: { database: 'udp' }, ...UDP_START });
    client = new InfluxDBClient({
      host: server.host,
      port: server.port,
      useUdp: true,
      udpPort: server.udpPort,
    });
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('writePoints goes over UDP and stores exact values and nanosecond times', async () => {
    await client.writePoints([
      {
        measurement: 'p',
        tags: { host: 'a b,c' },
        fields: { v: 0.1, big: 9007199254740993n, s: 'x "y"\n' },
        time: 1257894000123456789n,
      },
      {
        measurement: 'p',
        tags: { host: 'b' },
        fields: { v: -2.5e-300 },
        time: '2009-11-10T23:00:00.000000001Z',
      },
    ]);
    expect(await waitForCount(server, 'udp', 'p', 2)).toBe(2);
    const res = await query(server, 'SELECT * FROM p', 'udp');
    expect(res.results[0].series[0].columns).toEqual(['time', 'big', 'host', 's', 'v']);
    // JSON numbers lose int64 precision in fetch; compare the integer's text through a string cast.
    const rs = await client.query('SELECT * FROM p', { database: 'udp' });
    expect([...rs.getPoints()]).toEqual([
      { time: '2009-11-10T23:00:00.000000001Z', big: null, host: 'b', s: null, v: -2.5e-300 },
      { time: '2009-11-10T23:00:00.123456789Z', big: 9007199254740993n, host: 'a b,c', s: 'x "y"\n', v: 0.1 },
    ]);
  });

  it('splits a large packet into datagrams under the limit and loses no line', async () => {
    const n = 2000;
    // Every third string holds raw newlines and quotes (line protocol carries newlines raw inside
    // a string field): a splitter that cut at every newline byte would break those points.
    const padOf = (i: number) => `${'p'.repeat(i % 90)}${i % 3 === 0 ? '\n"q"\n' : ''}`;
    const lines = Array.from({ length: n }, (_, i) =>
      makeLine({
        measurement: 'big',
        tags: { k: String(i % 7) },
        fields: { v: BigInt(i), pad: padOf(i) },
        time: 1_600_000_000_000_000_000n + BigInt(i),
      }),
    );
    const body = `${lines.join('\n')}\n`;
    const sender = new UdpSender({ host: server.host, port: server.udpPort!, maxDatagramBytes: 1400 });
    const datagrams = sender.split(body);
    expect(datagrams.length).toBeGreaterThan(50);
    expect(Math.max(...datagrams.map((d) => d.length))).toBeLessThanOrEqual(1400);
    await sender.close();

    // UDP has no flow control: a burst larger than the receiver's socket buffer (212 KB by default,
    // counted with per-datagram overhead) is dropped by the kernel. Send 400 lines (~25 datagrams)
    // at a time and let the listener catch up, so the test checks splitting, not the kernel.
    for (let start = 0; start < n; start += 400) {
      await client.sendPacket(`${lines.slice(start, start + 400).join('\n')}\n`);
      expect(await waitForCount(server, 'udp', 'big', start + 400)).toBe(start + 400);
    }
    const res = await query(server, 'SELECT sum("v"), count("pad") FROM "big"', 'udp');
    expect(res.results[0].series[0].values[0].slice(1)).toEqual([(n * (n - 1)) / 2, n]);
    // Every stored string is whole: no line was cut across datagrams.
    const pads = await query(server, 'SELECT "pad", "v" FROM "big"', 'udp');
    const values = pads.results[0].series[0].values;
    expect(values).toHaveLength(n);
    for (const [, pad, v] of values) expect(pad).toBe(padOf(v));
  });

  it('sendPacket takes line arrays and json bodies', async () => {
    await client.sendPacket(['arr v=1 1', 'arr v=2 2']);
    await client.sendPacket(
      { points: [{ measurement: 'arr', fields: { v: 3 }, time: 3n }] },
      { protocol: 'json' },
    );
    // Blank lines inside a datagram are kept by the splitter; the listener skips them.
    await client.sendPacket('\n\narr v=4 4\n\n\narr v=5 5');
    expect(await waitForCount(server, 'udp', 'arr', 5)).toBe(5);
  });

  it('refuses a precision the listener would misread, and an oversized line, before sending', async () => {
    await expect(
      client.writePoints([{ measurement: 'wrong', fields: { v: 1 }, time: 1 }], { timePrecision: 'ms' }),
    ).rejects.toThrow(InfluxConfigError);
    await expect(client.sendPacket('wrong v=1 1\n', { timePrecision: 's' })).rejects.toThrow(
      /differs from the UDP listener's precision 'n'/,
    );
    const huge = `wrong v=1,s="${'z'.repeat(2000)}"`;
    await expect(client.sendPacket(`wrong v=2\n${huge}\n`)).rejects.toThrow(InfluxValidationError);
    await new Promise((r) => setTimeout(r, 300));
    const res = await query(server, 'SELECT count("v") FROM "wrong"', 'udp');
    expect(res.results[0].series).toBeUndefined();
  });
});

describe('UDP writes (listener with precision s)', () => {
  let server: InfluxdHandle;

  beforeAll(async () => {
    server = await startInfluxd({ udp: { database: 'udps', precision: 's' }, ...UDP_START });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stores correct times when the client is told the listener precision', async () => {
    const client = new InfluxDBClient({
      host: server.host,
      port: server.port,
      useUdp: true,
      udpPort: server.udpPort,
      udpPrecision: 's',
    } as ConstructorParameters<typeof InfluxDBClient>[0]);
    await client.writePoints([{ measurement: 's', fields: { v: 1 }, time: '2009-11-10T23:00:00.9Z' }], {
      timePrecision: 's',
    });
    await expect(client.writePoints([{ measurement: 's', fields: { v: 2 }, time: 1n }])).rejects.toThrow(
      /'n' differs from the UDP listener's precision 's'/,
    );
    expect(await waitForCount(server, 'udps', 's', 1)).toBe(1);
    const res = await query(server, 'SELECT "v" FROM "s"', 'udps');
    expect(res.results[0].series[0].values).toEqual([['2009-11-10T23:00:00Z', 1]]);
    await client.close();
  });
});
