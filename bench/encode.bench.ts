/**
 * Line-protocol encoding speed: 1M points of the shape
 * `cpu,host=…,region=… cores=<int>i,ok=<bool>,usage=<float> <ns>` encoded by influx-models'
 * makeLines, node-influx's writePoints serializer and @influxdata/influxdb-client's
 * Point.toLineProtocol, all in the same run, on the same data. Prints points/s and ratios.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/encode.bench.js [totalPoints]
 *
 * Each encoder gets its natural input, built before timing: point objects with bigint ns times
 * for makeLines; `{ measurement, tags, fields, timestamp: '<ns digits>' }` with a schema (so
 * `cores` is written as an integer) for node-influx; pre-built Point objects for influxdb-client.
 * The same 100k-point batch is encoded repeatedly until the total is reached. The last row is the
 * floor: the number-to-text conversions alone, which every encoder pays.
 */
import { Point as ClientPoint } from '@influxdata/influxdb-client';
import { FieldType, InfluxDB as NodeInflux } from 'influx';
import { makeLines, type Point } from '../src/line-protocol/index.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = Math.min(100_000, TOTAL);
const ROUNDS = Math.max(1, Math.round(TOTAL / BATCH));
const T0 = 1_700_000_000_000_000_000n;

function makeData(): { points: Point[]; ni: unknown[]; ic: ClientPoint[] } {
  const points: Point[] = [];
  const ni: unknown[] = [];
  const ic: ClientPoint[] = [];
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 0; i < BATCH; i++) {
    const host = `host-${i % 100}`;
    const region = `region-${i % 5}`;
    const usage = rnd() * 100;
    const cores = BigInt(1 + (i % 64));
    const ok = i % 3 !== 0;
    const time = T0 + BigInt(i) * 1000n;
    points.push({ measurement: 'cpu', tags: { host, region }, fields: { cores, ok, usage }, time });
    ni.push({
      measurement: 'cpu',
      tags: { host, region },
      fields: { cores: Number(cores), ok, usage },
      timestamp: time.toString(),
    });
    ic.push(
      new ClientPoint('cpu')
        .tag('host', host)
        .tag('region', region)
        .intField('cores', Number(cores))
        .booleanField('ok', ok)
        .floatField('usage', usage)
        .timestamp(time.toString()),
    );
  }
  return { points, ni, ic };
}

interface Result {
  name: string;
  pps: number;
  bytes: number;
  sample: string;
}

function measure(name: string, encode: () => string): Result {
  encode(); // warm-up
  encode();
  let bytes = 0;
  let sample = '';
  const start = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) {
    const out = encode();
    bytes += out.length;
    if (r === 0) sample = out.slice(0, out.indexOf('\n'));
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, pps: (BATCH * ROUNDS) / secs, bytes, sample };
}

async function main(): Promise<void> {
  const { points, ni, ic } = makeData();

  const influx = new NodeInflux({
    database: 'bench',
    schema: [
      {
        measurement: 'cpu',
        tags: ['host', 'region'],
        fields: { cores: FieldType.INTEGER, ok: FieldType.BOOLEAN, usage: FieldType.FLOAT },
      },
    ],
  });
  // Capture node-influx's request body instead of sending it: its serializer is inlined in
  // writePoints, so this times exactly its encoding and nothing else.
  let captured = '';
  (influx as unknown as { _pool: { discard(o: { body: string }): Promise<void> } })._pool = {
    discard(o) {
      captured = o.body;
      return Promise.resolve();
    },
  };

  const results: Result[] = [];
  results.push(measure('influx-models makeLines', () => makeLines(points, 'n')));
  results.push(
    measure('node-influx writePoints (serializer)', () => {
      void influx.writePoints(ni as Parameters<typeof influx.writePoints>[0], { precision: 'n' });
      return `${captured}\n`;
    }),
  );
  results.push(
    measure('@influxdata/influxdb-client Point.toLineProtocol', () => {
      let out = '';
      for (let i = 0; i < ic.length; i++) out += `${(ic[i] as ClientPoint).toLineProtocol()}\n`;
      return out;
    }),
  );

  // The floor: only the number formatting every encoder must do (String(float), the int, the
  // BigInt time), without escaping, sorting or building any output.
  results.push(
    measure('floor: String(usage) + String(cores) + time.toString()', () => {
      let n = 0;
      for (let i = 0; i < points.length; i++) {
        const p = points[i] as Point;
        const f = p.fields as { usage: number; cores: bigint };
        n += String(f.usage).length + String(f.cores).length + (p.time as bigint).toString().length;
      }
      return `${n}\n`;
    }),
  );

  const ours = results[0] as Result;
  console.log(`node ${process.version}, ${BATCH * ROUNDS} points per encoder (batch ${BATCH} x ${ROUNDS})`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(50)} ${(r.pps / 1e6).toFixed(2).padStart(6)} M points/s  ` +
        `ours/this = ${(ours.pps / r.pps).toFixed(2)}x  ${(r.bytes / (BATCH * ROUNDS)).toFixed(1)} B/line`,
    );
    console.log(`  ${r.sample}`);
  }
}

await main();
