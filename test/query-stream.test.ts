import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import { createRepository } from '../src/query/index.js';
import { rawQuery, rawWrite, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('query_stream');
const ROWS = 200_000;
const T0 = 1_600_000_000_000_000_000n;

@Measurement({ name: 'big', database: db })
class Big {
  @Tag() host!: string;
  @Field({ type: 'float' }) v!: number;
  @Field({ type: 'integer', integerAs: 'bigint' }) i!: bigint;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

let client: InfluxDBClient;

beforeAll(async () => {
  const { host, port } = serverAddress();
  client = new InfluxDBClient({ host, port, database: db });
  await rawQuery(`CREATE DATABASE "${db}"`);
  for (let start = 0; start < ROWS; start += 50_000) {
    let body = '';
    for (let k = start; k < start + 50_000; k++)
      body += `big,host=h${k % 4} v=${k / 7},i=${k}i ${T0 + BigInt(k)}\n`;
    expect((await rawWrite(body, db, 'n')).status).toBe(204);
  }
}, 120_000);

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await client?.close();
});

describe('stream()', () => {
  it('streams 200k instances in flat memory, exact to the nanosecond', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    let last = -1n;
    for await (const p of createRepository(client, Big).stream({ chunkSize: 5000 })) {
      expect(p.at > last).toBe(true);
      last = p.at;
      if (p.i !== BigInt(p.at - T0)) throw new Error(`row ${n}: i=${p.i} at=${p.at}`);
      n++;
      if (n % 20_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    expect(n).toBe(ROWS);
    expect(last).toBe(T0 + BigInt(ROWS - 1));
    // 200k frozen instances held at once take well over 40 MB; a stream holds one chunk.
    expect(peak).toBeLessThan(24 * 1024 * 1024);
  });
});
