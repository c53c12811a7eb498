import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient, InfluxDBClientError, InfluxDBServerError } from '../src/index.js';
import { CsvDecoder } from '../src/results/csv-decoder.js';
import { closeFakeServers, type FakeServer, fakeServer } from './helpers/fake-server.js';
import { serverAddress, serverUrl, uniqueDatabase } from './helpers/server.js';

// A server that ignores the client's msgpack `Accept`: a local proxy in front of the real influxd
// that asks it for JSON or CSV instead (what some proxies and v1-compatible servers do).
const db = uniqueDatabase('ctype');
let direct: InfluxDBClient;

function forcingProxy(accept: string): Promise<FakeServer> {
  return fakeServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', async () => {
      const headers: Record<string, string> = { accept };
      if (req.headers['content-type']) headers['content-type'] = String(req.headers['content-type']);
      const body = parts.length > 0 ? Buffer.concat(parts) : undefined;
      const upstream = await fetch(`${serverUrl()}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body !== undefined && req.method === 'POST' ? { body } : {}),
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
  });
}

function via(proxy: FakeServer): InfluxDBClient {
  return new InfluxDBClient({ host: '127.0.0.1', port: proxy.port, database: db, retries: 1 });
}

beforeAll(async () => {
  direct = new InfluxDBClient({ ...serverAddress(), database: db });
  await direct.createDatabase(db);
  await direct.write(
    [
      'm,host=a\\,b,region=x\\ y f=1.5,i=3i,s="x,\\"y\\" \nz",b=true 1000000001',
      'm,host=c f=-0.25,i=-9007199254740993i,s="42",b=false 2000000000',
      'm,host=c f=7 1500000000000000000',
    ].join('\n'),
  );
});

afterAll(async () => {
  await direct.close();
});

afterEach(closeFakeServers);

describe('responses are decoded by their Content-Type, not by the Accept sent', () => {
  it('a server that answers JSON to a msgpack Accept is read correctly', async () => {
    const proxy = await forcingProxy('application/json');
    const client = via(proxy);
    try {
      const q = 'SELECT * FROM m GROUP BY *';
      const [want, got] = await Promise.all([direct.query(q), client.query(q)]);
      expect(proxy.requests[0]?.headers.accept).toBe('application/x-msgpack');
      expect(got.raw).toEqual(want.raw);
      const big = await client.query('SELECT i FROM m WHERE host = $h', {
        bindParams: { h: 'c' },
        epoch: 'n',
      });
      expect([...big.getPoints()].map((p) => [p.time, p.i])).toEqual([[2000000000n, -9007199254740993n]]);
      const chunks = [];
      for await (const rs of client.queryStream('SELECT f FROM m', { chunkSize: 1 }))
        chunks.push(...rs.getPoints());
      expect(chunks.map((p) => p.f)).toEqual([1.5, -0.25, 7]);
    } finally {
      await client.close();
    }
  });

  it('a fixed JSON answer from a fake server, whatever the Accept', async () => {
    const fake = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","v"],"values":[["2020-01-01T00:00:00.000000001Z",12345678901234567890]]}]}]}',
      );
    });
    const client = via(fake);
    try {
      const rs = await client.query('SELECT v FROM cpu');
      expect(fake.requests[0]?.headers.accept).toBe('application/x-msgpack');
      expect([...rs.getPoints()]).toEqual([
        { time: '2020-01-01T00:00:00.000000001Z', v: 12345678901234567890n },
      ]);
    } finally {
      await client.close();
    }
  });

  it('a server that answers CSV is read, with the documented loss of types', async () => {
    const proxy = await forcingProxy('application/csv');
    const client = via(proxy);
    try {
      const q = 'SELECT * FROM m GROUP BY *';
      const want = await direct.query(q);
      const got = await client.query(q);
      // the same series (names, tags with escaped characters, columns, times to the nanosecond) …
      // except that CSV leaves out a tag with an empty value (a series without that tag)
      const dropEmpty = (tags: Record<string, string> | null) =>
        tags === null ? null : Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== ''));
      expect(got.keys()).toEqual(want.keys().map(([name, tags]) => [name, dropEmpty(tags)]));
      const strip = (rows: Record<string, unknown>[]) =>
        rows.map((r) => ({
          ...r,
          s: r.s === '42' ? 42 : r.s,
          i: typeof r.i === 'bigint' && r.i >= -(2n ** 53n) && r.i <= 2n ** 53n ? Number(r.i) : r.i,
        }));
      expect(want.keys()).toHaveLength(2);
      expect([...got.getPoints()]).toHaveLength(3);
      for (const [name, tags] of want.keys()) {
        expect([...got.getPoints(name, dropEmpty(tags) ?? undefined)]).toEqual(
          strip([...want.getPoints(name, tags ?? undefined)] as Record<string, unknown>[]),
        );
      }
      // … and a string field that looks like a number comes back as a number (CSV has no types)
      const s = await client.query('SELECT s FROM m WHERE host = $h', { bindParams: { h: 'c' } });
      expect([...s.getPoints()][0]?.s).toBe(42);
      const e = await client.query('SELECT f FROM m', { epoch: 'n' });
      expect([...e.getPoints()].map((p) => p.time)).toEqual([1000000001n, 2000000000n, 1500000000000000000n]);
      const ms = await client.query('SELECT f FROM m', { epoch: 'ms' });
      expect([...ms.getPoints()].map((p) => p.time)).toEqual([1000, 2000, 1500000000000]);
      const none = await client.query('SELECT * FROM nothing_here');
      expect([...none.getPoints()]).toEqual([]);
      const rows = [];
      for await (const rs of client.queryStream('SELECT f, host FROM m', { chunkSize: 1 }))
        rows.push(...rs.getPoints());
      expect(rows).toEqual([...(await direct.query('SELECT f, host FROM m')).getPoints()]);
    } finally {
      await client.close();
    }
  });

  it('a CSV error is a typed error with the server message; several statements in CSV are refused', async () => {
    const proxy = await forcingProxy('application/csv');
    const client = via(proxy);
    try {
      await expect(client.query('SELECT * FROM m WHERE')).rejects.toThrow(InfluxDBClientError);
      await expect(client.query('SELECT * FROM m WHERE')).rejects.toThrow(/error parsing query/);
      const many = client.queryMany('SELECT f FROM m; SELECT i FROM m');
      await expect(many).rejects.toThrow(InfluxDBServerError);
      await expect(client.queryMany('SELECT f FROM m; SELECT i FROM m')).rejects.toThrow(
        /CSV, which cannot tell them apart/,
      );
    } finally {
      await client.close();
    }
  });
});

describe('CsvDecoder', () => {
  it('reads quoted cells split across pieces, CRLF, sections with other columns, and refuses what is not InfluxDB CSV', () => {
    const text =
      'name,tags,time,s\r\ncpu,"host=a\\,b",5,"x ""q""\nnext"\r\n\r\nname,tags,time,v,w\r\nmem,,6,1,\r\n';
    const d = new CsvDecoder({}, true);
    for (let i = 0; i < text.length; i += 3) d.push(Buffer.from(text.slice(i, i + 3)));
    expect(d.whole()).toEqual({
      results: [
        {
          statement_id: 0,
          series: [
            {
              name: 'cpu',
              tags: { host: 'a,b' },
              columns: ['time', 's'],
              values: [['1970-01-01T00:00:00.000000005Z', 'x "q"\nnext']],
            },
            {
              name: 'mem',
              columns: ['time', 'v', 'w'],
              values: [['1970-01-01T00:00:00.000000006Z', 1, null]],
            },
          ],
        },
      ],
    });
    const bad = new CsvDecoder({}, true);
    expect(() => bad.push(Buffer.from('a,b\n1,2\n'))).toThrow(
      /header starts with "a,b", expected "name,tags"/,
    );
    const cut = new CsvDecoder({}, true);
    cut.push(Buffer.from('name,tags,time,s\ncpu,,1,"open'));
    expect(() => cut.whole()).toThrow(/ended inside a quoted value/);
  });
});
