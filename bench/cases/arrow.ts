/**
 * Arrow case: `--case NAME --rows N --url URL --db DB`, the FrameClient rows of the write and
 * read groups (was bench/arrow-frames.bench.ts):
 *   - `writeFrame`: `FrameClient#writeFrame` of an N-row Arrow table of the bench shape (tags
 *     `host`, `region`; fields `cores` Int64, `ok` Bool, `usage` Float64; nanosecond Timestamp),
 *     built before the clock starts, batches of 5000, 4 requests in flight, into DB (counted by the
 *     runner afterwards);
 *   - `queryFrames`: `FrameClient#queryFrames` of the N rows the runner wrote (one Arrow table;
 *     its row count is checked).
 */
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
  vectorFromArray,
} from 'apache-arrow';
import { FrameClient } from '../../src/arrow/index.js';
import { arg, BATCH, CONCURRENCY, MEASUREMENT, READ_QUERY, report, row, since, start } from '../lib/shape.js';

const name = arg('--case');
const n = Number(arg('--rows'));
const url = new URL(arg('--url'));
const db = arg('--db');

/** A dictionary-encoded string column of `values[codes[i]]`. */
function dictionary(values: string[], codes: Int32Array) {
  const dict = vectorFromArray(values);
  return makeVector(
    makeData({
      type: new Dictionary(dict.type, new Int32()),
      length: codes.length,
      data: codes,
      dictionary: dict,
    }),
  );
}

/** The bench shape (bench/lib/shape.ts) as an Arrow table of `rows` rows. */
function table(rows: number): Table {
  const time = new BigInt64Array(rows);
  const usage = new Float64Array(rows);
  const cores = new BigInt64Array(rows);
  const ok = new Uint8Array(Math.ceil(rows / 8));
  const host = new Int32Array(rows);
  const region = new Int32Array(rows);
  const hosts: string[] = [];
  const regions: string[] = [];
  for (let i = 0; i < rows; i++) {
    const r = row(i);
    time[i] = r.time;
    usage[i] = r.usage;
    cores[i] = BigInt(r.cores);
    if (r.ok) ok[i >> 3] = (ok[i >> 3] as number) | (1 << (i & 7));
    host[i] = i % 100;
    region[i] = i % 5;
    if (i < 100) hosts[i] = r.host;
    if (i < 5) regions[i] = r.region;
  }
  return new Table({
    time: makeVector(makeData({ type: new TimestampNanosecond(), length: rows, data: time })),
    host: dictionary(hosts, host),
    region: dictionary(regions, region),
    cores: makeVector(makeData({ type: new Int64(), length: rows, data: cores })),
    ok: makeVector(makeData({ type: new Bool(), length: rows, data: ok })),
    usage: makeVector(makeData({ type: new Float64(), length: rows, data: usage })),
  });
}

async function main(): Promise<void> {
  const frames = new FrameClient({ host: url.hostname, port: Number(url.port), database: db });
  try {
    // One small request first (connection open, HTTP parser warm), as in a running service.
    await frames.queryFrames('SHOW MEASUREMENTS LIMIT 1');
    switch (name) {
      case 'writeFrame': {
        const t = table(n);
        const t0 = start();
        const res = await frames.writeFrame(t, MEASUREMENT, {
          tagColumns: ['host', 'region'],
          batchSize: BATCH,
          concurrency: CONCURRENCY,
        });
        const seconds = since(t0);
        if (res.written !== n) throw new Error(`writeFrame wrote ${res.written} rows, expected ${n}`);
        report(seconds, n);
        return;
      }
      case 'queryFrames': {
        const t0 = start();
        const result = await frames.queryFrames(READ_QUERY);
        const seconds = since(t0);
        const rows = result.get(MEASUREMENT)?.numRows ?? 0;
        if (rows !== n) throw new Error(`queryFrames read ${rows} rows, expected ${n}`);
        report(seconds, n);
        return;
      }
      default:
        throw new Error(`unknown arrow case ${name}`);
    }
  } finally {
    await frames.close();
  }
}

await main();
