/**
 * queryStream speed and memory: N rows (default 1M; `--rows N`) of
 * `cpu,host=h<k> value=<float>,count=<int>i <ns>` are written into a throwaway influxd, then
 * `SELECT * FROM cpu` is read with chunked=true by:
 *   - curl writing the response to /dev/null (the floor: no decoding at all),
 *   - a bare undici request reading the msgpack response without decoding it (the Node floor),
 *   - InfluxDBClient.queryStream over msgpack (the default) and over JSON, counting rows from the
 *     decoded chunks, and again materialising every row object with getPoints(),
 *   - the whole (non-chunked) response decoded at once, JSON.parse vs msgpack, for the format choice.
 * Every measurement runs in its own child process, so its peak RSS (`maxRSS`) is its own. The Node
 * clients are timed warm, as in a running service (one small query first: connection open,
 * undici's wasm HTTP parser compiled); curl is a fresh process each time (its start-up is ~5 ms).
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/client-stream.bench.js [--rows N]
 */
import { execFile, spawn } from 'node:child_process';
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

interface Measure {
  name: string;
  ms: number;
  maxRssMb: number;
  rows?: number;
  bytes?: number;
}

async function child(mode: string, url: string): Promise<void> {
  const u = new URL(url);
  let t0 = performance.now();
  let rows = 0;
  let bytes = 0;
  if (mode.startsWith('stream-')) {
    const [, format, materialise] = mode.split('-');
    const client = new InfluxDBClient({
      host: u.hostname,
      port: Number(u.port),
      database: DB,
      responseFormat: format as 'json' | 'msgpack',
    });
    // warm-up, as in a running service: connection open, undici's parser compiled, decoder warm
    for await (const _ of client.queryStream(`${Q} LIMIT 20000`, { chunkSize: CHUNK }));
    t0 = performance.now();
    for await (const rs of client.queryStream(Q, { chunkSize: CHUNK })) {
      if (materialise === 'rows') for (const _ of rs.getPoints()) rows++;
      else for (const s of rs.series) rows += s.values?.length ?? 0;
    }
    await client.close();
  } else if (mode === 'undici-raw') {
    // the Node floor: the same chunked msgpack response read with a bare undici request, not decoded
    const pool = new Pool(url);
    await (await pool.request({ path: '/ping', method: 'GET' })).body.dump();
    t0 = performance.now();
    const res = await pool.request({
      path: `/query?${new URLSearchParams({ db: DB, q: Q, chunked: 'true', chunk_size: String(CHUNK) })}`,
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
    const t1 = performance.now();
    const decoded = format === 'json' ? parseJsonExact(body.toString('utf8')) : decodeMsgpack(body);
    rows = decoded.results?.[0]?.series?.[0]?.values?.length ?? 0;
    const decodeMs = performance.now() - t1;
    await pool.close();
    process.stdout.write(
      `${JSON.stringify({ name: mode, ms: decodeMs, maxRssMb: process.resourceUsage().maxRSS / 1024, rows, bytes })}\n`,
    );
    return;
  }
  const ms = performance.now() - t0;
  process.stdout.write(
    `${JSON.stringify({ name: mode, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, rows, bytes })}\n`,
  );
}

function runChild(mode: string, url: string): Promise<Measure> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', mode, '--url', url],
      { maxBuffer: 1 << 20 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string))),
    );
  });
}

function runCurl(name: string, url: string, accept: string): Promise<Measure> {
  const target = `${url}/query?${new URLSearchParams({ db: DB, q: Q, chunked: 'true', chunk_size: String(CHUNK) })}`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('/usr/bin/time', [
      '-f',
      '%M',
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
      if (code !== 0) reject(new Error(`curl failed: ${err}`));
      else resolve({ name, ms, maxRssMb: Number(err.trim().split('\n').at(-1)) / 1024 });
    });
  });
}

async function main(): Promise<void> {
  if (argv.includes('--child')) {
    await child(arg('--child', ''), arg('--url', ''));
    return;
  }
  const rows = Number(arg('--rows', '1000000'));
  const server = await startInfluxd();
  try {
    const client = new InfluxDBClient({ host: server.host, port: server.port, database: DB });
    await client.createDatabase(DB);
    const t0 = performance.now();
    function* points() {
      for (let i = 0; i < rows; i++) {
        yield {
          measurement: 'cpu',
          tags: { host: `h${i % 10}` },
          fields: { value: i / 7, count: BigInt(i) },
          time: 1_700_000_000_000_000_000n + BigInt(i) * 1000n,
        };
      }
    }
    await client.writePoints(points(), { batchSize: 5000 });
    await client.close();
    console.log(
      `wrote ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; influxd ${server.url}`,
    );
    // warm the server's caches once
    await new Promise<void>((r) =>
      execFile(
        'curl',
        ['-s', '-o', '/dev/null', `${server.url}/query?db=${DB}&q=${encodeURIComponent(Q)}&chunked=true`],
        () => r(),
      ),
    );

    // let the server finish its post-write cache snapshot before timing anything
    await new Promise((r) => setTimeout(r, 5000));
    const results: Measure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      results.push(await runCurl('curl-msgpack', server.url, 'application/x-msgpack'));
      results.push(await runCurl('curl-json', server.url, 'application/json'));
      for (const mode of [
        'undici-raw',
        'stream-msgpack',
        'stream-json',
        'stream-msgpack-rows',
        'stream-json-rows',
      ]) {
        results.push(await runChild(mode, server.url));
      }
    }
    const decodes: Measure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['whole-msgpack', 'whole-json']) decodes.push(await runChild(mode, server.url));
    }
    const best = (name: string, list = results) =>
      list.filter((r) => r.name === name).reduce((a, b) => (a.ms <= b.ms ? a : b));
    const curlM = best('curl-msgpack');
    const curlJ = best('curl-json');
    console.log(
      `\nqueryStream over ${rows} rows (best of ${ROUNDS}; each in its own process; median in brackets):`,
    );
    const median = (name: string) => {
      const xs = results
        .filter((r) => r.name === name)
        .map((r) => r.ms)
        .sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)] as number;
    };
    console.log('name                     time (s) [median]  peak RSS (MB)  vs curl (same format) [medians]');
    for (const name of [
      'curl-msgpack',
      'curl-json',
      'undici-raw',
      'stream-msgpack',
      'stream-json',
      'stream-msgpack-rows',
      'stream-json-rows',
    ]) {
      const r = best(name);
      const floor = name.includes('msgpack') || name === 'undici-raw' ? curlM : curlJ;
      console.log(
        `${name.padEnd(24)} ${(r.ms / 1000).toFixed(2).padStart(8)} [${(median(name) / 1000).toFixed(2)}]  ${r.maxRssMb.toFixed(0).padStart(13)}  ${(r.ms / floor.ms).toFixed(2)}x [${(median(name) / median(floor.name)).toFixed(2)}x]`,
      );
    }
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
  } finally {
    await server.stop();
  }
}

await main();
