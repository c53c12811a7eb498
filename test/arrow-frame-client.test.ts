import {
  Bool,
  Dictionary,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampNanosecond,
  Uint8,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { FrameClient, frameKey } from '../src/arrow/index.js';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxValidationError } from '../src/errors.js';
import { count, createRepository, mean, sum } from '../src/query/index.js';
import { rawQuery, rawWrite, serverAddress, uniqueDatabase } from './helpers/server.js';

/** An exact int64-backed vector (apache-arrow's builders take timestamps as JS numbers). */
function big(type: TimestampNanosecond | Int64, values: (bigint | null)[]) {
  const data = new BigInt64Array(values.length);
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) nulls++;
    else {
      data[i] = v;
      bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
    }
  });
  return makeVector(
    makeData({ type: type as Int64, length: values.length, nullCount: nulls, data, nullBitmap: bitmap }),
  );
}

const db = uniqueDatabase('arrow');
let client: InfluxDBClient;
let frames: FrameClient;

beforeAll(async () => {
  client = new InfluxDBClient({ ...serverAddress(), database: db });
  frames = new FrameClient(client);
  await rawQuery(`CREATE DATABASE "${db}"`);
});

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await frames.close();
  await client.close();
});

describe('FrameClient against a real influxd', () => {
  it('round-trips a table with every column type and nulls, exactly', async () => {
    const times = [-1_000_000_000_123_456_789n, 0n, 1n, 1_700_000_000_123_456_789n];
    const table = new Table({
      time: big(new TimestampNanosecond(), times),
      host: vectorFromArray(['a b', 'c,d', null, 'e=f'], new Dictionary(new Utf8(), new Int32())),
      f: vectorFromArray([0.1, null, -1.7976931348623157e308, 5e-324], new Float64()),
      whole: vectorFromArray([1, 2, null, 3], new Float64()),
      i: big(new Int64(), [-(2n ** 63n) + 1n, null, 2n ** 63n - 1n, 42n]),
      small: vectorFromArray([1, 2, 3, null], new Uint8()),
      b: vectorFromArray([true, false, null, true], new Bool()),
      s: vectorFromArray(['say "hi"\\ \n é 😀', '', null, 'x'], new Utf8()),
    });
    const res = await frames.writeFrame(table, 'all types', { tagColumns: ['host'], batchSize: 3 });
    expect(res).toEqual({ written: 4, skipped: 0, requests: 2 });

    const out = await frames.queryTable('SELECT * FROM "all types"', { dropna: false });
    expect(out.numRows).toBe(4);
    expect(String(out.schema.fields.find((f) => f.name === 'time')?.type)).toBe('Timestamp<NANOSECOND, UTC>');
    const timeData = out.getChild('time')?.data.flatMap((d) => [...(d.values as BigInt64Array)]);
    expect(timeData).toEqual(times);
    const types = Object.fromEntries(out.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      f: 'Float64',
      whole: 'Float64',
      i: 'Int64',
      small: 'Int64',
      b: 'Bool',
      s: 'Utf8',
    });
    expect([...(out.getChild('host') ?? [])]).toEqual(['a b', 'c,d', null, 'e=f']);
    expect([...(out.getChild('f') ?? [])]).toEqual([0.1, null, -1.7976931348623157e308, 5e-324]);
    expect([...(out.getChild('whole') ?? [])]).toEqual([1, 2, null, 3]);
    const ints = out.getChild('i');
    expect([0, 1, 2, 3].map((k) => ints?.get(k))).toEqual([-(2n ** 63n) + 1n, null, 2n ** 63n - 1n, 42n]);
    expect([...(out.getChild('small') ?? [])]).toEqual([1n, 2n, 3n, null]);
    expect([...(out.getChild('b') ?? [])]).toEqual([true, false, null, true]);
    expect([...(out.getChild('s') ?? [])]).toEqual(['say "hi"\\ \n é 😀', '', null, 'x']);
  });

  it('skips and counts rows whose fields are all null; nothing is sent for a refused table', async () => {
    const table = new Table({
      time: big(new TimestampNanosecond(), [1n, 2n, 3n]),
      v: vectorFromArray([1.5, null, Number.NaN], new Float64()),
    });
    await expect(frames.writeFrame(table, 'skips')).rejects.toThrow(InfluxValidationError);
    const none = await rawQuery('SELECT count(*) FROM "skips"', db);
    expect(none.results[0].series).toBeUndefined();
    const res = await frames.writeFrame(table, 'skips', { nanAsNull: true });
    expect(res).toEqual({ written: 1, skipped: 2, requests: 1 });
    const back = await frames.queryFrames('SELECT * FROM "skips"');
    expect([...back.keys()]).toEqual(['skips']);
    expect(back.get('skips')?.numRows).toBe(1);
  });

  it('DF03: GROUP BY result keyed by measurement and sorted tags; typed columns', async () => {
    // The seed's reference has three identical (series, time) rows, which a real server stores once;
    // distinct times keep the shape.
    const body = [
      'network value=23422i 1257894000000000000',
      'network,direction=in value=23422i 1257894000000000000',
      'network,direction=in value=23422i 1257894000000000001',
      'network,direction=in value=23422i 1257894000000000002',
    ].join('\n');
    expect((await rawWrite(body, db)).status).toBe(204);
    const out = await frames.queryFrames('SELECT "value" FROM "network" GROUP BY "direction"');
    expect([...out.keys()]).toEqual(['network,direction=', 'network,direction=in']);
    expect(frameKey('network', { direction: 'in' })).toBe('network,direction=in');
    const a = out.get('network,direction=') as Table;
    const b = out.get('network,direction=in') as Table;
    expect(a.schema.fields.map((f) => f.name)).toEqual(['time', 'value']);
    expect(String(a.schema.fields[1]?.type)).toBe('Int64');
    expect([...(a.getChild('value') ?? [])]).toEqual([23422n]);
    expect(b.numRows).toBe(3);
    expect(b.schema.metadata.get('influx.tags')).toBe('{"direction":"in"}');
    expect([...(b.getChild('time')!.data[0]!.values as BigInt64Array)]).toEqual([
      1257894000000000000n,
      1257894000000000001n,
      1257894000000000002n,
    ]);

    // One table with the GROUP BY tag as a column (the option users of the Python client asked for).
    const one = await frames.queryTable('SELECT "value" FROM "network" GROUP BY "direction"');
    expect(one.schema.fields.map((f) => f.name)).toEqual(['time', 'direction', 'value']);
    expect([...(one.getChild('direction') ?? [])]).toEqual(['', 'in', 'in', 'in']);
  });

  it('DF03: multi-statement, dropna, count as integer; empty result', async () => {
    const body = [
      'cpu_load_short value=0.55,value2=0.254 1422568543702900257',
      'cpu_load_short value=23422,value2=122878 1422568543702900258',
      'cpu_load_short value=0.64,value2=0.5434 1434055562000000000',
    ].join('\n');
    expect((await rawWrite(body, db)).status).toBe(204);
    const q =
      'SELECT "value", "value2", "value3" FROM "cpu_load_short"; SELECT count("value") FROM "cpu_load_short"';
    const [sel, cnt] = await frames.queryFramesMany(q);
    const t = sel?.get('cpu_load_short') as Table;
    expect(t.schema.fields.map((f) => f.name)).toEqual(['time', 'value', 'value2']);
    expect([...(t.getChild('value') ?? [])]).toEqual([0.55, 23422, 0.64]);
    expect(String(t.schema.fields[1]?.type)).toBe('Float64'); // a float field holding a whole number
    const c = cnt?.get('cpu_load_short') as Table;
    expect(String(c.schema.fields.find((f) => f.name === 'count')?.type)).toBe('Int64');
    expect([...(c.getChild('count') ?? [])]).toEqual([3n]);
    const [keep] = await frames.queryFramesMany(q, { dropna: false });
    expect(keep?.get('cpu_load_short')?.schema.fields.map((f) => f.name)).toEqual([
      'time',
      'value',
      'value2',
      'value3',
    ]);
    expect((await frames.queryFrames('SELECT * FROM "nothing_here"')).size).toBe(0);
  });

  it('streams a chunked result into several record batches, exact', async () => {
    const n = 50;
    const times = Array.from({ length: n }, (_, i) => 1_600_000_000_000_000_000n + BigInt(i) * 7n);
    const table = new Table({
      time: big(new TimestampNanosecond(), times),
      k: vectorFromArray(
        Array.from({ length: n }, (_, i) => `h${i % 3}`),
        new Utf8(),
      ),
      v: big(
        new Int64(),
        Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_007n),
      ),
    });
    await frames.writeFrame(table, 'streamed', { tagColumns: ['k'] });
    const out = await frames.queryTable('SELECT "v" FROM "streamed" GROUP BY "k"', { chunkSize: 7 });
    expect(out.batches.length).toBeGreaterThan(3);
    expect(out.numRows).toBe(n);
    // Timestamp vectors `get` as milliseconds; compare the exact ns from the data buffers instead.
    const exact = out.getChild('time')?.data.flatMap((d) => [...(d.values as BigInt64Array)]) ?? [];
    const ks = [...(out.getChild('k') ?? [])];
    const vs = [...(out.getChild('v') ?? [])];
    const got = exact.map((t, i) => `${t}:${ks[i]}:${vs[i]}`).sort();
    const want = times.map((t, i) => `${t}:h${i % 3}:${BigInt(i) * 1_000_000_007n}`).sort();
    expect(got).toEqual(want);
  });

  it('queryTable over several measurements needs measurementColumn', async () => {
    expect((await rawWrite('m_one v=1 1\nm_two v=2 2', db)).status).toBe(204);
    await expect(frames.queryTable('SELECT * FROM "m_one", "m_two"')).rejects.toThrow(/measurementColumn/);
    const t = await frames.queryTable('SELECT * FROM "m_one", "m_two"', { measurementColumn: 'measurement' });
    expect([...(t.getChild('measurement') ?? [])]).toEqual(['m_one', 'm_two']);
    expect([...(t.getChild('v') ?? [])]).toEqual([1, 2]);
  });
});

