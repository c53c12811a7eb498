/**
 * Line-protocol encoding speed: 1M points of the shape
 * `cpu,host=…,region=… cores=<int>i,ok=<bool>,usage=<float> <ns>` encoded by influx-models'
 * makeLines / makeLinesBytes and by constructing model instances, node-influx's writePoints
 * serializer and @influxdata/influxdb-client's Point.toLineProtocol, all in the same run, on the
 * same data. Prints points/s and the ratio of each row to node-influx.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/encode.bench.js [totalPoints] [batchSize]
 * (batchSize defaults to 100000; 5000 is the write batch of bench/lib/shape.ts).
 *
 * Each encoder gets its natural input, built before timing: point objects with bigint ns times
 * for makeLines; property objects for the models (constructing validates each instance, writes
 * its line into the class buffer and buffers it; the registry's sink discards the batches);
 * `{ measurement, tags, fields, timestamp: '<ns digits>' }` with a schema (so `cores` is written
 * as an integer) for node-influx; pre-built Point objects for influxdb-client. The same 100k-point
 * batch is encoded repeatedly until the total is reached. Each row runs in a process of its own
 * (so that no encoder pays for another's garbage or heap growth), over the whole total twice (a
 * warm-up pass, then the measured one). The last row is the floor: the
 * number-to-text conversions alone, which every encoder pays.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Point as ClientPoint } from '@influxdata/influxdb-client';
import { FieldType, InfluxDB as NodeInflux } from 'influx';
import {
  type CommitSink,
  defineMeasurement,
  Field,
  Measurement,
  makeLines,
  makeLinesBytes,
  type Point,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../src/index.js';

const ROW = process.argv.indexOf('--row') > 0 ? Number(process.argv[process.argv.indexOf('--row') + 1]) : -1;
const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = Math.min(Number(process.argv[3] ?? 100_000), TOTAL);
const ROUNDS = Math.max(1, Math.round(TOTAL / BATCH));
const T0 = 1_700_000_000_000_000_000n;

const discard: CommitSink = { commit: () => Promise.resolve() };
const registry = new SeriesRegistry({ sink: discard, bulkSize: 5000, maxPending: 400_000, flushInterval: 0 });

const CpuDefined = defineMeasurement({
  name: 'cpu',
  tags: ['host', 'region'],
  fields: { usage: 'float', cores: 'integer', ok: 'boolean' },
  timestamp: { property: 'time', type: 'bigint' },
  bulkSize: 5000,
  registry,
});

@Measurement({ name: 'cpu', bulkSize: 5000, registry })
class CpuDeclared extends SeriesModel<CpuDeclared> {
  @Tag() declare host: string;
  @Tag() declare region: string;
  @Field({ type: 'float' }) declare usage: number;
  @Field({ type: 'integer' }) declare cores: number;
  @Field({ type: 'boolean' }) declare ok: boolean;
  @Timestamp({ type: 'bigint' }) declare time: bigint;
}

@Measurement({ name: 'cpu', bulkSize: 5000, registry })
class CpuFields extends SeriesModel<CpuFields> {
  @Tag() host!: string;
  @Tag() region!: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Field({ type: 'boolean' }) ok!: boolean;
  @Timestamp({ type: 'bigint' }) time!: bigint;
}

interface Row {
  host: string;
  region: string;
  usage: number;
  cores: number;
  ok: boolean;
  time: bigint;
}

function makeData(): { points: Point[]; rows: Row[]; ni: unknown[]; ic: ClientPoint[] } {
  const points: Point[] = [];
  const rows: Row[] = [];
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
    rows.push({ host, region, usage, cores: Number(cores), ok, time });
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
  return { points, rows, ni, ic };
}

interface Result {
  name: string;
  pps: number;
  /** Bytes per line, when the encoder returns its output. */
  bytesPerLine: number | undefined;
  sample: string;
}

/**
 * Times `encode` (one batch, returning its output or undefined) over the total, twice (the first
 * pass warms up). `settle` runs between batches, untimed (the models let their discarded batches
 * settle there, as an application would between bursts); `sample` gives the first line.
 */
