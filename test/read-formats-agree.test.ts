/**
 * An oracle test for the read path: random points written to a real influxd are read back through
 * every decoder the client has (msgpack whole and streamed at odd chunk sizes, exact JSON whole and
 * streamed, the repository's chunked mapping), and every reader must see exactly the same rows,
 * which must be exactly the values written. The JSON decoder and the msgpack reader share no code,
 * so a fast path in one that drifts shows up as a difference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Field,
  InfluxDBClient,
  Measurement,
  type Point,
  type ResultValue,
  Tag,
  Timestamp,
} from '../src/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('formats');
const N = 12_000;

let seed = 0x2545f491;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function anyFloat(): number {
  for (;;) {
    u32[0] = (rnd() * 2 ** 32) >>> 0;
    u32[1] = (rnd() * 2 ** 32) >>> 0;
    const v = f64[0] as number;
    if (Number.isFinite(v)) return v;
  }
}
const texts = ['', 'plain', 'é naïve', '東京', '🙂', 'a "quoted" \\ back', 'line\nbreak', 'x'.repeat(300)];
function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}
function anyInt(): bigint {
  const r = rnd();
  if (r < 0.1) return 2n ** 63n - 1n;
  if (r < 0.2) return -(2n ** 63n);
  if (r < 0.3) return BigInt(Math.floor(rnd() * 2 ** 53)) * (rnd() < 0.5 ? -1n : 1n);
  if (r < 0.4) return 2n ** 53n + BigInt(Math.floor(rnd() * 1000)) - 500n;
  return BigInt(Math.floor(rnd() * 2000)) - 1000n;
}

interface Written {
  host: string;
  f: number;
  i: bigint;
  s: string;
  b: boolean;
  time: bigint;
}
const written: Written[] = [];

@Measurement({ name: 'mixed' })
class Mixed {
  @Tag() declare host: string;
  @Field({ type: 'float' }) declare f: number;
  @Field({ type: 'integer' }) declare i: bigint;
  @Field({ type: 'string' }) declare s: string;
  @Field({ type: 'boolean' }) declare b: boolean;
  @Timestamp({ type: 'bigint' }) declare time: bigint;
}

let msgpack: InfluxDBClient;
let json: InfluxDBClient;

beforeAll(async () => {
  msgpack = new InfluxDBClient({ ...serverAddress(), database: db });
  json = new InfluxDBClient({ ...serverAddress(), database: db, responseFormat: 'json' });
  await msgpack.createDatabase(db);
  const points: Point[] = [];
  // Times spread over both sides of 1970 and up to the far future, all distinct.
  for (let k = 0; k < N; k++) {
    const w: Written = {
      host: `h${k % 7}`,
      f: rnd() < 0.05 ? -0 : rnd() < 0.5 ? anyFloat() : Math.round(rnd() * 1e6) / 1000,
      i: anyInt(),
      s: pick(texts),
      b: rnd() < 0.5,
      time: BigInt(k - N / 2) * 987_654_321_123n + 1_700_000_000_000_000_000n * BigInt(k % 3),
    };
    written.push(w);
    points.push({
      measurement: 'mixed',
      tags: { host: w.host },
      fields: { f: w.f, i: w.i, s: w.s, b: w.b },
      time: w.time,
    });
  }
  await msgpack.writePoints(points, { batchSize: 3000 });
});

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await msgpack.close();
  await json.close();
});

const Q = 'SELECT "b", "f", "host", "i", "s" FROM "mixed"';

function key(row: readonly ResultValue[]): string {
  return String(row[0]);
}

async function rowsOf(client: InfluxDBClient, stream: false | number): Promise<ResultValue[][]> {
  const out: ResultValue[][] = [];
  if (stream === false) {
    const rs = await client.query(Q, { epoch: 'n' });
    for (const s of rs.series) out.push(...((s.values ?? []) as ResultValue[][]));
  } else {
    for await (const rs of client.queryStream(Q, { epoch: 'n', chunkSize: stream })) {
      for (const s of rs.series) out.push(...((s.values ?? []) as ResultValue[][]));
    }
  }
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('every decoder reads back exactly what was written', () => {
  it('msgpack and JSON, whole and streamed at odd chunk sizes, agree with each other and with the input', async () => {
    const expected = [...written]
      .sort((a, b) => (String(a.time) < String(b.time) ? -1 : String(a.time) > String(b.time) ? 1 : 0))
      .map((w) => [
        w.time,
        w.b,
        w.f,
        w.host,
        w.i >= -(2n ** 53n - 1n) && w.i <= 2n ** 53n - 1n ? Number(w.i) : w.i,
        w.s,
      ]);
    const readers: [string, InfluxDBClient, false | number][] = [
      ['msgpack whole', msgpack, false],
      ['msgpack stream 1', msgpack, 1],
      ['msgpack stream 777', msgpack, 777],
      ['msgpack stream 10000', msgpack, 10_000],
      ['json whole', json, false],
      ['json stream 333', json, 333],
    ];
    for (const [name, client, stream] of readers) {
      const got = await rowsOf(client, stream);
      expect(got.length, name).toBe(N);
      for (let k = 0; k < N; k++) {
        const g = got[k] as ResultValue[];
        const e = expected[k] as ResultValue[];
        // JSON carries no types: an integral float of 16+ digits reads as a bigint of the server's
        // decimal text (documented); its Number() must still be the stored double
        const asJson = client === json;
        const same = (v: ResultValue, w: ResultValue | undefined, c: number) =>
          Object.is(v, w) ||
          (asJson &&
            c === 2 &&
            typeof v === 'bigint' &&
            typeof w === 'number' &&
            Math.abs(w) >= 2 ** 53 &&
            Number(v) === w);
        // Object.is keeps -0 apart from 0; toEqual alone would not
        if (!g.every((v, c) => same(v, e[c], c))) {
          expect({ reader: name, row: g }).toEqual({ reader: name, row: e });
        }
      }
    }
  });

  it('repository find() builds one instance per row, with the exact values', async () => {
    const found = await msgpack.repository(Mixed).find();
    expect(found).toHaveLength(N);
    const byTime = new Map(written.map((w) => [w.time, w]));
    for (const m of found) {
      const w = byTime.get(m.time) as Written;
      expect(
        Object.is(m.f, w.f) && m.i === w.i && m.s === w.s && m.b === w.b && m.host === w.host,
        String(m.time),
      ).toBe(true);
      expect(Object.isFrozen(m)).toBe(true);
    }
  });
});
