/**
 * writePoints speed: N points (default 1M; `--rows N`) of
 * `cpu,host=h<k>,region=r<k> usage=<float>,cores=<int>i <ns>` in batches of 5000 into a throwaway
 * influxd, by:
 *   - InfluxDBClient.writePoints with an array of point objects (encoding included in the time),
 *   - the same from a generator (point creation included too; nothing held in memory),
 *   - InfluxDBClient.writePoints with pre-built line strings,
 *   - a bare undici loop posting the same pre-built bodies with the same concurrency (the floor).
 * Each measurement runs in its own child process (peak RSS is its own) into its own database.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/client-write.bench.js [--rows N]
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { makeLines, type Point } from '../src/line-protocol/index.js';
import { startInfluxd } from '../src/testing/index.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : def;
};
const BATCH = 5000;
const MODES = arg('--modes', 'undici-bodies,client-points,client-points-gen,client-lines').split(',');
const CONCURRENCY = 4;
const ROUNDS = Number(arg('--rounds', '3')); // the client's default writeConcurrency (min(poolSize 10, 4))

function point(i: number): Point {
  return {
    measurement: 'cpu',
    tags: { host: `h${i % 100}`, region: `r${i % 5}` },
    fields: { usage: i / 7, cores: BigInt(i % 64) },
    time: 1_700_000_000_000_000_000n + BigInt(i) * 1000n,
  };
}

function* generate(n: number): Generator<Point> {
  for (let i = 0; i < n; i++) yield point(i);
}

function points(n: number): Point[] {
  return Array.from({ length: n }, (_, i) => point(i));
}

async function child(mode: string, url: string, rows: number, db: string): Promise<void> {
  const u = new URL(url);
  let ms: number;
  if (mode === 'client-points-gen') {
    // points created on the fly by a generator: object creation is inside the client's time
    const client = new InfluxDBClient({ host: u.hostname, port: Number(u.port), database: db });
    const t0 = performance.now();
    await client.writePoints(generate(rows), { batchSize: BATCH });
    ms = performance.now() - t0;
    await client.close();
  } else if (mode === 'client-points') {
    const data = points(rows);
    const client = new InfluxDBClient({ host: u.hostname, port: Number(u.port), database: db });
    const t0 = performance.now();
    await client.writePoints(data, { batchSize: BATCH });
    ms = performance.now() - t0;
    await client.close();
  } else if (mode === 'client-lines') {
    const lines = makeLines(generate(rows)).split('\n');
    lines.pop();
    const client = new InfluxDBClient({ host: u.hostname, port: Number(u.port), database: db });
    const t0 = performance.now();
    await client.writePoints(lines, { batchSize: BATCH });
    ms = performance.now() - t0;
    await client.close();
  } else {
    const bodies: string[] = [];
    for (let i = 0; i < rows; i += BATCH) {
      bodies.push(makeLines(Array.from({ length: Math.min(BATCH, rows - i) }, (_, k) => point(i + k))));
    }
    const pool = new Pool(url, { connections: 10 });
    const path = `/write?db=${db}&precision=n`;
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const res = await pool.request({ path, method: 'POST', body });
        await res.body.dump();
        if (res.statusCode !== 204) throw new Error(`write failed: ${res.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    ms = performance.now() - t0;
    await pool.close();
  }
  process.stdout.write(
    `${JSON.stringify({ name: mode, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

function runChild(
  mode: string,
  url: string,
  rows: number,
  db: string,
): Promise<{ name: string; ms: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', mode, '--url', url, '--rows', String(rows), '--db', db],
      { maxBuffer: 1 << 20 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string))),
    );
  });
}

async function main(): Promise<void> {
  const rows = Number(arg('--rows', '1000000'));
  if (argv.includes('--child')) {
    await child(arg('--child', ''), arg('--url', ''), rows, arg('--db', ''));
    return;
  }
  const server = await startInfluxd();
  try {
    const admin = new InfluxDBClient({ host: server.host, port: server.port });
    const results: { name: string; ms: number; maxRssMb: number }[] = [];
    let k = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const db = `w${k++}`;
        await admin.createDatabase(db);
        results.push(await runChild(mode, server.url, rows, db));
        await admin.dropDatabase(db);
      }
    }
    await admin.close();
    const best = (name: string) =>
      results.filter((r) => r.name === name).reduce((a, b) => (a.ms <= b.ms ? a : b));
    const floor = best('undici-bodies');
    console.log(
      `writePoints of ${rows} points, batches of ${BATCH}, ${CONCURRENCY} in flight (best of ${ROUNDS}, own process each):`,
    );
    console.log('name             time (s)  points/s   peak RSS (MB)  vs bare undici');
    for (const name of MODES) {
      const r = best(name);
      console.log(
        `${name.padEnd(16)} ${(r.ms / 1000).toFixed(2).padStart(8)}  ${Math.round(rows / (r.ms / 1000))
          .toString()
          .padStart(9)}  ${r.maxRssMb.toFixed(0).padStart(13)}  ${(r.ms / floor.ms).toFixed(2)}x`,
      );
    }
  } finally {
    await server.stop();
  }
}

await main();
