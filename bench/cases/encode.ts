/**
 * Encoding case: `--case NAME --rows N`. Encodes N points of bench/lib/shape.ts in batches of
 * 5000 (the write batch size) and prints a CaseResult. The input of every encoder is built before
 * the clock starts, in the form that encoder takes:
 *   - `floor`: only the number-to-text conversions (float, bigint integer, bigint time);
 *   - `points`: influx-models `makeLinesBytes` from point objects (`cores` a bigint, time a bigint);
 *   - `instances-declared` / `instances-fields` / `instances-defined`: constructing model instances
 *     (decorators with `declare` fields, with class fields, or `defineMeasurement`), which validates
 *     each one and writes its line into the class buffer (the registry's sink discards batches),
 *     from prepared property objects;
 *   - `node-influx`: node-influx's serializer (inlined in `writePoints`: its pool is replaced by a
 *     function that keeps the body), with a schema so `cores` is an integer;
 *   - `influxdb-client`: `@influxdata/influxdb-client`'s `Point#toLineProtocol`, lines joined.
 */
import { Point as ClientPoint } from '@influxdata/influxdb-client';
import { type IPoint, InfluxDB as NodeInflux } from 'influx';
import {
  type CommitBatch,
  configureSeries,
  defaultRegistry,
  makeLinesBytes,
  type Point,
} from '../../src/index.js';
import { CpuDeclared, CpuDefined, CpuFields } from '../lib/models.js';
import {
  arg,
  BATCH,
  batches,
  MEASUREMENT,
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

function firstLine(b: Uint8Array | string): string {
  const s = typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  const k = s.indexOf('\n');
  return k < 0 ? s : s.slice(0, k);
}

async function main(): Promise<void> {
  switch (name) {
    case 'floor': {
      // What every encoder pays whatever its design: the float, the integer and the nanosecond
      // time turned into text (as point objects hold them), and nothing else.
      const input = batches(n, BATCH, (i) => {
        const r = row(i);
        return { usage: r.usage, cores: BigInt(r.cores), time: r.time };
      });
      let bytes = 0;
      const t0 = start();
      for (let b = 0; b < input.length; b++) {
        const rows = input[b] as { usage: number; cores: bigint; time: bigint }[];
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i] as { usage: number; cores: bigint; time: bigint };
          bytes += String(r.usage).length + String(r.cores).length + r.time.toString().length;
        }
      }
      report(since(t0), n, { bytes });
      return;
    }
    case 'points': {
      const input = batches<Point>(n, BATCH, point);
      let bytes = 0;
      let sample = '';
      const t0 = start();
      for (let b = 0; b < input.length; b++) {
        const out = makeLinesBytes(input[b] as Point[], 'n');
        bytes += out.byteLength;
        if (b === 0) sample = firstLine(out);
      }
      report(since(t0), n, { bytes, sample });
      return;
    }
    case 'instances-declared':
    case 'instances-fields':
    case 'instances-defined': {
      const Model =
        name === 'instances-declared' ? CpuDeclared : name === 'instances-fields' ? CpuFields : CpuDefined;
      let bytes = 0;
      let sample = '';
      configureSeries({
        sink: {
          // Reads what an HTTP sink sends (the batch's bytes), not the decoded text.
          commit(batch: CommitBatch) {
            const body = batch.bytes ?? batch.body;
            if (sample === '') sample = firstLine(body);
            bytes += typeof body === 'string' ? body.length : body.byteLength;
            return Promise.resolve();
          },
        },
        bulkSize: BATCH,
        flushInterval: 0,
        maxPending: 4 * BATCH,
      });
      const input = batches(n, BATCH, row);
      const t0 = start();
      for (let b = 0; b < input.length; b++) {
        if (!defaultRegistry.hasCapacity(BATCH)) await defaultRegistry.waitForCapacity(BATCH);
        const rows = input[b] as ReturnType<typeof row>[];
        for (let i = 0; i < rows.length; i++) new Model(rows[i] as ReturnType<typeof row>);
      }
      await defaultRegistry.flush();
      const seconds = since(t0);
      await defaultRegistry.close();
      report(seconds, n, { bytes, sample });
      return;
    }
    case 'node-influx': {
      const influx = new NodeInflux({
        database: 'bench',
        schema: NODE_INFLUX_SCHEMA,
      });
      let body = '';
      (influx as unknown as { _pool: { discard(o: { body: string }): Promise<void> } })._pool = {
        discard(o) {
          body = o.body;
          return Promise.resolve();
        },
      };
      const input = batches<IPoint>(n, BATCH, nodeInfluxPoint);
      let bytes = 0;
      let sample = '';
      const t0 = start();
      for (let b = 0; b < input.length; b++) {
        await influx.writePoints(input[b] as IPoint[], { precision: 'n' });
        bytes += body.length + 1;
        if (b === 0) sample = firstLine(body);
      }
      report(since(t0), n, { bytes, sample });
      return;
    }
    case 'influxdb-client': {
      const input = batches(n, BATCH, (i) => {
        const r = row(i);
        return new ClientPoint(MEASUREMENT)
          .tag('host', r.host)
          .tag('region', r.region)
          .intField('cores', r.cores)
          .booleanField('ok', r.ok)
          .floatField('usage', r.usage)
          .timestamp(r.time.toString());
      });
      let bytes = 0;
      let sample = '';
      const t0 = start();
      for (let b = 0; b < input.length; b++) {
        const pts = input[b] as ClientPoint[];
        const lines: string[] = [];
        for (let i = 0; i < pts.length; i++) lines.push((pts[i] as ClientPoint).toLineProtocol() as string);
        const body = `${lines.join('\n')}\n`;
        bytes += body.length;
        if (b === 0) sample = firstLine(body);
      }
      report(since(t0), n, { bytes, sample });
      return;
    }
    default:
      throw new Error(`unknown encode case ${name}`);
  }
}

await main();
