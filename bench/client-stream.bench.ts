/**
 * Read speed and memory: N rows (default 1M; `--rows N`) of the benchmark shape
 * `cpu,host=host-<i%100>,region=region-<i%5> cores=<int>i,ok=<bool>,usage=<float> <ns>` are written
 * into a throwaway influxd, then `SELECT * FROM "cpu"` is read by:
 *   - curl writing the response to /dev/null (the floor: no decoding at all), with the same query
 *     parameters and Accept header as the client it is compared with: chunked=true&chunk_size=10000
 *     for the streams, the whole response for `query`;
 *   - a bare undici request reading the chunked msgpack response without decoding it (the Node floor);
 *   - InfluxDBClient.queryStream over msgpack (the default) and over JSON, counting rows from the
 *     decoded chunks, and again materialising every row object with getPoints();
 *   - InfluxDBClient.query (the whole result as one ResultSet) over msgpack;
 *   - the whole (non-chunked) response decoded at once, JSON.parse vs msgpack, for the format choice.
 * Every measurement runs in its own child process, so its peak RSS (`maxRSS`) is its own. The Node
 * clients are timed warm, as in a running service (one small query first: connection open,
 * undici's wasm HTTP parser compiled); curl is a fresh process each time (its start-up is ~5 ms).
 * Each line also shows the CPU time (user+sys) of the reader and of influxd while it ran: on a
 * 2-core box influxd needs about a core and a half to produce the response, so every CPU
 * millisecond the reader spends is taken from the server.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/client-stream.bench.js [--rows N]
 *      [--rounds R] [--only name,name] [--url http://127.0.0.1:PORT --pid INFLUXD_PID]
 * (`--url` reuses a server that already holds the data in database "bench".)
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { parseJsonExact } from '../src/results/json-decoder.js';
import { decodeMsgpack } from '../src/results/msgpack-decoder.js';
import { startInfluxd } from '../src/testing/index.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : def;
};
const DB = 'bench';
const Q = 'SELECT * FROM "cpu"';
const CHUNK = 10_000;
const ROUNDS = Number(arg('--rounds', '3'));
const T0 = 1_700_000_000_000_000_000n;

interface Measure {
  name: string;
  ms: number;
  maxRssMb: number;
  /** CPU time (user+sys) of the reader during the timed part. */
  cpuMs: number;
  /** CPU time of influxd during the timed part. */
  serverCpuMs: number;
  rows?: number;
  bytes?: number;
}

/** CPU time (user+sys) of a process so far, in ms, from /proc (0 when not readable). */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

