/**
 * FrameClient benchmark (issue 7), against a real influxd (INFLUXDB_URL, or a throwaway one):
 *
 * 1. writeFrame of a ROWS-row Arrow table vs writePoints of the same data as point objects (the
 *    objects are built before the clock starts), each into a fresh database.
 * 2. queryFrames of the ROWS rows vs `curl` of the same chunked query to /dev/null, each in its own
 *    child process, with the peak RSS of each (/usr/bin/time -f %M for curl, maxRSS for node).
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/arrow-frames.bench.js [rows]
 * Prints times and ratios of the runs of this process only; never asserted by tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
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
import { FrameClient } from '../src/arrow/index.js';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import type { Point } from '../src/line-protocol/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';

const ROWS = Number(process.argv[3] ?? process.argv[2] ?? 1_000_000) || 1_000_000;
const HOSTS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
const T0 = 1_600_000_000_000_000_000n;

function buildTable(n: number): Table {
  const time = new BigInt64Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const c = new BigInt64Array(n);
  const host = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = T0 + BigInt(i) * 1_000_003n;
    a[i] = i * 0.25 + 0.1;
    b[i] = Math.sin(i);
    c[i] = BigInt(i * 7);
    host[i] = i % HOSTS.length;
  }
  const dict = vectorFromArray(HOSTS);
  return new Table({
    time: makeVector(makeData({ type: new TimestampNanosecond(), length: n, data: time })),
    host: makeVector(
      makeData({ type: new Dictionary(dict.type, new Int32()), length: n, data: host, dictionary: dict }),
    ),
    a: makeVector(makeData({ type: new Float64(), length: n, data: a })),
    b: makeVector(makeData({ type: new Float64(), length: n, data: b })),
    c: makeVector(makeData({ type: new Int64(), length: n, data: c })),
  });
}

function toPoints(t: Table): Point[] {
  const time = t.getChild('time')!.data[0]!.values as BigInt64Array;
  const a = t.getChild('a')!.data[0]!.values as Float64Array;
  const b = t.getChild('b')!.data[0]!.values as Float64Array;
  const c = t.getChild('c')!.data[0]!.values as BigInt64Array;
  const points: Point[] = new Array(t.numRows);
  for (let i = 0; i < t.numRows; i++) {
    points[i] = {
      measurement: 'bench',
      tags: { host: HOSTS[i % HOSTS.length] },
      fields: { a: a[i] as number, b: b[i] as number, c: c[i] as bigint },
      time: time[i] as bigint,
    };
  }
  return points;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

async function queryChild(url: string, db: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const fc = new FrameClient({ host: hostname, port: Number(port), database: db });
  const t0 = performance.now();
  const frames = await fc.queryFrames('SELECT * FROM "bench"');
  const ms = performance.now() - t0;
  const t = frames.get('bench') as Table;
  const bytes = t.data.reduce((s, d) => s + d.byteLength, 0);
  await fc.close();
  console.log(JSON.stringify({ ms, rows: t.numRows, bytes, maxRssKb: process.resourceUsage().maxRSS }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--query-child') {
    await queryChild(process.env.BENCH_URL as string, process.env.BENCH_DB as string);
    return;
  }
  let server: InfluxdHandle | undefined;
  let url = process.env.INFLUXDB_URL;
  if (!url) {
    server = await startInfluxd();
    url = server.url;
  }
  const { hostname, port } = new URL(url);
  const client = new InfluxDBClient({ host: hostname, port: Number(port), timeout: 300_000 });
  const frames = new FrameClient(client);
  try {
    console.log(`rows: ${ROWS}`);
    const table = buildTable(ROWS);
    const points = toPoints(table);

    // Alternate the two writers (frame first) twice and keep each one's best time, so neither
    // pays alone for the server's work left over from the other (compaction, the dropped database).
    let pointsMs = Number.POSITIVE_INFINITY;
    let frameMs = Number.POSITIVE_INFINITY;
    let res = { written: 0, skipped: 0, requests: 0 };
    for (let round = 0; round < 2; round++) {
      if (round > 0) await client.dropDatabase('bench_frames');
      await client.createDatabase('bench_frames');
      let t0 = performance.now();
      res = await frames.writeFrame(table, 'bench', {
        database: 'bench_frames',
        tagColumns: ['host'],
        batchSize: 5000,
      });
      frameMs = Math.min(frameMs, performance.now() - t0);
      await client.createDatabase('bench_points');
      t0 = performance.now();
      await client.writePoints(points, { database: 'bench_points', batchSize: 5000 });
      pointsMs = Math.min(pointsMs, performance.now() - t0);
      await client.dropDatabase('bench_points');
    }
    console.log(`writePoints (point objects): ${pointsMs.toFixed(0)} ms`);
    console.log(
      `writeFrame (Arrow table):    ${frameMs.toFixed(0)} ms  (${res.written} lines, ${res.requests} requests)`,
    );
    console.log(`ratio writeFrame / writePoints: ${(frameMs / pointsMs).toFixed(2)}`);

    // queryFrames vs curl, each in its own process.
    const q = new URLSearchParams({
      db: 'bench_frames',
      q: 'SELECT * FROM "bench"',
      epoch: 'ns',
      chunked: 'true',
      chunk_size: '10000',
    });
    const curl = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %M', 'curl', '-s', '-o', '/dev/null', `${url}/query?${q}`],
      { encoding: 'utf8' },
    );
    const [curlSec, curlKb] = curl.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--query-child'], {
      env: { ...process.env, BENCH_URL: url, BENCH_DB: 'bench_frames' },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const child = JSON.parse(out.trim().split('\n').pop() as string) as {
      ms: number;
      rows: number;
      bytes: number;
      maxRssKb: number;
    };
    const curlMs = (curlSec as number) * 1000;
    console.log(
      `curl (msgpack, chunked, as the client asks) to /dev/null: ${curlMs.toFixed(0)} ms, peak RSS ${mb((curlKb as number) * 1024)}`,
    );
    console.log(
      `queryFrames: ${child.ms.toFixed(0)} ms for ${child.rows} rows, table ${mb(child.bytes)}, peak RSS ${mb(child.maxRssKb * 1024)} (node process)`,
    );
    console.log(
      `ratio queryFrames / curl: ${(child.ms / curlMs).toFixed(2)}; peak RSS / table size: ${((child.maxRssKb * 1024) / child.bytes).toFixed(2)}`,
    );
    await client.dropDatabase('bench_frames');
  } finally {
    await frames.close();
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
