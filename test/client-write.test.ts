import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxDBClientError, InfluxDBPartialWriteError, InfluxValidationError } from '../src/errors.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

/** A real undici Agent that records the requests it sends (the server is the real one). */
class RecordingAgent extends Agent {
  readonly sent: { method: string; path: string; headers: Record<string, string> }[] = [];
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.sent.push({
      method: opts.method,
      path: String(opts.path),
      headers: { ...(opts.headers as Record<string, string>) },
    });
    return super.dispatch(opts, handler);
  }
}

const db = uniqueDatabase('cw');
let client: InfluxDBClient;

async function rows(q: string, epoch?: string): Promise<unknown[][]> {
  const res = await rawQuery(q, db, epoch ? { epoch } : {});
  return res.results[0].series?.[0]?.values ?? [];
}

beforeAll(async () => {
  await rawQuery(`CREATE DATABASE "${db}"`);
  await rawQuery(`CREATE RETENTION POLICY "somepolicy" ON "${db}" DURATION INF REPLICATION 1`);
  client = new InfluxDBClient({ ...serverAddress(), database: db });
});

afterAll(async () => {
  await client.close();
  await rawQuery(`DROP DATABASE "${db}"`);
});

describe('writePoints', () => {
  it('CL01: body tags, retention policy, ms precision, consistency', async () => {
    const agent = new RecordingAgent();
    const c = new InfluxDBClient({ ...serverAddress(), database: db, dispatcher: agent });
    await c.writePoints(
      [
        {
          measurement: 'cpu_load_short',
          tags: { host: 'server01', region: 'us-west' },
          time: '2009-11-10T23:00:00.123456Z',
          fields: { value: 0.64 },
        },
      ],
      { tags: { tag: 'hello' }, retentionPolicy: 'somepolicy', timePrecision: 'ms', consistency: 'any' },
    );
    await c.close();
    await agent.close();
    expect(agent.sent).toHaveLength(1);
    const u = new URL(agent.sent[0]!.path, 'http://x');
    expect(u.pathname).toBe('/write');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      db,
      rp: 'somepolicy',
      precision: 'ms',
      consistency: 'any',
    });
    const r = await rawQuery(`SELECT * FROM "somepolicy"."cpu_load_short"`, db, { epoch: 'ns' });
    expect(r.results[0].series[0].columns).toEqual(['time', 'host', 'region', 'tag', 'value']);
    expect(r.results[0].series[0].values).toEqual([
      [1257894000123000000, 'server01', 'us-west', 'hello', 0.64],
    ]);
  });

  it('CL02: batchSize 2 over 3 points from a generator makes 2 POSTs, all stored', async () => {
    const agent = new RecordingAgent();
    const c = new InfluxDBClient({ ...serverAddress(), database: db, dispatcher: agent });
    function* points() {
      yield {
        measurement: 'cpu_usage',
        tags: { unit: 'percent' },
        time: '2009-11-10T23:00:00Z',
        fields: { value: 12.34 },
      };
      yield {
        measurement: 'network',
        tags: { direction: 'in' },
        time: '2009-11-10T23:00:00Z',
        fields: { value: 123.0 },
      };
      yield {
        measurement: 'network',
        tags: { direction: 'out' },
        time: '2009-11-10T23:00:00Z',
        fields: { value: 12.0 },
      };
    }
    await c.writePoints(points(), { tags: { host: 'server01', region: 'us-west' }, batchSize: 2 });
    await c.close();
    await agent.close();
    expect(agent.sent.filter((s) => s.path.startsWith('/write'))).toHaveLength(2);
    expect(await rows('SELECT count("value") FROM "network"')).toEqual([['1970-01-01T00:00:00Z', 2]]);
    expect(await rows('SELECT "value" FROM "cpu_usage" WHERE "host" = \'server01\'')).toEqual([
      ['2009-11-10T23:00:00Z', 12.34],
    ]);
  });

  it('writes 12,345 points in batches with bounded concurrency; all stored exactly once', async () => {
    const n = 12_345;
    const points = Array.from({ length: n }, (_, i) => ({
      measurement: 'many',
      tags: { shard: `s${i % 7}` },
      fields: { i: BigInt(i) },
      time: BigInt(i),
    }));
    await client.writePoints(points, { batchSize: 1000 });
    expect(await rows('SELECT count("i"), sum("i") FROM "many"')).toEqual([
      ['1970-01-01T00:00:00Z', n, (n * (n - 1)) / 2],
    ]);
  });

  it('round-trips int64 extremes, nanosecond times, hard strings and keys exactly', async () => {
    const point = {
      measurement: 'odd measure,ment',
      tags: { 'ta g': 'v=a,l ue', uni: 'ünï😀' },
      fields: { max: 2n ** 63n - 1n, min: -(2n ** 63n), f: 0.1, s: 'a "quoted"\\ line\nnext', b: true },
      time: 1257894000123456789n,
    };
    await client.writePoints([point]);
    const rs = await client.query('SELECT * FROM "odd measure,ment"', { epoch: 'n' });
    expect([...rs.getPoints()]).toEqual([
      {
        time: 1257894000123456789n,
        b: true,
        f: 0.1,
        max: 9223372036854775807n,
        min: -9223372036854775808n,
        s: 'a "quoted"\\ line\nnext',
        'ta g': 'v=a,l ue',
        uni: 'ünï😀',
      },
    ]);
  });

  it('accepts line strings next to point objects (a newline inside a string field included)', async () => {
    await client.writePoints(['lines s="a\nb" 4']);
    expect(await rows('SELECT "s" FROM "lines" WHERE time = 4', 'ns')).toEqual([[4, 'a\nb']]);
    await client.writePoints([
      'lines v=1 1',
      { measurement: 'lines', fields: { v: 2 }, time: 2n },
      'lines v=3 3\n',
    ]);
    expect(await rows('SELECT "v" FROM "lines" WHERE time < 4', 'ns')).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('refuses a bad point before sending anything (no batch of it stored)', async () => {
    const bad = [
      { measurement: 'refused', fields: { v: 1 }, time: 1n },
      { measurement: 'refused', fields: { v: Number.NaN }, time: 2n },
    ];
    const err = await client.writePoints(bad).catch((e) => e);
    expect(err).toBeInstanceOf(InfluxValidationError);
    expect(err.message).toMatch(/points\[1\]\.v/);
    expect(await rows('SELECT * FROM "refused"')).toEqual([]);
    await expect(client.writePoints([''])).rejects.toBeInstanceOf(InfluxValidationError);
  });

  it('a bad point in a later batch is named by its index in the input; the batches before it are stored', async () => {
    const input = Array.from({ length: 9 }, (_, i) => ({
      measurement: 'later',
      fields: { v: i === 7 ? Number.NaN : i },
      time: BigInt(i),
    }));
    const err = await client.writePoints(input, { batchSize: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(InfluxValidationError);
    expect(err.where).toBe('points[7]');
    expect(err.property).toBe('v');
    expect(err.message).toMatch(/^points\[7\]\.v: /);
    expect((await rows('SELECT "v" FROM "later"', 'ns')).map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a body over maxBatchBytes is split (every point stored once)', async () => {
    const c = new InfluxDBClient({ ...serverAddress(), database: db, maxBatchBytes: 1024 });
    const input = Array.from({ length: 300 }, (_, i) => ({
      measurement: 'split',
      fields: { s: 'x'.repeat(40), i: BigInt(i) },
      time: BigInt(i),
    }));
    await c.writePoints([...input.slice(0, 150), 'split s="line",i=1000i 1000', ...input.slice(150)]);
    await c.close();
    expect(await rows('SELECT count("i"), sum("i") FROM "split"')).toEqual([
      ['1970-01-01T00:00:00Z', 301, (299 * 300) / 2 + 1000],
    ]);
  });

  it('a partial write raises InfluxDBPartialWriteError with the reason and dropped count; the rest is stored', async () => {
    await client.write('conflict v=1.5 1\n');
    const err = await client.writePoints(['conflict v=2 2', 'conflict v=3i 3', 'conflict v=4 4']).then(
      () => undefined,
      (e: unknown) => e as InfluxDBPartialWriteError,
    );
    if (err === undefined) throw new Error('the write should have failed');
    expect(err).toBeInstanceOf(InfluxDBPartialWriteError);
    expect(err).toBeInstanceOf(InfluxDBClientError);
    expect(err.status).toBe(400);
    expect(err.dropped).toBe(1);
    expect(err.reason).toMatch(/field type conflict/);
    expect(err.message).toMatch(/other lines of the request were stored/);
    expect(await rows('SELECT "v" FROM "conflict"', 'ns')).toEqual([
      [1, 1.5],
      [2, 2],
      [4, 4],
    ]);
  });

  it('an unknown database is a permanent InfluxDBClientError (404)', async () => {
    const err = await client.writePoints(['m v=1'], { database: uniqueDatabase('missing') }).catch((e) => e);
    expect(err).toBeInstanceOf(InfluxDBClientError);
    expect(err.status).toBe(404);
    expect(err.content).toMatch(/database not found/);
  });
});

describe('secrets in statements', () => {
  it('a statement with a password goes in a POST body, never in the URL, even with method GET', async () => {
    const agent = new RecordingAgent();
    const c = new InfluxDBClient({ ...serverAddress(), dispatcher: agent });
    const user = uniqueDatabase('u');
    await c.query(`CREATE USER "${user}" WITH PASSWORD 'pw-in-body'`, { method: 'GET' });
    await c.query(`SET PASSWORD FOR "${user}" = 'pw-in-body-2'`);
    await c.query(`DROP USER "${user}"`);
    await c.close();
    await agent.close();
    expect(agent.sent.map((s) => s.method)).toEqual(['POST', 'POST', 'POST']);
    for (const s of agent.sent) expect(s.path).not.toContain('pw-in-body');
  });
});

describe('write, commit and gzip', () => {
  it('write() sends line protocol strings and Buffers, or a JSON body', async () => {
    await client.write('w v=1 1\n');
    await client.write(Buffer.from('w v=2 2\n'));
    await client.write(
      { points: [{ fields: { v: 3 }, time: 3n }], measurement: 'w', tags: { t: 'x' } },
      { protocol: 'json' },
    );
    await client.write('w v=4 4', { precision: 's' });
    expect(await rows('SELECT "v" FROM "w"', 'ns')).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4_000_000_000, 4],
    ]);
  });

  it('commit(batch) writes a registry batch to its database, rp and precision', async () => {
    await client.commit({
      body: 'committed v=1 5\n',
      lineCount: 1,
      precision: 's',
      retentionPolicy: 'somepolicy',
    });
    const r = await rawQuery('SELECT "v" FROM "somepolicy"."committed"', db, { epoch: 's' });
    expect(r.results[0].series[0].values).toEqual([[5, 1]]);
    const other = uniqueDatabase('cw2');
    await rawQuery(`CREATE DATABASE "${other}"`);
    await client.commit({ body: 'c2 v=1 1\n', lineCount: 1, precision: 'n', database: other });
    const r2 = await rawQuery('SELECT "v" FROM "c2"', other);
    expect(r2.results[0].series[0].values).toHaveLength(1);
    await rawQuery(`DROP DATABASE "${other}"`);
  });

  it('commit(batch) posts batch.bytes when given (registry batches), and refuses bytes that are not bytes', async () => {
    await client.commit({
      // body is not read when bytes are given: a producer may decode it lazily
      get body(): string {
        throw new Error('body read');
      },
      bytes: new TextEncoder().encode('bytes_commit,t=é v=1 7\n'),
      lineCount: 1,
      precision: 's',
    });
    const r = await rawQuery('SELECT "v", "t" FROM "bytes_commit"', db, { epoch: 's' });
    expect(r.results[0].series[0].values).toEqual([[7, 1, 'é']]);
    await expect(
      client.commit({ body: 'x v=1\n', bytes: 'x v=1\n' as never, lineCount: 1, precision: 'n' }),
    ).rejects.toThrow(/commit\(batch\).*bytes.*must be a Uint8Array, got/);
    await client.commit({ body: 'never sent', bytes: new Uint8Array(0), lineCount: 0, precision: 'n' });
  });

  it('gzip: compresses write bodies and accepts gzip responses', async () => {
    const agent = new RecordingAgent();
    const c = new InfluxDBClient({ ...serverAddress(), database: db, gzip: true, dispatcher: agent });
    const lines = Array.from({ length: 2000 }, (_, i) => `gz,host=h${i % 3} v=${i} ${i}`);
    await c.writePoints(lines);
    const rs = await c.query('SELECT count("v") FROM "gz"');
    expect([...rs.getPoints()]).toEqual([{ time: '1970-01-01T00:00:00Z', count: 2000 }]);
    let n = 0;
    for await (const chunk of c.queryStream('SELECT * FROM "gz"', { chunkSize: 300 })) {
      for (const _ of chunk.getPoints()) n++;
    }
    expect(n).toBe(2000);
    await c.close();
    await agent.close();
    const write = agent.sent.find((s) => s.path.startsWith('/write'));
    expect(write?.headers['content-encoding']).toBe('gzip');
    expect(agent.sent.find((s) => s.path.startsWith('/query'))?.headers['accept-encoding']).toBe('gzip');
  });
});