async function child(mode: string, url: string, serverPid: number): Promise<void> {
  const u = new URL(url);
  let rows = 0;
  let bytes = 0;
  let t0 = 0;
  let c0 = process.cpuUsage();
  let s0 = 0;
  const start = () => {
    s0 = processCpuMs(serverPid);
    c0 = process.cpuUsage();
    t0 = performance.now();
  };
  if (mode.startsWith('stream-') || mode.startsWith('query-')) {
    const [kind, format, materialise] = mode.split('-');
    const client = new InfluxDBClient({
      host: u.hostname,
      port: Number(u.port),
      database: DB,
      responseFormat: format as 'json' | 'msgpack',
      timeout: 0,
    });
    // warm-up, as in a running service: connection open, undici's parser compiled, decoder warm
    for await (const _ of client.queryStream(`${Q} LIMIT 20000`, { chunkSize: CHUNK }));
    await client.query(`${Q} LIMIT 20000`);
    start();
    if (kind === 'stream') {
      for await (const rs of client.queryStream(Q, { chunkSize: CHUNK })) {
        if (materialise === 'rows') for (const _ of rs.getPoints()) rows++;
        else for (const s of rs.series) rows += s.values?.length ?? 0;
      }
    } else {
      const rs = await client.query(Q);
      if (materialise === 'rows') for (const _ of rs.getPoints()) rows++;
      else for (const s of rs.series) rows += s.values?.length ?? 0;
    }
    await client.close();
  } else if (mode === 'undici-raw') {
    // the Node floor: the same chunked msgpack response read with a bare undici request, not decoded
    const pool = new Pool(url);
    const path = (q: string) =>
      `/query?${new URLSearchParams({ db: DB, q, chunked: 'true', chunk_size: String(CHUNK) })}`;
    await (await pool.request({ path: path(`${Q} LIMIT 20000`), method: 'GET' })).body.dump();
    start();
    const res = await pool.request({
      path: path(Q),
      method: 'GET',
      headers: { accept: 'application/x-msgpack' },
    });
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    await pool.close();
  } else if (mode.startsWith('whole-')) {
    const format = mode.slice(6);
    const pool = new Pool(url);
    const res = await pool.request({
      path: `/query?${new URLSearchParams({ db: DB, q: Q })}`,
      method: 'GET',
      headers: { accept: format === 'json' ? 'application/json' : 'application/x-msgpack' },
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    bytes = body.length;
    start();
    const decoded = format === 'json' ? parseJsonExact(body.toString('utf8')) : decodeMsgpack(body);
    rows = decoded.results?.[0]?.series?.[0]?.values?.length ?? 0;
    await pool.close();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const m: Measure = {
    name: mode,
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    serverCpuMs: processCpuMs(serverPid) - s0,
    rows,
    bytes,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function runChild(mode: string, url: string, pid: number): Promise<Measure> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', mode, '--url', url, '--pid', String(pid)],
      { maxBuffer: 1 << 20 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string))),
    );
  });
}

function runCurl(name: string, url: string, pid: number): Promise<Measure> {
  const accept = name.includes('json') ? 'application/json' : 'application/x-msgpack';
  const params: Record<string, string> = { db: DB, q: Q };
  if (!name.endsWith('-whole')) Object.assign(params, { chunked: 'true', chunk_size: String(CHUNK) });
  const target = `${url}/query?${new URLSearchParams(params)}`;
  return new Promise((resolve, reject) => {
    const s0 = processCpuMs(pid);
    const t0 = performance.now();
    const p = spawn('/usr/bin/time', [
      '-f',
      '%U %S %M',
      'curl',
      '-sS',
      '-o',
      '/dev/null',
      '-H',
      `Accept: ${accept}`,
      target,
    ]);
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      const [user, sys, rss] = (err.trim().split('\n').at(-1) as string).split(' ').map(Number);
      if (code !== 0) reject(new Error(`curl failed: ${err}`));
      else
        resolve({
          name,
          ms,
          maxRssMb: (rss as number) / 1024,
          cpuMs: ((user as number) + (sys as number)) * 1000,
          serverCpuMs: processCpuMs(pid) - s0,
        });
    });
  });
}

async function writeShape(url: string, rows: number): Promise<void> {
  const u = new URL(url);
  const client = new InfluxDBClient({ host: u.hostname, port: Number(u.port), database: DB });
  await client.createDatabase(DB);
  const hosts = Array.from({ length: 100 }, (_, k) => `host-${k}`);
  const regions = Array.from({ length: 5 }, (_, k) => `region-${k}`);
  function* points() {
    for (let i = 0; i < rows; i++) {
      yield {
        measurement: 'cpu',
        tags: { host: hosts[i % 100] as string, region: regions[i % 5] as string },
        fields: { usage: ((i * 7919) % 100003) / 1000.7, cores: BigInt(1 + (i % 64)), ok: i % 3 !== 0 },
        time: T0 + BigInt(i) * 1000n,
      };
    }
  }
  await client.writePoints(points(), { batchSize: 5000 });
  await client.close();
}

const ALL = [
  'curl-msgpack',
  'curl-json',
  'curl-msgpack-whole',
  'undici-raw',
  'stream-msgpack',
  'stream-json',
  'stream-msgpack-rows',
  'stream-json-rows',
  'query-msgpack',
  'query-msgpack-rows',
];

