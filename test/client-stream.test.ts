import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxAbortError, InfluxDBClientError } from '../src/errors.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('cs');
const ROWS = 200_000;

beforeAll(async () => {
  await rawQuery(`CREATE DATABASE "${db}"`);
  const writer = new InfluxDBClient({ ...serverAddress(), database: db });
  function* points() {
    for (let i = 0; i < ROWS; i++) {
      yield {
        measurement: 'big',
        tags: { host: `h${i % 4}` },
        fields: { i: BigInt(i), f: i / 3 },
        time: BigInt(i) * 1000n + 7n,
      };
    }
  }
  await writer.writePoints(points(), { batchSize: 10_000 });
  await writer.close();
}, 120_000);

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
});

for (const responseFormat of ['msgpack', 'json'] as const) {
  describe(`queryStream over ${responseFormat}`, () => {
    let client: InfluxDBClient;
    beforeAll(() => {
      client = new InfluxDBClient({ ...serverAddress(), database: db, responseFormat });
    });
    afterAll(async () => {
      await client.close();
    });

    it(`streams ${ROWS} rows in chunks, counted exactly, with loosely flat memory`, async () => {
      global.gc?.();
      const before = process.memoryUsage().heapUsed;
      let rows = 0;
      let chunks = 0;
      let sum = 0n;
      let peak = 0;
      let lastTime = -1n;
      let ordered = true;
      for await (const rs of client.queryStream('SELECT "i", "f" FROM "big"', {
        chunkSize: 10_000,
        epoch: 'ns',
      })) {
        chunks++;
        for (const row of rs.getPoints('big')) {
          rows++;
          sum += BigInt(row.i as number);
          const t = row.time as bigint;
          if (t <= lastTime) ordered = false;
          lastTime = t;
        }
        if (chunks % 5 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
      expect(rows).toBe(ROWS);
      expect(chunks).toBe(ROWS / 10_000);
      expect(sum).toBe(BigInt((ROWS * (ROWS - 1)) / 2));
      expect(ordered).toBe(true);
      expect(lastTime).toBe(BigInt(ROWS - 1) * 1000n + 7n);
      // The whole result decoded at once takes well over 100 MB of heap; a few chunks stay far below.
      expect(peak).toBeLessThan(100 * 1024 * 1024);
    });

    it('breaking out of the loop stops the request; the client stays usable', async () => {
      let seen = 0;
      for await (const rs of client.queryStream('SELECT * FROM "big"', { chunkSize: 1000 })) {
        seen += rs.series[0]?.values?.length ?? 0;
        if (seen >= 3000) break;
      }
      expect(seen).toBe(3000);
      const rs = await client.query('SELECT count("i") FROM "big"');
      expect([...rs.getPoints()][0]?.count).toBe(ROWS);
    });

    it('a statement error in the middle of the stream throws after the earlier chunks', async () => {
      const q = 'SELECT "i" FROM "big" WHERE time < 5000000; SELECT mean("s") FROM "strs"';
      await client.write('strs s="x" 1\n');
      let rows = 0;
      const err = await (async () => {
        for await (const rs of client.queryStream(q, { chunkSize: 1000 })) {
          for (const _ of rs.getPoints()) rows++;
        }
      })().catch((e) => e);
      expect(rows).toBe(5000);
      expect(err).toBeInstanceOf(InfluxDBClientError);
      expect(err.content).toMatch(/unsupported mean iterator type/);
      const kept: (string | undefined)[] = [];
      for await (const rs of client.queryStream(q, { chunkSize: 1000, raiseErrors: false }))
        kept.push(rs.error);
      expect(kept.at(-1)).toMatch(/unsupported mean iterator type/);
    });

    it('a consumer slower than the server gets every row in order (the socket waits, nothing is dropped)', async () => {
      let rows = 0;
      let last = -1n;
      let chunks = 0;
      for await (const rs of client.queryStream('SELECT "i" FROM "big" WHERE time < 60000000', {
        chunkSize: 5000,
        epoch: 'ns',
      })) {
        chunks++;
        await new Promise((r) => setTimeout(r, 20)); // the server keeps sending meanwhile
        for (const row of rs.getPoints()) {
          const t = row.time as bigint;
          if (t <= last) throw new Error(`out of order at row ${rows}`);
          last = t;
          rows++;
        }
        if (chunks === 6) {
          // and leaving while chunks are waiting still ends cleanly
          break;
        }
      }
      expect(chunks).toBe(6);
      expect(rows).toBe(30_000);
      let all = 0;
      for await (const rs of client.queryStream('SELECT "i" FROM "big" WHERE time < 60000000', {
        chunkSize: 5000,
      })) {
        await new Promise((r) => setTimeout(r, 5));
        all += rs.series[0]?.values?.length ?? 0;
      }
      expect(all).toBe(60_000);
    });

    it('an AbortSignal stops the stream with InfluxAbortError', async () => {
      const controller = new AbortController();
      let seen = 0;
      const err = await (async () => {
        for await (const rs of client.queryStream('SELECT * FROM "big"', {
          chunkSize: 500,
          signal: controller.signal,
        })) {
          seen += rs.series[0]?.values?.length ?? 0;
          if (seen === 1000) controller.abort();
        }
      })().catch((e) => e);
      expect(err).toBeInstanceOf(InfluxAbortError);
      expect(seen).toBeLessThan(ROWS);
    });
  });
}