describe('FrameClient reads typed query builders', () => {
  @Measurement({ name: 'bcpu', database: db })
  class BCpu {
    @Tag() host!: Tag;
    @Field() usage!: number;
    @Field({ type: 'integer' }) cores!: number;
    @Timestamp() time?: Date;
  }

  beforeAll(async () => {
    const w = await rawWrite(
      [
        'bcpu,host=web-1 usage=1,cores=4i 1000000000',
        'bcpu,host=web-1 usage=2,cores=4i 2000000000',
        'bcpu,host=web-2 usage=3,cores=8i 1500000000',
        'bcpu,host=db-1 usage=9,cores=16i 1000000000',
      ].join('\n'),
      db,
    );
    expect(w.status).toBe(204);
  });

  it('queryTable(builder): bound values carried over, model field types (whole floats stay Float64)', async () => {
    const repo = createRepository(client, BCpu);
    const q = repo.query().select('usage', 'cores').where('host', '=~', /^web-/).where('usage', '>=', 2);
    expect(q.toInfluxQL().params).toEqual({ p0: 2 });
    const t = await frames.queryTable(q);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['time', 'usage', 'cores']);
    expect(t.getChild('usage')!.type).toBeInstanceOf(Float64);
    expect(t.getChild('cores')!.type).toBeInstanceOf(Int64);
    expect([...t.getChild('usage')!.toArray()]).toEqual([3, 2]);
    expect([...t.getChild('cores')!.toArray()]).toEqual([8n, 4n]);
    // the same rows as the builder's own all()
    const rows = await q.all();
    expect(rows.map((r) => [r.usage, r.cores])).toEqual([
      [3, 8],
      [2, 4],
    ]);
  });

  it('queryFrames(builder): one table per group, aggregates typed', async () => {
    const repo = createRepository(client, BCpu);
    const q = repo
      .query()
      .select(mean('usage').as('avg'), sum('cores'), count('usage'))
      .where('host', '!=', 'db-1')
      .groupBy('host');
    const byHost = await frames.queryFrames(q);
    expect([...byHost.keys()]).toEqual(['bcpu,host=web-1', 'bcpu,host=web-2']);
    const web1 = byHost.get('bcpu,host=web-1')!;
    expect(web1.getChild('avg')!.toArray()[0]).toBe(1.5);
    expect(web1.getChild('sum')!.type).toBeInstanceOf(Int64);
    expect(web1.getChild('sum')!.toArray()[0]).toBe(8n);
    expect(web1.getChild('count')!.toArray()[0]).toBe(2n);
  });

  it('refuses bindParams that collide with the builder’s own', async () => {
    const repo = createRepository(client, BCpu);
    const q = repo.query().select('usage').where('host', '=', 'web-1');
    await expect(frames.queryTable(q, { bindParams: { p0: 'x' } })).rejects.toThrow(
      /\$p0 is bound by the query builder/,
    );
    const t = await frames.queryTable(q, { bindParams: { other: 'x' } });
    expect(t.numRows).toBe(2);
  });
});