/** The curl run each measurement is compared with (same format, same chunking). */
function floorOf(name: string): string {
  if (name.startsWith('query-')) return 'curl-msgpack-whole';
  if (name.startsWith('curl-')) return name;
  return name.includes('json') ? 'curl-json' : 'curl-msgpack';
}

async function main(): Promise<void> {
  if (argv.includes('--child')) {
    await child(arg('--child', ''), arg('--url', ''), Number(arg('--pid', '0')));
    return;
  }
  const rows = Number(arg('--rows', '1000000'));
  const only = arg('--only', '');
  const wanted = new Set(only ? only.split(',') : ALL);
  for (const m of [...wanted]) wanted.add(floorOf(m));
  const modes = ALL.filter((m) => wanted.has(m));
  const external = arg('--url', '');
  const server = external ? undefined : await startInfluxd();
  const url = external || (server?.url as string);
  const pid = external ? Number(arg('--pid', '0')) : (server?.pid as number);
  try {
    if (!external) {
      const t0 = performance.now();
      await writeShape(url, rows);
      console.log(`wrote ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; influxd ${url}`);
      // warm the server's caches once, then let it finish its post-write cache snapshot
      await new Promise<void>((r) =>
        execFile(
          'curl',
          ['-s', '-o', '/dev/null', `${url}/query?db=${DB}&q=${encodeURIComponent(Q)}&chunked=true`],
          () => r(),
        ),
      );
      await new Promise((r) => setTimeout(r, 5000));
    }
    const results: Measure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of modes) {
        results.push(await (mode.startsWith('curl-') ? runCurl(mode, url, pid) : runChild(mode, url, pid)));
      }
    }
    const decodes: Measure[] = [];
    if (!only) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of ['whole-msgpack', 'whole-json']) decodes.push(await runChild(mode, url, pid));
      }
    }
    const of = (name: string, list = results) => list.filter((r) => r.name === name);
    const best = (name: string, list = results) => of(name, list).reduce((a, b) => (a.ms <= b.ms ? a : b));
    const median = (name: string, key: 'ms' | 'cpuMs' | 'serverCpuMs' = 'ms') => {
      const xs = of(name)
        .map((r) => r[key])
        .sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)] as number;
    };
    console.log(
      `\nreading ${rows} rows (best of ${ROUNDS}; each in its own process; medians in brackets; CPU = user+sys):`,
    );
    console.log(
      'name                  time (s) [median]  peak RSS (MB)  reader CPU (s)  influxd CPU (s)  vs curl (same format) [medians]',
    );
    for (const name of modes) {
      const r = best(name);
      const floor = floorOf(name);
      console.log(
        `${name.padEnd(21)} ${(r.ms / 1000).toFixed(2).padStart(8)} [${(median(name) / 1000).toFixed(2)}]  ${r.maxRssMb.toFixed(0).padStart(13)}  ${(median(name, 'cpuMs') / 1000).toFixed(2).padStart(14)}  ${(median(name, 'serverCpuMs') / 1000).toFixed(2).padStart(15)}  ${(r.ms / best(floor).ms).toFixed(2)}x [${(median(name) / median(floor)).toFixed(2)}x]`,
      );
    }
    if (decodes.length > 0) {
      console.log(`\nwhole response decoded at once (${rows} rows), decode time only:`);
      const dm = best('whole-msgpack', decodes);
      const dj = best('whole-json', decodes);
      console.log(
        `msgpack: ${dm.ms.toFixed(0)} ms for ${((dm.bytes ?? 0) / 1e6).toFixed(1)} MB; peak RSS ${dm.maxRssMb.toFixed(0)} MB`,
      );
      console.log(
        `json:    ${dj.ms.toFixed(0)} ms for ${((dj.bytes ?? 0) / 1e6).toFixed(1)} MB; peak RSS ${dj.maxRssMb.toFixed(0)} MB`,
      );
      console.log(`json/msgpack decode time ratio: ${(dj.ms / dm.ms).toFixed(2)}`);
    }
  } finally {
    await server?.stop();
  }
}

await main();
