/**
 * Writing case: `--case NAME --rows N --url URL --db DB`. Writes N points of bench/lib/shape.ts
 * into database DB (which the runner created, and counts afterwards) in batches of 5000 with 4
 * requests in flight, and prints a CaseResult. Input is built before the clock starts; every
 * client makes one small request first (connection open, HTTP parser warm), as in a running
 * service.
 *   - `floor`: the bodies pre-encoded, posted by a bare undici loop (no encoding in the time);
 *   - `writePoints`: `InfluxDBClient#writePoints` from point objects (encoding included);
 *   - `instances`: model instances autocommitted by the registry through the client (construction,
 *     validation and encoding included);
 *   - `instances-spool`: the same with the registry's durable spool on (`spool: { dir }` in a temp
 *     directory: every point appended to a segment file at the end of its tick, acknowledged after
 *     the server accepted its batch);
 *   - `node-influx`: node-influx `writePoints` of 5000 points, 4 calls in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IPoint, InfluxDB as NodeInflux } from 'influx';
import { Pool } from 'undici';
import {
  configureSeries,
  Field,
  InfluxDBClient,
  Measurement,
  makeLinesBytes,
  type Point,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../../src/index.js';
import { CpuDeclared } from '../lib/models.js';
import {
  arg,
  BATCH,
  batches,
  CONCURRENCY,
  NODE_INFLUX_SCHEMA,
  nodeInfluxPoint,
  point,
  report,
  row,
  since,
  start,
} from '../lib/shape.js';

const name = arg('--case');
const n = Number(arg('--rows'));
const url = new URL(arg('--url'));
const db = arg('--db');

/** Runs `tasks` with at most CONCURRENCY promises in flight; rejects on the first failure. */
async function inFlight<T>(items: T[], send: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await send(items[next++] as T);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function main(): Promise<void> {
  switch (name) {
    case 'floor': {
      const bodies = batches(n, BATCH, point).map((b) => makeLinesBytes(b, 'n'));
      const pool = new Pool(url.origin, { connections: CONCURRENCY });
      const path = `/write?${new URLSearchParams({ db, precision: 'n' })}`;
      const post = async (body: Uint8Array) => {
        const res = await pool.request({ path, method: 'POST', body });
        const text = await res.body.text();
        if (res.statusCode !== 204) throw new Error(`write failed: ${res.statusCode} ${text}`);
      };
      await post(new TextEncoder().encode('warm v=1 1\n'));
      const t0 = start();
      await inFlight(bodies, post);
      const seconds = since(t0);
      await pool.close();
      report(seconds, n);
      return;
    }
    case 'writePoints': {
      const client = new InfluxDBClient({ host: url.hostname, port: Number(url.port), database: db });
      const points: Point[] = [];
      for (let i = 0; i < n; i++) points.push(point(i));
      await client.write('warm v=1 1\n');
      const t0 = start();
      await client.writePoints(points, { batchSize: BATCH, timePrecision: 'n' });
      const seconds = since(t0);
      await client.close();
      report(seconds, n);
      return;
    }
    case 'instances':
    case 'instances-spool': {
      const client = new InfluxDBClient({ host: url.hostname, port: Number(url.port), database: db });
      const options = {
        sink: client,
        bulkSize: BATCH,
        concurrency: CONCURRENCY,
        flushInterval: 0,
        maxPending: 4 * CONCURRENCY * BATCH,
      };
      const dir = name === 'instances-spool' ? mkdtempSync(join(tmpdir(), 'bench-spool-')) : undefined;
      // the default registry, or one with the spool on (the same model class, bound to it)
      const registry =
        dir === undefined ? configureSeries(options) : new SeriesRegistry({ ...options, spool: { dir } });
      // CpuDeclared (bench/lib/models.ts), bound to the spooled registry
      @Measurement({ name: 'cpu', registry })
      class CpuSpooled extends SeriesModel<CpuSpooled> {
        @Tag() declare host: string;
        @Tag() declare region: string;
        @Field({ type: 'float' }) declare usage: number;
        @Field({ type: 'integer' }) declare cores: number;
        @Field({ type: 'boolean' }) declare ok: boolean;
        @Timestamp({ type: 'bigint' }) declare time: bigint;
      }
      const Model = dir === undefined ? CpuDeclared : CpuSpooled;
      const input = batches(n, BATCH, row);
      await client.write('warm v=1 1\n');
      const t0 = start();
      for (let b = 0; b < input.length; b++) {
        if (!registry.hasCapacity(BATCH)) await registry.waitForCapacity(BATCH);
        const rows = input[b] as ReturnType<typeof row>[];
        for (let i = 0; i < rows.length; i++) new Model(rows[i] as ReturnType<typeof row>);
      }
      const result = await registry.close();
      const seconds = since(t0);
      await client.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      if (result.failed + result.abandoned > 0)
        throw new Error(`registry lost ${result.failed + result.abandoned} points`);
      report(seconds, n);
      return;
    }
    case 'node-influx': {
      const influx = new NodeInflux({
        host: url.hostname,
        port: Number(url.port),
        database: db,
        schema: NODE_INFLUX_SCHEMA,
      });
      const input = batches<IPoint>(n, BATCH, nodeInfluxPoint);
      await influx.writeMeasurement('warm', [{ fields: { v: 1 }, timestamp: '1' }], { precision: 'n' });
      const t0 = start();
      await inFlight(input, (b) => influx.writePoints(b, { precision: 'n' }));
      report(since(t0), n);
      return;
    }
    default:
      throw new Error(`unknown write case ${name}`);
  }
}

await main();