async function measure(
  name: string,
  encode: () => string | Uint8Array | undefined,
  settle?: () => Promise<void>,
  sample?: () => string,
): Promise<Result> {
  let bytes = 0;
  let first = '';
  let secs = 0;
  for (let pass = 0; pass < 2; pass++) {
    bytes = 0;
    secs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const start = process.hrtime.bigint();
      const out = encode();
      secs += Number(process.hrtime.bigint() - start) / 1e9;
      if (out !== undefined) bytes += out.length;
      if (r === 0) {
        if (typeof out === 'string') first = out.slice(0, out.indexOf('\n'));
        else if (out !== undefined) first = Buffer.from(out.subarray(0, out.indexOf(0x0a))).toString();
        else if (sample !== undefined) first = sample();
      }
      if (settle !== undefined) await settle();
    }
  }
  const n = BATCH * ROUNDS;
  return { name, pps: n / secs, bytesPerLine: bytes > 0 ? bytes / n : undefined, sample: first };
}

async function main(): Promise<void> {
  const { points, rows, ni, ic } = makeData();

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

  // Between model batches: let the discarded batches settle (maxPending stays bounded).
  const settle = async (): Promise<void> => {
    await registry.flush();
  };
  const construct =
    (Model: new (row: Row) => object): (() => undefined) =>
    () => {
      for (let i = 0; i < rows.length; i++) new Model(rows[i] as Row);
      return undefined;
    };
  // The first line a model writes, built outside the timed part.
  const modelSample = (): string => {
    const r = new SeriesRegistry({ sink: discard, autocommit: false });
    const M = defineMeasurement({
      name: 'cpu',
      tags: ['host', 'region'],
      fields: { usage: 'float', cores: 'integer', ok: 'boolean' },
      timestamp: { property: 'time', type: 'bigint' },
      registry: r,
    });
    new M(rows[0] as Row);
    return M.pendingLines()[0] as string;
  };

  const rowsToRun: [string, () => Promise<Result>][] = [
    [
      'node-influx',
      () =>
        measure('node-influx writePoints (serializer)', () => {
          void influx.writePoints(ni as Parameters<typeof influx.writePoints>[0], { precision: 'n' });
          return `${captured}\n`;
        }),
    ],
    ['makeLines', () => measure('influx-models makeLines', () => makeLines(points, 'n'))],
    ['makeLinesBytes', () => measure('influx-models makeLinesBytes', () => makeLinesBytes(points, 'n'))],
    ['defined', () => measure('models: new (defineMeasurement)', construct(CpuDefined), settle, modelSample)],
    [
      'declared',
      () => measure('models: new (decorated, declare fields)', construct(CpuDeclared), settle, modelSample),
    ],
    ['fields', () => measure('models: new (decorated fields)', construct(CpuFields), settle, modelSample)],
    [
      'influxdb-client',
      () =>
        measure('@influxdata/influxdb-client Point.toLineProtocol', () => {
          let out = '';
          for (let i = 0; i < ic.length; i++) out += `${(ic[i] as ClientPoint).toLineProtocol()}\n`;
          return out;
        }),
    ],
    [
      // The floor: only the number formatting every encoder must do (String(float), the int, the
      // BigInt time), without escaping, sorting or building any output.
      'floor',
      () =>
        measure('floor: String(usage) + String(cores) + time.toString()', () => {
          let n = 0;
          for (let i = 0; i < points.length; i++) {
            const p = points[i] as Point;
            const f = p.fields as { usage: number; cores: bigint };
            n += String(f.usage).length + String(f.cores).length + (p.time as bigint).toString().length;
          }
          return n < 0 ? '' : undefined; // (uses n, so the conversions are not optimised away)
        }),
    ],
  ];
  const run = rowsToRun[ROW];
  if (run !== undefined) {
    process.stdout.write(`${JSON.stringify(await run[1]())}\n`);
    await registry.close();
    return;
  }
  await registry.close();
  const results: Result[] = [];
  for (let i = 0; i < rowsToRun.length; i++) {
    const out = execFileSync(
      process.execPath,
      [fileURLToPath(import.meta.url), String(TOTAL), String(BATCH), '--row', String(i)],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    results.push(JSON.parse(out.trim().split('\n').pop() as string) as Result);
  }

  const base = results[0] as Result;
  console.log(`node ${process.version}, ${BATCH * ROUNDS} points per encoder (batch ${BATCH} x ${ROUNDS})`);
  for (const r of results) {
    const size = r.bytesPerLine === undefined ? '' : `  ${r.bytesPerLine.toFixed(1)} B/line`;
    console.log(
      `${r.name.padEnd(56)} ${(r.pps / 1e6).toFixed(2).padStart(6)} M points/s  ${(r.pps / base.pps).toFixed(2).padStart(6)}x node-influx${size}`,
    );
    if (r.sample !== '') console.log(`  ${r.sample}`);
  }
}

await main();
